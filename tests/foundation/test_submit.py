"""tracker.forms.submit is the one place a domain error becomes a form error (and nothing is written)."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from models.errors import DomainError, ValidationFailed
from models.org import Agency
from tracker.forms import submit


class NameForm(FlaskForm):
    """A one-field form for the test."""

    name = StringField("Name")


@pytest.mark.parametrize("error,field_errors,form_errors", [
    (ValidationFailed([("name", "Name is taken."), (None, "Try again.")]),
     ["Name is taken."], ["Try again."]),
    (DomainError("Scoring cannot be finalized: the panel has no school administrator."), [],
     ["Scoring cannot be finalized: the panel has no school administrator."]),
])
def test_a_refused_action_shows_on_the_form_and_writes_nothing(app, session, error, field_errors,
                                                                form_errors):
    """Field problems go on their fields, any other refusal at the top; the half-done write is rolled back."""
    def action(data):
        session.add(Agency(name=data["name"]))
        session.flush()
        raise error

    with app.test_request_context("/", method="POST", data={"name": "Metro PD"}):
        form = NameForm(meta={"csrf": False})
        assert submit(form, action) is None
        assert form.name.errors == field_errors
        assert form.form_errors == form_errors
    assert session.scalar(select(func.count(Agency.id))) == 0


def test_an_accepted_action_is_committed(app, session):
    """No problem at all: the action's result comes back and its write is committed."""
    with app.test_request_context("/", method="POST", data={"name": "Metro PD"}):
        form = NameForm(meta={"csrf": False})
        assert submit(form, lambda data: session.add(Agency(name=data["name"]))) is True
    session.rollback()
    assert session.scalar(select(func.count(Agency.id))) == 1
