"""Background-check details never reach the audit trail: a change is recorded (who, when), never its text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from models.hiring import BackgroundCheck, Candidate
from models.policy import SENSITIVE_MARK
from tests.conftest import TODAY
from tests.hiring.factories import BACKGROUND_SECRET, screen, screening_data


def test_background_detail_text_appears_in_no_audit_row(app, session, hw):
    """Recording and then changing background details leaves rows that say so, without the text."""
    candidate = session.get(Candidate, hw.c1)
    screen(session, candidate, TODAY)
    session.commit()
    data = screening_data(candidate, TODAY)
    data.update({k: "Second finding: case 12-QQ" for k in data if k.startswith("bg_detail_")})
    from models.services.hiring.screening import record_screening
    record_screening(session, candidate, data, TODAY)
    session.commit()
    rows = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "background_checks")).all()
    assert rows, "background checks are audited"
    text = " ".join(f"{r.before} {r.after}" for r in rows)
    assert BACKGROUND_SECRET not in text and "12-QQ" not in text
    updates = [r for r in rows if r.action == "update" and "detail" in (r.after or {})]
    assert updates and all(r.after["detail"] == SENSITIVE_MARK and r.actor_label for r in updates)
    # The record itself keeps the text for HR.
    assert "12-QQ" in session.scalars(select(BackgroundCheck.detail)).first()


def test_pages_and_downloads_are_never_stored(client, auth, hw):
    """Every page and download says no-store, the certificate-style send_file downloads too."""
    assert auth.login(hw.emails["hr"]).status_code == 302
    for url in ("/", "/hiring/", f"/hiring/vacancies/{hw.vacancy}/scorecard.csv"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert "Strict-Transport-Security" not in client.get("/").headers  # only in production (HSTS_SECONDS)



@pytest.mark.app_config(HSTS_SECONDS=31536000)
def test_hsts_when_configured(client):
    """With HSTS_SECONDS (production's default) every answer tells browsers to keep to HTTPS."""
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    from config import ProductionConfig
    assert ProductionConfig.HSTS_SECONDS >= 180 * 24 * 3600
