"""Fixtures for single sign-on: the local OpenID Provider, an app that trusts it, and a small roster."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from models import db
from tests.factories import make_assignment, make_person, make_school, make_user
from tests.sso.local_provider import DOMAIN, LocalProvider, free_port


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test OpenID Provider, running for the whole session."""
    provider = LocalProvider(port=free_port(), live_port=free_port(),
                             folder=tmp_path_factory.mktemp("oidc-provider")).start()
    yield provider
    provider.stop()


@pytest.fixture
def app_config(request, oidc_provider) -> dict:
    """Every SSO test's app trusts the local provider; @pytest.mark.app_config adds to that."""
    marker = request.node.get_closest_marker("app_config")
    return {"OIDC_PROVIDERS": oidc_provider.settings(), **(marker.kwargs if marker else {})}


@pytest.fixture
def db_session(app):
    """A database session in an app context opened for one look and closed again.

    The requests in these tests must not share the test's app context: Flask-Login keeps the signed-in
    user in `g`, which lives as long as the context, so a later request would look signed in.
    """

    @contextmanager
    def opened():
        with app.app_context():
            yield db.session
            db.session.remove()

    return opened


@pytest.fixture
def roster(db_session):
    """A school, people on its roster (one per provider account that needs one) and some accounts."""
    with db_session() as session:
        return _build_roster(session)


def _build_roster(session):
    school = make_school(session, "Adams High")
    jordan = make_person(session, first_name="Jordan", last_name="Lee", email=f"jordan.lee@{DOMAIN}")
    casey = make_person(session, first_name="Casey", last_name="Hart", email=f"casey.hart@{DOMAIN}")
    other = make_person(session, first_name="Robin", last_name="Other", email=f"robin.other@{DOMAIN}")
    retired = make_person(session, first_name="Rita", last_name="Retired", email=f"retired@{DOMAIN}")
    for person in (jordan, casey, other, retired):
        make_assignment(session, person, [school])
    hr = make_user(session, "hr", email=f"casey.hr@{DOMAIN}")
    inactive = make_user(session, "staff", email=f"retired@{DOMAIN}", person=retired)
    inactive.active = False
    admin = make_user(session, "admin", email=f"admin@{DOMAIN}")
    session.commit()
    return SimpleNamespace(school=school.id, jordan=jordan.id, other=other.id, hr=hr.id,
                           inactive=inactive.id, admin=admin.id)


@pytest.fixture
def live_app(app, oidc_provider):
    """Serve the app on the loopback port whose callback URLs the provider has registered."""
    server = make_server("127.0.0.1", oidc_provider.live_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{oidc_provider.live_port}"
    server.shutdown()
    thread.join(5)
