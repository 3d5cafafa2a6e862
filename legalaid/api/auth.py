"""Authentication of API requests: a personal access token, never the session cookie.

The access layer (:mod:`legalaid.access.enforce`) leaves endpoints whose policy is
``api_token`` to :func:`token_required`: it does not even load the session of such a
request, so a signed-in browser gets the same 401 as anyone without a token. Start-up
refuses an ``api_token`` endpoint whose view lacks this decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from legalaid.access.policy import TOKEN_VIEW_MARK
from legalaid.database import db_session, utcnow
from legalaid.tokens import services
from legalaid.tokens.services import Authenticated

REALM = 'Bearer realm="legalaid"'

F = TypeVar("F", bound=Callable[..., Any])


def api_error(status: int, code: str, message: str, **headers: str) -> Response:
    """A JSON error: ``{"error": {"status", "code", "message"}}``."""
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.status_code = status
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def unauthorized(*, presented: bool) -> Response:
    challenge = f'{REALM}, error="invalid_token"' if presented else REALM
    return api_error(
        401,
        "unauthorized",
        _("Send a valid personal access token: Authorization: Bearer <token>."),
        WWW_Authenticate=challenge,
    )


def current_caller() -> Authenticated:
    caller: Authenticated = g.api_caller
    return caller


def token_required(view: F) -> F:
    """Authenticate by bearer token, re-check the owner, count the request (rate limit)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session = db_session()
        now = utcnow()
        presented = services.bearer_token(request.headers.get("Authorization"))
        if presented is None:
            return unauthorized(presented="Authorization" in request.headers)
        caller = services.authenticate(session, presented, now=now)
        if caller is None:
            return unauthorized(presented=True)
        retry_after = services.count_request(session, caller, now=now)
        if retry_after is not None:
            return api_error(
                429,
                "rate_limited",
                _(
                    "Too many requests with this token: at most %(limit)d a minute. "
                    "Try again in %(seconds)d seconds.",
                    limit=services.RATE_LIMIT,
                    seconds=retry_after,
                ),
                Retry_After=str(retry_after),
            )
        g.api_caller = caller
        return view(*args, **kwargs)

    setattr(wrapper, TOKEN_VIEW_MARK, True)
    return wrapper  # type: ignore[return-value]
