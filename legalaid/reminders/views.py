"""Turning one's own e-mail reminders on or off (account settings)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from legalaid.audit.service import record_event
from legalaid.database import db_session
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
