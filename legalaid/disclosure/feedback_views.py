"""A manager's feedback results: her clinic's answers, through disclosure control.

Here rather than beside the questionnaire (:mod:`legalaid.feedback.views`): the results sit
on the indicators' periods and on disclosure control, which sit on the feedback they count;
the feedback package imports neither.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.database import db_session
from legalaid.disclosure.feedback_results import clinic_results
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.services import quarters_with_answers
from legalaid.indicators.periods import period_of_code
from legalaid.web_types import Rendered

bp = Blueprint("feedback_results", __name__)


def _policy() -> FeedbackPolicy:
    policy: FeedbackPolicy = current_app.extensions["legalaid.policies"].feedback
    return policy


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
