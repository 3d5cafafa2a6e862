"""The Staff page of a manager: her clinic's accounts, and set-up codes for her own staff
when mail is not set up (an administrator never sees a lawyer's or manager's code)."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import select

from legalaid.accounts import services as account_services
from legalaid.accounts.forms import EmptyForm
from legalaid.accounts.models import User
from legalaid.audit.service import record_event
from legalaid.database import db_session
from legalaid.vocabulary.roles import CLINIC_ROLES

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
def members() -> str:
    session = db_session()
    people = list(
        session.scalars(
            select(User)
            .where(User.clinic_id == g.user.clinic_id, User.role.in_(sorted(CLINIC_ROLES)))
            .order_by(User.full_name)
        )
    )
    record_event(session, "staff.viewed", object_type="clinic", object_id=g.user.clinic_id)
    return render_template("staff/members.html", people=people, empty_form=EmptyForm())


@bp.post("/<int:user_id>/setup-code")
def setup_code(user_id: int) -> str:
    issued = account_services.issue_setup_code_for_staff(db_session(), g.user, user_id)
    return render_template("staff/setup_code.html", user=issued.user, code=issued.code)
