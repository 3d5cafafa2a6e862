"""Downloading a release as CSV, JSON or a DHIS2 payload (web pages, signed-in session).

Only releases in the user's scope (:mod:`legalaid.releases.scope`): any other id answers
404, like a missing one, and the attempt is audited.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, g
from werkzeug.exceptions import NotFound

from legalaid.access.visible import visible_or_404
from legalaid.audit.service import record_event
from legalaid.database import db_session
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.releases import exports
from legalaid.releases.dhis2_metadata import export_metadata
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.scope import previous_version, visible_releases

bp = Blueprint("exports", __name__)

OBJECT_TYPE = "release"

_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "dhis2": "application/json",
    "dhis2-deletions": "application/json",
}
_EXTENSIONS = {
    "csv": "csv",
    "json": "json",
    "dhis2": "dhis2.json",
    "dhis2-deletions": "dhis2-deletions.json",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def release_or_404(release_id: int, action: str) -> IndicatorRelease:
    """The release if the signed-in user may see it; otherwise 404, and the attempt audited."""
    return visible_or_404(
        db_session(), visible_releases(g.user), release_id, action=action, object_type=OBJECT_TYPE
    )


def _catalogue() -> IndicatorCatalogue:
    catalogue: IndicatorCatalogue = current_app.extensions["legalaid.policies"].indicators
    return catalogue


def export_filename(release: IndicatorRelease, frozen: FrozenRelease, fmt: str) -> str:
    """Codes and numbers only: the scope, the period, the version."""
    scope = _UNSAFE.sub("_", exports.scope_label(frozen))
    period = _UNSAFE.sub("_", release.period_code)
    return f"release-{release.id}-{scope}-{period}-v{release.version}.{_EXTENSIONS[fmt]}"


def render_export(release: IndicatorRelease, frozen: FrozenRelease, fmt: str) -> bytes:
    if fmt == "csv":
        return exports.export_csv(release, frozen).encode("utf-8")
    if fmt == "json":
        data = exports.export_json(release, frozen, _catalogue())
    elif fmt == "dhis2-deletions":
        data = deletions(release, frozen)
    else:
        data = exports.export_dhis2(frozen, _catalogue())
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def deletions(release: IndicatorRelease, frozen: FrozenRelease) -> dict[str, object]:
    """The DHIS2 values the previous version sent and this one hides (``importStrategy=
    DELETE``; import before this version's payload). Version 1 deletes nothing."""
    previous = previous_version(db_session(), g.user, release)
    before = None if previous is None else FrozenRelease(previous.content)
    return exports.export_dhis2_deletions(frozen, before, _catalogue())


@bp.get("/releases/<int:release_id>/export.<fmt>")
def download(release_id: int, fmt: str) -> Response:
    release = release_or_404(release_id, "release.exported")
    if fmt not in exports.FORMATS:
        raise NotFound()
    frozen = FrozenRelease(release.content)
    body = render_export(release, frozen, fmt)
    record_event(db_session(), "release.exported", object_type=OBJECT_TYPE, object_id=release.id)
    response = Response(body, mimetype=_MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = _MEDIA_TYPES[fmt]
    filename = export_filename(release, frozen, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/releases/dhis2-metadata.json")
def dhis2_metadata() -> Response:
    """The DHIS2 metadata the payloads are sent against (no counts: the catalogue only)."""
    body = json.dumps(export_metadata(_catalogue()), ensure_ascii=False, indent=1).encode("utf-8")
    record_event(db_session(), "release.dhis2_metadata_exported", object_type=OBJECT_TYPE)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="legalaid-dhis2-metadata.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
