"""The one ``before_request`` that enforces ``policies/access.toml`` (deny by default)."""

from __future__ import annotations

import secrets
import uuid

from flask import Flask, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from legalaid.access.policy import TOKEN_VIEW_MARK, AccessPolicy
from legalaid.accounts.current import load_current_session
from legalaid.audit.service import record_event
from legalaid.database import db_session
from legalaid.errors import StartupError
from legalaid.held_forms.views import hold_expired_post


def access_policy() -> AccessPolicy:
    policy: AccessPolicy = current_app.extensions["legalaid.policies"].access
    return policy


def check_every_endpoint_listed(app: Flask, policy: AccessPolicy) -> None:
    """Start-up refuses an app with an endpoint that the policy does not mention, and an
    ``api_token`` endpoint whose view does not authenticate the token itself."""
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(policy.endpoints))
    if missing:
        raise StartupError(
            f"policies/access.toml lists no permission for endpoint(s): {', '.join(missing)}"
        )
    unguarded = sorted(
        endpoint
        for endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}
        if policy.is_api_token(endpoint)
        and not getattr(app.view_functions.get(endpoint), TOKEN_VIEW_MARK, False)
    )
    if unguarded:
        raise StartupError(
            "endpoint(s) marked api_token in policies/access.toml do not check a token: "
            + ", ".join(unguarded)
        )


def enforce_access() -> Response | None:
    if g.get("access_checked"):
        return None  # already checked earlier in this request (a document upload)
    g.access_checked = True
    g.request_id = str(uuid.uuid4())
    g.csp_nonce = secrets.token_urlsafe(16)
    endpoint = request.endpoint
    policy = access_policy()
    if endpoint is not None and policy.is_api_token(endpoint):
        # The API never looks at the session cookie: its view checks a bearer token.
        g.user = None
        g.user_session = None
        return None
    load_current_session()
    if endpoint is None:
        return None  # no route: the 404 / 405 page follows
    user = g.user
    if policy.allows(user.role if user else None, endpoint):
        return None
    if user is None:
        if request.method == "GET":
            return redirect(url_for("accounts.login", next=request.path))
        held = hold_expired_post()
        if held is not None:
            return held
        abort(401)
    record_event(
        db_session(), "access.denied", object_type="endpoint", object_id=endpoint, outcome="denied"
    )
    abort(403)


def enforce_access_before_reading(app: Flask, endpoints: frozenset[str]) -> None:
    """Sign-in and permission first on ``endpoints`` (the document uploads), before any
    byte of the body is read. Set up before CSRFProtect: its hook reads the form first.

    CSRF protection reads the form before the access check runs; on the upload routes,
    whose request cap is raised to the document limits, an anonymous request would make
    the server take in (and spool, sealed) up to that cap before being refused.
    """

    def check() -> Response | None:
        if request.endpoint in endpoints:
            return enforce_access()
        return None

    app.before_request(check)


def init_access(app: Flask) -> None:
    app.before_request(enforce_access)
