"""Idempotent form posts: each form carries a one-time submission token.

A double click, or a browser retrying a POST after the connection dropped (a worker died
after its commit), must save once. Every HTML page a signed-in user gets has, in each of
its POST forms, a fresh ``submission_token`` beside the CSRF token (added here, for every
form at once). A POST that carries one records it in the same transaction as its work; a
second POST with the same token does nothing and is sent to the record the first one
saved (where the first one's redirect went). Concurrent duplicates meet on the token's
primary key: the second waits for the first and then finds it.

A request that saved nothing (a form error, a 409, a refusal) drops its token, so the
same page can be sent again after a correction.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import Flask, flash, g, redirect, request
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from legalaid.database import Base, UTCDateTime, db_session, utcnow
from legalaid.safe_redirect import local_path

FIELD = "submission_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Every CSRF field, whether WTForms rendered it or a template wrote it by hand (a button
# that posts): each such form gets its own token.
_CSRF_INPUT = re.compile(r'(<input\b[^>]*\bname="csrf_token"[^>]*>)')
#: Sign-in, sign-out and language posts change no record: replaying them must act again.
_EXEMPT_PREFIXES = ("accounts.", "pages.set_language", "api.")
KEEP = timedelta(days=2)


class Submission(Base):
    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _exempt() -> bool:
    endpoint = request.endpoint or ""
    return endpoint.startswith(_EXEMPT_PREFIXES)


def _already_saved(row: Submission) -> Response | None:
    if row.user_id != g.user.id or not row.location:
        return None
    flash(_("This form was already sent and saved once; here is what was saved."), "success")
    return redirect(row.location)


def claim_submission() -> Response | None:
    """before_request: a repeated token goes to what the first submission saved."""
    g.pop("submission", None)
    if request.method != "POST" or g.get("user") is None or _exempt():
        return None
    token = request.form.get(FIELD, "")
    if not _TOKEN.match(token):
        return None
    session = db_session()
    row = session.get(Submission, token)
    if row is not None:
        return _already_saved(row)
    try:
        with session.begin_nested():
            session.add(Submission(token=token, user_id=g.user.id))
    except IntegrityError:
        # The same token committed by a concurrent request a moment ago.
        row = session.get(Submission, token, populate_existing=True)
        return _already_saved(row) if row is not None else None
    g.submission = token
    if secrets.randbelow(100) == 0:
        session.execute(delete(Submission).where(Submission.created_at < utcnow() - KEEP))
    return None


def settle_submission(response: Response) -> Response:
    """after_request, before the commit: keep the token where the work was saved."""
    token = g.pop("submission", None)
    if token is None:
        return response
    session = db_session()
    row = session.get(Submission, token)
    if row is None:  # rolled back with the request's changes
        return response
    location = local_path(response.location) if response.status_code in (302, 303) else None
    if location and response.status_code < 400:
        row.location = location[:500]
    else:
        session.delete(row)
    session.flush()
    return response


def add_tokens_to_forms(response: Response) -> Response:
    """after_request: a fresh token beside the CSRF token of every form of the page."""
    if (
        g.get("user") is None
        or response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
    ):
        return response
    html = response.get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        return response

    def with_token(match: re.Match[str]) -> str:
        token = secrets.token_urlsafe(24)
        return f'{match.group(1)}<input type="hidden" name="{FIELD}" value="{token}">'

    response.set_data(_CSRF_INPUT.sub(with_token, html))
    return response


def init_idempotency(app: Flask) -> None:
    """Call after the commit hook is registered: after_request hooks run last-first."""
    app.before_request(claim_submission)
    app.after_request(settle_submission)
    app.after_request(add_tokens_to_forms)
