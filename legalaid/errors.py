"""Exceptions shared across features.

Domain errors are raised by services and mapped to HTTP responses at the edge
(see ``legalaid.pages.errors``), so services stay free of Flask.
"""

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")

#: Under the error pages' logger name, where it was first (operators filter on it).
log = logging.getLogger("legalaid.pages.errors")


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


class ManyProblemsError(DomainError):
    """Several refusals of one submission, each about its own field, found in one pass:
    she fixes them all at once instead of meeting them one save after another."""

    def __init__(self, problems: list[DomainError]) -> None:
        super().__init__(str(problems[0]), field=problems[0].field)
        self.problems = problems


class Problems:
    """Collects the refusals of the checks run under :meth:`check`, then raises them all.

    A refusal about no field (the case is closed), a 404 or a 409 stops at once: it is not
    about what she typed."""

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except (NotFoundError, ConflictError):
            raise
        except ManyProblemsError as errors:
            self.found.extend(errors.problems)
        except DomainError as error:
            if error.field is None:
                raise
            self.found.append(error)

    def add(self, message: str, field: str) -> None:
        self.found.append(DomainError(message, field=field))

    def date_within(
        self,
        value: date | None,
        field: str,
        *,
        latest: tuple[date, str] | None = None,
        earliest: tuple[date, str] | None = None,
        required: str = "",
    ) -> None:
        """The one date-window rule: at most one refusal for ``field``.

        ``latest`` and ``earliest`` are each a bound and the message given when ``value``
        is after (before) it; the later bound is checked first. A missing value is refused
        with ``required`` when it is given, and otherwise left to the caller.
        """
        if value is None:
            if required:
                self.add(required, field)
        elif latest is not None and value > latest[0]:
            self.add(latest[1], field)
        elif earliest is not None and value < earliest[0]:
            self.add(earliest[1], field)

    def done(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise ManyProblemsError(self.found)


def given(value: T | None, field: str) -> T:
    """The value of a required input (already checked by :class:`Problems`, for the types)."""
    if value is None:
        raise DomainError("This field is required.", field=field)
    return value


def _each(error: DomainError) -> list[DomainError]:
    return list(error.problems) if isinstance(error, ManyProblemsError) else [error]


def show_on_form(form: Any, error: DomainError, default_field: str) -> None:
    """Put each message beside the field it names (or ``default_field``)."""
    for problem in _each(error):
        name = problem.field if problem.field and problem.field in form else default_field
        if str(problem) not in form[name].errors:
            form[name].errors = [*form[name].errors, str(problem)]


def add_rule_errors(form: Any, rules: Callable[[], object], default_field: str) -> None:
    """After a form's own checks failed, run the service's checks on what was typed too, so
    that one submit shows every error (a field that already has one keeps only that one)."""
    try:
        rules()
    except (NotFoundError, ConflictError):
        return
    except DomainError as error:
        for problem in _each(error):
            if problem.field is None:
                continue
            name = problem.field if problem.field in form else default_field
            if not form[name].errors:
                form[name].errors = [str(problem)]


def log_error(error: BaseException, where: str) -> None:
    """The type and the frames only: exception messages (SQL parameters, form values) can
    carry what a user typed about a client."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    chain = error.__cause__ or error.__context__
    cause = f" (from {type(chain).__name__})" if chain is not None else ""
    log.error("unhandled %s%s %s\n%s", type(error).__name__, cause, where, frames)
