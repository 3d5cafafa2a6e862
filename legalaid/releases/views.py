"""Indicator releases: the dashboard, the list, making a release, and one release's tables.

Which releases a user sees is decided in :mod:`legalaid.releases.scope` only: the task
force the national ones, a manager her clinic's; any other id answers 404 like a missing
one, and the attempt is audited. The task force sees no live counts: only a manager's
dashboard adds her own clinic's operational counts (:mod:`legalaid.caseloads.operational`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import defer, selectinload
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from legalaid.access.visible import visible_or_404
from legalaid.audit.service import record_event
from legalaid.calendar import today
from legalaid.caseloads import operational
from legalaid.clinics.models import Clinic
from legalaid.confirmations import confirmation_page, confirmed
from legalaid.database import db_session, rollback_request
from legalaid.errors import DomainError, show_on_form
from legalaid.indicators.periods import Period, completed_periods, parse_period
from legalaid.pagination import paginate
from legalaid.releases import services
from legalaid.releases.charts import bar_chart
from legalaid.releases.forms import ConfirmMoreHiddenForm, ReleaseForm
from legalaid.releases.frozen import FrozenRelease
from legalaid.releases.jobs import request_release_job
from legalaid.releases.models import IndicatorRelease, ReleaseJob
from legalaid.releases.presentation import (
    dashboard_panels,
    hidden_preview,
    information_loss,
    period_label,
    policy_note,
    release_tables,
)
from legalaid.releases.scope import (
    previous_version,
    scope_key_of,
    visible_jobs,
    visible_releases,
)
from legalaid.viewer import Viewer
from legalaid.web_types import Rendered

bp = Blueprint("releases", __name__)

OBJECT_TYPE = "release"
#: How many releases the dashboard's chooser offers (newest periods first).
CHOOSER_LIMIT = 200
EXPORT_FORMATS = ("csv", "json", "dhis2", "dhis2-deletions")


def release_or_404(release_id: int, *, action: str = "release.viewed") -> IndicatorRelease:
    """The release if it is in the user's scope; otherwise 404, and the attempt audited."""
    return visible_or_404(
        db_session(), visible_releases(g.user), release_id, action=action, object_type=OBJECT_TYPE
    )


def _policies() -> Any:
    return current_app.extensions["legalaid.policies"]


def _language() -> str:
    return str(get_locale() or "en")


def _period_of(release: Any) -> Period:
    return Period(
        release.period_start, release.period_end, release.period_kind, release.period_code
    )


def _clinic_names(release: IndicatorRelease) -> dict[str, str]:
    """Clinic codes to names, for the national tables broken down by clinic."""
    if not release.is_national:
        return {}
    return {code: name for code, name in db_session().execute(select(Clinic.code, Clinic.name))}


def _downloads_available() -> bool:
    # The exports blueprint provides the downloads; the links appear once it is there.
    return "exports.download" in current_app.view_functions


# Newest period first; of periods ending together, the year before its last quarter and
# the quarter before the plan to date; then the latest version.
_KIND_ORDER = case(
    (IndicatorRelease.period_kind == "year", 0),
    (IndicatorRelease.period_kind == "quarter", 1),
    else_=2,
)
_DASHBOARD_ORDER = (
    IndicatorRelease.period_end.desc(),
    _KIND_ORDER,
    IndicatorRelease.version.desc(),
    IndicatorRelease.id.desc(),
)


@bp.get("/indicators")
def dashboard() -> Rendered:
    session = db_session()
    raw = request.args.get("release", "").strip()
    release: IndicatorRelease | None
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
            raise NotFound()
        release = release_or_404(int(raw), action="dashboard.viewed")
    else:
        release = session.scalars(
            visible_releases(g.user).order_by(*_DASHBOARD_ORDER).limit(1)
        ).first()
    choices = session.execute(
        visible_releases(g.user)
        .with_only_columns(
            IndicatorRelease.id,
            IndicatorRelease.period_code,
            IndicatorRelease.period_kind,
            IndicatorRelease.period_start,
            IndicatorRelease.period_end,
            IndicatorRelease.version,
        )
        .order_by(*_DASHBOARD_ORDER)
        .limit(CHOOSER_LIMIT)
    ).all()
    chooser = [
        (
            row.id,
            _(
                "%(period)s, version %(version)s",
                period=period_label(_period_of(row)),
                version=row.version,
            ),
        )
        for row in choices
    ]
    if release is not None and release.id not in {row.id for row in choices}:
        chooser.insert(
            0,
            (
                release.id,
                _(
                    "%(period)s, version %(version)s",
                    period=period_label(_period_of(release)),
                    version=release.version,
                ),
            ),
        )
    panels: list[Any] = []
    frozen: FrozenRelease | None = None
    # One indicator's charts and data on a page of its own; without it, the cards only.
    asked = request.args.get("indicator", "").strip()
    if release is not None:
        frozen = FrozenRelease(release.content)
        panels = dashboard_panels(
            frozen, _policies().indicators, _language(), _clinic_names(release)
        )
    detail = next((panel for panel in panels if panel.card.code == asked), None)
    if asked and detail is None:
        raise NotFound()
    # Live counts are a manager's own clinic only; for anyone else this is None.
    live = operational.live_counts(session, g.user, today())
    record_event(
        session,
        "dashboard.viewed",
        object_type=OBJECT_TYPE,
        object_id=release.id if release is not None else None,
    )
    return render_template(
        "releases/dashboard.html",
        release=release,
        frozen=frozen,
        period=period_label(frozen.period) if frozen is not None else "",
        panels=panels,
        detail=detail,
        charts={}
        if detail is None
        else {chart.chart_id: bar_chart(chart) for chart in detail.charts},
        chooser=chooser,
        live=live,
        note=policy_note(frozen.policy) if frozen is not None else None,
        downloads=_downloads_available(),
        export_formats=EXPORT_FORMATS,
    )


@bp.get("/releases")
def list_releases() -> str:
    session = db_session()
    query = (
        visible_releases(g.user)
        .options(
            defer(IndicatorRelease.content),
            selectinload(IndicatorRelease.created_by),
        )
        .order_by(IndicatorRelease.created_at.desc(), IndicatorRelease.id.desc())
    )
    page = paginate(session, query, request.args.get("page"))
    record_event(session, "release.listed", object_type=OBJECT_TYPE)
    return render_template(
        "releases/list.html",
        page=page,
        periods={release.id: period_label(_period_of(release)) for release in page.items},
    )


def _released_versions(user: Viewer) -> dict[tuple[str, Any], int]:
    """The latest version of each period already released in the user's scope."""
    rows = db_session().execute(
        visible_releases(user)
        .with_only_columns(
            IndicatorRelease.period_code,
            IndicatorRelease.period_end,
            func.max(IndicatorRelease.version),
        )
        .group_by(IndicatorRelease.period_code, IndicatorRelease.period_end)
    )
    return {(code, end): int(version) for code, end, version in rows}


def _reason_missing(form: ReleaseForm, periods: tuple[Period, ...]) -> bool:
    chosen = next((period for period in periods if period.code == form.period.data), None)
    return (
        chosen is not None
        and (chosen.code, chosen.end) in _released_versions(g.user)
        and not (form.reason.data or "").strip()
    )


def _period_choices(form: ReleaseForm, periods: tuple[Period, ...]) -> None:
    released = _released_versions(g.user)
    choices = [SelectChoice("", _("Choose a period"))]
    for period in reversed(periods):
        label = period_label(period)
        version = released.get((period.code, period.end))
        if version is not None:
            label = _("%(period)s (released: version %(version)s)", period=label, version=version)
        choices.append(SelectChoice(period.code, label))
    form.period.choices = choices


@bp.route("/releases/new", methods=["GET", "POST"])
def new_release() -> Rendered:
    policies = _policies()
    day = today()
    form = ReleaseForm()
    periods = completed_periods(day, policies.disclosure.data_entry_lag_days)
    _period_choices(form, periods)
    refusal: str | None = None
    if request.method == "GET":
        asked = request.args.get("period", "")
        if asked in {period.code for period in periods}:
            form.period.data = asked
        failed = _own_failed_job(request.args.get("job", ""))
        if failed is not None:
            # Back from a job that released nothing: what she chose and typed, with why.
            form.period.data = failed.period_code
            form.reason.data = failed.reason or ""
            refusal = _job_failure_messages().get(failed.failure or "")
        # The form lists which periods are released, in which version.
        record_event(
            db_session(),
            "release.form_viewed",
            object_type="release_job" if failed is not None else "release",
            object_id=failed.id if failed is not None else None,
        )
    status = 200
    valid = form.validate_on_submit()
    if valid and not confirmed() and _reason_missing(form, periods):
        # Said before the confirmation, not after it (the service checks it again).
        form.reason.errors = [
            *form.reason.errors,
            _("This period has been released before: say why it is released again."),
        ]
        valid = False
    if valid and not confirmed():
        choices = list(form.period.choices or [])
        # A release is frozen once made (a correction is a new version): say so first.
        return confirmation_page(
            title=_(
                "Release %(period)s?",
                period=next(
                    (str(c.label) for c in choices if c.value == form.period.data),
                    form.period.data,
                ),
            ),
            consequence=_(
                "The tables are computed, protected and frozen now: a release is never "
                "changed afterwards, and a correction can only be a new version with a reason."
            ),
            action_label=_("Release"),
            cancel_url=url_for("releases.new_release"),
        ), 200
    if valid:
        session = db_session()
        try:
            wanted = services.check_request(
                session,
                policy=policies.disclosure,
                user=g.user,
                period_code=form.period.data or "",
                reason=form.reason.data,
                today=day,
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "period")
            status = 400
        else:
            job = request_release_job(session, wanted)
            return redirect(url_for("releases.job", job_id=job.id))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "releases/form.html",
            form=form,
            refusal=refusal,
            lag_days=policies.disclosure.data_entry_lag_days,
        ),
        status,
    )


def _job_failure_messages() -> dict[str, str]:
    return {
        "refused": services.refusal_message(),
        "conflict": _(
            "Someone else released this period a moment ago. Open the releases list to see it."
        ),
        "error": _(
            "The release could not be made because of an error on the server. Nothing was "
            "released. Try again later, or ask the system administrator."
        ),
    }


def _own_failed_job(raw: str) -> ReleaseJob | None:
    """The user's own failed release job named by ``raw`` (its reason is hers), or None.

    Only the job's id is in the URL, never what she typed.
    """
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    found = db_session().get(ReleaseJob, int(raw))
    if (
        found is None
        or found.status != "failed"
        or found.requested_by_id != g.user.id
        or found.scope_key != scope_key_of(g.user)
    ):
        return None
    return found


#: Seconds between two refreshes of a job's progress page (no script needed).
JOB_REFRESH_SECONDS = 2


def _job_or_404(job_id: int) -> ReleaseJob:
    """A release job of the user's own scope (others answer 404, audited)."""
    return visible_or_404(
        db_session(),
        visible_jobs(g.user),
        job_id,
        action="release.job_viewed",
        object_type="release_job",
    )


@bp.get("/releases/jobs/<int:job_id>")
def job(job_id: int) -> Rendered:
    """Where a release asked for is: waiting, counting, released (to the release) or not."""
    session = db_session()
    found = _job_or_404(job_id)
    record_event(session, "release.job_viewed", object_type="release_job", object_id=job_id)
    if found.status == "done" and found.release_id is not None:
        release = session.get(IndicatorRelease, found.release_id)
        if release is not None:
            flash(
                _(
                    "Released: %(period)s, version %(version)s.",
                    period=period_label(_period_of(release)),
                    version=release.version,
                ),
                "success",
            )
            return redirect(url_for("releases.view", release_id=release.id))
    form = ConfirmMoreHiddenForm(formdata=None, reason=found.reason)
    return _job_page(found, form), 200


def _job_page(found: ReleaseJob, form: ConfirmMoreHiddenForm) -> str:
    messages = _job_failure_messages()
    preview = None
    if found.failure == "confirm" and found.preview:
        clinic = db_session().get(Clinic, found.clinic_id) if found.clinic_id else None
        preview = hidden_preview(
            json.loads(found.preview),
            _policies().indicators,
            _language(),
            {} if clinic is None else {clinic.code: clinic.name},
        )
    return render_template(
        "releases/job.html",
        job=found,
        period=period_label(
            parse_period(found.period_code, today(), _policies().disclosure.data_entry_lag_days)
        ),
        failure=messages.get(found.failure or ""),
        preview=preview,
        form=form,
        refresh=None if found.finished else JOB_REFRESH_SECONDS,
    )


@bp.post("/releases/jobs/<int:job_id>/confirm")
def confirm_job(job_id: int) -> Rendered:
    """Make the version that stopped because it hides numbers published before: she has
    seen which, and says why (a new job, so the numbers are counted again)."""
    session = db_session()
    stopped = _job_or_404(job_id)
    form = ConfirmMoreHiddenForm()
    if stopped.failure != "confirm":
        return redirect(url_for("releases.job", job_id=stopped.id))
    if form.validate_on_submit():
        try:
            wanted = services.check_request(
                session,
                policy=_policies().disclosure,
                user=g.user,
                period_code=stopped.period_code,
                reason=form.reason.data,
                today=today(),
            )
        except DomainError as error:
            rollback_request()
            show_on_form(form, error, "reason")
        else:
            again = request_release_job(session, wanted, more_hidden_confirmed=True)
            return redirect(url_for("releases.job", job_id=again.id))
    record_event(session, "release.job_viewed", object_type="release_job", object_id=job_id)
    return _job_page(stopped, form), 400


@bp.get("/releases/<int:release_id>")
def view(release_id: int) -> str:
    release = release_or_404(release_id)
    session = db_session()
    frozen = FrozenRelease(release.content)
    versions = session.execute(
        visible_releases(g.user)
        .with_only_columns(IndicatorRelease.id, IndicatorRelease.version)
        .where(
            IndicatorRelease.period_code == release.period_code,
            IndicatorRelease.period_end == release.period_end,
        )
        .order_by(IndicatorRelease.version)
    ).all()
    # The version before, to show beside this one what disclosure control hid.
    previous = previous_version(session, g.user, release)
    # One period of the release at a time (its own period first); each is a link away.
    periods = frozen.periods()
    asked = request.args.get("period", "")
    shown = next((p for p in periods if p.code == asked), frozen.period)
    indicators = release_tables(
        frozen, _policies().indicators, _language(), _clinic_names(release), (shown,)
    )
    record_event(session, "release.viewed", object_type=OBJECT_TYPE, object_id=release.id)
    return render_template(
        "releases/view.html",
        release=release,
        loss=information_loss(release),
        previous_loss=None if previous is None else information_loss(previous),
        frozen=frozen,
        period=period_label(frozen.period),
        periods=[(p, period_label(p)) for p in periods],
        shown=shown,
        indicators=indicators,
        versions=versions,
        note=policy_note(frozen.policy),
        downloads=_downloads_available(),
        export_formats=EXPORT_FORMATS,
    )
