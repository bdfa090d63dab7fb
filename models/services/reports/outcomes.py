"""Outcome data: entering and importing aggregate counts, and building suppressed tables of them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.org import School
from models.reports import OUTCOME_DIMENSIONS, OUTCOME_MEASURES, OutcomeCount
from models.services.reports.suppression import DEFAULT_THRESHOLD, CountTable, suppress, with_totals

TERM_PATTERN = re.compile(r"^\d{4}-\d{4}( [A-Za-z0-9 ]{1,20})?$")
CSV_COLUMNS = ("school", "term", "measure", "dimension", "category", "count")


def categories(dimension: str) -> dict[str, str]:
    """Category key -> label for a dimension."""
    return OUTCOME_DIMENSIONS[dimension][1]


def _lookup(mapping: dict[str, str], raw: str) -> str | None:
    """A key from `mapping` matching `raw` by key or by label, case-insensitively."""
    raw = (raw or "").strip().lower()
    for key, label in mapping.items():
        if raw in (key.lower(), label.lower()):
            return key
    return None


def _check_term(term: str | None) -> str | None:
    if not term or not TERM_PATTERN.match(term.strip()):
        return "Term must look like 2025-2026 or 2025-2026 Fall."
    return None


def _consistency(values: dict[tuple[str, str], int], where: str) -> list[tuple[str | None, str]]:
    """Each fully entered dimension must add up to the same number of incidents."""
    sums = {}
    for dimension in OUTCOME_DIMENSIONS:
        cells = [values.get((dimension, c)) for c in categories(dimension)]
        if all(v is not None for v in cells):
            sums[dimension] = sum(cells)
    if len(set(sums.values())) > 1:
        detail = ", ".join(f"{OUTCOME_DIMENSIONS[d][0].lower()} {n}" for d, n in sums.items())
        return [(None, f"{where}the breakdowns should add up to the same total, "
                        f"but they add up to {detail}.")]
    return []


def _upsert(session: Session, school_id: int, term: str, measure: str,
            values: dict[tuple[str, str], int | None]) -> int:
    existing = {(o.dimension, o.category): o for o in session.scalars(
        select(OutcomeCount).where(OutcomeCount.school_id == school_id, OutcomeCount.term == term,
                                   OutcomeCount.measure == measure))}
    changed = 0
    for key, count in values.items():
        row = existing.get(key)
        if count is None:
            if row is not None:
                session.delete(row)
                changed += 1
        elif row is None:
            session.add(OutcomeCount(school_id=school_id, term=term, measure=measure,
                                     dimension=key[0], category=key[1], count=count))
            changed += 1
        elif row.count != count:
            row.count = count
            changed += 1
    return changed


def save_outcome_counts(session: Session, school_id: int | None, term: str | None, measure: str | None,
                        values: dict[tuple[str, str], int | None]) -> int:
    """Store one school's counts for a term and measure (blank = unknown); returns cells changed."""
    problems: list[tuple[str | None, str]] = []
    if not school_id or session.get(School, school_id) is None:
        problems.append(("school_id", "Choose the school."))
    if (problem := _check_term(term)):
        problems.append(("term", problem))
    if measure not in OUTCOME_MEASURES:
        problems.append(("measure", "Choose what is being counted."))
    for (dimension, category), count in values.items():
        if count is not None and count < 0:
            label = categories(dimension)[category]
            problems.append((f"{dimension}__{category}", f"{label}: a count cannot be negative."))
    problems += _consistency({k: v for k, v in values.items() if v is not None}, "")
    if problems:
        raise ValidationFailed(problems)
    changed = _upsert(session, school_id, term.strip(), measure, values)
    session.flush()
    return changed


def import_outcomes_csv(session: Session, data: bytes) -> int:
    """Import counts from CSV (columns: school, term, measure, dimension, category, count); all or nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed([("file", "The file is not UTF-8 text; save it as CSV UTF-8.")]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed([("file", f"The file lacks the column(s): {', '.join(missing)}.")])
    schools = {name.lower(): sid for sid, name in session.execute(select(School.id, School.name))}
    problems: list[tuple[str | None, str]] = []
    groups: dict[tuple[int, str, str], dict[tuple[str, str], int]] = {}
    for n, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        where = f"Line {n}: "
        school_id = schools.get(row["school"].lower())
        measure = _lookup(OUTCOME_MEASURES, row["measure"])
        dimension = _lookup({k: v[0] for k, v in OUTCOME_DIMENSIONS.items()}, row["dimension"])
        category = _lookup(categories(dimension), row["category"]) if dimension else None
        line_problems = []
        if school_id is None:
            line_problems.append(f"no school is named “{row['school']}”")
        if _check_term(row["term"]):
            line_problems.append("the term must look like 2025-2026 or 2025-2026 Fall")
        if measure is None:
            line_problems.append(f"“{row['measure']}” is not a measure we count")
        if dimension is None:
            line_problems.append(f"“{row['dimension']}” is not a breakdown we use")
        elif category is None:
            line_problems.append(f"“{row['category']}” is not a category of {row['dimension']}")
        if not row["count"].isdigit():
            line_problems.append("the count must be a whole number, 0 or more")
        if line_problems:
            problems.append(("file", where + "; ".join(line_problems) + "."))
            continue
        cells = groups.setdefault((school_id, row["term"], measure), {})
        if (dimension, category) in cells:
            problems.append(("file", where + "this count appears twice in the file."))
        cells[(dimension, category)] = int(row["count"])
    for (school_id, term, measure), cells in groups.items():
        name = next(k for k, v in schools.items() if v == school_id)
        problems += [("file", msg) for _, msg in
                     _consistency(cells, f"{name.title()}, {term}, {OUTCOME_MEASURES[measure].lower()}: ")]
    if problems:
        raise ValidationFailed(problems)
    changed = sum(_upsert(session, *key, cells) for key, cells in groups.items())
    session.flush()
    return changed


def outcome_terms(session: Session) -> list[str]:
    """Terms with any outcome data, newest first."""
    return list(session.scalars(select(OutcomeCount.term).distinct().order_by(OutcomeCount.term.desc())))


@dataclass
class OutcomeTable:
    """One suppressed breakdown (for example race/ethnicity) of one measure in one term."""

    dimension: str
    title: str
    table: CountTable


def _matrices(session: Session, term: str, measure: str, school_ids=None):
    stmt = (select(School.id, School.name, OutcomeCount.dimension, OutcomeCount.category,
                   func.sum(OutcomeCount.count))
            .join(OutcomeCount, OutcomeCount.school_id == School.id)
            .where(OutcomeCount.term == term, OutcomeCount.measure == measure)
            .group_by(School.id, School.name, OutcomeCount.dimension, OutcomeCount.category))
    if school_ids is not None:
        stmt = stmt.where(School.id.in_(school_ids))
    data: dict[tuple[int, str, str], int] = {}
    names: dict[int, str] = {}
    for sid, name, dim, cat, n in session.execute(stmt):
        names[sid] = name
        data[(sid, dim, cat)] = int(n)
    order = sorted(names, key=lambda s: names[s])
    return order, names, {d: [[data.get((s, d, c), 0) for c in categories(d)] for s in order]
                          for d in OUTCOME_DIMENSIONS}


def _suppress_family(order, names, matrices, threshold, forced_by_school=None) -> dict[str, CountTable]:
    """Suppress every breakdown; a school total hidden in one breakdown is hidden in all of them."""
    shared: set[int] = set()  # row indices whose total (same number in every breakdown) is hidden
    forced_by_school = forced_by_school or {}
    while True:
        tables = {}
        for dim, counts in matrices.items():
            cols = list(categories(dim).values())
            table = CountTable([names[s] for s in order], cols, with_totals(counts))
            forced = {(i, len(cols)) for i in shared}
            forced |= {(i, j) for i, s in enumerate(order) for j in forced_by_school.get((dim, s), ())}
            tables[dim] = suppress(table, threshold, forced)
        now = {i for t in tables.values() for (i, j) in t.hidden
               if j == len(t.col_labels) and i < len(order)}
        if now <= shared:
            return tables
        shared |= now


def outcome_tables(session: Session, term: str, measure: str, school_ids=None,
                   threshold: int = DEFAULT_THRESHOLD) -> list[OutcomeTable]:
    """Suppressed breakdowns of a measure in a term for the schools in `school_ids` (None: all).

    A scoped view starts from the district-wide suppression pattern, so comparing it with the
    district's tables reveals nothing more.
    """
    order, names, matrices = _matrices(session, term, measure)
    if not order:
        return []
    district = _suppress_family(order, names, matrices, threshold)
    if school_ids is not None:
        visible = set(school_ids)
        forced = {(dim, s): {j for (i, j) in t.hidden if i < len(order) and order[i] == s}
                  for dim, t in district.items() for s in order if s in visible}
        keep = [i for i, s in enumerate(order) if s in visible]
        sub_order = [order[i] for i in keep]
        if not sub_order:
            return []
        sub = {d: [m[i] for i in keep] for d, m in matrices.items()}
        district = _suppress_family(sub_order, names, sub, threshold, forced)
    return [OutcomeTable(d, OUTCOME_DIMENSIONS[d][0], t) for d, t in district.items()]
