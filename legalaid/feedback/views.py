"""Feedback pages: the public questionnaire, the slip with a code, a manager's results.

The public page writes no audit entry: an entry keeps the request's address, and an
answer must not be tied to anyone, by the address or by the time.
"""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from legalaid.audit.service import Actor, record_event
from legalaid.calendar import today
from legalaid.casefile.page import case_or_404, render_case_page
from legalaid.database import db_session, rollback_request
from legalaid.disclosure.feedback_results import clinic_results
from legalaid.errors import DomainError, show_on_form
from legalaid.feedback.codes import shown
from legalaid.feedback.forms import IssueCodeForm, feedback_form
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.services import (
    Answers,
    UnknownCodeError,
    issue_code,
    quarters_with_answers,
    submit_answers,
)
from legalaid.feedback.throttle import WrongCodeThrottle
from legalaid.indicators.periods import period_of_code
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


@bp.post("/cases/<int:case_id>/feedback-code")
def issue(case_id: int) -> Rendered:
    case_ = case_or_404(case_id)
    form = IssueCodeForm()
    if not form.validate_on_submit():
        return render_case_page(case_, status=400)
    code = issue_code(
        db_session(),
        clinic_id=case_.clinic_id,
        category=case_.category,
        today=today(),
        policy=_policy(),
        actor=Actor.of(g.user),
    )
    address = url_for("feedback.answer", _external=True)
    qr = segno.make(address, error="m").svg_inline(
        scale=4, dark="#000000", light="#ffffff", border=2
    )
    return render_template(
        "feedback/slip.html",
        code=shown(code),
        address=address,
        qr=qr,
        valid_days=_policy().code_valid_days,
        case=case_,
    )


@bp.get("/feedback/results")
def results() -> Rendered:
    session = db_session()
    clinic_id = g.user.clinic_id
    quarters = quarters_with_answers(session, clinic_id)
    this_year = str(today().year)
    years = sorted({q[:4] for q in quarters} | {this_year}, reverse=True)
    choices = [code for year in years for code in (year, *(q for q in quarters if q[:4] == year))]
    chosen = request.args.get("period", this_year)
    if chosen not in choices:
        chosen = this_year
    found = clinic_results(
        session,
        clinic_id,
        period_of_code(chosen),
        current_app.extensions["legalaid.policies"].disclosure,
        _policy(),
    )
    record_event(session, "feedback.results_viewed", object_type="clinic", object_id=clinic_id)
    return render_template("feedback/results.html", results=found, choices=choices, chosen=chosen)
