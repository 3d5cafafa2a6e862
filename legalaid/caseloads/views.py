"""Caseloads (manager: her clinic; lawyer: her own) and the lawyer's agenda."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request

from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.caseloads import queries
from legalaid.database import db_session

bp = Blueprint("caseloads", __name__)


@bp.get("/caseload")
def caseload() -> str:
    session, day = db_session(), today()
    rows = queries.caseload_rows(session, g.user, day)
    attention = queries.attention_page(session, g.user, day, request.args.get("page"))
    record_event(session, "caseload.viewed", object_type="caseload")
    return render_template(
        "caseloads/caseload.html",
        clinic_view=g.user.role == "manager",
        rows=rows,
        totals=queries.totals(rows),
        attention=attention,
        window_days=queries.WINDOW_DAYS,
        as_of=day,
        window_end=queries.window_end(day),
    )


@bp.get("/agenda")
def agenda() -> str:
    session, day = db_session(), today()
    overdue = queries.overdue_page(session, g.user, day, request.args.get("overdue_page"))
    upcoming = queries.upcoming_page(session, g.user, day, request.args.get("page"))
    tasks = queries.tasks_page(session, g.user, day, request.args.get("tasks_page"))
    record_event(session, "agenda.viewed", object_type="hearing")
    return render_template(
        "caseloads/agenda.html",
        clinic_view=g.user.role == "manager",
        overdue=overdue,
        upcoming=upcoming,
        tasks=tasks,
        window_days=queries.WINDOW_DAYS,
        as_of=day,
        window_end=queries.window_end(day),
    )
