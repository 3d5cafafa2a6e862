"""Configuration read from the environment.

Secrets never have defaults in code. In production a missing or weak secret stops
start-up naming the variable; a development instance generates its own secrets once
into ``instance/secrets.json`` (mode 0600) so that a newcomer can run the app at once.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from legalaid.errors import StartupError
from legalaid.policy.loader import SHIPPED_POLICY_DIR

#: The shipped policy files; ``LEGALAID_POLICY_DIR`` names a folder whose files override them.
DEFAULT_POLICY_DIR = SHIPPED_POLICY_DIR

ENVIRONMENTS = ("development", "production", "test")
MIN_SECRET_LENGTH = 32
_WEAK_SECRETS = {"changeme", "secret", "password", "development", "dev", "test", "legalaid"}
KEY_BYTES = 32


def new_key() -> str:
    """A fresh random 256-bit key in URL-safe base64 (the format every key variable uses)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(value: str, variable: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4))
    except (ValueError, UnicodeEncodeError) as exc:
        raise StartupError(f"{variable} holds a key that is not URL-safe base64") from exc
    if len(raw) != KEY_BYTES:
        raise StartupError(f"{variable} must hold {KEY_BYTES}-byte keys (got {len(raw)} bytes)")
    return raw


def parse_key_ring(value: str, variable: str) -> dict[str, bytes]:
    """Parse ``id1:key1,id2:key2``; the first key is the one new values are written with."""
    ring: dict[str, bytes] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        key_id, sep, key = item.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16:
            raise StartupError(f"{variable} entries must look like 'keyid:base64key'")
        if key_id in ring:
            raise StartupError(f"{variable} names key id '{key_id}' twice")
        ring[key_id] = decode_key(key, variable)
    if not ring:
        raise StartupError(f"{variable} holds no key")
    return ring


def format_key_ring(ring: Mapping[str, bytes]) -> str:
    return ",".join(
        f"{kid}:{base64.urlsafe_b64encode(key).decode('ascii')}" for kid, key in ring.items()
    )


def _check_secret(value: str, variable: str) -> str:
    if len(value) < MIN_SECRET_LENGTH or value.lower() in _WEAK_SECRETS or len(set(value)) < 10:
        raise StartupError(
            f"{variable} is too weak: use at least {MIN_SECRET_LENGTH} random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return value


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    # STARTTLS after connecting (port 587); off only for a relay on the same machine.
    starttls: bool = True
    # The address people open the app at, for the link in the mail.
    base_url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@dataclass(frozen=True)
class S3Settings:
    """LEGALAID_DOCUMENTS_S3_*: the bucket, and for MinIO and the like an endpoint URL."""

    bucket: str
    prefix: str = "documents/"
    endpoint_url: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    encryption_keys: dict[str, bytes] = field(repr=False)
    blind_index_key: bytes = field(repr=False)
    audit_key: bytes = field(repr=False)
    instance_path: Path
    # A folder of policy files overriding the shipped ones, file by file (None: shipped only).
    policy_dir: Path | None = None
    behind_https: bool = False
    demo_mode: bool = False
    # Reverse proxies in front of the app (hops that append to X-Forwarded-For). 0: none,
    # and forwarded headers are ignored, so nobody can claim another address by sending one.
    trusted_proxies: int = 0
    # Outgoing mail for set-up codes of lawyers and managers (no host: no mail, and a
    # manager of the clinic gives her staff their codes instead).
    mail: MailSettings = field(default_factory=lambda: MailSettings())
    # Where background jobs are queued (LEGALAID_JOBS_URL; empty: SQLite in the instance).
    jobs_url: str = ""
    # "fast" makes the test suite quick; anything else hashes passwords at full strength.
    password_hashing: str = "strong"  # noqa: S105 - a profile name
    # Where document ciphertext is kept (None: the instance folder's documents/).
    documents_path: Path | None = None
    # An S3-compatible bucket for document ciphertext instead of the folder (empty: the
    # folder). Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID, ...).
    documents_s3: S3Settings | None = None
    # ClamAV's daemon for scanning uploads: tcp://host:port or unix:///path (empty: off).
    clamd_address: str = ""

    @property
    def document_folder(self) -> Path:
        return self.documents_path or self.instance_path / "documents"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "DEBUG": False,
            "PROPAGATE_EXCEPTIONS": False,
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            "SESSION_COOKIE_NAME": "__Host-legalaid" if self.behind_https else "legalaid",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": self.behind_https,
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_PATH": "/",
            "SESSION_REFRESH_EACH_REQUEST": False,
            "WTF_CSRF_SSL_STRICT": self.behind_https,
            "PREFERRED_URL_SCHEME": "https" if self.behind_https else "http",
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Baku",
        }


def _secrets_file(instance_path: Path) -> Path:
    return instance_path / "secrets.json"


def load_development_secrets(instance_path: Path) -> dict[str, str]:
    """Read, or create once with mode 0600, the development instance's own secrets."""
    path = _secrets_file(instance_path)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StartupError(f"cannot read {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise StartupError(f"{path} is not a JSON object")
        return {str(k): str(v) for k, v in data.items()}
    instance_path.mkdir(parents=True, exist_ok=True)
    data = {
        "LEGALAID_SECRET_KEY": secrets.token_urlsafe(48),
        "LEGALAID_ENCRYPTION_KEYS": f"k1:{new_key()}",
        "LEGALAID_BLIND_INDEX_KEY": new_key(),
        "LEGALAID_AUDIT_KEY": new_key(),
    }
    write_development_secrets(instance_path, data)
    return data


def write_development_secrets(instance_path: Path, data: Mapping[str, str]) -> None:
    path = _secrets_file(instance_path)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(dict(data), handle, indent=2)
    os.replace(tmp, path)
    path.chmod(0o600)


def _validate_database_url(value: str) -> str:
    try:
        url: URL = make_url(value)
    except ArgumentError as exc:
        raise StartupError(
            "LEGALAID_DATABASE_URL is not a valid database URL "
            "(expected sqlite:///path or postgresql+psycopg://user@host/db)"
        ) from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StartupError("LEGALAID_DATABASE_URL must point at SQLite or PostgreSQL")
    if url.drivername == "postgresql":
        # Plain postgresql:// means psycopg 3 here, whatever SQLAlchemy's default driver is.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        raise StartupError(
            "LEGALAID_DATABASE_URL must use the psycopg 3 driver: postgresql+psycopg://"
        )
    return value


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("LEGALAID_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise StartupError(f"LEGALAID_ENV must be one of {', '.join(ENVIRONMENTS)}")
    # The instance folder is the working directory's unless named: an installed package has
    # no project folder of its own to write into.
    instance_path = Path(env_vars.get("LEGALAID_INSTANCE_PATH") or "instance").resolve()
    override = env_vars.get("LEGALAID_POLICY_DIR", "").strip()
    policy_dir = Path(override).resolve() if override else None
    if policy_dir is not None and not policy_dir.is_dir():
        raise StartupError(f"LEGALAID_POLICY_DIR names {policy_dir}, which is not a folder")

    source: dict[str, str] = {}
    if env != "production":
        source.update(load_development_secrets(instance_path))
    source.update({k: v for k, v in env_vars.items() if k.startswith("LEGALAID_") and v})

    def required(name: str) -> str:
        value = source.get(name, "")
        if not value:
            raise StartupError(
                f"{name} is not set; production needs it (see README, Configuration)"
            )
        return value

    database_url = source.get("LEGALAID_DATABASE_URL") or (
        f"sqlite:///{instance_path / 'legalaid.sqlite3'}"
    )
    if env == "production" and "LEGALAID_DATABASE_URL" not in env_vars:
        raise StartupError("LEGALAID_DATABASE_URL is not set; production needs it")
    return Settings(
        env=env,
        database_url=_validate_database_url(database_url),
        secret_key=_check_secret(required("LEGALAID_SECRET_KEY"), "LEGALAID_SECRET_KEY"),
        encryption_keys=parse_key_ring(
            required("LEGALAID_ENCRYPTION_KEYS"), "LEGALAID_ENCRYPTION_KEYS"
        ),
        blind_index_key=decode_key(
            required("LEGALAID_BLIND_INDEX_KEY"), "LEGALAID_BLIND_INDEX_KEY"
        ),
        audit_key=decode_key(required("LEGALAID_AUDIT_KEY"), "LEGALAID_AUDIT_KEY"),
        instance_path=instance_path,
        policy_dir=policy_dir,
        behind_https=_flag(source.get("LEGALAID_HTTPS"), default=env == "production"),
        demo_mode=_flag(source.get("LEGALAID_DEMO"), default=False),
        trusted_proxies=_proxy_hops(source.get("LEGALAID_TRUSTED_PROXIES", "")),
        mail=_mail_settings(source),
        documents_path=_documents_path(source),
        documents_s3=_s3_settings(source),
        clamd_address=_clamd_address(source),
        jobs_url=source.get("LEGALAID_JOBS_URL", "").strip(),
    )


def _s3_settings(source: dict[str, str]) -> S3Settings | None:
    bucket = source.get("LEGALAID_DOCUMENTS_S3_BUCKET", "").strip()
    if not bucket:
        return None
    prefix = source.get("LEGALAID_DOCUMENTS_S3_PREFIX", "documents/").strip()
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    endpoint = source.get("LEGALAID_DOCUMENTS_S3_ENDPOINT", "").strip()
    if endpoint and not endpoint.startswith(("https://", "http://")):
        raise StartupError("LEGALAID_DOCUMENTS_S3_ENDPOINT must be an http(s):// URL")
    region = source.get("LEGALAID_DOCUMENTS_S3_REGION", "").strip()
    return S3Settings(bucket, prefix, endpoint or None, region or None)


def _clamd_address(source: dict[str, str]) -> str:
    value = source.get("LEGALAID_CLAMD_ADDRESS", "").strip()
    if value and not value.startswith(("tcp://", "unix://")):
        raise StartupError("LEGALAID_CLAMD_ADDRESS must be tcp://host:port or unix:///path")
    return value


def _documents_path(source: dict[str, str]) -> Path | None:
    """LEGALAID_DOCUMENTS_PATH: a folder outside any web root for document ciphertext."""
    value = source.get("LEGALAID_DOCUMENTS_PATH", "").strip()
    return Path(value).resolve() if value else None


def _mail_settings(source: dict[str, str]) -> MailSettings:
    """LEGALAID_SMTP_*: where set-up codes are mailed from (all optional)."""
    port = source.get("LEGALAID_SMTP_PORT", "587").strip()
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise StartupError("LEGALAID_SMTP_PORT must be a port number")
    mail = MailSettings(
        host=source.get("LEGALAID_SMTP_HOST", "").strip(),
        port=int(port),
        username=source.get("LEGALAID_SMTP_USERNAME", ""),
        password=source.get("LEGALAID_SMTP_PASSWORD", ""),
        sender=source.get("LEGALAID_SMTP_FROM", "").strip(),
        starttls=_flag(source.get("LEGALAID_SMTP_STARTTLS"), default=True),
        base_url=source.get("LEGALAID_BASE_URL", "").strip().rstrip("/"),
    )
    if mail.host and not mail.sender:
        raise StartupError("LEGALAID_SMTP_FROM is not set; mail needs a sender address")
    return mail


def _proxy_hops(value: str) -> int:
    """LEGALAID_TRUSTED_PROXIES: how many reverse proxies stand before the app (0 to 5)."""
    text = value.strip() or "0"
    if not (text.isascii() and text.isdigit()) or int(text) > 5:
        raise StartupError("LEGALAID_TRUSTED_PROXIES must be a number of proxy hops, 0 to 5")
    return int(text)
