"""Where a set-up code goes: never to an administrator's screen for an account that sees
case data.

Whoever holds a lawyer's or a manager's set-up code can set her password, enrol an
authenticator and read her clients. So for those roles the code goes to the person by
mail, or, without mail, a manager of the same clinic (who sees those cases already)
gives a fresh code to her own staff from the Staff page. An administrator still reads
the codes of administrator and task-force accounts, which hold no case data.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.accounts.services import IssuedCode, security_policy
from legalaid.audit.service import record_event
from legalaid.errors import DomainError
from legalaid.mail import MailError, send_mail
from legalaid.settings import MailSettings
from legalaid.vocabulary.roles import CLINIC_ROLES


@dataclass(frozen=True)
class Delivery:
    #: The code to show on the screen of whoever made or reset the account, if anyone.
    code_for_screen: str | None
    mailed: bool = False
    #: A manager of the clinic gives the code (no mail is set up).
    manager_gives: bool = False


def _other_active_managers(session: Session, user: User) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.clinic_id == user.clinic_id,
            User.role == "manager",
            User.active.is_(True),
            User.password_hash.is_not(None),
            User.id != user.id,
        )
    )
    return int(count or 0)


def _mail_code(mail: MailSettings, user: User, code: str, setup_url: str) -> None:
    hours = security_policy().passwords.setup_code_hours
    with force_locale(user.preferred_language):
        subject = _("Set your legalaid password")
        body = _(
            "Hello %(name)s,\n\nan account of legalaid was opened or reset for you. Open "
            "the set-up page, type your email address and this single-use code, then "
            "choose your own password:\n\n%(url)s\n\nCode: %(code)s\n\nThe code works "
            "once and for %(hours)d hours. If you did not expect this mail, tell your "
            "clinic manager.",
            name=user.full_name,
            url=setup_url,
            code=code,
            hours=hours,
        )
    try:
        send_mail(mail, to=user.email, subject=str(subject), body=str(body))
    except MailError as exc:
        raise DomainError(
            _("The mail with the set-up code could not be sent; nothing was changed.")
        ) from exc


def deliver_setup_code(
    session: Session, issued: IssuedCode, mail: MailSettings, setup_url: str
) -> Delivery:
    """Send or hand over a freshly issued code; raises DomainError when nobody may get it
    (the caller rolls the request back, so the account is then neither made nor reset)."""
    user = issued.user
    if user.role not in CLINIC_ROLES:
        return Delivery(code_for_screen=issued.code)
    if mail.configured:
        _mail_code(mail, user, issued.code, setup_url)
        record_event(session, "account.setup_code_mailed", object_type="user", object_id=user.id)
        return Delivery(code_for_screen=None, mailed=True)
    # Nobody holds this code: a manager of the clinic issues a fresh one for her staff.
    user.setup_code_hash = None
    user.setup_code_expires_at = None
    if not _other_active_managers(session, user):
        raise DomainError(
            _(
                "Mail is not set up and this clinic has no other manager to give the set-up "
                "code. Make or reset this account on the server: legalaid users create "
                "--no-password, or legalaid users setup-code."
            )
        )
    session.flush()
    return Delivery(code_for_screen=None, manager_gives=True)
