from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts import services as account_services
from legalaid.database import db_session, get_database
from legalaid.i18n import LANGUAGE_COOKIE
from legalaid.pages.forms import LanguageForm
from legalaid.safe_redirect import local_path

bp = Blueprint("pages", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/livez")
def livez() -> tuple[Response, int]:
    """The process answers (for a supervisor's restart decision); touches nothing."""
    return jsonify(status="ok"), 200


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Ready to serve: the database accepts a write and the instance folder is writable.

    A ``SELECT 1`` said OK while every page was a 500 (disk full, read-only filesystem).
    The write is made in a savepoint that is rolled back; the probe file is written,
    fsynced and removed. The answer names no path and no error text.
    """
    checks = {"database": "ok", "instance": "ok"}
    try:
        session = db_session()
        probe = session.begin_nested()
        session.execute(
            text(
                "INSERT INTO key_check (name, check_value, recorded_at) "
                "VALUES (:name, :value, CURRENT_TIMESTAMP)"
            ),
            {"name": f"healthz-{secrets.token_hex(8)}", "value": "0" * 64},
        )
        probe.rollback()
    except SQLAlchemyError:
        checks["database"] = "unavailable"
    settings = current_app.extensions["legalaid.settings"]
    folders = {settings.instance_path}
    url = get_database().engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        folders.add(Path(url.database).resolve().parent)
    for folder in folders:
        if not _writable(folder):
            checks["instance"] = "unavailable"
    ok = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ok else "unavailable", **checks), 200 if ok else 503


def _writable(folder: Path) -> bool:
    path = folder / f".healthz-{secrets.token_hex(8)}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"probe")
            os.fsync(fd)
        finally:
            os.close(fd)
        path.unlink()
    except OSError:
        return False
    return True


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The same checks as ``/healthz``, under the name load balancers expect."""
    return healthz()


@bp.post("/language")
def set_language() -> BaseResponse:
    form = LanguageForm()
    if not form.validate_on_submit():
        return make_response(render_template("errors/400.html", reason=_("Unknown language.")), 400)
    if g.get("user") is not None:
        account_services.set_language(db_session(), g.user, form.language.data or "en")
    response = redirect(local_path(form.next.data) or "/")
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.language.data,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
