"""Field encryption, blind indexes, key rotation and the ``legalaid keys`` commands.

Rotation is checked the way an attacker or a restarted server would see it: the raw
stored strings must open with the new key alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import type_coerce

from legalaid import models
from legalaid.accounts.models import User
from legalaid.cli import main
from legalaid.crypto.blind_index import blind_index
from legalaid.crypto.fields import EncryptedText
from legalaid.crypto.keyring import DecryptionError, KeyRing
from legalaid.crypto.rotation import (
    RotationError,
    encrypted_columns,
    key_ids_in_use,
    rotate_all,
)
from legalaid.database import get_database, make_engine
from legalaid.factory import create_app
from legalaid.settings import load_settings, new_key, parse_key_ring
from tests.conftest import make_settings, unavailable

TOTP_PURPOSE = "user_account.totp_secret"
TOTP_COLUMN = "user_account.totp_secret"
KNOWN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _key() -> bytes:
    return secrets.token_bytes(32)


def _flip(body: str, index: int) -> str:
    replacement = "A" if body[index] != "A" else "B"
    return body[:index] + replacement + body[index + 1 :]


def _raw_totp_secrets(session: Session) -> dict[str, str]:
    """Email -> the stored string, read past the column type so nothing is decrypted."""
    rows = session.execute(
        select(User.email, type_coerce(User.totp_secret, Text)).where(User.totp_secret.is_not(None))
    ).all()
    return {email: stored for email, stored in rows}


def _add_admins(session: Session, totp_by_email: dict[str, str | None]) -> None:
    for email, totp in totp_by_email.items():
        session.add(User(email=email, full_name="Test Admin", role="admin", totp_secret=totp))
    session.flush()


# --- the key ring ------------------------------------------------------------------------


def test_same_value_encrypts_differently_and_both_decrypt() -> None:
    ring = KeyRing({"a": _key()})
    first = ring.encrypt(KNOWN_SECRET, TOTP_PURPOSE)
    second = ring.encrypt(KNOWN_SECRET, TOTP_PURPOSE)
    assert first != second
    assert first.startswith("v1:a:")
    assert KNOWN_SECRET not in first
    assert ring.decrypt(first, TOTP_PURPOSE) == KNOWN_SECRET
    assert ring.decrypt(second, TOTP_PURPOSE) == KNOWN_SECRET


@pytest.mark.parametrize("where", ["nonce", "middle", "tag"])
def test_a_tampered_ciphertext_is_refused(where: str) -> None:
    ring = KeyRing({"a": _key()})
    prefix, body = ring.encrypt(KNOWN_SECRET, TOTP_PURPOSE).rsplit(":", 1)
    # The last base64 character can carry padding bits the decoder ignores; stay clear.
    index = {"nonce": 0, "middle": len(body) // 2, "tag": len(body.rstrip("=")) - 2}[where]
    tampered = f"{prefix}:{_flip(body, index)}"
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, TOTP_PURPOSE)


def test_a_value_moved_to_another_purpose_is_refused() -> None:
    ring = KeyRing({"a": _key()})
    stored = ring.encrypt(KNOWN_SECRET, TOTP_PURPOSE)
    with pytest.raises(DecryptionError):
        ring.decrypt(stored, "client.full_name")


def test_a_value_under_an_unknown_key_is_refused() -> None:
    stored = KeyRing({"a": _key()}).encrypt(KNOWN_SECRET, TOTP_PURPOSE)
    with pytest.raises(DecryptionError, match="'a'"):
        KeyRing({"b": _key()}).decrypt(stored, TOTP_PURPOSE)
    # Relabelling the value with a key id the ring holds does not help either.
    relabelled = stored.replace("v1:a:", "v1:b:", 1)
    with pytest.raises(DecryptionError):
        KeyRing({"b": _key()}).decrypt(relabelled, TOTP_PURPOSE)


@pytest.mark.parametrize("stored", [KNOWN_SECRET, "", "v2:a:AAAA", "v1:a", "v1:a:!!not-base64"])
def test_a_value_not_in_the_v1_format_is_refused(stored: str) -> None:
    with pytest.raises(DecryptionError):
        KeyRing({"a": _key()}).decrypt(stored, TOTP_PURPOSE)


# --- blind indexes -----------------------------------------------------------------------


def test_the_blind_index_is_keyed_and_purpose_bound() -> None:
    key = _key()
    index = blind_index("Aysel Mammadova", "client.full_name", key=key)
    assert index == blind_index("Aysel Mammadova", "client.full_name", key=key)
    assert index != blind_index("Aysel Mammadova", "client.full_name", key=_key())
    assert index != blind_index("Aysel Mammadova", "client.phone", key=key)
    assert index != blind_index("Aysel Mammadov", "client.full_name", key=key)
    assert index != hashlib.sha256(b"Aysel Mammadova").hexdigest()
    assert len(index) == 64


def test_the_blind_index_uses_the_app_key_by_default(app: Flask) -> None:
    key = app.extensions["legalaid.settings"].blind_index_key
    with app.app_context():
        assert blind_index("x", "p") == blind_index("x", "p", key=key)
        assert blind_index("x", "p") != blind_index("x", "p", key=_key())


# --- the column type ---------------------------------------------------------------------


def test_the_orm_stores_ciphertext_and_reads_plaintext(app: Flask, session: Session) -> None:
    _add_admins(session, {"enc@example.org": KNOWN_SECRET})
    stored = _raw_totp_secrets(session)["enc@example.org"]
    assert KNOWN_SECRET not in stored
    assert app.extensions["legalaid.keyring"].decrypt(stored, TOTP_PURPOSE) == KNOWN_SECRET
    session.expire_all()
    user = session.execute(select(User).where(User.email == "enc@example.org")).scalar_one()
    assert user.totp_secret == KNOWN_SECRET


def test_every_encrypted_column_is_found() -> None:
    names = {f"{column.table.name}.{column.name}" for column in encrypted_columns(models.metadata)}
    assert TOTP_COLUMN in names


# --- rotation ----------------------------------------------------------------------------


@pytest.fixture
def old_key() -> bytes:
    return _key()


@pytest.fixture
def own_app(migrated_database_url: str, tmp_path: Path, old_key: bytes) -> Iterator[Flask]:
    """An app writing under key ``old`` on a database of its own.

    Rotation looks at the whole database, so rows that other tests commit to the shared
    one (under their own keys) must not count here.
    """
    settings = make_settings(migrated_database_url, tmp_path, encryption_keys={"old": old_key})
    application = create_app(settings)
    try:
        yield application
    finally:
        get_database(application).engine.dispose()


@pytest.fixture
def own_session(own_app: Flask) -> Iterator[Session]:
    """A session on ``own_app`` that is never committed (closing it rolls back)."""
    with own_app.app_context(), get_database(own_app).session_factory() as session:
        yield session


def test_rotation_moves_every_value_to_the_new_key(
    own_app: Flask, own_session: Session, old_key: bytes
) -> None:
    originals = {f"admin{i}@example.org": secrets.token_hex(10).upper() for i in range(7)}
    _add_admins(own_session, {**originals, "no-totp@example.org": None})
    assert key_ids_in_use(own_session, models.metadata)[TOTP_COLUMN] == {"old"}

    new_key = _key()
    report = rotate_all(
        own_session, KeyRing({"new": new_key, "old": old_key}), models.metadata, batch_size=3
    )

    (column,) = [c for c in report.columns if c.name == TOTP_COLUMN]
    assert (column.examined, column.reencrypted, column.changed_meanwhile) == (7, 7, 0)
    assert report.key_ids_in_use[TOTP_COLUMN] == {"new"}
    assert report.complete
    only_new = KeyRing({"new": new_key})
    stored = _raw_totp_secrets(own_session)
    assert set(stored) == set(originals)
    for email, value in stored.items():
        assert only_new.decrypt(value, TOTP_PURPOSE) == originals[email]
    assert key_ids_in_use(own_session, models.metadata)[TOTP_COLUMN] == {"new"}

    # A server restarted with only the new key reads every secret through the ORM.
    own_app.extensions["legalaid.keyring"] = only_new
    own_session.expire_all()
    users = own_session.execute(select(User).where(User.email.in_(originals))).scalars()
    assert {user.email: user.totp_secret for user in users} == originals


def test_rotating_again_changes_nothing(own_session: Session, old_key: bytes) -> None:
    _add_admins(own_session, {"again@example.org": KNOWN_SECRET})
    ring = KeyRing({"new": _key(), "old": old_key})
    rotate_all(own_session, ring, models.metadata)
    after_first = _raw_totp_secrets(own_session)
    second = rotate_all(own_session, ring, models.metadata)
    (column,) = [c for c in second.columns if c.name == TOTP_COLUMN]
    assert (column.examined, column.reencrypted) == (1, 0)
    assert _raw_totp_secrets(own_session) == after_first


def test_rotation_refuses_a_value_it_cannot_read(own_session: Session, old_key: bytes) -> None:
    _add_admins(own_session, {"lost@example.org": KNOWN_SECRET})
    # The ring lacks the key the value is under: the error names the row, not the value.
    with pytest.raises(RotationError, match=r"user_account\.totp_secret row \d+") as caught:
        rotate_all(own_session, KeyRing({"new": _key()}), models.metadata)
    assert KNOWN_SECRET not in str(caught.value)
    assert key_ids_in_use(own_session, models.metadata)[TOTP_COLUMN] == {"old"}


def _user_table() -> Table:
    table = User.__table__
    assert isinstance(table, Table)  # a mapped class's table, typed as a FromClause
    return table


def test_rotation_refuses_a_plaintext_value(own_session: Session, old_key: bytes) -> None:
    _add_admins(own_session, {"plain@example.org": None})
    table = _user_table()
    own_session.execute(
        update(table)
        .where(table.c.email == "plain@example.org")
        .values({table.c.totp_secret: type_coerce(KNOWN_SECRET, Text)})
    )
    with pytest.raises(RotationError, match="not an encrypted value") as caught:
        rotate_all(own_session, KeyRing({"new": _key(), "old": old_key}), models.metadata)
    assert KNOWN_SECRET not in str(caught.value)


def test_rotation_leaves_a_value_changed_meanwhile_alone(
    own_session: Session, old_key: bytes
) -> None:
    _add_admins(own_session, {"busy@example.org": KNOWN_SECRET})
    old_ring = KeyRing({"old": old_key})
    table = _user_table()
    replaced = old_ring.encrypt("NEWSECRETNEWSECRET", TOTP_PURPOSE)

    class _RingWithAConcurrentWriter(KeyRing):
        """Between rotation's read and its write, the user re-enrolls (under the old key)."""

        def decrypt(self, stored: str, purpose: str) -> str:
            plaintext = super().decrypt(stored, purpose)
            own_session.execute(
                update(table)
                .where(type_coerce(table.c.totp_secret, Text) == stored)
                .values({table.c.totp_secret: type_coerce(replaced, Text)})
            )
            return plaintext

    report = rotate_all(
        own_session, _RingWithAConcurrentWriter({"new": _key(), "old": old_key}), models.metadata
    )
    (column,) = [c for c in report.columns if c.name == TOTP_COLUMN]
    assert (column.reencrypted, column.changed_meanwhile) == (0, 1)
    assert not report.complete
    assert _raw_totp_secrets(own_session)["busy@example.org"] == replaced


def test_rotation_covers_any_table_even_with_a_composite_key(session: Session) -> None:
    metadata = MetaData()
    probe = Table(
        "rotation_probe",
        metadata,
        Column("region", String(8), primary_key=True),
        Column("number", Integer, primary_key=True),
        Column("note", EncryptedText("rotation_probe.note")),
    )
    metadata.create_all(session.connection())
    old_key, new_key = _key(), _key()
    old = KeyRing({"old": old_key})
    notes = {(region, n): f"note {region} {n}" for region in ("a", "b") for n in range(4)}
    # A null is neither examined nor touched.
    session.execute(insert(probe).values(region="c", number=0, note=None))
    raw_note = type_coerce(probe.c.note, Text)
    for (region, number), note in notes.items():
        session.execute(
            insert(probe).values(
                region=region,
                number=number,
                note=type_coerce(old.encrypt(note, "rotation_probe.note"), Text),
            )
        )

    report = rotate_all(session, KeyRing({"new": new_key, "old": old_key}), metadata, 3)

    assert [(c.name, c.examined, c.reencrypted) for c in report.columns] == [
        ("rotation_probe.note", 8, 8)
    ]
    only_new = KeyRing({"new": new_key})
    rows = session.execute(select(probe.c.region, probe.c.number, raw_note)).all()
    opened = {
        (r, n): only_new.decrypt(value, "rotation_probe.note")
        for r, n, value in rows
        if value is not None
    }
    assert opened == notes


# --- the command line --------------------------------------------------------------------


def _environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    return {
        "LEGALAID_ENV": "development",
        "LEGALAID_DATABASE_URL": database_url,
        "LEGALAID_INSTANCE_PATH": str(instance),
        **extra,
    }


def _invoke(args: list[str], environment: dict[str, str]) -> Result:
    return CliRunner().invoke(main, args, env=environment, catch_exceptions=False)


def _seed_admins(settings_env: dict[str, str], totp_by_email: dict[str, str]) -> None:
    """Commit users the way the running app would, under the instance's current keys."""
    application = create_app(load_settings(settings_env))
    try:
        with application.app_context(), get_database(application).transaction() as session:
            _add_admins(session, dict(totp_by_email))
    finally:
        get_database(application).engine.dispose()


def _orm_totp_secrets(settings_env: dict[str, str]) -> dict[str, str | None]:
    """The secrets as a freshly started app, with the instance's keys, reads them."""
    application = create_app(load_settings(settings_env))
    try:
        with application.app_context(), get_database(application).transaction() as session:
            users = session.execute(select(User)).scalars()
            return {user.email: user.totp_secret for user in users}
    finally:
        get_database(application).engine.dispose()


def _stored_totp_secrets(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return _raw_totp_secrets(session)
    finally:
        engine.dispose()


def _secrets_file(instance: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((instance / "secrets.json").read_text(encoding="utf-8"))
    return data


def test_keys_generate_prints_a_key_for_the_ring(tmp_path: Path) -> None:
    environment = _environment("sqlite:///unused", tmp_path)
    first = _invoke(["keys", "generate"], environment)
    second = _invoke(["keys", "generate", "--id", "k7"], environment)
    assert first.exit_code == 0, first.output
    ring = parse_key_ring(first.output.strip(), "output")
    assert len(ring) == 1
    assert all(len(key) == 32 for key in ring.values())
    assert list(parse_key_ring(second.output.strip(), "output")) == ["k7"]
    assert ring != parse_key_ring(second.output.strip(), "output")
    refused = _invoke(["keys", "generate", "--id", "not-alnum"], environment)
    assert refused.exit_code == 2


def test_keys_rotate_in_development_leaves_only_the_new_key(
    migrated_database_url: str, tmp_path: Path
) -> None:
    environment = _environment(migrated_database_url, tmp_path)
    originals = {f"user{i}@example.org": secrets.token_hex(10).upper() for i in range(3)}
    _seed_admins(environment, originals)
    before = _secrets_file(tmp_path)
    assert list(parse_key_ring(before["LEGALAID_ENCRYPTION_KEYS"], "file")) == ["k1"]

    result = _invoke(["keys", "rotate"], environment)

    assert result.exit_code == 0, result.output
    assert f"{TOTP_COLUMN}: 3 values, 3 re-encrypted" in result.output
    after = _secrets_file(tmp_path)
    ring = parse_key_ring(after["LEGALAID_ENCRYPTION_KEYS"], "file")
    assert list(ring) == ["k2"]
    assert {k: v for k, v in after.items() if k != "LEGALAID_ENCRYPTION_KEYS"} == {
        k: v for k, v in before.items() if k != "LEGALAID_ENCRYPTION_KEYS"
    }
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0
    only_new = KeyRing(ring)
    stored = _stored_totp_secrets(migrated_database_url)
    assert {email: only_new.decrypt(v, TOTP_PURPOSE) for email, v in stored.items()} == originals
    assert _orm_totp_secrets(environment) == originals

    status = _invoke(["keys", "status"], environment)
    assert status.exit_code == 0, status.output
    assert f"{TOTP_COLUMN}: k2" in status.output

    again = _invoke(["keys", "rotate"], environment)
    assert again.exit_code == 0, again.output
    assert list(parse_key_ring(_secrets_file(tmp_path)["LEGALAID_ENCRYPTION_KEYS"], "f")) == ["k3"]


def test_keys_rotate_in_development_refuses_a_ring_from_the_environment(
    migrated_database_url: str, tmp_path: Path
) -> None:
    environment = _environment(migrated_database_url, tmp_path)
    _seed_admins(environment, {"env@example.org": KNOWN_SECRET})
    before_file = _secrets_file(tmp_path)
    before_db = _stored_totp_secrets(migrated_database_url)
    # An operator trying the production procedure while still in development.
    ring = f"k9:{new_key()},{before_file['LEGALAID_ENCRYPTION_KEYS']}"
    from_env = {**environment, "LEGALAID_ENCRYPTION_KEYS": ring}

    result = _invoke(["keys", "rotate"], from_env)

    assert result.exit_code == 1
    assert "does not come from the instance secrets file" in result.output
    assert _secrets_file(tmp_path) == before_file
    assert _stored_totp_secrets(migrated_database_url) == before_db


#: One production instance's other keys: they stay the same across its commands (a start
#: with another one is refused by the key check values).
_PRODUCTION_KEYS: dict[str, str] = {}


def _production_environment(database_url: str, instance: Path, ring: str) -> dict[str, str]:
    if not _PRODUCTION_KEYS:
        _PRODUCTION_KEYS.update(
            LEGALAID_SECRET_KEY=secrets.token_urlsafe(48),
            LEGALAID_BLIND_INDEX_KEY=_b64(_key()),
            LEGALAID_AUDIT_KEY=_b64(_key()),
        )
    return _environment(
        database_url,
        instance,
        LEGALAID_ENV="production",
        LEGALAID_BASE_URL="https://legalaid.example.org",
        LEGALAID_ENCRYPTION_KEYS=ring,
        **_PRODUCTION_KEYS,
    )


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def test_keys_rotate_in_production_says_which_keys_can_go(
    migrated_database_url: str, tmp_path: Path
) -> None:
    old_key, new_key = _key(), _key()
    old_ring, new_ring = f"old:{_b64(old_key)}", f"new:{_b64(new_key)}"
    _seed_admins(
        _production_environment(migrated_database_url, tmp_path, old_ring),
        {"prod@example.org": KNOWN_SECRET},
    )
    before = _stored_totp_secrets(migrated_database_url)

    # The operator forgot to keep the old key: nothing may change.
    too_early = _invoke(
        ["keys", "rotate"], _production_environment(migrated_database_url, tmp_path, new_ring)
    )
    assert too_early.exit_code == 1
    assert "no value was re-encrypted" in too_early.output
    assert _stored_totp_secrets(migrated_database_url) == before

    both = _production_environment(migrated_database_url, tmp_path, f"{new_ring},{old_ring}")
    result = _invoke(["keys", "rotate"], both)
    assert result.exit_code == 0, result.output
    assert (
        "all values are now under key new; you can remove keys old from "
        "LEGALAID_ENCRYPTION_KEYS" in result.output
    )
    stored = _stored_totp_secrets(migrated_database_url)
    assert KeyRing({"new": new_key}).decrypt(stored["prod@example.org"], TOTP_PURPOSE) == (
        KNOWN_SECRET
    )
    assert not (tmp_path / "secrets.json").exists()

    done = _invoke(
        ["keys", "rotate"], _production_environment(migrated_database_url, tmp_path, new_ring)
    )
    assert done.exit_code == 0, done.output
    assert f"{TOTP_COLUMN}: 1 values, 0 re-encrypted" in done.output
    assert "LEGALAID_ENCRYPTION_KEYS has no other key" in done.output


# --- nothing readable at rest ------------------------------------------------------------


@pytest.fixture
def committed_database_url(migrated_database_url: str, tmp_path: Path) -> Iterator[str]:
    """A user whose TOTP secret was committed through the ORM; yields the database URL."""
    application = create_app(make_settings(migrated_database_url, tmp_path))
    try:
        with application.app_context(), get_database(application).transaction() as session:
            _add_admins(session, {"at-rest@example.org": KNOWN_SECRET})
        yield migrated_database_url
    finally:
        get_database(application).engine.dispose()


def _database_file_bytes(database_url: str) -> bytes:
    path = Path(make_url(database_url).database or "")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.sqlite_only
def test_the_totp_secret_is_not_in_the_sqlite_file(committed_database_url: str) -> None:
    raw = _database_file_bytes(committed_database_url)
    # The email is stored in clear: finding it shows the bytes hold the committed row.
    assert b"at-rest@example.org" in raw
    assert KNOWN_SECRET.encode() not in raw
    assert KNOWN_SECRET.lower().encode() not in raw


@pytest.mark.postgres_only
def test_the_totp_secret_is_not_in_a_postgresql_dump(committed_database_url: str) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        unavailable("pg_dump is not on PATH")
    libpq_url = make_url(committed_database_url).set(drivername="postgresql")
    completed = subprocess.run(
        [str(pg_dump), "--data-only", "--dbname", libpq_url.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "at-rest@example.org" in completed.stdout
    assert KNOWN_SECRET not in completed.stdout
    assert KNOWN_SECRET.lower() not in completed.stdout


def test_keys_commands_refuse_a_database_without_the_schema(
    fresh_database_url: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["keys", "status"], env=_environment(fresh_database_url, tmp_path)
    )
    assert result.exit_code == 2
    assert "legalaid db upgrade" in result.output


def test_keys_status_flags_values_under_a_key_the_ring_lacks(
    migrated_database_url: str, tmp_path: Path
) -> None:
    environment = _environment(migrated_database_url, tmp_path)
    _seed_admins(environment, {"status@example.org": KNOWN_SECRET})
    other_ring = {**environment, "LEGALAID_ENCRYPTION_KEYS": f"k5:{new_key()}"}
    result = _invoke(["keys", "status"], other_ring)
    assert result.exit_code == 1
    assert f"{TOTP_COLUMN}: k1" in result.output
    assert "keys the ring lacks: k1" in result.output
