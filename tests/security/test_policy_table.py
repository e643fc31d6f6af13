"""The policy table is the one place that says who may do what.

Walked statically: every action the code or a template asks about has a rule, every rule is
asked about somewhere, and no template or edge decides by comparing role names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from reintegrate.errors import Forbidden
from reintegrate.models.user import Role
from reintegrate.presenters.navigation import menu_for
from reintegrate.services.access import Actor
from reintegrate.services.policy import POLICY, SYSTEM_MAY, authorize, can

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for p in (ROOT / "reintegrate").rglob("*.py") if p.name != "policy.py"]
TEMPLATES = list((ROOT / "templates").rglob("*.html"))
ASKED_IN_CODE = re.compile(r"""\b(?:authorize|can)\(\s*[\w.()]+,\s*"([a-z_.]+)"\s*\)""")
ASKED_IN_TEMPLATES = re.compile(r"""\bcan\(\s*'([a-z_.]+)'\s*\)""")
MENU_ACTION = re.compile(r"""Entry\(\s*"([a-z_.]+)",""")
ROLE_NAMES = {role.value for role in Role}


def _asked() -> dict[str, list[str]]:
    asked: dict[str, list[str]] = {}
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        for pattern in (ASKED_IN_CODE, MENU_ACTION):
            for action in pattern.findall(text):
                asked.setdefault(action, []).append(str(path.relative_to(ROOT)))
    for path in TEMPLATES:
        for action in ASKED_IN_TEMPLATES.findall(path.read_text(encoding="utf-8")):
            asked.setdefault(action, []).append(str(path.relative_to(ROOT)))
    return asked


ASKED = _asked()


def _actor(role: str) -> Actor:
    return Actor(user_id=1, email=f"{role}@example.org", role=role)


def test_every_action_asked_about_has_a_rule() -> None:
    assert {a: where for a, where in ASKED.items() if a not in POLICY} == {}


def test_the_system_actor_may_only_listed_actions() -> None:
    assert SYSTEM_MAY <= set(POLICY)


def test_every_rule_is_asked_about_somewhere() -> None:
    assert sorted(set(POLICY) - set(ASKED)) == []


@pytest.mark.parametrize("action", sorted(POLICY))
def test_exactly_the_listed_roles_may(action: str) -> None:
    for role in Role:
        assert can(_actor(role.value), action) is (role in POLICY[action])
        if role not in POLICY[action]:
            with pytest.raises(Forbidden):
                authorize(_actor(role.value), action)
    assert not can(None, action)
    assert can(Actor.system("test"), action) is (action in SYSTEM_MAY)


def test_no_template_decides_by_a_role_name() -> None:
    conditions = re.compile(r"{%-?\s*(?:if|elif)\b(.*?)-?%}", re.S)
    offending = []
    for path in TEMPLATES:
        for condition in conditions.findall(path.read_text(encoding="utf-8")):
            quoted = set(re.findall(r"""['"](\w+)['"]""", condition))
            if ".role" in condition or quoted & ROLE_NAMES:
                offending.append(f"{path.relative_to(ROOT)}: {condition.strip()}")
    assert offending == []


def _comparing_roles(paths: list[Path], comparison: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted(paths)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if comparison.search(line)
    ]


def test_the_edges_do_not_compare_role_names_where_the_policy_answers() -> None:
    package = ROOT / "reintegrate"
    edges = [
        *(package / "web").rglob("*.py"),
        *(package / "api").rglob("*.py"),
        *(package / "presenters").rglob("*.py"),
        package / "cli.py",
        package / "scheduler.py",
    ]
    assert _comparing_roles(edges, re.compile(r"\.role\s*(?:==|!=|in\b|not in\b)")) == []


def test_the_services_ask_the_policy_rather_than_the_actors_role() -> None:
    """Province scope and ownership are the services' own checks; what a role may do is not.
    (A query may still select accounts by their role, as the reminders' recipients.)"""
    services = [
        path
        for path in (ROOT / "reintegrate/services").rglob("*.py")
        if path.name not in {"policy.py", "access.py"}
    ]
    comparison = re.compile(r"\bactor\.role\s*(?:==|!=|in\b|not in\b)")
    assert _comparing_roles(services, comparison) == []


@pytest.mark.parametrize(
    ("role", "menu"),
    [
        (
            Role.OFFICER,
            ["My work", "Returnees", "Register a returnee", "Listings", "Possible duplicates"],
        ),
        (Role.EMPLOYER, ["My listings", "Post an opening", "Referrals"]),
        (Role.MANAGER, ["Outcomes", "Erasure requests"]),
        (
            Role.ADMIN,
            [
                "Listings",
                "Imports",
                "Unmapped skills",
                "Employers",
                "Safe migration",
                "Possible duplicates",
                "Audit trail",
            ],
        ),
    ],
)
def test_each_role_gets_its_menu_from_the_policy(app: Flask, role: Role, menu: list[str]) -> None:
    with app.test_request_context():
        assert [str(entry.label) for entry in menu_for(_actor(role.value))] == menu
