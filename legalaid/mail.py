"""Outgoing mail through the SMTP server of ``LEGALAID_SMTP_*`` (standard library only)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from legalaid.settings import MailSettings

TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def send_mail(settings: MailSettings, *, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc
