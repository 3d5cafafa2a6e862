from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, MultipleFileField, TextAreaField
from wtforms.validators import Length, Optional

from legalaid.documents.services import MAX_DESCRIPTION, MAX_REASON
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
