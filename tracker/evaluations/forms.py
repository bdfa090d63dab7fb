"""Forms for evaluations, signatures, amendments, recognitions and templates; the services do the checking."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from models.evaluations import (
    NOT_OBSERVED,
    RECOGNITION_KINDS,
    Evaluation,
    EvaluationTemplate,
    Recognition,
    TemplateCriterion,
)
from tracker.forms import CheckedForm, int_or_none


class EvaluationForm(CheckedForm):
    """The evaluation's text fields; `evaluation_form` adds a rating and comment per criterion."""

    version_id = HiddenField()
    goals = TextAreaField("Goals agreed for this cycle")
    progress = TextAreaField("Progress on the goals")
    strengths = TextAreaField("Strengths")
    growth_areas = TextAreaField("Areas for growth")
    save = SubmitField("Save draft")
    submit_evaluation = SubmitField("Sign and submit")


def evaluation_form(evaluation, **kwargs) -> EvaluationForm:
    """An EvaluationForm with one rating select and one comment box per criterion of the evaluation."""
    scale = evaluation.template.scale
    choices = [("", "Not rated yet")] + [(str(s["value"]), f"{s['value']} – {s['label']}") for s in scale]
    choices.append((str(NOT_OBSERVED), "Not observed"))

    class Bound(EvaluationForm):
        pass

    for r in evaluation.ratings:
        setattr(Bound, f"rating_{r.criterion_id}",
                SelectField(f"Rating: {r.criterion.title}", choices=choices, validate_choice=False))
        setattr(Bound, f"comment_{r.criterion_id}",
                TextAreaField(f"Comment on {r.criterion.title} (required for ratings 1 and 2)"))
    form = Bound(**kwargs)
    return form


class AcknowledgeForm(CheckedForm):
    """The evaluated person's acknowledgement and optional written response."""

    response = TextAreaField("Your response (optional)")


class AmendmentForm(CheckedForm):
    """A correction attached to a final evaluation."""

    body = TextAreaField("Correction")


class ActionForm(CheckedForm):
    """An empty form whose CSRF token protects a one-button action (co-sign, start)."""


class StartForm(CheckedForm):
    """Which due item to start an evaluation for."""

    tables = (Evaluation,)

    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    assignment_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    cycle = HiddenField()


class RecognitionForm(CheckedForm):
    """A commendation, award or nomination."""

    tables = (Recognition,)

    kind = SelectField("Kind", choices=list(RECOGNITION_KINDS.items()))
    title = StringField("Title")
    reason = TextAreaField("Reason")
    awarded_on = DateField("Date", validators=[Optional()])
    school_id = SelectField("School (optional)", coerce=int_or_none, validate_choice=False)
    evaluation_id = SelectField("Earned through evaluation (optional)", coerce=int_or_none,
                                validate_choice=False)


class CriterionForm(Form):
    """One criterion row of a template."""

    title = StringField("Title (leave empty to remove)")
    guidance = TextAreaField("Guidance")
    weight = StringField("Weight")
    source = HiddenField()


class TemplateForm(CheckedForm):
    """A template's name, description and criteria; saving creates a new version."""

    tables = (EvaluationTemplate, TemplateCriterion)

    name = StringField("Name")
    description = TextAreaField("Description")
    criteria = FieldList(FormField(CriterionForm), min_entries=1)



class CycleSettingsForm(CheckedForm):
    """When evaluations fall due."""

    year_end_month = IntegerField("School year ends: month (1-12)", validators=[Optional()])
    year_end_day = IntegerField("School year ends: day of the month", validators=[Optional()])
    sro_annual = BooleanField("School resource officers: annual evaluation at the school year's end")
    sro_first_review_days = IntegerField("School resource officers: first review, days after a new "
                                         "assignment starts (empty for none)", validators=[Optional()])
    school_personnel_annual = BooleanField("School personnel: annual evaluation at the school year's end")
    school_personnel_first_review_days = IntegerField(
        "School personnel: first review, days after a new assignment starts (empty for none)",
        validators=[Optional()])
