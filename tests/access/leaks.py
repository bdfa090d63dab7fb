"""What a page may not show and a refused write may not change: hidden names, links out of scope, rows."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from models import db
from models.accounts import User
from models.hiring import Vacancy
from models.people import Person
from models.scoping import person_scope
from models.services.hiring.vacancies import vacancy_scope
from tests.access.cases import SCOPED_ARGS, in_scope
from tests.conftest import TODAY

BOOKKEEPING = {"rate_limit_counters": None, "api_tokens": {"last_used_at"}}  # None: the whole table
# The objects a link may name, by URL argument: a page must not link to one outside the user's scope.
def hidden_names(session, user: User | None) -> list[str]:
    """Last names of the people, and titles of the vacancies, `user` may not see (anonymous: none)."""
    if user is None:
        return [*session.scalars(select(Person.last_name)), *session.scalars(select(Vacancy.title))]
    visible = select(Person.id).where(person_scope(user, TODAY))
    names = session.scalars(select(Person.last_name).where(Person.id.not_in(visible)))
    titles = session.scalars(select(Vacancy.title).where(~vacancy_scope(user)))
    return [*names, *titles]


def response_text(response) -> str:
    """The body as text; an XLSX download's sheets and shared strings."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(response.data)) as book:
            return "\n".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return response.get_data(as_text=True)


LINK = re.compile(r'(?:href|action)="(/[^"?#]*)')


def links_out_of_scope(app, session, user, body: str, seen: dict) -> list[str]:
    """Links (and form targets) on a page that name an object outside `user`'s scope."""
    adapter = app.url_map.bind("localhost")
    bad = []
    for path in set(LINK.findall(body)):
        if path not in seen:
            seen[path] = True
            for method in ("GET", "POST"):
                try:
                    _, args = adapter.match(path, method=method)
                except HTTPException:
                    continue
                scoped = {k: v for k, v in args.items() if k in SCOPED_ARGS and v is not None}
                seen[path] = not scoped or in_scope(session, user, scoped)
                break
        if not seen[path]:
            bad.append(path)
    return bad


def table_rows(session) -> dict:
    """Every row of every table (less the request bookkeeping), to show a refused request wrote nothing."""
    session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        skip = BOOKKEEPING.get(table.name, set())
        if skip is None:
            continue
        columns = [c for c in table.columns if c.name not in skip]
        state[table.name] = sorted(map(repr, session.execute(select(*columns)).all()))
    return state


def row_changes(before: dict, after: dict) -> list[str]:
    return [f"{name}: {len(before[name])} -> {len(after[name])} rows" if len(before[name]) != len(after[name])
            else f"{name}: rows changed" for name in before if before[name] != after[name]]


