"""Due and overdue evaluations follow the cycle rules (hand-built cases, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from models.evaluations import CycleRule, Evaluation
from models.services.evaluations.due import evaluation_due_rows
from tests.evaluations.factories import make_template
from tests.factories import make_agency, make_assignment, make_person, make_school

TODAY = date(2026, 10, 15)


def _items(session, **scope):
    return {(r.person_id, r.assignment_id, r.cycle): (r.due_date, r.status, r.audience, r.evaluation_id)
            for r in evaluation_due_rows(session, TODAY, **scope)}


def test_new_assignment_gets_a_first_review_90_days_after_start(session):
    school = make_school(session)
    teacher = make_person(session)
    a = make_assignment(session, teacher, [school], start_date=date(2026, 8, 1))
    items = _items(session)
    assert items[(teacher.id, a.id, "first-review")][:3] == (date(2026, 10, 30), "due", "school_personnel")
    # Its first review falls before the school year's end, so the annual review applies too.
    assert items[(teacher.id, a.id, "2026-2027")][:2] == (date(2027, 6, 30), "not_yet_due")
    # It started after last school year ended: no item for 2025-2026.
    assert (teacher.id, a.id, "2025-2026") not in items


def test_annual_cycle_due_at_school_year_end_and_overdue_without_final_evaluation(session):
    school = make_school(session)
    sro = make_person(session, person_type="sro", agency=make_agency(session))
    a = make_assignment(session, sro, [school], start_date=date(2020, 1, 6))
    items = _items(session)
    assert items[(sro.id, a.id, "2025-2026")][:3] == (date(2026, 6, 30), "overdue", "sro")
    assert items[(sro.id, a.id, "2026-2027")][:2] == (date(2027, 6, 30), "not_yet_due")
    assert not any(k[2] == "first-review" for k in items)  # long past: history, not a due item
    template = make_template(session, "sro")
    ev = Evaluation(person_id=sro.id, assignment_id=a.id, template=template, audience="sro",
                    cycle="2025-2026", status="signed")
    session.add(ev)
    session.flush()
    assert _items(session)[(sro.id, a.id, "2025-2026")][1:] == ("overdue", "sro", ev.id)  # linked
    ev.status, ev.version_id = "final", 2  # final is one way: the database refuses to undo it
    session.flush()
    assert _items(session)[(sro.id, a.id, "2025-2026")][1:] == ("complete", "sro", ev.id)


def test_ended_assignment_produces_nothing_due_after_it_ends(session):
    school = make_school(session)
    teacher = make_person(session)
    ended = make_assignment(session, teacher, [school], start_date=date(2019, 9, 1),
                            end_date=date(2026, 8, 31))
    short = make_assignment(session, make_person(session), [school], start_date=date(2026, 9, 1),
                            end_date=date(2026, 10, 1))
    items = _items(session)
    assert items[(teacher.id, ended.id, "2025-2026")][1] == "overdue"  # due while it lasted
    assert (teacher.id, ended.id, "2026-2027") not in items
    assert not any(k[1] == short.id for k in items)  # ended before its first review


def test_district_year_end_rules_and_scope(session):
    school = make_school(session)
    school.district.school_year_end_month, school.district.school_year_end_day = 5, 31
    other = make_school(session)
    teacher = make_person(session)
    sup = make_person(session, person_type="sro_supervisor", agency=make_agency(session))
    a = make_assignment(session, teacher, [school], start_date=date(2024, 1, 1))
    make_assignment(session, sup, [school], start_date=date(2024, 1, 1))
    elsewhere = make_assignment(session, make_person(session), [other], start_date=date(2024, 1, 1))
    session.add(CycleRule(audience="school_personnel", annual=True, first_review_days=30))
    session.flush()
    items = _items(session)
    assert items[(teacher.id, a.id, "2026-2027")][0] == date(2027, 5, 31)
    assert not any(k[0] == sup.id for k in items)  # supervisors are not evaluated here
    scoped = _items(session, assignment_school_ids=[school.id])
    assert {k[1] for k in scoped} == {a.id}
    assert elsewhere.id in {k[1] for k in _items(session, person_ids=[elsewhere.person_id])}


def test_one_annual_item_per_person_when_they_moved_schools(session):
    s1, s2 = make_school(session), make_school(session)
    teacher = make_person(session)
    make_assignment(session, teacher, [s1], start_date=date(2018, 9, 1), end_date=date(2026, 7, 31))
    new = make_assignment(session, teacher, [s2], start_date=date(2026, 8, 1))
    items = _items(session)
    annual = [k for k in items if k[0] == teacher.id and k[2] == "2026-2027"]
    assert annual == [(teacher.id, new.id, "2026-2027")]
    assert items[(teacher.id, new.id, "first-review")][0] == date(2026, 10, 30)
