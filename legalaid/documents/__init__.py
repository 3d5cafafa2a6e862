"""Case documents (issue 17): encrypted files on a case, scoped and audited like it."""

from __future__ import annotations

from flask import Flask

from legalaid.documents.pending import init_pending_files
from legalaid.documents.scan import make_scanner
from legalaid.documents.storage import make_store
from legalaid.documents.uploads import AppRequest


def init_documents(app: Flask) -> None:
    """The store, the scanner and the request class that spools uploads sealed. The access
    check before an upload's body is read is the edge's
    (:func:`legalaid.access.enforce.enforce_access_before_reading`, set up by the factory)."""
    settings = app.extensions["legalaid.settings"]
    app.request_class = AppRequest
    app.extensions["legalaid.documents.store"] = make_store(settings)
    app.extensions["legalaid.documents.scanner"] = make_scanner(settings.clamd_address)
    init_pending_files()
