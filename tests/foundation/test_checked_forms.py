"""Every form (tracker/forms.CheckedForm): text that fits its column, no hidden characters, sane numbers."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from models.org import School
from models.services.infra.text import MAX_TEXT
from tests.conftest import post_form
from tracker.admin.forms import ReminderStepForm
from tracker.forms import CheckedForm, int_or_none
from tracker.inputs import MAX_ID
from tracker.people.forms import AssignmentForm
from tracker.schools.forms import SchoolForm


def _form(app, cls, data):
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = cls(meta={"csrf": False})
        valid = form.validate()
        return form, valid


@pytest.mark.parametrize("name, problem", [
    ("S" * 201, "Name is too long: at most 200 characters (this one has 201)."),
    ("S" * 200_000, "Name is too long: at most 200 characters (this one has 200,000)."),
    ("Adams\x00High", "Name contains an invisible control character"),
    ("Adams \u202eHigh", "Name contains an invisible control character"),
    ("Adams \u2066High", "Name contains an invisible control character"),
])
def test_school_names_that_do_not_fit_or_hide_characters_are_refused(client, auth, session, world,
                                                                     name, problem):
    """Through the page, on SQLite (which would store any length) and PostgreSQL: a sentence, no row."""
    assert auth.login(world.emails["admin"]).status_code == 302
    before = session.scalar(select(func.count(School.id)))
    response = post_form(client, "/schools/new", {"name": name, "level": "high"})
    assert response.status_code == 200
    assert problem in response.get_data(as_text=True)
    assert session.scalar(select(func.count(School.id))) == before


def test_a_school_name_of_exactly_the_column_length_is_saved(client, auth, session, world):
    assert auth.login(world.emails["admin"]).status_code == 302
    response = post_form(client, "/schools/new", {"name": "S" * 200, "level": "high"})
    assert response.status_code == 302
    assert session.scalar(select(func.count(School.id)).where(School.name == "S" * 200)) == 1


def test_text_without_a_column_length_is_bounded_and_line_breaks_are_kept(app):
    """Notes have no column length: at most MAX_TEXT characters; tabs and line breaks are ordinary text."""
    form, _ = _form(app, AssignmentForm, {"role": "sro", "start_date": "2026-09-01",
                                          "notes": "n" * (MAX_TEXT + 1)})
    assert f"at most {MAX_TEXT:,} characters" in " ".join(form.notes.errors)
    form, _ = _form(app, AssignmentForm, {"role": "sro", "start_date": "2026-09-01",
                                          "notes": "line one\r\n\tline two"})
    assert form.notes.errors == []


@pytest.mark.parametrize("value", [str(MAX_ID + 1), "99999999999999999999", str(-MAX_ID - 1)])
def test_numbers_no_column_can_hold_are_cleared_with_a_sentence(app, value):
    """A number past the integer columns' range never reaches the service: the field reads as empty."""
    form, valid = _form(app, ReminderStepForm, {"offset_days": value, "repeat_days": "7"})
    assert not valid
    assert form.offset_days.data is None
    assert form.offset_days.errors == [f"Days from the due date (negative = before) is too large a number: "
                                       f"at most {MAX_ID:,}."]
    assert form.repeat_days.data == 7 and form.repeat_days.errors == []


def test_checked_schools_drop_ids_no_row_can_have(app, world):
    form, valid = _form(app, AssignmentForm, [("role", "sro"), ("start_date", "2026-09-01"),
                                              ("school_ids", str(world.school_a)),
                                              ("school_ids", "99999999999999999999")])
    assert not valid and form.school_ids.data == [world.school_a]
    assert "too large a number" in " ".join(form.school_ids.errors)


def test_a_select_id_out_of_range_is_not_a_choice():
    assert int_or_none(str(MAX_ID)) == MAX_ID
    assert int_or_none("") is None and int_or_none("None") is None
    for value in (str(MAX_ID + 1), "-99999999999999999999", "abc"):
        with pytest.raises(ValueError):
            int_or_none(value)


def test_every_form_is_checked(app):
    """No form class escapes the checks: each one the app defines derives from CheckedForm."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unchecked = [f"{c.__module__}.{c.__name__}" for c in subclasses(FlaskForm)
                 if c.__module__.startswith("tracker.") and not issubclass(c, CheckedForm)]
    assert unchecked == []
    assert SchoolForm.tables == (School,)
