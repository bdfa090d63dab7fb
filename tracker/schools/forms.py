"""Forms for schools and agencies."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from models.org import SCHOOL_LEVELS


class SchoolForm(FlaskForm):
    """A school's details."""

    name = StringField("Name")
    level = SelectField("Level", choices=[(v, v.upper() if v == "k12" else v.title())
                                          for v in SCHOOL_LEVELS])
    address = StringField("Address (optional)")


class AgencyForm(FlaskForm):
    """An agency's details."""

    name = StringField("Name")
    kind = SelectField("Kind", choices=[("police", "Police department"),
                                        ("sheriff", "Sheriff's office"), ("other", "Other")])
