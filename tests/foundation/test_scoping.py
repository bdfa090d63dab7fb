"""Scoping: out-of-scope people are invisible in pages, search and counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.accounts import User
from models.people import Person
from models.scoping import can_view_person, person_scope
from tests.conftest import TODAY
from tests.factories import make_assignment, make_person


def test_principal_gets_404_for_person_only_at_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    assert client.get(f"/people/{world.teacher_b}").status_code == 404
    assert client.get(f"/people/{world.teacher_a}").status_code == 200


def test_principal_directory_and_search_omit_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    html = client.get("/people/").get_data(as_text=True)
    assert "Atwood" in html and "Barnes" not in html
    html = client.get("/people/?q=bob").get_data(as_text=True)
    assert "Barnes" not in html and "0 people found" in html
    html = client.get(f"/people/?school={world.school_b}").get_data(as_text=True)
    assert "Barnes" not in html


def test_principal_counts_exclude_other_school(client, auth, world):
    auth.login(world.emails["principal"])
    html = client.get("/people/").get_data(as_text=True)
    assert "2 people found" in html  # Alice and Sam, both at Adams High


def test_staff_see_only_their_own_record(client, auth, world):
    auth.login(world.emails["staff"])
    html = client.get("/people/").get_data(as_text=True)
    assert "1 person found" in html and "Atwood" in html
    assert client.get(f"/people/{world.sro}").status_code == 404


def test_supervisor_sees_own_agency_sros_only(client, auth, world):
    auth.login(world.emails["supervisor"])
    html = client.get("/people/").get_data(as_text=True)
    assert "Officer" in html and "Deputy" not in html and "Atwood" not in html


def test_ended_assignment_drops_person_from_principal_scope(app, session, world):
    person = make_person(session, last_name="Gone")
    school = session.get(Person, world.teacher_a).assignments[0].schools[0]
    make_assignment(session, person, [school], start_date=TODAY.replace(year=2024),
                    end_date=TODAY.replace(year=2025))
    principal = session.scalar(select(User).where(User.role == "principal"))
    assert not can_view_person(session, principal, person.id, TODAY)
    visible = session.scalar(select(func.count(Person.id)).where(person_scope(principal, TODAY)))
    assert visible == 2


def test_store_reads_take_a_scope_not_loose_keywords(app, session):
    """Forgetting the scope is an error, not a read of everyone: a date or a filter is refused."""
    from sqlalchemy import true

    from models.scoping import Scope
    from models.services.stores import reads as store_reads
    with pytest.raises(TypeError):
        store_reads.compliance_source(session, TODAY)
    with pytest.raises(TypeError):
        store_reads.evaluation_due_source(session, Scope.everyone(TODAY), person_filter=true())
    assert session.execute(store_reads.compliance_source(session, Scope.everyone(TODAY))).all() == []


def test_a_users_scope_is_the_person_scope(session, world):
    """Scope.for_user carries exactly person_scope; district-wide roles carry no condition."""
    from models.accounts import User
    from models.scoping import Scope
    users = {u.role: u for u in session.scalars(select(User))}
    assert Scope.for_user(users["hr"], TODAY).district_wide
    principal = Scope.for_user(users["principal"], TODAY)
    assert not principal.district_wide
    seen = set(session.scalars(select(Person.id).where(principal.people)))
    assert seen == set(session.scalars(select(Person.id).where(person_scope(users["principal"], TODAY))))
    assert seen and world.teacher_b not in seen
    assert world.teacher_a not in set(session.scalars(select(Person.id).where(
        principal.without(world.teacher_a).people)))
    from models.org import School
    assert set(session.scalars(select(School.id).where(principal.school_condition()))) == {world.school_a}
    assert principal.without(world.teacher_a).schools is principal.schools
    assert len(session.scalars(select(School.id).where(Scope.for_user(users["hr"], TODAY)
                                                        .school_condition())).all()) == 2


def test_people_at_a_school_means_one_thing_everywhere(client, auth, session, world):
    """Current and upcoming assignments count, ended ones do not: the same people in scope, reads, pages."""
    import re
    from datetime import timedelta

    from models.scoping import Scope, assigned_to_schools, school_links
    from models.services.evaluations.due import evaluation_due_select
    from models.services.stores import reads
    from models.services.training.compliance import compliance_select
    from tests.training.factories import make_course, make_requirement

    school_a = session.get(Person, world.teacher_a).assignments[0].schools[0]
    school_b = session.get(Person, world.teacher_b).assignments[0].schools[0]
    gone = make_person(session, last_name="Gone")
    make_assignment(session, gone, [school_a], start_date=TODAY - timedelta(days=400),
                    end_date=TODAY - timedelta(days=1))
    coming = make_person(session, last_name="Coming")
    make_assignment(session, coming, [school_a], start_date=TODAY + timedelta(days=30))
    both = make_person(session, last_name="Both")
    make_assignment(session, both, [school_a, school_b])
    make_requirement(session, make_course(session), roles=("teacher", "sro"))
    session.commit()

    expected = {world.teacher_a, world.sro, coming.id, both.id}
    at_a = assigned_to_schools([school_a.id], TODAY)
    assert set(session.scalars(select(Person.id).where(at_a))) == expected
    links = school_links([school_a.id], TODAY).subquery()
    assert set(session.scalars(select(links.c.person_id))) == expected
    narrowed = Scope.everyone(TODAY).at_schools([school_a.id])
    assert set(session.scalars(select(Person.id).where(narrowed.condition()))) == expected
    # Every read narrowed to the school returns rows of those people only (and of all of them with rows).
    for source in (reads.compliance_source, reads.compliance_summary_source, reads.evaluation_due_source):
        rows = source(session, narrowed).subquery()
        people = set(session.scalars(select(rows.c.person_id).distinct()))
        assert people and people <= expected and gone.id not in people, source.__name__
    # Evaluation items belong to assignments: narrowed by school, the items of assignments placed there.
    from models.scoping import assignments_at_schools
    at_a_ids = set(session.scalars(assignments_at_schools([school_a.id])))
    items = reads.evaluation_due_source(session, Scope.everyone(TODAY), assignment_school_ids=[school_a.id])
    rows = session.execute(items).all()
    assert rows and {r.assignment_id for r in rows} <= at_a_ids
    assert {r.person_id for r in rows} >= {world.teacher_a, both.id}
    # The engines take no school keyword: people at a school are a Scope's narrowing, nothing else.
    for engine in (compliance_select, evaluation_due_select):
        with pytest.raises(TypeError):
            engine(TODAY, school_ids=[school_a.id])
    # The schools list counts exactly the people its school page lists.
    assert auth.login(world.emails["hr"]).status_code == 302
    listing = client.get("/schools/").get_data(as_text=True)
    row = re.search(rf">{re.escape(school_a.name)}</a></td><td>[^<]*</td><td>(\d+)</td>", listing)
    assert row and int(row.group(1)) == len(expected)
    page = client.get(f"/schools/{school_a.id}").get_data(as_text=True)
    assert "Coming" in page and "Both" in page and "Gone" not in page
