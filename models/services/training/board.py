"""The compliance board: the rows a user may see, filtered, searched, sorted, paged and acted on in bulk.

One query builds the rows for the page, the export and the bulk actions alike, so what is exported, or
verified, is exactly what the filters show. Counts per status ignore the status filter, so each count
is also the link that filters by it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.people import ROLES, Person
from models.scoping import Scope
from models.services.infra.text import text_problems
from models.services.people.directory import matches_search
from models.services.stores.reads import compliance_source, compliance_summary_source
from models.services.training.compliance import STATUSES
from models.training import Completion, Course, Waiver

SORTS = ("person", "role", "course", "due", "status", "completed", "expires")
MAX_SEARCH = 100
MAX_SELECTED = 1000  # rows one bulk action takes (a page holds far fewer)
MIN_REASON = 5


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows: filters, search, sort and page, as the address bar carries them."""

    school_id: int | None = None
    role: str = ""
    status: str = ""
    course_id: int | None = None
    q: str = ""
    sort: str = "due"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> BoardFilters:
        """Read the query string; a value the board does not know reads as not given (never an error)."""
        sort = args.get("sort", "due")
        return cls(school_id=args.get("school", type=int) or None,
                   role=args.get("role", "") if args.get("role", "") in ROLES else "",
                   status=args.get("status", "") if args.get("status", "") in STATUSES else "",
                   course_id=args.get("course", type=int) or None,
                   q=(args.get("q", "") or "").strip()[:MAX_SEARCH],
                   sort=sort if sort in SORTS else "due", descending=args.get("dir") == "desc",
                   page=max(args.get("page", 1, type=int) or 1, 1))

    def args(self, **changes) -> dict[str, Any]:
        """The query-string arguments for these filters with `changes`, leaving out the defaults."""
        values = asdict(replace(self, **changes))
        out = {"school": values["school_id"], "role": values["role"], "status": values["status"],
               "course": values["course_id"], "q": values["q"],
               "sort": values["sort"] if values["sort"] != "due" else None,
               "dir": "desc" if values["descending"] else None,
               "page": values["page"] if values["page"] != 1 else None}
        return {k: v for k, v in out.items() if v not in (None, "")}


def _base(session: Session, user, today: date, f: BoardFilters):
    scope = Scope.for_user(user, today).at_schools([f.school_id] if f.school_id else None)
    sub = compliance_source(session, scope, course_ids=[f.course_id] if f.course_id else None).subquery()
    conds = []
    if f.role:
        conds.append(sub.c.role == f.role)
    if f.course_id:
        conds.append(sub.c.course_id == f.course_id)
    if f.q:
        conds.append(matches_search(f.q))
    return scope, sub, conds


def _order(sub, f: BoardFilters):
    columns = {"person": (Person.last_name, Person.first_name), "role": (sub.c.role,),
               "course": (Course.code,), "due": (sub.c.act_by,), "status": (sub.c.status,),
               "completed": (sub.c.completed_on,), "expires": (sub.c.expires_on,)}[f.sort]
    ordered = [(c.desc() if f.descending else c.asc()).nulls_last() for c in columns]
    # Ties in a stable order, so paging never repeats or skips a row.
    return [*ordered, Person.last_name, Person.first_name, Person.id, Course.code, sub.c.requirement_id]


def board_query(session: Session, user, today: date, f: BoardFilters) -> Select:
    """Every row the filters show (all pages), sorted: what the page, the export and bulk actions read."""
    _, sub, conds = _base(session, user, today, f)
    if f.status:
        conds.append(sub.c.status == f.status)
    return (select(sub, Person.first_name, Person.last_name, Person.licence_number, Course.code,
                   Course.title)
            .join(Person, Person.id == sub.c.person_id).join(Course, Course.id == sub.c.course_id)
            .where(*conds).order_by(*_order(sub, f)))


def board_counts(session: Session, user, today: date, f: BoardFilters) -> dict[str, int]:
    """Rows per status under every filter but the status one (each count links to its status)."""
    scope, sub, conds = _base(session, user, today, f)
    counts = dict.fromkeys(STATUSES, 0)
    if conds:
        stmt = select(sub.c.status, func.count()).join(Person, Person.id == sub.c.person_id)
        counts |= dict(session.execute(stmt.where(*conds).group_by(sub.c.status)).all())
        return counts
    # Unfiltered: sum the per-person totals instead of counting every row.
    per = compliance_summary_source(session, scope).subquery()
    sums = session.execute(select(*[func.sum(per.c[s]) for s in STATUSES])).one()
    return counts | {s: int(n or 0) for s, n in zip(STATUSES, sums, strict=True)}


@dataclass(frozen=True)
class BoardPage:
    """One page of the board with its totals."""

    rows: list
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based number of the page's first row (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The number of the page's last row."""
        return (self.page - 1) * self.per_page + len(self.rows)


def board_page(session: Session, user, today: date, f: BoardFilters, per_page: int) -> BoardPage:
    """The page of rows `f` asks for (clamped to the last page), the counts and the total."""
    counts = board_counts(session, user, today, f)
    total = counts[f.status] if f.status else sum(counts.values())
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(f.page, pages)
    rows = session.execute(board_query(session, user, today, f)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return BoardPage(rows, counts, total, page, pages, per_page)


def parse_row_keys(raw: list[str]) -> list[tuple[int, int]]:
    """'person-requirement' keys of the selected rows; raises ValidationFailed for a bad selection."""
    keys = []
    for value in raw:
        person, _, requirement = str(value).partition("-")
        if not (person.isascii() and person.isdigit() and requirement.isascii() and requirement.isdigit()):
            raise ValidationFailed([("rows", "The selection could not be read; choose the rows again.")])
        keys.append((int(person), int(requirement)))
    if not keys:
        raise ValidationFailed([("rows", "Choose at least one row.")])
    if len(keys) > MAX_SELECTED:
        raise ValidationFailed([("rows", f"Choose at most {MAX_SELECTED:,} rows at a time.")])
    return sorted(set(keys))


def selected_rows(session: Session, user, today: date, keys: list[tuple[int, int]]) -> list:
    """The engine's rows for the selected keys, only those the user may see; raises if any is not."""
    _, sub, _ = _base(session, user, today, BoardFilters())
    rows = session.execute(select(sub).where(tuple_(sub.c.person_id, sub.c.requirement_id).in_(keys))).all()
    if len(rows) != len(keys):  # not on the user's board (out of scope, or no longer applicable)
        raise ValidationFailed([("rows", "Some selected rows are no longer on your board; reload the page "
                                         "and choose again.")])
    return rows


def bulk_verify(session: Session, user, today: date, keys: list[tuple[int, int]], now: datetime
                ) -> tuple[int, int]:
    """Verify the latest completion of each selected row: (verified now, skipped: none or already)."""
    ids = [r.completion_id for r in selected_rows(session, user, today, keys) if r.completion_id]
    pending = list(session.scalars(select(Completion).where(Completion.id.in_(ids),
                                                            Completion.verified_at.is_(None))))
    for completion in pending:  # through the ORM, so each verification is audited
        completion.verified_by_user_id = user.id
        completion.verified_at = now
    session.flush()
    return len(pending), len(keys) - len(pending)


def bulk_waive(session: Session, user, today: date, keys: list[tuple[int, int]], reason: str,
               label: str) -> tuple[int, int]:
    """Waive each selected requirement for its person with one reason: (waived now, already waived)."""
    reason = (reason or "").strip()
    problems = text_problems(Waiver.__table__, {"reason": reason}, {"reason": "The reason"})
    if len(reason) < MIN_REASON:
        problems.append(("reason", "Give the reason for the waivers."))
    if problems:
        raise ValidationFailed(problems)
    rows = selected_rows(session, user, today, keys)
    existing = set(session.execute(select(Waiver.person_id, Waiver.requirement_id).where(
        tuple_(Waiver.person_id, Waiver.requirement_id).in_(keys))).all())
    new = [Waiver(person_id=r.person_id, requirement_id=r.requirement_id, reason=reason, granted_on=today,
                  granted_by_user_id=user.id, granted_by_label=label)
           for r in rows if (r.person_id, r.requirement_id) not in existing]
    session.add_all(new)
    session.flush()
    return len(new), len(rows) - len(new)
