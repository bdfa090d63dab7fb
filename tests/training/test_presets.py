"""State presets page: coordinators switch a state's requirements on and off; each change is audited."""

from __future__ import annotations

from sqlalchemy import select

from models.audit import AuditEvent
from models.seed.training_catalog import seed_catalog
from models.services.training.compliance import compliance_rows
from models.training import DistrictPreset
from tests.conftest import TODAY, post_form
from tests.factories import make_assignment, make_person, make_school, make_user


def _setup(session, role="coordinator"):
    seed_catalog(session)
    sro = make_person(session, person_type="sro", agency=None, employer="district")
    make_assignment(session, sro, [make_school(session)], start_date=TODAY)
    user = make_user(session, role)
    session.commit()
    return sro, user


def _codes(session, person):
    return {r.course_id for r in compliance_rows(session, TODAY, person_ids=[person.id])}


def test_coordinator_switches_texas_on_and_off_audited(client, auth, session):
    sro, user = _setup(session)
    before = _codes(session, sro)
    auth.login(user.email)
    page = client.get("/training/presets").get_data(as_text=True)
    assert "Texas" in page and "TX-SBLE" in page and "2018-11-02" in page
    response = post_form(client, "/training/presets", {"presets": ["TX", "NC"]}, follow_redirects=True)
    assert "State presets saved." in response.get_data(as_text=True)
    assert set(session.scalars(select(DistrictPreset.preset))) == {"TX", "NC"}
    assert len(_codes(session, sro)) == len(before) + 3  # TX-SBLE, NC-SRO, NC-REFRESH
    on = session.scalars(select(AuditEvent).where(AuditEvent.action == "preset_on")).all()
    assert sorted(e.after["preset"] for e in on) == ["NC", "TX"]
    assert all(e.actor_user_id == user.id for e in on)

    post_form(client, "/training/presets", {"presets": ["NC"]})
    session.expire_all()
    assert set(session.scalars(select(DistrictPreset.preset))) == {"NC"}
    off = session.scalars(select(AuditEvent).where(AuditEvent.action == "preset_off")).all()
    assert [e.before["preset"] for e in off] == ["TX"]


def test_unknown_preset_is_refused_and_nothing_changes(client, auth, session):
    _, user = _setup(session)
    auth.login(user.email)
    response = post_form(client, "/training/presets", {"presets": ["TX", "ZZ"]})
    assert response.status_code == 200
    assert "Unknown state preset: ZZ." in response.get_data(as_text=True)
    assert session.scalars(select(DistrictPreset)).all() == []
    assert session.scalars(select(AuditEvent).where(AuditEvent.action.like("preset_%"))).all() == []
