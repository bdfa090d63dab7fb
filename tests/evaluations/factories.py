"""Factories for evaluation tests."""

from __future__ import annotations

from decimal import Decimal

from models.evaluations import EvaluationTemplate, TemplateCriterion


def make_template(session, audience: str = "sro", criteria: int = 3, key: str | None = None):
    """A current template with `criteria` equally weighted criteria."""
    template = EvaluationTemplate(key=key or f"{audience}-test", version=1, audience=audience,
                                  name=f"{audience} test template")
    template.criteria = [TemplateCriterion(position=i, title=f"Criterion {i + 1}", guidance="Look for it.",
                                           weight=Decimal(1 + i % 2)) for i in range(criteria)]
    session.add(template)
    session.flush()
    return template
