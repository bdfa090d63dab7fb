"""Importing a roster in two steps: a preview that writes nothing, then one confirmation that writes it.

Also the template to fill in, and the counted words the pages use (models/services/infra/words).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models.audit import AuditEvent
from models.services.infra.words import plural
from models.services.training.roster_import import ALIASES, TEMPLATE_HEADINGS, _norm, read_roster
from models.services.training.roster_preview import UNAVAILABLE, result_sentence
from models.training import Completion
from tests.conftest import TODAY, post_form
from tests.factories import make_person, make_school, make_user
from tests.training.factories import make_completion, make_course
from tests.training.roster_helpers import confirm, coordinator, counts, preview_token, upload

RECORDED_ON = date(2025, 1, 10)


def _world(session, n=3):
    """A course and `n` people; the first already has the course recorded on RECORDED_ON."""
    course = make_course(session, code="YMHFA")
    people = [make_person(session, email=f"r{i}@example.org") for i in range(n)]
    make_completion(session, people[0], course, RECORDED_ON)
    session.commit()
    return course, people


def _roster(rows) -> bytes:
    """A CSV roster of (email, course code, date text) rows."""
    lines = ["Email,Course code,Completion date,Hours"] + [f"{e},{c},{d},8" for e, c, d in rows]
    return "\n".join(lines).encode()


def _held(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _keys(session) -> set[tuple]:
    session.expire_all()
    return {(c.person_id, c.course_id, c.completed_on) for c in session.scalars(select(Completion))}


def _mixed_roster(people, new: int, recorded: int) -> bytes:
    """`new` rows not yet recorded and `recorded` rows already recorded (person 0 on other days)."""
    rows = [(people[0].email, "YMHFA", RECORDED_ON.isoformat())]
    for i in range(1, recorded):  # more recorded rows: person 0 on later days, recorded beforehand
        rows.append((people[0].email, "YMHFA", (RECORDED_ON + timedelta(days=i)).isoformat()))
    rows += [(people[1 + i % (len(people) - 1)].email, "YMHFA", f"2025-0{2 + i // 2}-01") for i in range(new)]
    return _roster(rows)


def test_preview_lists_new_and_recorded_rows_and_writes_nothing(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    before = counts(session)
    data = _mixed_roster(people, new=2, recorded=1)
    response, page = upload(client, data, "roster.csv")
    assert response.status_code == 200
    assert counts(session) == before  # no completion, no audit row
    assert "Preview: nothing has been written yet" in page
    assert "3 rows read: 2 new completions to add, 1 row already recorded to skip." in page
    new = page[page.index('id="preview-new"'):page.index('id="preview-recorded"')]
    start = page.index('id="preview-recorded"')
    recorded = page[start:page.index("</table>", start)]
    assert "<td>3</td>" in new and "<td>r1@example.org</td>" in new and "<td>r2@example.org</td>" in new
    assert "<td>2</td>" in recorded and "<td>r0@example.org</td>" in recorded
    assert f"<td>{people[1].first_name} {people[1].last_name}</td>" in new
    assert "r0@example.org" not in new
    assert "<button type=\"submit\">Import 2 completions</button>" in page
    token = preview_token(page)
    assert token and [p.name for p in _held(app)] == [token, f"{token}.json"]
    assert (app.config["UPLOAD_DIR"] + "/imports/" + token) not in page  # the token, not where it is kept
    assert Path(app.config["UPLOAD_DIR"], "imports", token).read_bytes() == data


def test_confirm_writes_exactly_the_preview_and_deletes_the_held_file(app, client, auth, session):
    course, people = _world(session)
    user = coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    keys, (completions, audits) = _keys(session), counts(session)
    response, page = confirm(client, preview_token(preview))
    assert response.status_code == 302
    assert "2 completions added, 1 row already recorded was skipped." in page
    assert _keys(session) - keys == {(people[1].id, course.id, date(2025, 2, 1)),
                                     (people[2].id, course.id, date(2025, 2, 1))}
    assert counts(session) == (completions + 2, audits + 1)
    audit = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (audit.action, audit.actor_user_id) == ("import", user.id)
    assert audit.after == {"file": "roster.csv", "rows": 3, "added": 2}
    assert {c.recorded_by_user_id for c in session.scalars(select(Completion).where(
        Completion.source == "import"))} == {user.id}
    assert _held(app) == []


@pytest.mark.parametrize(("new", "recorded", "totals", "result"), [
    (1, 2, "3 rows read: 1 new completion to add, 2 rows already recorded to skip.",
     "1 completion added, 2 rows already recorded were skipped."),
    (2, 1, "3 rows read: 2 new completions to add, 1 row already recorded to skip.",
     "2 completions added, 1 row already recorded was skipped."),
    (1, 0, "1 row read: 1 new completion to add, 0 rows already recorded to skip.",
     "1 completion added."),
])
def test_preview_and_result_count_in_singular_and_plural(client, auth, session, new, recorded, totals,
                                                        result):
    course, people = _world(session)
    for i in range(1, recorded):
        make_completion(session, people[0], course, RECORDED_ON + timedelta(days=i))
    session.commit()
    coordinator(client, auth, session)
    data = _mixed_roster(people, new, recorded)
    if not recorded:
        data = _roster([(people[1].email, "YMHFA", "2025-02-01")])
    _, preview = upload(client, data, "roster.csv")
    assert totals in preview
    assert f"Import {plural(new, 'completion')}</button>" in preview
    _, page = confirm(client, preview_token(preview))
    assert result in page


def test_a_roster_already_recorded_offers_nothing_to_confirm(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    _, page = upload(client, _roster([(people[0].email, "YMHFA", RECORDED_ON.isoformat())]), "roster.csv")
    assert "1 row read: 0 new completions to add, 1 row already recorded to skip." in page
    assert "Every row is already recorded: there is nothing to import." in page
    assert preview_token(page) is None and _held(app) == []


def test_a_file_with_problems_lists_every_one_and_offers_no_confirmation(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    before = counts(session)
    data = _roster([("nobody@example.org", "YMHFA", "2025-02-01"), (people[1].email, "NOPE", "2025-02-01"),
                    (people[2].email, "YMHFA", "2031-01-01")])
    response, page = upload(client, data, "roster.csv")
    assert response.status_code == 200
    assert "3 problems in 3 rows; nothing was imported" in page
    for row, message in ((2, "Unknown person “nobody@example.org”."), (3, "Unknown course “NOPE”."),
                         (4, "The completion date 2031-01-01 is in the future.")):
        assert f"<td>{row}</td><td>{message}</td>" in page
    assert preview_token(page) is None and '<button type="submit">Import' not in page
    assert "/training/import/confirm" not in page
    assert _held(app) == [] and counts(session) == before
    _, page = upload(client, _roster([("nobody@example.org", "YMHFA", "2025-02-01")]), "roster.csv")
    assert "1 problem in 1 row; nothing was imported" in page


def test_confirm_with_another_users_token_writes_nothing(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    token = preview_token(preview)
    auth.logout()
    other = make_user(session, "coordinator", email="other@x.org")
    session.commit()
    auth.login(other.email)
    before = counts(session)  # signing in is audited: count from here
    response, page = confirm(client, token)
    assert response.status_code == 200
    assert UNAVAILABLE in page
    assert counts(session) == before
    assert len(_held(app)) == 2  # still the uploader's to confirm
    auth.logout()
    auth.login("co@x.org")
    response, page = confirm(client, token)
    assert response.status_code == 302 and "2 completions added" in page


def test_a_principal_cannot_confirm_a_coordinators_preview(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    token = preview_token(preview)
    auth.logout()
    principal = make_user(session, "principal", email="pa@x.org", schools=[make_school(session)])
    session.commit()
    auth.login(principal.email)
    before = counts(session)
    response = post_form(client, "/training/import/confirm", {"token": token}, token_from="/")
    assert response.status_code == 403
    assert client.get("/training/import/template.csv").status_code == 403
    assert counts(session) == before and len(_held(app)) == 2


@pytest.mark.parametrize("token", ["0" * 64, "../../etc/passwd", "", "A" * 64, "0" * 63])
def test_confirm_with_an_unknown_token_writes_nothing(client, auth, session, token):
    _world(session)
    coordinator(client, auth, session)
    before = counts(session)
    response, page = confirm(client, token)
    assert response.status_code == 200
    assert UNAVAILABLE in page
    assert counts(session) == before


def test_confirm_after_the_hour_writes_nothing_and_drops_the_file(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    before = counts(session)
    app.config["SESSION_IDLE_MINUTES"] = 240  # the session outlives the preview here
    app.config["FIXED_NOW"] = datetime.now(UTC) + timedelta(minutes=61)
    response, page = confirm(client, preview_token(preview))
    assert response.status_code == 200
    assert UNAVAILABLE in page
    assert counts(session) == before and _held(app) == []


def test_confirm_twice_writes_once(app, client, auth, session):
    _, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    token = preview_token(preview)
    assert confirm(client, token)[0].status_code == 302
    after = counts(session)
    response, page = confirm(client, token)
    assert response.status_code == 200 and UNAVAILABLE in page
    assert counts(session) == after


def test_a_plan_changed_since_the_preview_shows_the_new_preview_and_writes_nothing(app, client, auth,
                                                                                  session):
    course, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    token = preview_token(preview)
    make_completion(session, people[1], course, date(2025, 2, 1))  # recorded meanwhile, by hand
    session.commit()
    before = counts(session)
    response, page = confirm(client, token)
    assert response.status_code == 200
    assert "The file no longer gives the preview you confirmed" in page
    assert "3 rows read: 1 new completion to add, 2 rows already recorded to skip." in page
    assert counts(session) == before
    assert preview_token(page) == token  # the held file now stands for the new preview
    response, page = confirm(client, token)
    assert response.status_code == 302 and "1 completion added, 2 rows already recorded were skipped." in page
    assert counts(session) == (before[0] + 1, before[1] + 1)


def test_a_plan_with_problems_since_the_preview_cannot_be_confirmed(app, client, auth, session):
    course, people = _world(session)
    coordinator(client, auth, session)
    _, preview = upload(client, _mixed_roster(people, new=2, recorded=1), "roster.csv")
    course.code = "YMHFA-2"  # renamed in the catalog meanwhile: the file names a course no longer there
    session.commit()
    before = counts(session)
    response, page = confirm(client, preview_token(preview))
    assert response.status_code == 200
    assert "The file no longer gives the preview you confirmed" in page
    assert "3 problems in 3 rows; nothing was imported" in page and "Unknown course “YMHFA”." in page
    assert preview_token(page) is None and _held(app) == []
    assert counts(session) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_and_imports_back_with_no_problem(app, client, auth, session, fmt):
    """Every heading is recognised, each as a different field; in a world with its person and course
    the example row previews as one new completion and confirms."""
    make_course(session, code="YMHFA")
    alex = make_person(session, first_name="Alex", last_name="Example", email="alex.example@example.org")
    session.commit()
    coordinator(client, auth, session)
    response = client.get(f"/training/import/template.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="training-roster.{fmt}"'
    frame, notices = read_roster(io.BytesIO(response.data), f"template.{fmt}")
    fields = {next(ours for ours, names in ALIASES.items() if _norm(h) in names) for h in TEMPLATE_HEADINGS}
    assert len(fields) == len(TEMPLATE_HEADINGS) and set(frame.columns) == fields and notices == []
    _, preview = upload(client, response.data, f"training-roster.{fmt}")
    assert "1 row read: 1 new completion to add, 0 rows already recorded to skip." in preview
    assert "error-summary" not in preview and "Unknown" not in preview
    _, page = confirm(client, preview_token(preview))
    assert "1 completion added." in page
    completion = session.scalar(select(Completion).where(Completion.person_id == alex.id))
    assert (completion.completed_on, completion.hours, completion.certificate_number) == (TODAY, 8,
                                                                                          "CERT-0001")


def test_the_import_page_links_both_templates(client, auth, session):
    coordinator(client, auth, session)
    page = client.get("/training/import").get_data(as_text=True)
    assert 'href="/training/import/template.csv"' in page and 'href="/training/import/template.xlsx"' in page


def test_plural_counts_one_as_singular_and_others_as_plural():
    assert [plural(n, "row") for n in (0, 1, 2, 1200)] == ["0 rows", "1 row", "2 rows", "1,200 rows"]
    assert plural(1, "row was", "rows were") == "1 row was"
    assert plural(3, "row was", "rows were") == "3 rows were"
    assert result_sentence(0, 0) == "0 completions added."
    assert result_sentence(1, 1) == "1 completion added, 1 row already recorded was skipped."
