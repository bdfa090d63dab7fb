"""Forms for hiring; the services do the checking. Screening and scoring forms are built per vacancy."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from models.hiring import (
    BACKGROUND_CHECKS,
    BACKGROUND_RESULTS,
    CRITERION_KINDS,
    SCREENING_STATUSES,
    SEATS,
    Candidate,
    SelectionCriterion,
    Vacancy,
)
from models.hiring_panel import Decision, PanelMember
from models.people import ROLES
from tracker.forms import CheckedForm, int_or_none
from tracker.widgets import MultiCheckboxField

RATINGS = [("", "Choose a rating"), ("1", "1 – weak"), ("2", "2 – below expectations"),
           ("3", "3 – meets expectations"), ("4", "4 – strong"), ("5", "5 – outstanding")]



class CriterionForm(CheckedForm):
    """A selection criterion for a role."""

    tables = (SelectionCriterion,)

    role = SelectField("Role", choices=list(ROLES.items()))
    title = StringField("Title")
    description = TextAreaField("Description (optional)")
    kind = SelectField("Kind", choices=list(CRITERION_KINDS.items()))
    weight = IntegerField("Weight (preferences, 1–10)", validators=[Optional()])
    sensitive = BooleanField("Background-type requirement (evidence visible to HR only)")
    active = BooleanField("In force for new vacancies", default=True)


class VacancyForm(CheckedForm):
    """A new vacancy."""

    tables = (Vacancy,)

    title = StringField("Title")
    role = SelectField("Role", choices=list(ROLES.items()))
    school_ids = MultiCheckboxField("Schools", coerce=int)
    agency_id = SelectField("Agency (SRO posts)", coerce=int_or_none, validate_choice=False)
    job_description = TextAreaField("Job description")
    opened_on = DateField("Opened on (empty for today)", validators=[Optional()])
    closed_on = DateField("Closing date (optional)", validators=[Optional()])


class CandidateForm(CheckedForm):
    """A candidate: an existing person, or the details of a newcomer."""

    tables = (Candidate,)

    person_id = SelectField("Existing person (or leave empty and fill in the details below)",
                            coerce=int_or_none, validate_choice=False)
    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = EmailField("Email")
    licence_number = StringField("Officer licence number (optional)")
    current_agency_id = SelectField("Current agency", coerce=int_or_none, validate_choice=False)
    years_of_service = IntegerField("Years of sworn service", validators=[Optional()])
    volunteered = BooleanField("Volunteered for the post")


class TransitionForm(CheckedForm):
    """Move a candidate to another stage."""

    to_stage = SelectField("New stage", validate_choice=False)
    reason = TextAreaField("Reason")


class CancelForm(CheckedForm):
    """Cancel a vacancy."""

    reason = TextAreaField("Reason for cancelling")


class ActionForm(CheckedForm):
    """An empty form: its CSRF token protects action buttons."""


class PanelMemberForm(CheckedForm):
    """Seat a panel member."""

    tables = (PanelMember,)

    seat = SelectField("Seat", choices=list(SEATS.items()))
    user_id = SelectField("Account (members with one score for themselves)", coerce=int_or_none,
                          validate_choice=False)
    name = StringField("Name (filled from the account if left empty)")


class DecisionForm(CheckedForm):
    """The appointment decision."""

    tables = (Decision,)

    rationale = TextAreaField("Rationale (why this candidate; seniority alone is not a reason)")
    appointing_authority = StringField("Appointing authority")
    district_concurrence = BooleanField("The district concurs with this appointment")
    concurrence_by = StringField("Concurrence given by")
    start_date = DateField("Assignment start date", validators=[Optional()])
    override_justification = TextAreaField(
        "Override justification (only when a hard requirement is not met)")
    placement_exception_reason = TextAreaField(
        "Placement exception reason (only when starting before required training is complete)")
    send_invitation = BooleanField("Invite the new hire to sign in (an email with a link to set a password)",
                                   default=True)


def screening_form_class(vacancy):
    """A form with a status and evidence per hard requirement and a result per background check."""
    attrs = {}
    for c in vacancy.hard_criteria:
        attrs[f"status_{c.id}"] = SelectField(f"{c.title}: result", choices=list(SCREENING_STATUSES.items()))
        attrs[f"evidence_{c.id}"] = TextAreaField(f"{c.title}: evidence")
    for key, label in BACKGROUND_CHECKS.items():
        attrs[f"bg_{key}"] = SelectField(f"{label}: result", choices=list(BACKGROUND_RESULTS.items()))
        attrs[f"bg_date_{key}"] = DateField(f"{label}: date of result", validators=[Optional()])
        attrs[f"bg_detail_{key}"] = TextAreaField(f"{label}: detail (HR only)")
    return type("ScreeningForm", (CheckedForm,), attrs)


def score_form_class(vacancy):
    """A form with a 1–5 rating and a comment per preference criterion."""
    attrs = {}
    for c in vacancy.preference_criteria:
        attrs[f"rating_{c.id}"] = SelectField(f"{c.title} (weight {c.weight})", choices=RATINGS,
                                              validate_choice=False)
        attrs[f"comment_{c.id}"] = TextAreaField(f"{c.title}: comment")
    return type("ScoreForm", (CheckedForm,), attrs)
