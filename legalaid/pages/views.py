from __future__ import annotations

from flask import (
    Blueprint,
    Response,
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
from legalaid.database import db_session
from legalaid.i18n import LANGUAGE_COOKIE
from legalaid.pages.forms import LanguageForm
from legalaid.safe_redirect import local_path

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
