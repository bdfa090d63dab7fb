"""The policy alone decides who may do what: the docs, the code and the pages agree with it."""

from __future__ import annotations

import ast
import re

import pytest

from models.policy import CAPABILITIES, USER_ROLES, can, capability_table, role_can, roles_with
from tracker import ROOT

APP_DIRS = ("models", "jobs", "tracker")
USER_NAMES = {"user", "current_user", "u", "User", "account"}


def _app_files():
    for folder in APP_DIRS:
        yield from (p for p in (ROOT / folder).rglob("*.py") if "seed" not in p.parts)


def _is_user_role(node: ast.AST) -> bool:
    """`user.role`, `current_user.role`, `User.role`, `api_user().role` and the like."""
    if not (isinstance(node, ast.Attribute) and node.attr == "role"):
        return False
    base = node.value
    if isinstance(base, ast.Call):
        base = base.func
    return isinstance(base, ast.Name) and (base.id in USER_NAMES or base.id == "api_user")


def _is_role_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    return isinstance(node, ast.Name) and node.id.isupper()  # a module constant such as MANAGERS


def role_comparisons(source: str) -> list[int]:
    """Line numbers where a user's role is compared with a literal or a constant list of roles."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_user_role(s) for s in sides) and any(_is_role_literal(s) for s in sides):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("in_", "not_in") and _is_user_role(node.func.value):
            lines.append(node.lineno)
        elif isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) >= 2 and all(
                isinstance(e, ast.Constant) and e.value in USER_ROLES for e in node.elts) \
                and any(e.value == "admin" for e in node.elts):
            lines.append(node.lineno)  # a hand-written list of roles ("admin", "hr")
    return sorted(set(lines))


def test_the_docs_show_the_policy_table():
    """docs/roles-and-access.md holds exactly the table the policy renders."""
    doc = (ROOT / "docs" / "roles-and-access.md").read_text()
    begin, end = "<!-- capabilities: generated from models/policy.py -->", "<!-- end capabilities -->"
    found = re.search(re.escape(begin) + r"\n(.*?)\n" + re.escape(end), doc, re.S)
    assert found, "docs/roles-and-access.md lost its generated capability table"
    assert found.group(1) == capability_table(), "regenerate the table: python -m models.policy"


def test_no_module_outside_the_policy_compares_a_role_with_a_literal():
    """Every permission check asks the policy for a capability; no role lists elsewhere."""
    offenders = []
    for path in _app_files():
        if path == ROOT / "models" / "policy.py":
            continue
        offenders += [f"{path.relative_to(ROOT)}:{n}" for n in role_comparisons(path.read_text())]
    assert not offenders, "compare roles through models/policy.py instead: " + ", ".join(offenders)


def test_templates_ask_the_policy_not_the_role():
    """Pages hide exactly what the server forbids: through can(), never by reading the role."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "has_role(" in text or re.search(r"current_user\.role\s*(==|!=|in\b)", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


@pytest.mark.parametrize("source,expected", [
    ('if user.role == "principal": pass', [1]),
    ('x = current_user.role in MANAGERS', [1]),
    ('x = api_user().role not in ("admin", "hr")', [1]),
    ('q = select(User).where(User.role.in_(["hr"]))', [1]),
    ('ROLES = ("admin", "hr")', [1]),
    ('if can(user, "co_sign"): pass', []),
    ('if assignment.role == "sro": pass', []),
])
def test_the_role_check_detector_finds_role_literals(source, expected):
    """The detector above would catch a role check written by hand (and not an assignment's role)."""
    assert role_comparisons(source) == expected


def test_an_unknown_capability_is_an_error_not_a_denial():
    """A misspelt capability fails loudly instead of quietly forbidding (or allowing) everything."""
    with pytest.raises(KeyError):
        roles_with("manage_peple")
    with pytest.raises(KeyError):
        role_can("admin", "manage_peple")


def test_every_capability_names_known_roles_and_says_what_it_allows():
    """The table is well formed: known roles, a sentence each."""
    for cap in CAPABILITIES.values():
        assert cap.roles and set(cap.roles) <= set(USER_ROLES), cap.name
        assert cap.means, cap.name


def test_coordinators_see_neither_vacancies_nor_evaluations():
    """What docs/roles-and-access.md says of training coordinators."""
    assert not role_can("coordinator", "see_vacancy")
    assert not role_can("coordinator", "see_evaluations")
    assert role_can("coordinator", "record_training") and role_can("coordinator", "see_district")


def test_an_inactive_account_holds_no_capability():
    """Deactivating an account takes every capability away at once."""
    from models.accounts import User
    assert can(User(role="admin", active=True), "manage_users")
    assert not can(User(role="admin", active=False), "manage_users")
    assert not can(None, "see_reports")
