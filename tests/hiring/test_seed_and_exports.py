"""The demo seed is idempotent and covers every stage; the export helper neutralizes formulas."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models.hiring import Candidate, SelectionCriterion, Vacancy
from models.people import Person
from models.seed.demo import seed_foundation
from models.seed.hiring import SRO_CRITERIA, seed_hiring
from models.services.infra.exports import dataframe_to_csv_bytes, dataframe_to_xlsx_bytes, neutralize
from tests.conftest import TODAY


def test_seed_hiring_is_idempotent_and_covers_the_stages(session):
    seed_foundation(session, TODAY)
    assert seed_hiring(session, TODAY) is True
    session.commit()
    def counts():
        return [session.scalar(select(func.count(m.id))) for m in (Vacancy, Candidate, Person)]

    before = counts()
    assert seed_hiring(session, TODAY) is False
    assert counts() == before
    stages = set(session.scalars(select(Candidate.stage)))
    assert {"applied", "screened", "interviewed", "recommended", "appointed", "withdrawn"} <= stages
    statuses = sorted(session.scalars(select(Vacancy.status)))
    assert statuses == ["filled", "open", "open"]
    assert session.scalar(select(func.count(SelectionCriterion.id))) == len(SRO_CRITERIA)


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("plain", "plain"), (5, 5), (None, None), (-3, -3),
])
def test_neutralize(value, expected):
    assert neutralize(value) == expected


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=20))
def test_no_exported_cell_starts_a_formula(text):
    frame = pd.DataFrame({"Name": [text]})
    book = openpyxl.load_workbook(io.BytesIO(dataframe_to_xlsx_bytes(frame)))
    cell = book.active["A2"].value or ""
    assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
    first = dataframe_to_csv_bytes(frame).decode("utf-8-sig").split("\n", 1)[1]
    assert not first.lstrip('"').startswith(("=", "+", "-", "@", "\t", "\r"))
