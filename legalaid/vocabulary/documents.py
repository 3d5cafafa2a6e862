"""The kinds of document kept on a case or a client (issue 17)."""

from flask_babel import lazy_gettext as _l

from legalaid.vocabulary import Vocabulary

DOCUMENT_KINDS = Vocabulary(
    "document_kind",
    (
        ("medical_certificate", _l("Medical certificate")),
        ("police_report", _l("Police report")),
        ("court_document", _l("Court document")),
        ("consent_form", _l("Consent form")),
        ("evidence_photo", _l("Evidence photo")),
        ("correspondence", _l("Correspondence")),
        # A client's identity papers (passport, ID card, birth certificate), kept on her.
        ("identity_document", _l("Identity document")),
        ("other", _l("Other document")),
    ),
)
