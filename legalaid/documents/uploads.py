"""The app's request class: uploads go into a :class:`SealedSpool`, and the document
upload routes, only they, may carry more than the app-wide 2 MB."""

from __future__ import annotations

from typing import IO, Any

from flask import Request, current_app

from legalaid.documents.policy import DocumentPolicy
from legalaid.documents.spool import SealedSpool

#: Endpoints that take document files (their request cap comes from the policy).
UPLOAD_ENDPOINTS = frozenset(
    {
        "documents.upload",
        "documents.replace",
        "client_documents.upload",
        "client_documents.replace",
    }
)


def document_policy() -> DocumentPolicy:
    policy: DocumentPolicy = current_app.extensions["legalaid.policies"].documents
    return policy


class AppRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self.endpoint in UPLOAD_ENDPOINTS:
            return document_policy().max_request_bytes
        limit: int | None = Request.max_content_length.fget(self)  # type: ignore[attr-defined]
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)  # type: ignore[attr-defined]

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        limit = document_policy().max_file_bytes if self.endpoint in UPLOAD_ENDPOINTS else None
        spool: Any = SealedSpool(limit)
        return spool  # type: ignore[no-any-return]
