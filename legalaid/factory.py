"""The application factory: nothing is created at import time."""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from flask import Flask, g, has_request_context, make_response, request
from flask.globals import app_ctx
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from legalaid.access.audit_context import init_audit_context
from legalaid.access.enforce import (
    check_every_endpoint_listed,
    enforce_access_before_reading,
    init_access,
)
from legalaid.access.policy import AccessPolicy
from legalaid.crypto.checks import has_key_checks, verify_keys
from legalaid.crypto.keyring import KeyRing
from legalaid.database import (
    READING_METHODS,
    Database,
    check_connection,
    commit_request,
    make_engine,
    rollback_request,
)
from legalaid.deadlines.policy import DeadlinePolicy
from legalaid.disclosure.policy import DisclosurePolicy, load_indicator_policies
from legalaid.documents import init_documents
from legalaid.documents.policy import DocumentPolicy
from legalaid.documents.uploads import UPLOAD_ENDPOINTS
from legalaid.errors import StartupError, log_error
from legalaid.feedback.policy import FeedbackPolicy
from legalaid.i18n import init_babel
from legalaid.idempotency import init_idempotency
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.jobs.queue import init_jobs
from legalaid.page_frame import init_page_frame
from legalaid.pages.errors import failed_commit_page, register_error_handlers
from legalaid.policy.loader import load_policy, policy_path
from legalaid.policy.security import SecurityPolicy
from legalaid.policy.venues import VenueList
from legalaid.reminders.policy import ReminderPolicy
from legalaid.request_input import init_request_input
from legalaid.retention.policy import RetentionPolicy
from legalaid.routing import RecordIdConverter
from legalaid.schema.migrations import ensure_current
from legalaid.security_headers import init_security_headers
from legalaid.settings import Settings, load_settings
from legalaid.webforms import error_summary


@dataclass(frozen=True)
class Policies:
    security: SecurityPolicy
    access: AccessPolicy
    indicators: IndicatorCatalogue
    disclosure: DisclosurePolicy
    retention: RetentionPolicy
    deadlines: DeadlinePolicy
    reminders: ReminderPolicy
    documents: DocumentPolicy
    feedback: FeedbackPolicy
    venues: VenueList


def load_policies(settings: Settings) -> Policies:
    indicators, disclosure = load_indicator_policies(settings.policy_dir)
    feedback = load_policy(settings.policy_dir, "feedback.toml", FeedbackPolicy)
    try:
        indicators.check_feedback(feedback.indicator.question, feedback.indicator.satisfied)
    except ValueError as exc:
        path = policy_path(settings.policy_dir, "indicators.toml")
        raise StartupError(f"policy file {path}: {exc}") from exc
    return Policies(
        security=load_policy(settings.policy_dir, "security.toml", SecurityPolicy),
        access=load_policy(settings.policy_dir, "access.toml", AccessPolicy),
        indicators=indicators,
        disclosure=disclosure,
        retention=load_policy(settings.policy_dir, "retention.toml", RetentionPolicy),
        deadlines=load_policy(settings.policy_dir, "deadlines.toml", DeadlinePolicy),
        reminders=load_policy(settings.policy_dir, "reminders.toml", ReminderPolicy),
        documents=load_policy(settings.policy_dir, "documents.toml", DocumentPolicy),
        feedback=feedback,
        venues=load_policy(settings.policy_dir, "venues.toml", VenueList),
    )


def create_app(
    config: Settings | Mapping[str, str] | None = None,
    *,
    check_schema: bool = True,
    check_keys: bool | None = None,
) -> Flask:
    """Build an app from ``config`` (Settings, or an environment mapping; default os.environ).

    With ``check_schema`` the app refuses to serve until the database is at the newest
    migration; the CLI turns it off for the commands that create or upgrade the schema.
    ``check_keys`` (default: as ``check_schema``) refuses keys whose stored check values
    differ and records those of new keys (see :mod:`legalaid.crypto.checks`).
    """
    settings = config if isinstance(config, Settings) else load_settings(config)
    if settings.is_production and settings.demo_mode:
        raise StartupError("LEGALAID_DEMO cannot be set in production")

    app = Flask(
        "legalaid",
        template_folder="templates",  # inside the package, beside static/
        instance_path=str(settings.instance_path),
        instance_relative_config=False,
    )
    # Before any blueprint adds its rules: every <int:...> is a bounded record id.
    app.url_map.converters["int"] = RecordIdConverter
    app.config.update(settings.flask_config())
    app.extensions["legalaid.settings"] = settings
    app.extensions["legalaid.policies"] = load_policies(settings)
    # How sign-in slows an address that failed often (tests put a recorder here).
    app.extensions["legalaid.sleep"] = time.sleep
    if settings.trusted_proxies:
        # Only the configured number of hops is believed; werkzeug reads the headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )

    _configure_logging()

    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        if check_schema:
            ensure_current(engine)
        if (check_schema if check_keys is None else check_keys) and has_key_checks(engine):
            verify_keys(engine, settings)
    except StartupError:
        engine.dispose()
        raise
    Database(engine).init_app(app, scope=_unit_of_work, reads_first=_request_reads_first)
    try:
        init_jobs(app, settings.jobs_url, production=settings.is_production)
    except StartupError:
        engine.dispose()
        raise
    app.extensions["legalaid.keyring"] = KeyRing(settings.encryption_keys)
    init_documents(app)
    # Before CSRFProtect, whose hook reads the form: no upload body is taken in unchecked.
    enforce_access_before_reading(app, UPLOAD_ENDPOINTS)

    init_babel(app)
    app.jinja_env.globals["error_summary"] = error_summary
    if settings.demo_mode:
        # Only a demo instance (refused in production) lists its synthetic accounts.
        from legalaid.demo.sign_in_list import read_demo_accounts

        instance_path = settings.instance_path
        app.jinja_env.globals["demo_accounts"] = lambda: read_demo_accounts(instance_path)
    CSRFProtect(app)
    init_audit_context(app)
    # Before access: malformed input is refused before the session is even loaded.
    init_request_input(app)
    init_access(app)
    init_security_headers(app, https=settings.behind_https)
    register_error_handlers(app)
    _register_blueprints(app)
    _register_template_globals(app)
    policies: Policies = app.extensions["legalaid.policies"]
    try:
        check_every_endpoint_listed(app, policies.access)
    except StartupError:
        engine.dispose()
        raise

    @app.after_request
    def _commit(response: Response) -> Response:
        # A failed commit must not reach Flask's own handler, which logs the exception's
        # text (SQL parameters: what a user typed) and answers 500 to a lost race.
        try:
            commit_request()
        except Exception as error:
            page = make_response(failed_commit_page(error))
            # The rollback carried what must outlive it (a refusal's audit entry) to the
            # request's next transaction; nothing else is left in it. Commit it once, best
            # effort: a database that just refused a commit may refuse this one too.
            try:
                commit_request()
            except Exception as again:
                rollback_request()
                log_error(again, "at commit of what outlives a rollback")
            return page
        return response

    # After the commit hook: its after_request runs before the commit (last-first).
    init_idempotency(app)

    return app


def _unit_of_work() -> Hashable:
    """The database session's scope: the current app context (a request's, a job's, a
    command's), as ``g`` is."""
    # The proxy's object, not the proxy (typed as the context it stands for).
    context: Hashable = app_ctx._get_current_object()  # type: ignore[attr-defined]
    return context


def _request_reads_first() -> bool:
    """A GET or HEAD reads without the write lock until its commit (SQLite)."""
    return has_request_context() and request.method in READING_METHODS


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    # First: it adds /home to the accounts blueprint, before that is registered.
    import legalaid.home.views  # noqa: F401
    from legalaid.accounts.views import bp as accounts_bp
    from legalaid.admin.audit_views import bp as audit_bp
    from legalaid.admin.views import bp as admin_bp
    from legalaid.api.views import bp as api_bp
    from legalaid.casefile.case_views import bp as cases_bp
    from legalaid.casefile.casework_views import bp as casework_bp
    from legalaid.casefile.client_views import bp as clients_bp
    from legalaid.casefile.conflict_views import bp as conflicts_bp
    from legalaid.casefile.document_views import bp as documents_bp
    from legalaid.casefile.document_views import client_bp as client_documents_bp
    from legalaid.casefile.feedback_views import bp as case_feedback_bp
    from legalaid.casefile.referral_views import bp as referrals_bp
    from legalaid.caseloads.views import bp as caseloads_bp
    from legalaid.disclosure.feedback_views import bp as feedback_results_bp
    from legalaid.feedback.views import bp as feedback_bp
    from legalaid.feeds.views import bp as feeds_bp
    from legalaid.held_forms.views import bp as held_forms_bp
    from legalaid.pages.views import bp as pages_bp
    from legalaid.releases.downloads import bp as exports_bp
    from legalaid.releases.views import bp as releases_bp
    from legalaid.reminders.views import bp as reminders_bp
    from legalaid.retention.views import bp as retention_bp
    from legalaid.staff.views import bp as staff_bp
    from legalaid.tokens.views import bp as tokens_bp
    from legalaid.trainings.views import bp as trainings_bp

    for blueprint in (
        pages_bp,
        accounts_bp,
        admin_bp,
        audit_bp,
        cases_bp,
        clients_bp,
        retention_bp,
        feedback_bp,
        feedback_results_bp,
        case_feedback_bp,
        casework_bp,
        referrals_bp,
        documents_bp,
        client_documents_bp,
        caseloads_bp,
        conflicts_bp,
        held_forms_bp,
        staff_bp,
        trainings_bp,
        releases_bp,
        exports_bp,
        tokens_bp,
        api_bp,
        reminders_bp,
        feeds_bp,
    ):
        app.register_blueprint(blueprint)

    from legalaid.cases.hooks import require_registered

    # Every feature is imported by now: one that did not register its part of a case's
    # lifecycle stops start-up here rather than the first case closed.
    require_registered()


def _register_template_globals(app: Flask) -> None:
    from legalaid import __version__
    from legalaid.i18n import LANGUAGES
    from legalaid.pages.forms import LanguageForm

    settings: Settings = app.extensions["legalaid.settings"]

    from legalaid.accounts.forms import EmptyForm
    from legalaid.calendar import today
    from legalaid.clinics.models import CLINIC_STATUSES
    from legalaid.concurrency import saved_beside_typed
    from legalaid.database import utcnow
    from legalaid.documents.services import size_label
    from legalaid.vocabulary import casework as casework_vocabulary
    from legalaid.vocabulary.documents import DOCUMENT_KINDS
    from legalaid.vocabulary.regions import ECONOMIC_REGIONS
    from legalaid.vocabulary.roles import ROLES

    policies: Policies = app.extensions["legalaid.policies"]

    def can(endpoint: str) -> bool:
        user = g.get("user")
        return policies.access.allows(user.role if user else None, endpoint)

    init_page_frame(app, policies.access.allows)
    # Built once (the policy does not change while the app runs); its labels are lazy, read
    # in the page's language when shown. Every render_template passed a new one before.
    venues = policies.venues.vocabulary

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            "roles": ROLES,
            "regions": ECONOMIC_REGIONS,
            # Casework codes and their labels: vocab.CASE_STATUSES.label(code).
            "vocab": casework_vocabulary,
            "document_kinds": DOCUMENT_KINDS,
            # Courts and venues of hearings (policy): venues.label(code), in the page's language.
            "venues": venues,
            "document_size": size_label,
            "clinic_today": today,
            "now_utc": utcnow,
            "clinic_statuses": CLINIC_STATUSES,
            "can": can,
            "saved_beside_typed": saved_beside_typed,
            "empty_form_factory": EmptyForm,
            "security_min_length": policies.security.passwords.min_length,
            "app_version": __version__,
            "languages": LANGUAGES,
            "language_form": LanguageForm,
            "demo_mode": settings.demo_mode,
            "csp_nonce": g.get("csp_nonce", ""),
            "current_account": g.get("user"),
            "session_policy": policies.security.sessions,
        }
