"""The application factory: nothing is created at import time."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, g
from flask_wtf import CSRFProtect
from werkzeug.wrappers import Response

from legalaid.crypto.keyring import KeyRing
from legalaid.database import Database, check_connection, commit_request, make_engine
from legalaid.errors import StartupError
from legalaid.i18n import init_babel
from legalaid.pages.errors import register_error_handlers
from legalaid.policy.loader import load_policy
from legalaid.policy.security import SecurityPolicy
from legalaid.schema.migrations import ensure_current
from legalaid.settings import PROJECT_ROOT, Settings, load_settings


@dataclass(frozen=True)
class Policies:
    security: SecurityPolicy


def load_policies(settings: Settings) -> Policies:
    return Policies(
        security=load_policy(settings.policy_dir, "security.toml", SecurityPolicy),
    )


def create_app(
    config: Settings | Mapping[str, str] | None = None, *, check_schema: bool = True
) -> Flask:
    """Build an app from ``config`` (Settings, or an environment mapping; default os.environ).

    With ``check_schema`` the app refuses to serve until the database is at the newest
    migration; the CLI turns it off for the commands that create or upgrade the schema.
    """
    settings = config if isinstance(config, Settings) else load_settings(config)
    if settings.is_production and settings.demo_mode:
        raise StartupError("LEGALAID_DEMO cannot be set in production")

    app = Flask(
        "legalaid",
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(settings.instance_path),
        instance_relative_config=False,
    )
    app.config.update(settings.flask_config())
    app.extensions["legalaid.settings"] = settings
    app.extensions["legalaid.policies"] = load_policies(settings)

    _configure_logging()

    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        if check_schema:
            ensure_current(engine)
    except StartupError:
        engine.dispose()
        raise
    Database(engine).init_app(app)
    app.extensions["legalaid.keyring"] = KeyRing(settings.encryption_keys)

    init_babel(app)
    CSRFProtect(app)
    register_error_handlers(app)
    _register_blueprints(app)
    _register_template_globals(app)

    @app.after_request
    def _commit(response: Response) -> Response:
        commit_request()
        return response

    return app


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _register_blueprints(app: Flask) -> None:
    from legalaid.accounts.views import bp as accounts_bp
    from legalaid.admin.views import bp as admin_bp
    from legalaid.audit.views import bp as audit_bp
    from legalaid.pages.views import bp as pages_bp

    for blueprint in (pages_bp, accounts_bp, admin_bp, audit_bp):
        app.register_blueprint(blueprint)


def _register_template_globals(app: Flask) -> None:
    from legalaid import __version__
    from legalaid.i18n import LANGUAGES
    from legalaid.pages.forms import LanguageForm

    settings: Settings = app.extensions["legalaid.settings"]

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            "app_version": __version__,
            "languages": LANGUAGES,
            "language_form": LanguageForm,
            "demo_mode": settings.demo_mode,
            "csp_nonce": g.get("csp_nonce", ""),
        }
