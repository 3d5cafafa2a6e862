"""Where a held form goes back to its author: a page that sends it again, fresh tokens and all."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from legalaid.database import db_session
from legalaid.held_forms import service
from legalaid.webforms import EmptyForm

bp = Blueprint("held_forms", __name__)

#: The Flask session key of the held form's random id (the cookie is signed, and holds
#: only that id: the form itself never leaves the server).
SESSION_KEY = "held_form"


def hold_expired_post() -> Response | None:
    """An anonymous POST from a session that just timed out: keep it, send her to sign in.

    Runs after Flask-WTF has checked the CSRF token, so only a form from the app's own
    page is held; a post whose session ended otherwise (signed out, disabled) is not.
    """
    account = g.get("expired_account")
    # The keepalive is a script's request, not a form: it must keep answering 401.
    if request.method != "POST" or account is None or request.endpoint == "accounts.keepalive":
        return None
    user_id, role = account
    # A file input left empty sends a part with no name: only a chosen file counts.
    chosen = [item.filename for item in request.files.values() if item.filename]
    token = service.hold(
        db_session(),
        user_id=user_id,
        role=role,
        path=request.path,
        fields=[
            *request.form.items(multi=True),
            *((service.FILE_NAME_FIELD, name[:200]) for name in chosen),
        ],
        had_files=bool(chosen),
    )
    if token is None:
        # Nothing that can be kept (empty, or too large): at least no error page.
        return redirect(url_for("accounts.login", next=request.path, expired=1), code=303)
    session[SESSION_KEY] = token
    flash(
        _(
            "Your session ended before the form you sent was saved. It is kept for "
            "%(minutes)d minutes: sign in again to get it back.",
            minutes=service.HOLD_MINUTES,
        ),
        "warning",
    )
    return redirect(url_for("accounts.login", next=request.path), code=303)


@bp.get("/resume")
def resume() -> str | Response:
    token = session.pop(SESSION_KEY, None)
    returned = (
        service.take(db_session(), token, user_id=g.user.id) if isinstance(token, str) else None
    )
    if returned is None:
        flash(
            _(
                "The form you sent is no longer kept (it is kept for %(minutes)d minutes).",
                minutes=service.HOLD_MINUTES,
            ),
            "warning",
        )
        return redirect(url_for("accounts.dashboard"))
    return render_template(
        "held_forms/resume.html",
        returned=returned,
        form=EmptyForm(formdata=None),
        files_not_kept=service.FILES_NOT_KEPT,
    )
