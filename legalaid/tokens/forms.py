from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from legalaid.tokens.services import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, NAME_MAX
from legalaid.webforms import AppForm


class TokenForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=NAME_MAX)],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"},
    )
    expires_in = RadioField(
        _l("Expires after"),
        choices=lambda: [
            SelectChoice(days, ngettext("%(num)d day", "%(num)d days", days))
            for days in EXPIRY_DAYS
        ],
        coerce=int,
        default=DEFAULT_EXPIRY_DAYS,
        validators=[InputRequired()],
    )
