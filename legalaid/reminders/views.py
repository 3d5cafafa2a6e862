"""Turning one's own e-mail reminders on or off (account settings), and the bell."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts.models import User
from legalaid.accounts.views import account_panel
from legalaid.audit.service import record_event
from legalaid.database import db_session, utcnow
from legalaid.reminders import in_app
from legalaid.reminders.forms import ReminderSettingsForm

bp = Blueprint("reminders", __name__)


@bp.post("/account/reminders")
def settings() -> BaseResponse:
    form = ReminderSettingsForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("accounts.settings"))
    g.user.reminders_enabled = bool(form.enabled.data)
    db_session().flush()
    record_event(db_session(), "reminders.changed", object_type="user", object_id=g.user.id)
    flash(
        _("E-mail reminders are on.") if form.enabled.data else _("E-mail reminders are off."),
        "success",
    )
    return redirect(url_for("accounts.settings", _anchor="reminders-heading"))


@bp.app_context_processor
def _bell() -> dict[str, object]:
    """``reminder_bell()`` in every page's navigation: how many reminders came due since she
    last looked (None for a role without casework, or when the database cannot answer)."""

    def reminder_bell() -> int | None:
        user = g.get("user")
        if user is None or user.role not in in_app.ROLES:
            return None
        try:
            return in_app.new_count(
                db_session(), user, utcnow(), current_app.extensions["legalaid.policies"].reminders
            )
        except SQLAlchemyError:
            # An error page after a failed statement still renders, without the count.
            return None

    return {"reminder_bell": reminder_bell}


@account_panel("reminders", endpoint="reminders.settings")
def _reminder_panel(user: User) -> dict[str, object]:
    """The e-mail reminders switch on the account page."""
    return {"reminder_form": ReminderSettingsForm(enabled=user.reminders_enabled)}
