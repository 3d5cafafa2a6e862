"""Input no page can use is refused at the edge, before any view or query sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, request

#: Attribute set on a view that validates control characters itself, field by field.
OWN_VALIDATION_MARK = "_legalaid_validates_control_characters"

View = TypeVar("View", bound=Callable[..., object])


def validates_control_characters(view: View) -> View:
    """Mark a view whose form shows its own message for a NUL (the audit filters)."""
    setattr(view, OWN_VALIDATION_MARK, True)
    return view


def refuse_nul_characters() -> None:
    """A NUL character in a query or form value is a 400.

    No text a person types contains one, PostgreSQL text cannot store one (the driver
    raises, which was a 500), and some C libraries would cut the value short at it.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, OWN_VALIDATION_MARK, False):
        return
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                abort(400)


def init_request_input(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
