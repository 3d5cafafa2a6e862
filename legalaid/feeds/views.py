"""The private calendar feed, and making or revoking its secret from the account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts.models import User
from legalaid.accounts.views import account_panel, settings_page
from legalaid.audit.service import Actor, record_event
from legalaid.calendar import today
from legalaid.database import db_session, utcnow
from legalaid.feeds import service
from legalaid.feeds.ical import build_calendar, feed_events
from legalaid.webforms import EmptyForm

bp = Blueprint("feeds", __name__)


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> BaseResponse:
    session = db_session()
    fetch = service.open_feed(session, token, utcnow())
    if fetch is None:
        record_event(session, "calendar_feed.fetched", object_type="user", outcome="denied")
        raise NotFound()
    user = fetch.user
    if fetch.too_soon:
        record_event(
            session,
            "calendar_feed.fetched",
            object_type="user",
            object_id=user.id,
            outcome="denied",
            actor=Actor.of(user),
        )
        # The error page, with the header a calendar app reads to wait before trying again.
        refused = make_response(render_template("errors/429.html", status=429), 429)
        refused.headers["Retry-After"] = str(int(service.MIN_FETCH_INTERVAL.total_seconds()))
        return refused
    record_event(
        session,
        "calendar_feed.fetched",
        object_type="user",
        object_id=user.id,
        actor=Actor.of(user),
    )
    mail = current_app.extensions["legalaid.settings"].mail
    body = build_calendar(
        feed_events(session, user, today()),
        language=user.preferred_language,
        host=request.host.split(":")[0] or "legalaid",
        base_url=mail.base_url or request.host_url,
        now=utcnow(),
        venues=current_app.extensions["legalaid.policies"].venues.vocabulary,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="legalaid.ics"'
    # The URL is the secret: no referrer leaves it anywhere (security_headers sets the rest).
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/account/calendar-feed")
def regenerate() -> str | BaseResponse:
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("accounts.settings"))
    token = service.regenerate_feed(db_session(), g.user)
    feed_url = url_for("feeds.feed", token=token, _external=True)
    # Shown this once, never stored in plain or put in a redirect.
    return settings_page(feed_url=feed_url)


@bp.post("/account/calendar-feed/revoke")
def revoke() -> BaseResponse:
    form = EmptyForm()
    if form.validate_on_submit():
        service.revoke_feed(db_session(), g.user)
        flash(_("The calendar link is revoked: calendars that use it get nothing more."), "success")
    return redirect(url_for("accounts.settings"))


@account_panel("feeds", endpoint="feeds.regenerate")
def _feed_panel(user: User) -> dict[str, object]:
    """The calendar link's part of the account page (the link itself only once made)."""
    return {"has_feed": service.has_feed(db_session(), user), "feed_url": None}
