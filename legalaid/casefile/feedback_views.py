"""The feedback slip handed out from the case page: a one-time code and its QR code.

In the case file's web package, like the other parts of the case page: the feedback
package imports nothing of the case page.
"""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, g, render_template, url_for

from legalaid.audit.service import Actor
from legalaid.calendar import today
from legalaid.casefile.page import case_or_404, render_case_page
from legalaid.database import db_session
from legalaid.feedback.codes import shown
from legalaid.feedback.forms import IssueCodeForm
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.feedback.services import issue_code
from legalaid.web_types import Rendered

bp = Blueprint("case_feedback", __name__)


def _policy() -> FeedbackPolicy:
    policy: FeedbackPolicy = current_app.extensions["legalaid.policies"].feedback
    return policy


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
