"""The public feedback form, built from ``policies/feedback.toml``, and the staff's button."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.services import COMMENT_MAX
from legalaid.webforms import AppForm


class _FeedbackBase(AppForm):
    code = StringField(
        _l("Your feedback code"),
        validators=[InputRequired(message=_l("Type the code from your slip.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class FeedbackForm(_FeedbackBase):
    """Built per request by :func:`feedback_form`: ``question_fields`` in the policy's order."""

    question_fields: tuple[str, ...] = ()
    has_comment: bool = False

    def questions(self) -> list[Field]:
        return [self[name] for name in self.question_fields]


def feedback_form(policy: FeedbackPolicy) -> FeedbackForm:
    """A form class with one radio group per question, in the request's language."""
    language = str(get_locale() or "en")
    fields: dict[str, object] = {
        "question_fields": tuple(q.code for q in policy.questions),
        "has_comment": policy.comment is not None,
    }
    for question in policy.questions:
        fields[question.code] = RadioField(
            question.text.get(language),
            choices=[SelectChoice(a.code, a.text.get(language)) for a in question.answers],
            validators=(
                [InputRequired(message=_l("Choose one answer."))]
                if question.required
                else [Optional()]
            ),
            validate_choice=False,
        )
    if policy.comment is not None:
        fields["comment"] = TextAreaField(
            policy.comment.text.get(language),
            validators=[Optional(), Length(max=COMMENT_MAX)],
        )
    form_class = type("PolicyFeedbackForm", (FeedbackForm,), fields)
    form: FeedbackForm = form_class()
    return form


class IssueCodeForm(AppForm):
    """Only the CSRF token: the case in the URL gives the clinic and category."""
