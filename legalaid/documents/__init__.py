"""Case documents (issue 17): encrypted files on a case, scoped and audited like it."""

from __future__ import annotations

from flask import Flask

from legalaid.documents.pending import init_pending_files
from legalaid.documents.storage import LocalStore
from legalaid.documents.uploads import AppRequest


def init_documents(app: Flask) -> None:
    settings = app.extensions["legalaid.settings"]
    app.request_class = AppRequest
    app.extensions["legalaid.documents.store"] = LocalStore(settings.document_folder)
    init_pending_files()
