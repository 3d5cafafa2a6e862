"""The edge's side of the audit writer: who acts, from where, in which request.

``audit.service.record_event`` takes an ``AuditContext`` (actor, client address, request
id) and reads nothing of Flask-Login, ``request`` or ``g`` itself. In a request this
adapter supplies it, read at the moment an entry is recorded: the actor is ``g.user``, the
request's fully signed-in user, so an entry recorded after ``_finish_sign_in`` sets it
names the new user and one recorded after sign-out (``g.user = None``) names nobody. The
sign-in steps and sign-out pass their actor explicitly (the account is not, or no longer,
the request's user when they record).
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request

from legalaid.audit.service import CONTEXT_PROVIDER, Actor, AuditContext


def request_audit_context() -> AuditContext | None:
    if not has_request_context():
        return None
    return AuditContext(
        actor=Actor.of(g.get("user")),
        client_address=(request.remote_addr or "")[:64],
        request_id=g.get("request_id"),
    )


def init_audit_context(app: Flask) -> None:
    app.extensions[CONTEXT_PROVIDER] = request_audit_context
