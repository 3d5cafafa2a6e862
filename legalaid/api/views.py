"""``/api/v1``: the releases of the token owner's scope (national, for the task force).

Read-only JSON; errors are JSON too. No cookie is read or set: a request is
authenticated by its bearer token alone (:mod:`legalaid.api.auth`).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from legalaid.access.visible import visible_or_404
from legalaid.api.auth import api_error, current_caller, token_required
from legalaid.audit.service import Actor, record_event
from legalaid.database import db_session, rollback_request
from legalaid.errors import DomainError
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.pagination import paginate
from legalaid.releases import exports
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.scope import previous_version, visible_releases

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PER_PAGE = 50
OBJECT_TYPE = "release"
API_FORMATS = ("json", "dhis2", "dhis2-deletions")

# GET only, and no cookie is ever read: there is nothing for a forged request to ride on.
bp.record_once(lambda state: state.app.extensions["csrf"].exempt(bp))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        rollback_request()
    return api_error(status, error.name.lower().replace(" ", "_"), error.description or "")


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    rollback_request()
    return api_error(error.status_code, "refused", str(error))


@bp.errorhandler(Exception)
def _unhandled(error: Exception) -> Response:
    rollback_request()
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s in API request\n%s", type(error).__name__, frames)
    return api_error(500, "internal_error", _("Something went wrong on our side."))


def _catalogue() -> IndicatorCatalogue:
    catalogue: IndicatorCatalogue = current_app.extensions["legalaid.policies"].indicators
    return catalogue


def _summary(release: IndicatorRelease) -> dict[str, Any]:
    found = exports.release_summary(release, FrozenRelease(release.content))
    found["links"] = {
        "json": url_for("api.release", release_id=release.id, format="json"),
        "dhis2": url_for("api.release", release_id=release.id, format="dhis2"),
        "dhis2_deletions": url_for("api.release", release_id=release.id, format="dhis2-deletions"),
    }
    return found


@bp.get("/releases")
@token_required
def list_releases() -> Response:
    caller = current_caller()
    session = db_session()
    query = visible_releases(caller.owner).order_by(IndicatorRelease.id.desc())
    page = paginate(session, query, request.args.get("page"), PER_PAGE)
    record_event(
        session, "api.releases_listed", object_type=OBJECT_TYPE, actor=Actor.of(caller.owner)
    )
    body = {
        "releases": [_summary(release) for release in page.items],
        "page": page.number,
        "per_page": page.per_page,
        "pages": page.pages,
        "total": page.total,
        "next": url_for("api.list_releases", page=page.number + 1) if page.has_next else None,
    }
    return jsonify(body)


@bp.get("/releases/<int:release_id>")
@token_required
def release(release_id: int) -> Response:
    caller = current_caller()
    session = db_session()
    actor = Actor.of(caller.owner)
    fmt = request.args.get("format", "json")
    found = visible_or_404(
        session,
        visible_releases(caller.owner),
        release_id,
        action="api.release_read",
        object_type=OBJECT_TYPE,
        actor=actor,
        description=_("This release does not exist or is not yours to see."),
    )
    if fmt not in API_FORMATS:
        return api_error(
            400,
            "bad_request",
            _("Unknown format: ask for format=json, format=dhis2 or format=dhis2-deletions."),
        )
    frozen = FrozenRelease(found.content)
    if fmt == "json":
        body = exports.export_json(found, frozen, _catalogue())
    elif fmt == "dhis2":
        body = exports.export_dhis2(frozen, _catalogue())
    else:
        # What the previous version sent and this one hides (importStrategy=DELETE).
        previous = previous_version(session, caller.owner, found)
        before = None if previous is None else FrozenRelease(previous.content)
        body = exports.export_dhis2_deletions(frozen, before, _catalogue())
    record_event(
        session, "api.release_read", object_type=OBJECT_TYPE, object_id=found.id, actor=actor
    )
    return jsonify(body)
