"""Exceptions shared across features.

Domain errors are raised by services and mapped to HTTP responses at the edge
(see ``legalaid.pages.errors``), so services stay free of Flask.
"""


class StartupError(Exception):
    """The instance cannot start; the message is one line meant for an operator."""


class DomainError(Exception):
    """A request that the domain rules refuse; carries a translatable message."""

    status_code = 400


class NotFoundError(DomainError):
    """A record that does not exist or that the user may not see (same answer)."""

    status_code = 404


class ConflictError(DomainError):
    """Someone else changed the record since the user loaded it."""

    status_code = 409
