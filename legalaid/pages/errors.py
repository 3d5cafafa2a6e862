"""Generic, translated error pages: never a stack trace, never a record's content."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from legalaid.database import lost_a_race, rollback_request, storage_failed
from legalaid.errors import ConflictError, DomainError, log_error

_PAGES = {400, 403, 404, 405, 409, 413, 429, 503}


def _render(status: int, **context: object) -> tuple[str, int]:
    template = f"errors/{status}.html" if status in _PAGES else "errors/generic.html"
    return render_template(template, status=status, **context), status


def failed_commit_page(error: Exception) -> tuple[str, int]:
    """The answer when the request's one commit fails: nothing of it was saved.

    A lost race (someone else saved first, PostgreSQL chose this transaction to abort)
    is the 409 page; anything else is logged like every error and answers 500.
    """
    rollback_request()
    if lost_a_race(error):
        return _render(ConflictError.status_code)
    log_error(error, "at commit")
    if storage_failed(error):
        return _storage_failed_page()
    return _render(InternalServerError.code)


def _storage_failed_page() -> tuple[str, int]:
    """The database's disk refused the write (full, read-only): say so, and that nothing
    of this request was kept, so that she keeps what she typed and tries again later."""
    return _render(
        503,
        reason=_(
            "The database cannot store anything right now (its disk is full or has "
            "failed). Nothing was saved: keep a copy of what you typed, try again later, "
            "and tell your administrator."
        ),
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        rollback_request()
        return _render(
            400,
            reason=_(
                "The form was missing its security token or it had expired. "
                "Nothing was saved. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        rollback_request()
        return _render(error.status_code, reason=str(error) or None)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | ResponseReturnValue:
        status = error.code or 500
        if status >= 500:
            rollback_request()
        if request.path.startswith("/api/"):
            # No route matched (or the method is wrong): API clients still get JSON.
            from legalaid.api.auth import api_error

            return api_error(status, error.name.lower().replace(" ", "_"), error.description or "")
        return _render(status)

    @app.errorhandler(Exception)
    def unhandled(error: Exception) -> tuple[str, int]:
        rollback_request()
        if lost_a_race(error):
            # A race a view did not catch (a flush outside its try, a deadlock PostgreSQL
            # broke): the other save won; nothing of this one was saved.
            return _render(ConflictError.status_code)
        log_error(error, "in request")
        if storage_failed(error):
            return _storage_failed_page()
        return _render(InternalServerError.code)
