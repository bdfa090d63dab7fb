"""Forms for evaluations, signatures, amendments, recognitions and templates; the services do the checking."""

from __future__ import annotations

from flask_wtf import FlaskForm
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
from wtforms.validators import Optional

from models.evaluations import NOT_OBSERVED, RECOGNITION_KINDS


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class EvaluationForm(FlaskForm):
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


class AcknowledgeForm(FlaskForm):
    """The evaluated person's acknowledgement and optional written response."""

    response = TextAreaField("Your response (optional)")


class AmendmentForm(FlaskForm):
    """A correction attached to a final evaluation."""

    body = TextAreaField("Correction")


class ActionForm(FlaskForm):
    """An empty form whose CSRF token protects a one-button action (co-sign, start)."""


class StartForm(FlaskForm):
    """Which due item to start an evaluation for."""

    person_id = HiddenField()
    assignment_id = HiddenField()
    cycle = HiddenField()


class RecognitionForm(FlaskForm):
    """A commendation, award or nomination."""

    kind = SelectField("Kind", choices=list(RECOGNITION_KINDS.items()))
    title = StringField("Title")
    reason = TextAreaField("Reason")
    awarded_on = DateField("Date", validators=[Optional()])
    school_id = SelectField("School (optional)", coerce=_int_or_none, validate_choice=False)
    evaluation_id = SelectField("Earned through evaluation (optional)", coerce=_int_or_none,
                                validate_choice=False)


class CriterionForm(Form):
    """One criterion row of a template."""

    title = StringField("Title (leave empty to remove)")
    guidance = TextAreaField("Guidance")
    weight = StringField("Weight")
    source = HiddenField()


class TemplateForm(FlaskForm):
    """A template's name, description and criteria; saving creates a new version."""

    name = StringField("Name")
    description = TextAreaField("Description")
    criteria = FieldList(FormField(CriterionForm), min_entries=1)



class CycleSettingsForm(FlaskForm):
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
