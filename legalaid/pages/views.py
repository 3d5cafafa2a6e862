from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from legalaid.database import db_session
from legalaid.i18n import LANGUAGE_COOKIE, LANGUAGES
from legalaid.pages.forms import LanguageForm

bp = Blueprint("pages", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


def _safe_return_path(value: str | None) -> str:
    """Only a local path may be returned to, so the switcher cannot become an open redirect."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


@bp.post("/language")
def set_language() -> BaseResponse:
    form = LanguageForm()
    if not form.validate_on_submit():
        return make_response(render_template("errors/400.html", reason=_("Unknown language.")), 400)
    response = redirect(_safe_return_path(form.next.data))
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.language.data,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


__all__ = ["LANGUAGES", "bp"]
