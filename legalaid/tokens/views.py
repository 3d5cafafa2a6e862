"""The task force's personal access tokens for the API: list, make, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts.forms import EmptyForm
from legalaid.confirmations import confirmation_page, confirmed
from legalaid.database import db_session, rollback_request, utcnow
from legalaid.errors import DomainError, NotFoundError, show_on_form
from legalaid.tokens import services
from legalaid.tokens.forms import TokenForm
from legalaid.web_types import Rendered

bp = Blueprint("tokens", __name__, url_prefix="/settings/tokens")


def _render(form: TokenForm, *, new_token: str | None = None, status: int = 200) -> Rendered:
    tokens = services.list_tokens(db_session(), g.user)
    return (
        render_template(
            "tokens/list.html",
            form=form,
            tokens=tokens,
            new_token=new_token,
            now=utcnow(),
            revoke_form=EmptyForm(),
            rate_limit=services.RATE_LIMIT,
        ),
        status,
    )


@bp.route("", methods=["GET", "POST"])
def list_tokens() -> Rendered:
    form = TokenForm()
    if request.method == "GET":
        return _render(form)
    if form.validate_on_submit():
        try:
            _row, token = services.create_token(
                db_session(),
                g.user,
                name=form.name.data or "",
                days=form.expires_in.data,
                now=utcnow(),
            )
        except NotFoundError:
            raise NotFound() from None
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "name")
        else:
            # Shown on this response only: never stored, never in a URL or a flash message.
            return _render(TokenForm(formdata=None), new_token=token)
    return _render(form, status=400)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int) -> str | BaseResponse:
    form = EmptyForm()
    if not form.validate_on_submit():
        # Only the CSRF token can be wrong here (Flask-WTF refuses it before this view).
        abort(400)
    if not confirmed():
        try:
            services.token_of(db_session(), g.user, token_id)
        except NotFoundError:
            raise NotFound() from None
        return confirmation_page(
            title=_("Revoke this token?"),
            consequence=_(
                "Every program that uses it loses access to the API at once. A revoked "
                "token cannot be used again: you would make a new one."
            ),
            action_label=_("Revoke"),
            cancel_url=url_for("tokens.list_tokens"),
        )
    try:
        services.revoke_token(db_session(), g.user, token_id, now=utcnow())
    except NotFoundError:
        raise NotFound() from None
    flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(url_for("tokens.list_tokens"))
