"""The training board's export: the filtered view, every page, as a table."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from models.people import ROLES
from models.services.training.board import BoardFilters, board_query
from models.services.training.compliance import STATUS_LABELS

SORT_LABELS = {"person": "Person", "role": "Role", "course": "Course", "due": "Due", "status": "Status",
               "completed": "Completed", "expires": "Expires"}


def board_frame(session: Session, user, today: date, filters: BoardFilters) -> pd.DataFrame:
    """Exactly the rows the board shows for `filters`, across all its pages, in its order."""
    rows = session.execute(board_query(session, user, today, filters)).all()
    return pd.DataFrame([{
        "Person": f"{r.first_name} {r.last_name}", "Licence number": r.licence_number or "",
        "Role": ROLES.get(r.role, r.role), "Course": r.code, "Title": r.title,
        "Due": r.act_by, "Status": STATUS_LABELS[r.status], "Completed": r.completed_on,
        "Expires": r.expires_on} for r in rows],
        columns=["Person", "Licence number", "Role", "Course", "Title", "Due", "Status", "Completed",
                 "Expires"])
