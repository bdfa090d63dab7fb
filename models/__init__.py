"""SQLAlchemy models and the business rules over them; importing this registers every table."""

from models.accounts import User  # noqa: F401
from models.api_tokens import ApiToken, CalendarFeed, RateLimitCounter  # noqa: F401
from models.audit import AuditEvent  # noqa: F401
from models.base import Base, db
from models.credentials import AccountLink, RecoveryCode, SsoIdentity  # noqa: F401
from models.evaluations import Evaluation  # noqa: F401
from models.hiring import Candidate, Vacancy  # noqa: F401
from models.jobruns import JobRun, SchedulerLease  # noqa: F401
from models.notifications import Flag, OutboxMessage, ReminderStep  # noqa: F401
from models.org import Agency, District, School  # noqa: F401
from models.people import Assignment, Person  # noqa: F401
from models.reports import ComplianceSnapshot, OutcomeCount, SelfAssessmentItem  # noqa: F401
from models.stores import (  # noqa: F401
    compliance_items,
    compliance_people,
    evaluation_due_items,
    school_people,
    store_states,
    training_hours,
)
from models.training import Completion, Course, Requirement, Waiver  # noqa: F401
from models.training_sessions import Enrolment, TrainingSession  # noqa: F401

__all__ = ["Base", "db"]
