"""Forms for outcome data and the self-assessment."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models.reports import (
    CHECKLISTS,
    OUTCOME_DIMENSIONS,
    OUTCOME_MEASURES,
    SELF_ASSESSMENT_STATUSES,
    STEPS,
    OutcomeCount,
    SelfAssessmentItem,
)
from tracker.forms import CheckedForm


class OutcomeForm(CheckedForm):
    """One school's counts for one term and measure; a field per breakdown category."""

    tables = (OutcomeCount,)

    school_id = SelectField("School", coerce=int)
    term = StringField("Term (for example 2025-2026 or 2025-2026 Fall)")
    measure = SelectField("What is counted", choices=list(OUTCOME_MEASURES.items()))

    def counts(self) -> dict[tuple[str, str], int | None]:
        """(dimension, category) -> count entered (None if blank)."""
        return {(d, c): getattr(self, f"{d}__{c}").data
                for d, (_, cats) in OUTCOME_DIMENSIONS.items() for c in cats}

    def groups(self):
        """(dimension label, [fields]) for the template."""
        return [(label, [getattr(self, f"{d}__{c}") for c in cats])
                for d, (label, cats) in OUTCOME_DIMENSIONS.items()]


for _dim, (_label, _cats) in OUTCOME_DIMENSIONS.items():
    for _cat, _cat_label in _cats.items():
        setattr(OutcomeForm, f"{_dim}__{_cat}", IntegerField(_cat_label, validators=[Optional()]))


class OutcomeImportForm(CheckedForm):
    """A CSV file of outcome counts."""

    file = FileField("CSV file (columns: school, term, measure, dimension, category, count)")


class SelfAssessmentForm(CheckedForm):
    """A checklist item's text, status, owner, notes and computed measure."""

    tables = (SelfAssessmentItem,)

    step = SelectField("Step", choices=list(STEPS.items()), coerce=int)
    checklist = SelectField("Checklist", choices=list(CHECKLISTS.items()))
    text = TextAreaField("Item")
    status = SelectField("Status", choices=list(SELF_ASSESSMENT_STATUSES.items()))
    owner = StringField("Owner")
    notes = TextAreaField("Notes")
    evidence_key = SelectField("Evidence the app computes", choices=[])
