"""Outgoing mail through the SMTP server of ``LEGALAID_SMTP_*`` (standard library only).

A :class:`Mailer` keeps one connection for many messages (the reminder job opens one per
run, not one per mail) and connects only when it has something to send. A connection that
the server closed or refused before a message was handed over (an idle timeout, a relay's
"421 too many messages") is opened again once for that message; a failure once the message
text has gone is never retried here, so a message the server may have taken is not sent
twice by this run.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from legalaid.settings import MailSettings

TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


class RecipientRefusedError(MailError):
    """The server refused this message's recipient for good; the connection is still fine."""


class _NothingHandedOverError(Exception):
    """The server failed or refused before the message text was sent (safe to retry)."""


def _message(settings: MailSettings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


class Mailer:
    """One SMTP connection, opened at the first message and closed on leaving the block."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: Connections opened so far (for the job's log line).
        self.connections = 0

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        self.connections += 1
        try:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.ehlo_or_helo_if_needed()
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _envelope(self, smtp: smtplib.SMTP, to: str) -> None:
        """MAIL FROM and RCPT TO; raises before any of the message text is sent."""
        try:
            code, reply = smtp.mail(self.settings.sender)
            if code != 250:
                raise _NothingHandedOverError(f"{code} {reply!r}")
            code, reply = smtp.rcpt(to)
        except (OSError, smtplib.SMTPException) as exc:
            raise _NothingHandedOverError(str(exc)) from exc
        if code in (250, 251):
            return
        if 500 <= code < 600:
            try:
                smtp.rset()
            except (OSError, smtplib.SMTPException):
                self._drop()
            raise RecipientRefusedError(f"{code} {reply!r}")
        raise _NothingHandedOverError(f"{code} {reply!r}")

    def send(self, *, to: str, subject: str, body: str) -> None:
        """Hand one message to the server; :class:`MailError` if it did not take it."""
        payload = _message(self.settings, to=to, subject=subject, body=body)
        text = payload.as_bytes(policy=payload.policy.clone(linesep="\r\n"))
        for attempt in (1, 2):
            reused = self._smtp is not None
            try:
                smtp = self._smtp or self._connect()
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(str(exc)) from exc
            try:
                self._envelope(smtp, to)
            except _NothingHandedOverError as exc:
                self._drop()
                # A connection that had served (and then closed or refused) gets one new try;
                # a new one that fails already means the server is down or refuses.
                if reused and attempt == 1:
                    continue
                raise MailError(str(exc)) from exc
            try:
                code, reply = smtp.data(text)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise MailError(str(exc)) from exc
            if code != 250:
                self._drop()
                raise MailError(f"{code} {reply!r}")
            return


def send_mail(settings: MailSettings, *, to: str, subject: str, body: str) -> None:
    """One message on a connection of its own (a set-up code sent from a request)."""
    with Mailer(settings) as mailer:
        mailer.send(to=to, subject=subject, body=body)
