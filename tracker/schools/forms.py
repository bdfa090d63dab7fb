"""Forms for schools and agencies."""

from wtforms import SelectField, StringField

from models.org import SCHOOL_LEVELS, Agency, School
from tracker.forms import CheckedForm


class SchoolForm(CheckedForm):
    """A school's details."""

    tables = (School,)

    name = StringField("Name")
    level = SelectField("Level", choices=[(v, v.upper() if v == "k12" else v.title())
                                          for v in SCHOOL_LEVELS])
    address = StringField("Address (optional)")


class AgencyForm(CheckedForm):
    """An agency's details."""

    tables = (Agency,)

    name = StringField("Name")
    kind = SelectField("Kind", choices=[("police", "Police department"),
                                        ("sheriff", "Sheriff's office"), ("other", "Other")])
