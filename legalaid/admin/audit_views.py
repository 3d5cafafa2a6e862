"""The audit log viewer (administrators only): metadata, never content; every read audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, StringField
from wtforms.validators import Length, Optional, ValidationError

from legalaid.admin.audit_queries import entries_query, resolve_actor
from legalaid.audit.service import record_event
from legalaid.database import db_session
from legalaid.pagination import PER_PAGE, Page, paginate
from legalaid.request_input import validates_control_characters
from legalaid.webforms import AppForm

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_INPUT = {"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "autocomplete": "off"}


def parse_date(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` date, or ``None`` for anything else."""
    if not text or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _printable(_form: Form, field: Field) -> None:
    # PostgreSQL refuses NUL in text, and no email or action holds control characters.
    if any(ord(char) < 32 or ord(char) == 127 for char in field.data or ""):
        raise ValidationError(_("Remove the control characters from this field."))


def _a_date(_form: Form, field: Field) -> None:
    if parse_date(field.data) is None:
        raise ValidationError(
            _("Enter a date as YYYY-MM-DD, for example %(example)s.", example="2026-03-31")
        )


class AuditFilterForm(AppForm):
    """The GET filter form; the values stay as typed so a mistake can be corrected."""

    class Meta:
        csrf = False  # a search: it changes nothing

    actor = StringField(
        _l("Actor"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
            _printable,
        ],
    )
    action = StringField(
        _l("Action"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=64, message=_l("Use at most %(max)d characters.")),
            _printable,
        ],
    )
    # Text, not type="date": a browser blanks a date input that holds an invalid value,
    # and the person should see what she typed next to the message about it.
    date_from = StringField(
        _l("From (date in Baku)"),
        name="from",
        filters=[_strip],
        validators=[Optional(), _a_date],
        render_kw=_DATE_INPUT,
    )
    date_to = StringField(
        _l("To (date in Baku)"),
        name="to",
        filters=[_strip],
        validators=[Optional(), _a_date],
        render_kw=_DATE_INPUT,
    )

    def validate_date_to(self, field: Field) -> None:
        start, end = parse_date(self.date_from.data), parse_date(field.data)
        if start is not None and end is not None and end < start:
            raise ValidationError(_("The end date is before the start date."))


@bp.get("/")
@validates_control_characters
def entries() -> str:
    session = db_session()
    form = AuditFilterForm(formdata=request.args)
    valid = form.validate()
    actor_id: int | None = None
    if valid and form.actor.data:
        actor_id = resolve_actor(session, form.actor.data)
        if actor_id is None:
            form.actor.errors = [_("No account has this email address or number.")]
            valid = False
    page: Page[Any]
    if valid:
        query = entries_query(
            actor_id=actor_id,
            action=form.action.data or "",
            date_from=parse_date(form.date_from.data),
            date_to=parse_date(form.date_to.data),
        )
        page = paginate(session, query, request.args.get("page", "1"))
    else:
        page = Page(items=[], number=1, per_page=PER_PAGE, total=0)
    # Reading the log is itself an event; it commits with the request (or not at all).
    record_event(session, "audit.viewed", object_type="audit_log")
    return render_template("audit/entries.html", form=form, page=page, filters_valid=valid)
