"""Case documents (issue 17): encrypted files on a case, scoped and audited like it."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from legalaid.access.enforce import enforce_access
from legalaid.documents.pending import init_pending_files
from legalaid.documents.scan import make_scanner
from legalaid.documents.storage import make_store
from legalaid.documents.uploads import UPLOAD_ENDPOINTS, AppRequest


def init_documents(app: Flask) -> None:
    """Called before CSRFProtect: its hook reads the form, so ours must run first."""
    settings = app.extensions["legalaid.settings"]
    app.request_class = AppRequest
    app.extensions["legalaid.documents.store"] = make_store(settings)
    app.extensions["legalaid.documents.scanner"] = make_scanner(settings.clamd_address)
    init_pending_files()
    app.before_request(_access_before_reading_an_upload)


def _access_before_reading_an_upload() -> Response | None:
    """Sign-in and permission first on upload routes, before any byte of the body is read.

    CSRF protection reads the form before the access check runs; on the upload routes,
    whose request cap is raised to the document limits, an anonymous request would make
    the server take in (and spool, sealed) up to that cap before being refused.
    """
    if request.endpoint in UPLOAD_ENDPOINTS:
        return enforce_access()
    return None
