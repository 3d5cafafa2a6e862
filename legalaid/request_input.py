"""Input no page can use is refused at the edge, before any view or query sees it."""

from __future__ import annotations

from flask import Flask, abort, request


def refuse_nul_characters() -> None:
    """A NUL character in a query or form value is a 400.

    No text a person types contains one, PostgreSQL text cannot store one (the driver
    raises, which was a 500), and some C libraries would cut the value short at it.
    """
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                abort(400)


def init_request_input(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
