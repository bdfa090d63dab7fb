"""Every route as each role, with hostile values in every path, query, form and JSON parameter: no 5xx.

The routes come from the app's URL map; the parameter names from the app itself: every query name a
view reads (`args.get("...")` in tracker/, and the OpenAPI document's parameters), every field of
every form class, every `name="..."` on the pages the crawl opens first (so per-criterion and
per-candidate fields count too), and every property of the API's request bodies. Each request sets
all of them at once to one hostile value: numbers no database id can hold, words where numbers go,
impossible dates, NUL and text-direction overrides, text far longer than any column, a field sent
twice; uploads get garbage and an empty file; the API gets every JSON type in every property, bodies
that are not objects, and bodies that are not JSON. Any answer is fine but a server error.
"""

from __future__ import annotations

import io
import re
import traceback
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import g
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from models import db
from tests.access.cases import _variants, api_headers
from tests.conftest import AuthActions, csrf_token
from tracker.api.openapi import document

ROLES = ("anonymous", "admin", "hr", "coordinator", "principal", "supervisor", "staff", "sro")
NOT_DRIVEN = {"static": "files, no data", "auth.logout": "would end the crawl's session (anonymous sends it)"}
LONG = "x" * 5_000  # longer than any column (the longest holds 300)
VERY_LONG = "Ann" * 70_000  # the 200,000-character first name
HOSTILE = ("99999999999999999999", "-9223372036854775809", "9223372036854775807", "2147483648", "2147483647",
           "abc", "", "\x00", "Ann\u202eeoJ", "2026-02-30", "nan", "1e308", "../../etc/passwd", LONG)
NAME_FIELDS = ("first_name", "last_name", "name", "title", "email", "code", "label", "text")
JSON_VALUES = (99999999999999999999, -1, 1e308, "abc", "\x00", "Ann\u202eeoJ", LONG, "2026-02-30", None,
               True, [], {}, [[1]], {"a": {"b": 1}})
BODIES = (b"[]", b'"abc"', b"123", b"null", b"{", b"\xff\xfe", b'{"a":' * 40 + b"1" + b"}" * 40)
PATH_INTS = ("99999999999999999999", "0")
PATH_TEXTS = ("%00", quote("Ann\u202eeoJ"), "x" * 3_000, "..%2F..%2Fetc", "%25")
SOURCE = Path(__file__).resolve().parents[2] / "tracker"


def _form_classes(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def _walk_json(node, names: set[str]) -> None:
    """Parameter names and body properties anywhere in the OpenAPI document."""
    if isinstance(node, dict):
        if "in" in node and isinstance(node.get("name"), str):
            names.add(node["name"])
        names.update(k for k in node.get("properties", {}) if isinstance(node.get("properties"), dict))
        for value in node.values():
            _walk_json(value, names)
    elif isinstance(node, list):
        for value in node:
            _walk_json(value, names)


def parameter_names(app) -> tuple[list[str], list[str], list[str]]:
    """(query names, form field names, JSON property names) the app reads."""
    text = "\n".join(p.read_text() for p in SOURCE.rglob("*.py"))
    query = set(re.findall(r"""args(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""", text))
    api: set[str] = set()
    with app.test_request_context():
        _walk_json(document(), api)
    fields = {name for form in _form_classes() for name, _ in (form._unbound_fields or ())}
    fields |= {n for form in _form_classes() for n, v in vars(form).items() if hasattr(v, "field_class")}
    return sorted(query | api | {"format", "next", "page"}), sorted(fields), sorted(api)


class Crawl:
    """One role's client: signs in again whenever a hostile request ended its session."""

    def __init__(self, app, pw, key):
        self.app, self.pw, self.key = app, pw, key
        self.client = app.test_client()
        self.failures: list[str] = []
        self.sent = 0
        self.sign_in()

    def sign_in(self) -> None:
        """A fresh session for the role (anonymous: just a CSRF token)."""
        for name in list(vars(g)):  # the test's app context outlives requests: start as a new process
            g.pop(name)
        self.client = self.app.test_client()
        if self.key != "anonymous":
            response = AuthActions(self.client).login(self.pw.emails[self.key])
            assert response.status_code == 302, response.get_data(as_text=True)[-800:]
        self.token = csrf_token(self.client, "/login" if self.key == "anonymous" else "/")

    def send(self, method: str, path: str, **kwargs):
        """One request; a 5xx or an exception is a failure, a sign-out signs in again."""
        self.sent += 1
        label = f"{self.key} {method} {path[:120]} {str(kwargs.get('data') or kwargs.get('json'))[:80]!r}"
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - any exception is what this test looks for
            frames = [f"{Path(f.filename).name}:{f.lineno}" for f in traceback.extract_tb(error.__traceback__)
                      if "/tracker/" in f.filename or "/models/" in f.filename]
            self.failures.append(f"{label}: raised {type(error).__name__}: {str(error)[:200]} "
                                 f"at {frames[-3:]}")
            db.session.rollback()  # the test's app context keeps the session a request would have ended
            return None
        if response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code}")
        if (self.key != "anonymous" and urlsplit(response.location or "").path == "/login"
                and self.client.get("/").status_code == 302):
            self.sign_in()
        return response


def _base_path(rule, pw, key, secret) -> tuple[str, dict]:
    try:
        values = _variants(rule, pw, key, secret)[0]
    except KeyError:  # the walk skips the route (a provider's name, an emailed link's token)
        values = {name: pw.objects.get(name, "unknown") for name in rule.arguments}
    path = rule.rule
    for name in set(rule.arguments) - set(rule.defaults or ()):
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path, values


def _hostile_paths(rule, values: dict) -> list[str]:
    """The rule's path with one argument at a time replaced by a hostile value."""
    out = []
    for name in set(rule.arguments) - set(rule.defaults or ()):
        converter = rule._converters.get(name)  # noqa: SLF001 - which kind of value the URL takes
        hostile = PATH_INTS if type(converter).__name__ == "IdConverter" else PATH_TEXTS
        for value in hostile:
            path = rule.rule
            for other in set(rule.arguments) - set(rule.defaults or ()):
                path = re.sub(rf"<(?:\w+:)?{other}>", value if other == name else str(values[other]), path)
            out.append(path)
    return out


def _uploads() -> list[dict]:
    garbage = b"\xff\xfe\x00garbage\r\n,,,\"\n" * 50
    csv = ("first_name,last_name,email,school,role,completed_on,course\n"
           + "Ann\u202eeoJ,\x00," + LONG + ",99999999999999999999,abc,2026-02-30,nan\n").encode()
    return [{name: (io.BytesIO(body), filename) for name in ("file", "certificate")}
            for body, filename in ((b"", "empty.csv"), (garbage, "evil\u202efdp.csv"), (csv, "people.csv"),
                                   (b"%PDF-1.4 " + garbage, "x" * 400 + ".pdf"))]


@pytest.mark.parametrize("key", ROLES)
def test_hostile_values_reach_no_server_error(app, pw, key):
    """One role sends hostile values to every route; nothing answers 5xx or raises."""
    query, static_fields, api_fields = parameter_names(app)
    crawl = Crawl(app, pw, key)
    secret = app.config["SECRET_KEY"]
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in NOT_DRIVEN
                    or (key == "anonymous" and r.endpoint == "auth.logout")), key=lambda r: r.rule)
    harvested: set[str] = set()
    writes = []
    for rule in rules:
        path, values = _base_path(rule, pw, key, secret)
        api = rule.rule.startswith("/api/")
        headers = api_headers(rule, key, pw)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method != "GET":
                writes.append((rule, method, path, values, api, headers))
                continue
            response = crawl.send("GET", path, headers=headers)
            if response is not None and "text/html" in response.content_type:
                harvested.update(re.findall(r'name="([^"]+)"', response.get_data(as_text=True)))
            for value in HOSTILE:
                crawl.send("GET", f"{path}?{urlencode({n: value for n in query})}", headers=headers)
            crawl.send("GET", f"{path}?{urlencode([(n, v) for n in query for v in ('1', 'abc')])}",
                       headers=headers)
            for hostile in _hostile_paths(rule, values):
                crawl.send("GET", hostile, headers=headers)
    fields = sorted((set(static_fields) | harvested) - {"csrf_token"})
    # The API first: an HTML write may revoke the role's API token or end its session.
    for rule, method, path, values, api, headers in sorted(writes, key=lambda w: not w[4]):
        targets = [path, *_hostile_paths(rule, values)]
        if api:
            for value in JSON_VALUES:
                crawl.send(method, path, json={n: value for n in api_fields}, headers=headers)
            for body in BODIES:
                crawl.send(method, path, data=body, headers=headers | {"Content-Type": "application/json"})
            crawl.send(method, path, data="a=1", headers=headers | {"Content-Type": "text/plain"})
            for target in targets[1:]:
                crawl.send(method, target, json={}, headers=headers)
            continue
        for value in HOSTILE:
            crawl.send(method, path, data={n: value for n in fields} | {"csrf_token": crawl.token})
        crawl.send(method, path, data=MultiDict([(n, v) for n in fields for v in ("1", "abc")]
                                                + [("csrf_token", crawl.token)]))
        crawl.send(method, path, data={n: VERY_LONG for n in NAME_FIELDS} | {"csrf_token": crawl.token})
        if any(n in fields for n in ("file", "certificate")):
            for upload in _uploads():
                data = {n: "abc" for n in fields} | upload | {"csrf_token": crawl.token}
                crawl.send(method, path, data=data, content_type="multipart/form-data")
        for target in targets[1:]:
            crawl.send(method, target, data={"csrf_token": crawl.token})
    assert crawl.sent > 1_000, crawl.sent
    assert not crawl.failures, f"{len(crawl.failures)} of {crawl.sent}:\n" + "\n".join(crawl.failures)
