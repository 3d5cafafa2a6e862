"""The public feedback questionnaire. The slip with a code is handed out from the case page
(:mod:`legalaid.casefile.feedback_views`); a manager's results, disclosure-controlled, are
:mod:`legalaid.disclosure.feedback_views`.

The public page writes no audit entry: an entry keeps the request's address, and an
answer must not be tied to anyone, by the address or by the time.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from legalaid.calendar import today
from legalaid.database import db_session, rollback_request
from legalaid.errors import DomainError, show_on_form
from legalaid.feedback.forms import feedback_form
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.services import (
    Answers,
    UnknownCodeError,
    submit_answers,
)
from legalaid.feedback.throttle import WrongCodeThrottle
from legalaid.web_types import Rendered

bp = Blueprint("feedback", __name__)


def _policy() -> FeedbackPolicy:
    policy: FeedbackPolicy = current_app.extensions["legalaid.policies"].feedback
    return policy


def _throttle() -> WrongCodeThrottle:
    """Limits from the policy; the counts themselves are in the database (all processes)."""
    throttle: WrongCodeThrottle | None = current_app.extensions.get("legalaid.feedback_throttle")
    if throttle is None:
        policy = _policy()
        throttle = WrongCodeThrottle(
            policy.wrong_codes_per_address_per_hour, policy.wrong_codes_per_hour
        )
        current_app.extensions["legalaid.feedback_throttle"] = throttle
    return throttle


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/feedback", methods=["GET", "POST"])
def answer() -> Rendered:
    form = feedback_form(_policy())
    if request.method == "POST" and _throttle().blocked(db_session(), _address()):
        form.validate()
        form.code.errors = [
            *form.code.errors,
            _("Too many codes that do not work were typed. Wait an hour, then try again."),
        ]
        return render_template("feedback/answer.html", form=form), 429
    if form.validate_on_submit():
        try:
            submit_answers(
                db_session(),
                form.code.data or "",
                Answers(
                    chosen={name: form[name].data or "" for name in form.question_fields},
                    comment=(form.comment.data or None) if form.has_comment else None,
                ),
                today=today(),
                policy=_policy(),
            )
        except UnknownCodeError as error:
            rollback_request()
            _throttle().wrong(db_session(), _address())
            show_on_form(form, error, "code")
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, form.question_fields[0])
        else:
            return render_template("feedback/thanks.html")
    status = 400 if form.is_submitted() else 200
    return render_template("feedback/answer.html", form=form), status
