"""Helpers shared by every blueprint's forms and views."""

from __future__ import annotations

from flask import abort, flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import DataError
from wtforms import FieldList, FormField, PasswordField

from models import db
from models.errors import DomainError, ValidationFailed
from models.services.infra.text import column_limit, text_value_problems
from tracker.inputs import MAX_ID

TOO_LARGE = f"{{label}} is too large a number: at most {MAX_ID:,}."


def int_or_none(value):
    """A select's value as an id, empty as None; a number no id can be is not a choice."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError("Choose one from the list.")
    return number


def _leaves(fields):
    """Every field, descending into a FieldList's entries and a FormField's subform."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from _leaves(field.entries)
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


def _limit(tables, name: str) -> int | None:
    return next((limit for table in tables if (limit := column_limit(table, name))), None)


class CheckedForm(FlaskForm):
    """Every form's base: numbers a database id can hold, text that fits its column, no hidden characters.

    `tables` names the tables whose column lengths bound the form's text fields (by field name); text
    with no such column is bounded by MAX_TEXT. A number out of range is cleared, so the service never
    queries with it, and each problem goes on its field in words the person can act on.
    """

    tables: tuple = ()

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, then the checks above on every field."""
        valid = super().validate(extra_validators)
        for field in _leaves(self):
            problems = self._problems(field)
            if problems:
                field.errors = list(field.errors) + problems
                valid = False
        return valid

    def _problems(self, field) -> list[str]:
        label = field.label.text if field.label else field.short_name
        data = field.data
        if isinstance(data, int) and not isinstance(data, bool) and not -MAX_ID <= data <= MAX_ID:
            field.data = None
            return [TOO_LARGE.format(label=label)]
        if isinstance(data, list) and any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in data):
            field.data = [v for v in data if not isinstance(v, int) or -MAX_ID <= v <= MAX_ID]
            return [TOO_LARGE.format(label=label)]
        if isinstance(data, str) and not isinstance(field, PasswordField):
            tables = [t.__table__ if hasattr(t, "__table__") else t for t in self.tables]
            return text_value_problems(label, data, _limit(tables, field.short_name))
        return []


VALUE_REFUSED = ("One of the values could not be stored (too long, or a number too large). Shorten it "
                 "and save again; nothing was saved.")


def show_problems(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's problems to the form's fields so the page shows every one."""
    for field_name, messages in error.by_field().items():
        field = getattr(form, field_name, None) if field_name else None
        # The form's own checks may have said it already (a name too long): say each thing once.
        if field is not None:
            field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
        else:
            form.form_errors.extend(m for m in messages if m not in form.form_errors)


def get_or_404(model, ident):
    """Load a row by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def submit(form: FlaskForm, action):
    """Validate `form`, run `action(form.data)`, and commit only if nothing at all is wrong.

    The service runs even when a field failed to parse, so the page lists every problem at once.
    This is the one place a domain error becomes a form error: field problems go on their fields,
    any other refusal at the top of the form.
    """
    form.validate()
    result = None
    try:
        result = action(form.data)
    except ValidationFailed as error:
        show_problems(form, error)
    except DomainError as error:
        form.form_errors.append(str(error))
    except DataError:
        form.form_errors.append(VALUE_REFUSED)
    if not form.errors:
        try:
            db.session.commit()
        except DataError:  # a value the database refuses that no check above caught: say so, keep nothing
            form.form_errors.append(VALUE_REFUSED)
    if form.errors:
        db.session.rollback()
        return None
    return result if result is not None else True


def act(action):
    """Run a button's `action()` (no form fields): commit and return its result, or flash why not.

    A refused action rolls back and returns None; the view redirects either way.
    """
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    db.session.commit()
    return result if result is not None else True

