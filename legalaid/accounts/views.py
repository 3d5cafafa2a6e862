"""Sign-in, sign-out, first-time set-up and self-service pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from legalaid.accounts import services, signin, totp
from legalaid.accounts.current import SESSION_TOKEN_KEY, current_user_session
from legalaid.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    EmptyForm,
    EndOthersForm,
    EnrolForm,
    LoginForm,
    NewRecoveryCodesForm,
    PreferredLanguageForm,
    ReauthForm,
    SetupForm,
)
from legalaid.accounts.models import User, UserSession
from legalaid.accounts.notices import changes_since_last_sign_in
from legalaid.accounts.sessions import (
    end_session,
    make_room_for_waiting_session,
    open_sessions_of,
    start_session,
)
from legalaid.confirmations import confirmation_page, confirmed
from legalaid.database import db_session, rollback_request
from legalaid.errors import DomainError, log_error, show_on_form
from legalaid.held_forms.views import SESSION_KEY as HELD_FORM_KEY
from legalaid.safe_redirect import local_path
from legalaid.settings import Settings

bp = Blueprint("accounts", __name__)

#: A role with a home page of its own lands there after sign-in, not on /home (legalaid.home).
ROLE_HOME: dict[str, str] = {}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["legalaid.settings"]
    return settings


def _client_address() -> str:
    # The client's own address when LEGALAID_TRUSTED_PROXIES names the proxy hops (werkzeug's
    # ProxyFix rewrites remote_addr); without it, forwarded headers are never read.
    return (request.remote_addr or "unknown")[:64]


def _wait(seconds: float) -> None:
    """Slow an address that failed often; the app's sleeper (tests record, not sleep)."""
    if seconds > 0:
        current_app.extensions["legalaid.sleep"](seconds)


def _begin(user: User, stage: str) -> None:
    """A new server-side session and a new cookie: never reuse an id from before sign-in."""
    if stage == "password":
        make_room_for_waiting_session(
            db_session(), user.id, services.security_policy().two_factor.max_waiting_sessions
        )
    started = start_session(
        db_session(),
        user,
        stage=stage,
        policy=services.security_policy().sessions,
        client_address=_client_address(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    # A form held from the expired session survives the new session (its row checks
    # whose it is); nothing else of the old cookie does.
    held = session.get(HELD_FORM_KEY)
    session.clear()
    session[SESSION_TOKEN_KEY] = started.token
    if isinstance(held, str):
        session[HELD_FORM_KEY] = held


def _home_for(user: User) -> str:
    return url_for(ROLE_HOME.get(user.role, "accounts.dashboard"))


def _finish_sign_in(user: User, next_path: str | None) -> BaseResponse:
    # What an administrator changed since her last sign-in, read before this one is
    # recorded and flashed once the new session (and its cookie) has begun.
    notices = changes_since_last_sign_in(db_session(), user)
    signin.record_success(db_session(), user, _client_address())
    pending = current_user_session()
    if pending is not None:
        end_session(pending, "signed_in")
    _begin(user, "full")
    for message in notices:
        flash(message, "warning")
    g.user = user
    if session.get(HELD_FORM_KEY):
        return redirect(url_for("held_forms.resume"))
    return redirect(local_path(next_path) or _home_for(user))


def _generic_failure() -> str:
    return str(
        _(
            "The email or password is not right, or the account cannot sign in right now. "
            "After several failed attempts an account is locked for a while."
        )
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse:
    if g.get("user") is not None:
        return redirect(_home_for(g.user))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        if request.args.get("expired"):
            flash(_("Your session ended. Sign in again."), "info")
        return render_template("accounts/login.html", form=form)
    db = db_session()
    policy = services.security_policy()
    user_typed = signin.find_user_by_email(db, form.email.data or "")
    _wait(signin.gate(db, user_typed, _client_address(), policy).delay_seconds)
    result = signin.check_password(
        db, form.email.data or "", form.password.data or "", _client_address(), policy
    )
    if not result.ok or result.user is None:
        return render_template("accounts/login.html", form=form, error=_generic_failure())
    user = result.user
    if not signin.second_factor_required(user, policy, demo_mode=_settings().demo_mode):
        return _finish_sign_in(user, form.next.data)
    _begin(user, "password")
    session["next"] = local_path(form.next.data) or ""
    if user.totp_enrolled_at is None:
        return redirect(url_for("accounts.enrol"))
    return redirect(url_for("accounts.two_factor"))


def _pending() -> UserSession | None:
    row = current_user_session()
    return row if row is not None and row.stage == "password" else None


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor() -> str | BaseResponse:
    pending = _pending()
    if pending is None:
        return redirect(_home_for(g.user) if g.user else url_for("accounts.login"))
    user = pending.user
    if user.totp_enrolled_at is None:
        return redirect(url_for("accounts.enrol"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("accounts/two_factor.html", form=form)
    db = db_session()
    policy = services.security_policy()
    _wait(signin.gate(db, user, _client_address(), policy).delay_seconds)
    if signin.check_code(db, user, form.code.data or "", _client_address(), policy):
        return _finish_sign_in(user, session.get("next"))
    if pending.ended_at is not None or signin.gate(db, user, _client_address(), policy).refused:
        end_session(pending, "locked")
        session.clear()
        return render_template("accounts/login.html", form=LoginForm(), error=_generic_failure())
    return render_template(
        "accounts/two_factor.html",
        form=form,
        error=_("This code is not right, or was used already."),
    )


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> str | BaseResponse:
    pending = _pending()
    if pending is None:
        return redirect(_home_for(g.user) if g.user else url_for("accounts.login"))
    user = pending.user
    if user.totp_enrolled_at is not None:
        return redirect(url_for("accounts.two_factor"))
    db = db_session()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_totp_enrolment(db, user, form.code.data or "")
        except DomainError as error:
            show_on_form(form, error, "code")
        else:
            _finish_sign_in(user, session.get("next"))
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
    secret = services.begin_totp_enrolment(db, user)
    uri = totp.provisioning_uri(secret, user.email)
    return render_template("accounts/enrol.html", form=form, qr_svg=totp.qr_svg(uri), secret=secret)


def _reauthenticated(form: ReauthForm) -> bool:
    """The password typed again is right (a wrong one is shown beside the field)."""
    if not form.validate_on_submit():
        return False
    db = db_session()
    policy = services.security_policy()
    _wait(signin.gate(db, g.user, _client_address(), policy).delay_seconds)
    if signin.reauthenticate(db, g.user, form.password_typed(), _client_address(), policy):
        return True
    field = next(iter(f for f in form if f.type == "PasswordField"))
    field.errors = [*field.errors, _("The current password is not right.")]
    return False


#: How long the password typed for new recovery codes stands for the confirmation after it.
RECOVERY_CONFIRM_SECONDS = 300
_RECOVERY_REAUTH_KEY = "recovery_reauth"


@bp.post("/account/recovery-codes")
def recovery_codes() -> str:
    row = current_user_session()
    if confirmed():
        # The password was checked on the request before; its mark names this session.
        mark = session.pop(_RECOVERY_REAUTH_KEY, None)
        fresh = (
            isinstance(mark, list)
            and len(mark) == 2
            and row is not None
            and mark[0] == row.id
            and 0 <= time.time() - float(mark[1]) <= RECOVERY_CONFIRM_SECONDS
        )
        if fresh:
            codes = services.regenerate_recovery_codes(db_session(), g.user)
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=False)
        form = NewRecoveryCodesForm(formdata=None)
        form.recovery_password.errors = [_("Type your password again to make new codes.")]
        return settings_page(recovery_form=form)
    form = NewRecoveryCodesForm()
    if not _reauthenticated(form):
        return settings_page(recovery_form=form)
    session[_RECOVERY_REAUTH_KEY] = [row.id if row else None, time.time()]
    return confirmation_page(
        title=_("Make new recovery codes?"),
        consequence=_(
            "All your old recovery codes stop working at once. The new ones are shown only "
            "once, on the next page: write them down before you leave it."
        ),
        action_label=_("Make new recovery codes"),
        cancel_url=url_for("accounts.settings"),
    )


@bp.post("/logout")
def logout() -> str:
    row = current_user_session()
    if row is not None:
        services.sign_out(db_session(), row)
    session.clear()
    g.clear_site_data = True
    g.user = None
    return render_template("accounts/signed_out.html")


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> str | BaseResponse:
    form = SetupForm()
    if not form.validate_on_submit():
        return render_template("accounts/setup.html", form=form)
    try:
        services.set_password_with_code(
            db_session(), form.email.data or "", form.code.data or "", form.password.data or ""
        )
    except DomainError as error:
        # A refused password belongs beside its field; a wrong code is about the whole form.
        # Nothing was changed before the refusal, so the failure's audit entry is kept.
        if error.field:
            show_on_form(form, error, "password")
            return render_template("accounts/setup.html", form=form)
        return render_template("accounts/setup.html", form=form, error=str(error))
    flash(_("Your password is set. Sign in with it now."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/session/keepalive")
def keepalive() -> tuple[str, int]:
    # Loading the session already moved its idle clock; nothing else to do.
    return "", 204


#: What a feature's panel gives the account page: its template variables for the user.
PanelBuild = Callable[[User], Mapping[str, object]]


@dataclass(frozen=True)
class AccountPanel:
    """Another feature's part of the account page (reminders, the calendar feed).

    Registered by the feature's views, which the factory imports before serving, so that
    accounts imports none of them. ``endpoint`` is the route the panel's form posts to:
    a role the access policy does not let use it never has the panel built. The page shows
    a panel's section only when the panel was built (``panels`` in the template): a panel
    missing, or one that fails, leaves its section out, never the page.
    """

    name: str
    endpoint: str
    build: PanelBuild


#: By name: registering again (a second app, a module reloaded) replaces, never doubles.
ACCOUNT_PANELS: dict[str, AccountPanel] = {}


def account_panel(name: str, *, endpoint: str) -> Callable[[PanelBuild], PanelBuild]:
    """Register the decorated function as the account page's panel ``name``, shown to
    the roles that may use ``endpoint``."""

    def register(build: PanelBuild) -> PanelBuild:
        ACCOUNT_PANELS[name] = AccountPanel(name, endpoint, build)
        return build

    return register


def _built_panels(user: User) -> tuple[dict[str, object], frozenset[str]]:
    """The variables of the panels the user may see, and their names; fails closed.

    A panel that raises is left out and logged by its name, the error's type and frames
    only (a message may carry what it read). A failed statement also ends the request's
    transaction (PostgreSQL refuses any other until a rollback): it is rolled back for the
    rest of the page, as after a refused form (what outlives a rollback, a refusal's audit
    entry, is carried over; this page itself writes nothing else).
    """
    access = current_app.extensions["legalaid.policies"].access
    context: dict[str, object] = {}
    shown: set[str] = set()
    for panel in ACCOUNT_PANELS.values():
        if not access.allows(user.role, panel.endpoint):
            continue
        try:
            part = dict(panel.build(user))
        except SQLAlchemyError as error:
            rollback_request()
            log_error(error, f"in the account page's panel {panel.name!r} (left out)")
            continue
        except Exception as error:
            log_error(error, f"in the account page's panel {panel.name!r} (left out)")
            continue
        context.update(part)
        shown.add(panel.name)
    return context, frozenset(shown)


def settings_page(**forms: object) -> str:
    """The account page; other features' forms on it re-render it with their errors."""
    user: User = g.user
    context, shown = _built_panels(user)
    context |= {
        "panels": shown,
        "password_form": ChangePasswordForm(),
        "language_form_self": PreferredLanguageForm(language=user.preferred_language),
        "empty_form": EmptyForm(),
        "recovery_form": NewRecoveryCodesForm(),
        "others_form": EndOthersForm(),
        "sessions": open_sessions_of(db_session(), user.id),
        "this_session": current_user_session(),
    }
    context.update(forms)
    return render_template("accounts/settings.html", user=user, **context)


@bp.get("/account")
def settings() -> str:
    return settings_page()


@bp.post("/account/password")
def change_password() -> str | BaseResponse:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return settings_page(password_form=form)
    this_session = current_user_session()
    try:
        ended = services.change_password(
            db_session(),
            g.user,
            form.current.data or "",
            form.password.data or "",
            keep_session_id=this_session.id if this_session else None,
        )
    except DomainError as error:
        show_on_form(form, error, "password")
        return settings_page(password_form=form)
    flash(
        ngettext(
            "Your password is changed. %(num)d other session was signed out.",
            "Your password is changed. %(num)d other sessions were signed out.",
            ended,
        ),
        "success",
    )
    return redirect(url_for("accounts.settings"))


@bp.post("/account/language")
def change_language() -> BaseResponse:
    form = PreferredLanguageForm()
    if not form.validate_on_submit():
        flash(_("Unknown language."), "error")
        return redirect(url_for("accounts.settings"))
    services.set_language(db_session(), g.user, form.language.data or "en")
    g.user_language = form.language.data
    flash(_("Language saved."), "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/account/sessions/<int:session_id>/end", endpoint="end_session")
def end_one_session(session_id: int) -> BaseResponse:
    row = services.end_own_session(db_session(), g.user, session_id)
    flash(_("The session was signed out."), "success")
    this_session = current_user_session()
    if this_session is not None and row.id == this_session.id:
        session.clear()
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.settings"))


@bp.post("/account/sessions/end-others")
def end_other_sessions() -> str | BaseResponse:
    form = EndOthersForm()
    if not _reauthenticated(form):
        return settings_page(others_form=form)
    this_session = current_user_session()
    ended = services.end_other_sessions(
        db_session(), g.user, keep_session_id=this_session.id if this_session else None
    )
    flash(
        ngettext(
            "%(num)d other session was signed out.",
            "%(num)d other sessions were signed out.",
            ended,
        ),
        "success",
    )
    return redirect(url_for("accounts.settings"))
