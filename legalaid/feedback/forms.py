"""The public feedback form and the staff's button that makes a code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from legalaid.feedback.services import COMMENT_MAX
from legalaid.feedback.vocabulary import RECOMMEND, SATISFACTION, YES_PARTLY_NO
from legalaid.webforms import AppForm


def _radio(label: object, vocabulary: object, *, required: bool) -> RadioField:
    return RadioField(
        label,
        choices=lambda: vocabulary.choices(),  # type: ignore[attr-defined]
        validators=[InputRequired(message=_l("Choose one answer."))] if required else [Optional()],
        validate_choice=False,
    )


class FeedbackForm(AppForm):
    code = StringField(
        _l("Your feedback code"),
        validators=[InputRequired(message=_l("Type the code from your slip.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    satisfaction = _radio(
        _l("Overall, how satisfied are you with the help you received?"),
        SATISFACTION,
        required=True,
    )
    respected = _radio(_l("Were you treated with respect?"), YES_PARTLY_NO, required=False)
    felt_safe = _radio(_l("Did you feel safe with the clinic?"), YES_PARTLY_NO, required=False)
    would_recommend = _radio(
        _l("Would you recommend the clinic to someone in your situation?"),
        RECOMMEND,
        required=False,
    )
    comment = TextAreaField(
        _l("Anything else you want to tell the clinic (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
    )


class IssueCodeForm(AppForm):
    """Only the CSRF token: the case in the URL gives the clinic and category."""
