"""Forms of the erasure and legal-hold pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from legalaid.retention.erasure import REQUEST_REASONS
from legalaid.retention.labels import REASON_LABELS
from legalaid.webforms import AppForm


def _reason_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", str(_l("— choose —"))),
        *(SelectChoice(code, str(REASON_LABELS[code])) for code in REQUEST_REASONS),
    ]


class EraseForm(AppForm):
    reason = SelectField(
        _l("Reason"),
        choices=_reason_choices,
        validators=[InputRequired(message=_l("Choose why her data is erased."))],
    )
    confirmed = BooleanField(
        _l("I have read what will be erased and what stays. Erasure cannot be undone."),
        validators=[InputRequired(message=_l("Confirm that you have read what will be erased."))],
    )


class LegalHoldForm(AppForm):
    hold = HiddenField(validators=[AnyOf(("0", "1"))])
