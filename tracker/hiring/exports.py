"""The scorecard as pandas DataFrames: one line per candidate, and every rating with its comment."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.hiring import (
    BACKGROUND_CHECKS,
    BACKGROUND_RESULTS,
    SEATS,
    Candidate,
    PanelMember,
    Score,
    Vacancy,
    VacancyCriterion,
)
from models.services.hiring.panel import scorecard
from models.services.hiring.screening import SUMMARY_LABELS, background_by_type


def _background_detail(candidate: Candidate) -> str:
    checks = background_by_type(candidate)
    parts = []
    for key, label in BACKGROUND_CHECKS.items():
        row = checks.get(key)
        result = BACKGROUND_RESULTS[row.result] if row else "Pending"
        detail = f" ({row.detail})" if row and row.detail else ""
        parts.append(f"{label}: {result}{detail}")
    return "; ".join(parts)


def scorecard_frames(session: Session, vacancy: Vacancy, *, detail: bool) -> tuple[pd.DataFrame,
                                                                                     pd.DataFrame]:
    """(summary, ratings) frames; background detail appears only when `detail` is True."""
    rows = scorecard(session, vacancy)
    members = vacancy.panel
    records = []
    for row in rows:
        record = {"Candidate": row.candidate.full_name, "Stage": row.candidate.stage_label,
                  "Hard requirements": row.hard, "Background": SUMMARY_LABELS[row.background]}
        if detail:
            record["Background detail"] = _background_detail(row.candidate)
        for m in members:
            record[f"{m.name} ({m.seat_label})"] = row.member_totals.get(m.id)
        record["Average weighted total"] = row.average
        records.append(record)
    columns = ["Candidate", "Stage", "Hard requirements", "Background"]
    columns += ["Background detail"] if detail else []
    columns += [f"{m.name} ({m.seat_label})" for m in members] + ["Average weighted total"]
    summary = pd.DataFrame.from_records(records, columns=columns)
    stmt = (select(Candidate.first_name, Candidate.last_name, PanelMember.name.label("member"),
                   PanelMember.seat, VacancyCriterion.title.label("criterion"),
                   VacancyCriterion.weight, Score.rating, Score.comment)
            .join(Score, Score.candidate_id == Candidate.id)
            .join(PanelMember, PanelMember.id == Score.member_id)
            .join(VacancyCriterion, VacancyCriterion.id == Score.criterion_id)
            .where(Candidate.vacancy_id == vacancy.id)
            .order_by(Candidate.last_name, Candidate.first_name, PanelMember.id, VacancyCriterion.position))
    ratings = pd.read_sql(stmt, session.connection())
    ratings.insert(0, "Candidate", ratings.pop("first_name") + " " + ratings.pop("last_name"))
    ratings["seat"] = ratings["seat"].map(SEATS)
    ratings = ratings.rename(columns={"member": "Panel member", "seat": "Seat", "criterion": "Criterion",
                                      "weight": "Weight", "rating": "Rating", "comment": "Comment"})
    return summary, ratings
