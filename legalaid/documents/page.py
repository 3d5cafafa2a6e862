"""What the case page shows of the case's documents (and the empty upload form)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from legalaid.documents.forms import UploadForm
from legalaid.documents.services import case_documents, replaced_ids


def case_page_documents(session: Session, case_id: int) -> dict[str, Any]:
    documents = case_documents(session, case_id)
    older = replaced_ids(session, case_id)
    return {
        # The current version of each document; older ones are on the document's page.
        "documents": [document for document in documents if document.id not in older],
        "document_form": UploadForm(formdata=None, prefix="document"),
    }
