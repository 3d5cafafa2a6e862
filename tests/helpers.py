"""Small helpers for tests that talk to the app as a browser would (CSRF stays on), and
read what it mails."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.message import Message
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/") -> str:
    """The CSRF token of a form on ``page``, as a browser would have it."""
    html = client.get(page).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post_form(
    client: FlaskClient,
    url: str,
    data: Mapping[str, object],
    *,
    page: str | None = None,
    **kw: Any,
) -> TestResponse:
    """POST like a browser: first load ``page`` (default ``url``) to get the form's token."""
    token = csrf_token(client, page or url)
    return client.post(url, data={**data, "csrf_token": token}, **kw)


def text_body(message: Message) -> str:
    """The text of a single-part mail, its transfer encoding undone."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes), "expected a single-part message"
    return payload.decode("utf-8")
