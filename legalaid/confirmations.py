"""A confirmation page before an action that cannot be undone, without JavaScript.

The action's POST first answers a page that says what will happen, carrying what was
sent (never a password) and ``confirmed=yes`` with a fresh CSRF token; only that second
POST acts. A script-free browser gets the same safety as any other.
"""

from __future__ import annotations

from flask import render_template, request

from legalaid.webforms import EmptyForm

FIELD = "confirmed"
_NOT_CARRIED = frozenset({"csrf_token", "submission_token", FIELD})


def confirmed() -> bool:
    return request.form.get(FIELD) == "yes"


def confirmation_page(*, title: str, consequence: str, action_label: str, cancel_url: str) -> str:
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in _NOT_CARRIED and "password" not in name
    ]
    return render_template(
        "confirm.html",
        title=title,
        consequence=consequence,
        action=request.path,
        fields=fields,
        action_label=action_label,
        cancel_url=cancel_url,
        form=EmptyForm(formdata=None),
    )
