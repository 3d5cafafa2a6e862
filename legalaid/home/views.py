"""``/home``: what each role has to do today, gathered from the features that own it.

The page reads caseloads (a lawyer's and a manager's work of today and the clinic's
caseload), reminders, releases and the audit log; it lives here so that ``accounts``
(sign-in, sessions, the account page) imports none of them. Its endpoint keeps the name
``accounts.dashboard`` — the access policy, every link and the sign-in redirect name
it — so the view is added to the accounts blueprint, which must therefore be imported
here before the factory registers it (``factory._register_blueprints`` imports this
module first).
"""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts.models import User
from legalaid.accounts.views import ROLE_HOME, bp
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.caseloads import today as work_today
from legalaid.caseloads.queries import caseload_rows
from legalaid.database import db_session, utcnow
from legalaid.home import today as home_today
from legalaid.reminders import in_app


@bp.get("/home")
def dashboard() -> str | BaseResponse:
    user: User = g.user
    if user.role in ROLE_HOME:
        return redirect(url_for(ROLE_HOME[user.role]))
    session, day = db_session(), today()
    context: dict[str, object] = {}
    if user.role in ("lawyer", "manager"):
        context["work"] = work_today.casework_today(session, user, day)
        context["week_days"] = work_today.WEEK_DAYS
        now = utcnow()
        due = in_app.due_in_app(
            session, user, now, current_app.extensions["legalaid.policies"].reminders
        )
        context["reminders"] = due[: in_app.LISTED]
        context["reminders_total"] = len(due)
        # All of them are listed here: none is new any more (the bell goes back to 0).
        in_app.mark_seen(session, user, now)
        if user.role == "manager":
            context["caseload"] = caseload_rows(session, user, day)
        record_event(session, "home.viewed", object_type="caseload")
    elif user.role == "task_force":
        context["releases"] = home_today.latest_releases(session, user)
        record_event(session, "home.viewed", object_type="release")
    elif user.role == "admin":
        # Counts of refusals come from the audit log: reading them is audited too.
        context["admin"] = home_today.admin_today(session)
        context["refusal_days"] = home_today.REFUSALS_DAYS
        record_event(session, "audit.summary_viewed", object_type="audit")
    return render_template("home/dashboard.html", user=user, **context)
