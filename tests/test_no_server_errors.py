"""No input makes a 5xx: random and extreme values in every parameter of every route.

The parameters come from the app itself: the url_map's rules (path arguments), every
form class's fields (form posts), and the query-string names the views read. Each role
sends them; hypothesis keeps the examples few so that the whole file stays well under a
minute.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError, IntegerConverter

import legalaid
from legalaid.routing import LARGEST_ID
from legalaid.safe_redirect import local_path
from tests.factories import PASSWORD, create_user, fresh_step, sign_in, totp_code
from tests.helpers import csrf_token

ROLES = ["anonymous", "lawyer", "manager", "task_force", "admin"]
PACKAGE = Path(legalaid.__file__).parent
# Endpoints whose success would end the test's own sign-in (the rest of the run would
# then be anonymous); they still get random values as anonymous.
SIGNS_OUT = {"accounts.logout", "accounts.end_session", "accounts.end_other_sessions"}

EXTREMES = [
    "",
    "0",
    "-1",
    "1",
    str(LARGEST_ID),
    str(LARGEST_ID + 1),
    "9" * 40,
    "1e309",
    "²",
    "١٢",
    "nan",
    "/\r\nSet-Cookie: x=1",
    "/%0d%0aX: y",
    "\x00",
    "x" * 5000,
    "' OR 1=1 --",
    "../../etc/passwd",
    "2026-13-45",
    "İıŞşƏə",
]
VALUES = st.one_of(
    st.sampled_from(EXTREMES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=40),
)


def _form_classes(base: type[Any]) -> list[type[Any]]:
    found: list[type[Any]] = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_form_classes(sub))
    return found


def _form_field_names(app: Flask) -> list[str]:
    names: set[str] = set()
    with app.test_request_context():
        for form_class in _form_classes(FlaskForm):
            for attribute in dir(form_class):
                value = getattr(form_class, attribute, None)
                if hasattr(value, "field_class"):
                    names.add(attribute)
    # Field lists post as name-0-field; a few of those, too.
    names.update({"respondents-0-full_name", "respondents-0-relation", "respondents-0-birth_year"})
    names.discard("csrf_token")
    return sorted(names)


def _query_names() -> list[str]:
    pattern = re.compile(r"""(?:args|form)\.get(?:list)?\(\s*"([a-z_]+)\"""")
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        names.update(pattern.findall(path.read_text("utf-8")))
    names.update({"q", "page", "lawyer", "clinic", "role", "next", "actor", "year"})
    return sorted(names)


def _url(app: Flask, rule: Any, path_values: dict[str, Any]) -> str | None:
    values: dict[str, Any] = {
        argument: path_values.get(argument, 1)
        if isinstance(rule._converters[argument], IntegerConverter)
        else "app.css"
        for argument in rule.arguments
    }
    with app.test_request_context():
        try:
            return url_for(rule.endpoint, **values)
        except BuildError:  # a rule this generator cannot build is skipped
            return None


def _assert_no_server_error(response: Any, what: str) -> None:
    response.close()
    assert response.status_code < 500, f"{what}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_no_parameter_value_of_any_route_gives_a_server_error(
    app: Flask, session: Session, role: str
) -> None:
    client: FlaskClient = app.test_client()
    if role != "anonymous":
        sign_in(client, app, create_user(session, role), session=session)
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )
    if role != "anonymous":
        rules = [rule for rule in rules if rule.endpoint not in SIGNS_OUT]
    fields = _form_field_names(app)
    queries = _query_names()
    token = csrf_token(client, "/login" if role == "anonymous" else "/account")

    query_values = st.fixed_dictionaries(dict.fromkeys(queries, VALUES))
    form_values = st.fixed_dictionaries(dict.fromkeys(fields, VALUES))
    ids = st.sampled_from([1, 2, LARGEST_ID])
    # Two values that broke pages before, in every parameter at once; then random draws.
    oversized = dict.fromkeys([*queries, *fields], "9" * 40)
    control = dict.fromkeys([*queries, *fields], "/\r\n\x00²")

    def checker(rule: Any) -> Any:
        # One small hypothesis run per rule: every rule is reached, each with a few draws.
        @settings(
            max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(path=ids, params=query_values, form=form_values)
        @example(path=LARGEST_ID, params=oversized, form=oversized)
        @example(path=1, params=control, form=control)
        def check(path: int, params: dict[str, str], form: dict[str, str]) -> None:
            url = _url(app, rule, dict.fromkeys(rule.arguments, path))
            if url is None:
                return
            query = {name: params[name] for name in queries}
            methods = rule.methods or set()
            if "GET" in methods:
                response = client.get(url, query_string=query)
                _assert_no_server_error(response, f"{role} GET {url} {query!r}")
            if "POST" in methods:
                data = {name: form[name] for name in fields}
                response = client.post(url, query_string=query, data={**data, "csrf_token": token})
                _assert_no_server_error(response, f"{role} POST {url} {data!r} {query!r}")

        return check

    for rule in rules:
        checker(rule)()


@pytest.mark.parametrize(
    ("url", "role"),
    [
        (f"/cases/?lawyer={'9' * 30}", "manager"),
        (f"/admin/accounts?clinic={'9' * 30}", "admin"),
        (f"/cases/?lawyer={LARGEST_ID + 1}", "manager"),
        ("/login?next=/cases/%0d%0aSet-Cookie:%20x=1", "anonymous"),
    ],
)
def test_the_reported_inputs_answer_without_a_server_error(
    app: Flask, session: Session, url: str, role: str
) -> None:
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, app, create_user(session, role), session=session)
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code


def test_a_crlf_next_does_not_reach_the_location_header(app: Flask, session: Session) -> None:
    user = create_user(session, "lawyer")
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/cases/\r\nSet-Cookie: x=1",
        },
    )
    assert response.status_code == 302
    token = csrf_token(client, "/login/two-factor")
    code = totp_code(user, step=fresh_step(session, user))
    response = client.post("/login/two-factor", data={"code": code, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_local_path_refuses_control_characters() -> None:
    assert local_path("/cases/\r\nSet-Cookie: x=1") is None
    assert local_path("/cases/\x00") is None
    assert local_path("/cases/?q=1") == "/cases/?q=1"


@pytest.mark.parametrize("value", ["9" * 30, str(LARGEST_ID + 1), "²"])
def test_an_oversized_existing_client_at_intake_is_a_form_error(
    app: Flask, session: Session, value: str
) -> None:
    lawyer = create_user(session, "lawyer")
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    for action in ("check", "save"):
        token = csrf_token(client, "/cases/intake")
        response = client.post(
            "/cases/intake",
            data={"csrf_token": token, "action": action, "existing_client": value},
        )
        assert response.status_code < 500, (action, response.status_code)
