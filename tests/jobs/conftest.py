"""Job helpers; the scripted SMTP server (tests/smtp.py) is re-exported for the job tests."""

from __future__ import annotations

import signal
from datetime import date

from models.evaluations import CycleRule
from models.people import Person
from models.services.reminders.queueing import training_items
from models.training import Completion
from tests.smtp import ScriptedHandler, SmtpServer, free_port, smtp, smtp_down  # noqa: F401 - fixtures and helpers
from tests.training.factories import make_course, make_requirement


class DueTraining:
    """Real training items due on chosen days: a course and a requirement per item for the person's role.

    Evaluations are switched off for school personnel, so these are the only items the engines report
    (flags follow the engines, so an injected list of items would be closed by the next write).
    """

    def __init__(self, session):
        self.session = session
        rule = CycleRule(audience="school_personnel", annual=False)
        session.add(rule)
        session.flush()
        rule.first_review_days = None  # after the insert: the column default would turn None into 90
        session.flush()
        self.made: list[tuple[int, int]] = []  # (person id, course id)

    def add(self, person_id: int, due: date, *, label: str = "YMHFA Youth MHFA", status: str = "due_soon"):
        """Make `label` (code and title) due for the person on `due` (the engine decides the status)."""
        person = self.session.get(Person, person_id)
        start = min(a.start_date for a in person.assignments)
        code, _, title = label.partition(" ")
        course = make_course(self.session, code, title=title)
        make_requirement(self.session, course, roles=(person.person_type,), due_rule="within_days",
                         due_days=(due - start).days)
        self.made.append((person_id, course.id))
        self.session.commit()

    def complete_all(self, day: date) -> None:
        """Record every item's course as completed on `day` (the training was done)."""
        for person_id, course_id in self.made:
            self.session.add(Completion(person_id=person_id, course_id=course_id, completed_on=day))
        self.session.commit()

    def __call__(self, session, today):
        return training_items(session, today)


def ctrl_c_reaches_child() -> None:
    """Popen preexec_fn: the child gets Ctrl-C even when the suite was started in the background.

    A non-interactive shell starts background commands with SIGINT ignored, and an ignored signal
    stays ignored through fork and exec, so a scheduler started from such a suite would never see
    the tests' Ctrl-C (a terminal or a process supervisor delivers it normally).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
