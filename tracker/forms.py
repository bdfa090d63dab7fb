"""Helpers shared by every blueprint's forms and views."""

from __future__ import annotations

from flask import abort, flash
from flask_wtf import FlaskForm

from models import db
from models.errors import DomainError, ValidationFailed


def show_problems(form: FlaskForm, error: ValidationFailed) -> None:
    """Attach a service's problems to the form's fields so the page shows every one."""
    for field_name, messages in error.by_field().items():
        field = getattr(form, field_name, None) if field_name else None
        if field is not None:
            field.errors = list(field.errors) + messages
        else:
            form.form_errors.extend(messages)


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
    if form.errors:
        db.session.rollback()
        return None
    db.session.commit()
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

