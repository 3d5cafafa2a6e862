from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from legalaid.documents.services import MAX_DESCRIPTION, MAX_REASON
from legalaid.letters.fill import ANSWER_LIMIT, LETTER_LANGUAGES, LETTERS
from legalaid.vocabulary.documents import DOCUMENT_KINDS
from legalaid.vocabulary.forms import code_select
from legalaid.webforms import AppForm


class UploadForm(AppForm):
    """Posted from the case page, whose other forms have a ``kind`` too: use prefix."""

    kind = code_select(_l("Kind of document"), DOCUMENT_KINDS)
    document_date = DateField(_l("Date of the document"), validators=[Optional()])
    description = TextAreaField(
        _l("Description (optional)"), validators=[Optional(), Length(max=MAX_DESCRIPTION)]
    )
    files = MultipleFileField(_l("Files"))


class ReplaceForm(AppForm):
    document_date = DateField(_l("Date of the new version"), validators=[Optional()])
    description = TextAreaField(
        _l("Description (optional)"), validators=[Optional(), Length(max=MAX_DESCRIPTION)]
    )
    files = MultipleFileField(_l("New version (one file)"))


class DeleteForm(AppForm):
    reason = TextAreaField(_l("Why is it deleted?"), validators=[Length(max=MAX_REASON)])


class LetterForm(AppForm):
    letter = code_select(_l("Letter"), LETTERS)
    language = code_select(_l("Language of the letter"), LETTER_LANGUAGES)
    court = StringField(_l("Court"), validators=[Optional(), Length(max=ANSWER_LIMIT)])
    addressee = StringField(
        _l("Addressed to (police station, prosecutor's office, organisation)"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )
    facts = TextAreaField(
        _l("What happened, or what she is referred for"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )
    identity_document = StringField(
        _l("Her identity document (for a power of attorney; not kept in the case)"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )
    scope = StringField(
        _l("What the power of attorney covers"), validators=[Optional(), Length(max=ANSWER_LIMIT)]
    )
    client_address = StringField(
        _l("Her address (if the client record has none)"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )
    respondent_name = StringField(
        _l("Respondent's name (if the case has none)"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )
    incident_date = StringField(
        _l("Date of the incident (if the case has none)"),
        validators=[Optional(), Length(max=ANSWER_LIMIT)],
    )

    def answers(self) -> dict[str, str]:
        names = ("court", "addressee", "facts", "identity_document", "scope")
        extra = ("client_address", "respondent_name", "incident_date")
        return {name: self[name].data or "" for name in (*names, *extra)}
