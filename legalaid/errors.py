"""Exceptions shared across features.

Domain errors are raised by services and mapped to HTTP responses at the edge
(see ``legalaid.pages.errors``), so services stay free of Flask.
"""

from typing import Any


class StartupError(Exception):
    """The instance cannot start; the message is one line meant for an operator."""


class DomainError(Exception):
    """A request that the domain rules refuse; carries a translated message.

    ``field`` names the input the message is about, so a form can show it beside that
    input (see :func:`show_on_form`).
    """

    status_code = 400

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(DomainError):
    """A record that does not exist or that the user may not see (same answer)."""

    status_code = 404


class ConflictError(DomainError):
    """Someone else changed the record since the user loaded it."""

    status_code = 409


def show_on_form(form: Any, error: DomainError, default_field: str) -> None:
    """Put the error's message beside the field it names (or ``default_field``)."""
    name = error.field if error.field and error.field in form else default_field
    form[name].errors = [*form[name].errors, str(error)]
