"""What is typed into a search box stays out of URLs, and so out of every access log.

A search form posts its term; the term is held, encrypted, on the user's server-side
session row, and the browser is sent to the list without it (POST-redirect-GET). The
coded filters (status, category…) stay in the query string: they name no one. An old
link or bookmark with ``?q=`` is treated the same way, once.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import redirect, request, url_for
from sqlalchemy.orm import object_session
from werkzeug.wrappers import Response

from legalaid.accounts.current import current_user_session
from legalaid.database import begin_writing

TERM = "q"
TERM_MAX = 40


def _held() -> dict[str, str]:
    row = current_user_session()
    if row is None or not row.search_terms:
        return {}
    try:
        held = json.loads(row.search_terms)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in held.items()} if isinstance(held, dict) else {}


def held_term(scope: str) -> str:
    """The term last typed into the search box of list ``scope`` in this session."""
    return _held().get(scope, "")


def _hold(scope: str, term: str) -> None:
    row = current_user_session()
    if row is None:
        return
    # Read the held terms again under the write lock: another tab's search, committed since
    # this request's snapshot, is kept beside this one.
    db = object_session(row)
    if db is not None:
        begin_writing(db)
        db.refresh(row, ["search_terms"])
    held = _held()
    if term:
        held[scope] = term
    else:
        held.pop(scope, None)
    row.search_terms = json.dumps(held) if held else None


def term_out_of_url(scope: str, endpoint: str) -> Response | None:
    """For a list view: a redirect that takes the typed term out of the request, or None.

    A POST (the search form) or a GET that carries ``q`` stores the term and redirects
    to the same list with every other parameter but ``q`` (and ``page``: a new search
    starts on its first page).
    """
    source = request.form if request.method == "POST" else request.args
    if request.method != "POST" and TERM not in request.args:
        return None
    _hold(scope, source.get(TERM, "").strip()[:TERM_MAX])
    kept = {
        name: value
        for name, value in source.items(multi=False)
        if name not in (TERM, "page", "csrf_token") and value
    }
    query = f"?{urlencode(kept)}" if kept else ""
    return redirect(url_for(endpoint) + query, code=303)
