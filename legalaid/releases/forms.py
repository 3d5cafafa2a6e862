from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from legalaid.releases.services import REASON_MAX
from legalaid.webforms import AppForm


class ReleaseForm(AppForm):
    # The service decides whether a period may be released (completed, data-entry lag
    # passed): a code that is not offered is refused there, beside this field.
    period = SelectField(
        _l("Reporting period"), choices=[], validators=[InputRequired()], validate_choice=False
    )
    reason = TextAreaField(
        _l("Reason for releasing again"),
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )


class ConfirmMoreHiddenForm(AppForm):
    """Make a version that hides numbers the previous one published: say why."""

    reason = TextAreaField(
        _l("Why release it although it hides these numbers"),
        validators=[
            DataRequired(_l("Say why this version is released although it hides more.")),
            Length(max=REASON_MAX),
        ],
        render_kw={"rows": 3, "maxlength": REASON_MAX},
    )
