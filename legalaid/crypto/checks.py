"""Key check values: catch a wrong key at start-up instead of in the data.

A wrong audit key would append entries that later look like tampering; a wrong
blind-index key silently turns the conflict check off; a wrong encryption key under the
same key id starts fine and makes every sign-in a 500. So the database keeps, per key, an
HMAC-SHA256 of a constant under that key (a check value: it reveals nothing of the key),
recorded the first time the key is used, and start-up refuses a key whose check value
differs, with one line naming the variable.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, String, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from legalaid.database import Base, UTCDateTime, utcnow
from legalaid.errors import StartupError
from legalaid.settings import Settings

_CONSTANT = b"legalaid key check value v1\x00"


class KeyCheck(Base):
    __tablename__ = "key_check"

    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    check_value: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class ConfiguredKey:
    name: str  # stored name, e.g. "encryption:k1"
    variable: str  # the environment variable that holds it
    key: bytes


@dataclass(frozen=True)
class KeyState:
    key: ConfiguredKey
    state: str  # "matches", "differs", "not recorded"


def check_value(name: str, key: bytes) -> str:
    return hmac.new(key, _CONSTANT + name.encode("utf-8"), hashlib.sha256).hexdigest()


def configured_keys(settings: Settings) -> list[ConfiguredKey]:
    keys = [
        ConfiguredKey(f"encryption:{key_id}", "LEGALAID_ENCRYPTION_KEYS", key)
        for key_id, key in settings.encryption_keys.items()
    ]
    keys += [
        ConfiguredKey("blind_index", "LEGALAID_BLIND_INDEX_KEY", settings.blind_index_key),
        ConfiguredKey("audit", "LEGALAID_AUDIT_KEY", settings.audit_key),
        ConfiguredKey("secret_key", "LEGALAID_SECRET_KEY", settings.secret_key.encode("utf-8")),
    ]
    return keys


def has_key_checks(engine: Engine) -> bool:
    return inspect(engine).has_table(KeyCheck.__tablename__)


def key_states(session: Session, settings: Settings) -> list[KeyState]:
    stored = {row.name: row.check_value for row in session.scalars(select(KeyCheck))}
    states = []
    for key in configured_keys(settings):
        value = stored.get(key.name)
        if value is None:
            state = "not recorded"
        elif hmac.compare_digest(value, check_value(key.name, key.key)):
            state = "matches"
        else:
            state = "differs"
        states.append(KeyState(key, state))
    return states


def _refusal(key: ConfiguredKey) -> StartupError:
    which = f" (key id '{key.name.split(':', 1)[1]}')" if key.name.startswith("encryption:") else ""
    return StartupError(
        f"{key.variable}{which} does not match the key this database was set up with: "
        "restore the right key (see 'legalaid keys status')"
    )


def verify_keys(engine: Engine, settings: Settings, *, record: bool = True) -> None:
    """Refuse a key whose check value differs; record the check values of new keys.

    Each new key is recorded in its own short transaction; a concurrent start-up (another
    gunicorn worker) recording the same key at the same moment is fine, as long as it
    recorded the same value.
    """
    with Session(engine) as session:
        states = key_states(session, settings)
    for state in states:
        if state.state == "differs":
            raise _refusal(state.key)
    if not record:
        return
    for state in states:
        if state.state != "not recorded":
            continue
        value = check_value(state.key.name, state.key.key)
        try:
            with Session(engine) as session, session.begin():
                session.add(KeyCheck(name=state.key.name, check_value=value))
        except IntegrityError:
            with Session(engine) as session:
                stored = session.get(KeyCheck, state.key.name)
            if stored is None or not hmac.compare_digest(stored.check_value, value):
                raise _refusal(state.key) from None


def replace_check_value(session: Session, name: str, key: bytes) -> None:
    row = session.get(KeyCheck, name)
    if row is None:
        session.add(KeyCheck(name=name, check_value=check_value(name, key)))
    else:
        row.check_value = check_value(name, key)
        row.recorded_at = utcnow()
    session.flush()


def retired_key_ids(session: Session) -> set[str]:
    """Encryption key ids that have a check value (so once were in the ring)."""
    if not inspect(session.connection()).has_table(KeyCheck.__tablename__):
        return set()
    names = session.scalars(select(KeyCheck.name).where(KeyCheck.name.like("encryption:%")))
    return {name.split(":", 1)[1] for name in names}
