"""What a case page or a client page shows of its documents (and the empty upload form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from legalaid.casefile.document_forms import UploadForm
from legalaid.clients.models import Client
from legalaid.documents.models import Document
from legalaid.documents.services import Owner, documents_of


@dataclass(frozen=True)
class Holder:
    """The owner of documents as the pages see it: a case, or a client (identity papers).

    Both have the same document routes, under their own blueprint and URL.
    """

    owner: Owner

    @property
    def is_client(self) -> bool:
        return isinstance(self.owner, Client)

    @property
    def blueprint(self) -> str:
        return "client_documents" if self.is_client else "documents"

    def url(self, endpoint: str, **values: Any) -> str:
        values["client_id" if self.is_client else "case_id"] = self.owner.id
        return url_for(f"{self.blueprint}.{endpoint}", **values)

    @property
    def back_url(self) -> str:
        if self.is_client:
            return url_for("clients.view", client_id=self.owner.id, _anchor="documents")
        return url_for("cases.view", case_id=self.owner.id, _anchor="documents")

    @property
    def back_label(self) -> str:
        if self.is_client:
            return str(_("Back to client %(number)s", number=self.owner.number))
        return str(_("Back to case %(number)s", number=self.owner.number))


def page_documents(
    session: Session,
    owner: Owner,
    *,
    documents: list[Document] | None = None,
    form: UploadForm | None = None,
) -> dict[str, Any]:
    """What the documents panel needs. ``documents``: the owner's documents when the page
    has read them already (newest first, as :func:`documents_of`); ``form``: a posted
    upload form to show again instead of an empty one."""
    if documents is None:
        documents = documents_of(session, owner)
    # Every version of the owner's documents is in the list: what they replace is known.
    older = {document.replaces_id for document in documents if document.replaces_id is not None}
    if form is None:
        form = UploadForm(formdata=None, prefix="document")
        if isinstance(owner, Client):
            form.kind.data = "identity_document"
    return {
        # The current version of each document; older ones are on the document's page.
        "documents": [document for document in documents if document.id not in older],
        "document_form": form,
        "document_holder": Holder(owner),
    }
