"""Evaluation templates: editing one creates a new version; evaluations keep the version they started on."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from models.errors import ValidationFailed
from models.evaluations import EvaluationTemplate, TemplateCriterion


def _clean_criteria(rows: list[dict[str, Any]]) -> tuple[list[dict], list[tuple[str | None, str]]]:
    problems: list[tuple[str | None, str]] = []
    clean = []
    for i, row in enumerate(rows):
        title = (row.get("title") or "").strip()
        if not title:
            continue  # an empty row is how a criterion is left out
        try:
            weight = Decimal(str(row.get("weight") or "1"))
        except InvalidOperation:
            weight = Decimal(-1)
        if not weight.is_finite() or weight <= 0 or weight > 100:  # "nan" parses, and compares by raising
            problems.append((f"criteria-{i}-weight", f"“{title}”: the weight must be a number above 0."))
        clean.append({"title": title, "guidance": (row.get("guidance") or "").strip() or None,
                      "weight": weight, "source": row.get("source") or None})
    if not clean:
        problems.append((None, "A template needs at least one criterion."))
    return clean, problems


def revise_template(session: Session, template: EvaluationTemplate,
                    data: dict[str, Any]) -> EvaluationTemplate:
    """Save changes as a new version of `template`; the old version stays for the evaluations using it."""
    name = (data.get("name") or "").strip()
    criteria, problems = _clean_criteria(list(data.get("criteria") or []))
    if not name:
        problems.insert(0, ("name", "Name is required."))
    if problems:
        raise ValidationFailed(problems)
    template.is_current = False
    new = EvaluationTemplate(key=template.key, version=template.version + 1, audience=template.audience,
                             name=name, description=(data.get("description") or "").strip() or None,
                             scale=list(template.scale), is_current=True)
    new.criteria = [TemplateCriterion(position=i, **c) for i, c in enumerate(criteria)]
    session.add(new)
    session.flush()
    return new
