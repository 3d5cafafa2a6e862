"""What the case page shows of the case's documents (and the empty upload form)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from legalaid.documents.forms import UploadForm
from legalaid.documents.services import case_documents


def case_page_documents(session: Session, case_id: int) -> dict[str, Any]:
    documents = case_documents(session, case_id)
    # Every version of the case's documents is in the list: what they replace is known.
    older = {document.replaces_id for document in documents if document.replaces_id is not None}
    return {
        # The current version of each document; older ones are on the document's page.
        "documents": [document for document in documents if document.id not in older],
        "document_form": UploadForm(formdata=None, prefix="document"),
    }
