"""``legalaid keys``: generate, rotate and inspect the field-encryption keys."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid import models
from legalaid.crypto.checks import (
    has_key_checks,
    key_states,
    replace_check_value,
    retired_key_ids,
)
from legalaid.crypto.keyring import KeyRing
from legalaid.crypto.rotation import (
    RotationError,
    RotationReport,
    key_ids_in_use,
    rotate_all,
    union_of,
)
from legalaid.database import Database, get_database
from legalaid.documents.keys import check_document_keys
from legalaid.schema.migrations import ensure_current
from legalaid.settings import (
    Settings,
    decode_key,
    format_key_ring,
    load_development_secrets,
    new_key,
    parse_key_ring,
    write_development_secrets,
)

RING_VARIABLE = "LEGALAID_ENCRYPTION_KEYS"
_NUMBERED_ID = re.compile(r"k(\d+)")
_UNCHANGED = "no value was re-encrypted"

T = TypeVar("T")


@click.group("keys", help="Encryption keys.")
def keys() -> None:
    pass


@keys.command("generate", help=f"Print a new key as 'id:base64' for {RING_VARIABLE}.")
@click.option("--id", "key_id", default=None, help="Key id (letters and digits, at most 16).")
def generate(key_id: str | None) -> None:
    chosen = key_id or _timestamp_id()
    if not chosen.isalnum() or len(chosen) > 16:
        raise click.BadParameter("use letters and digits only, at most 16", param_hint="--id")
    click.echo(f"{chosen}:{new_key()}")


@keys.command(
    "rotate",
    help=(
        "Re-encrypt every encrypted value under the first key of the ring. In production, "
        f"first put the new key at the front of {RING_VARIABLE} (old keys after it) and "
        "restart every server with it. In development a new key is made and the instance "
        "secrets end up holding only that key: stop the development server first, since "
        "it keeps encrypting with the key it started with."
    ),
)
@with_appcontext
def rotate() -> None:
    settings: Settings = current_app.extensions["legalaid.settings"]
    if settings.is_production:
        _rotate_in_production(settings)
    else:
        _rotate_in_development(settings)
    _check_documents()


def _check_documents() -> None:
    """Document keys were re-wrapped with the other values; the files were not touched."""
    store = current_app.extensions["legalaid.documents.store"]
    with _current_database().session_factory() as session:
        report = check_document_keys(session, store)
    click.echo(f"documents: {report.opened} files open with their re-wrapped keys, none rewritten")
    if report.failed:
        raise click.ClickException(
            f"documents that do not open: {', '.join(str(i) for i in report.failed)}"
        )


@keys.command("status", help="Show which key ids the stored values of each column need.")
@with_appcontext
def status() -> None:
    ring: KeyRing = current_app.extensions["legalaid.keyring"]
    with _current_database().transaction() as session:
        in_use = _checked(lambda: key_ids_in_use(session, models.metadata))
    click.echo(f"active key: {ring.active_id}; key ring: {', '.join(ring.key_ids)}")
    for name, ids in in_use.items():
        click.echo(f"{name}: {', '.join(sorted(ids)) or 'no values'}")
    settings: Settings = current_app.extensions["legalaid.settings"]
    database = _current_database()
    states = []
    if has_key_checks(database.engine):
        with database.session_factory() as session:
            states = key_states(session, settings)
        click.echo("key check values:")
        for state in states:
            click.echo(f"  {state.key.variable} [{state.key.name}]: {state.state}")
    missing = sorted(union_of(in_use) - set(ring.key_ids))
    if missing:
        raise click.ClickException(
            f"values are encrypted under keys the ring lacks: {', '.join(missing)}"
        )
    wrong = [state.key.variable for state in states if state.state == "differs"]
    if wrong:
        raise click.ClickException(f"keys that do not match this database: {', '.join(wrong)}")


@keys.command(
    "accept-secret-key",
    help=(
        "Record the check value of a new LEGALAID_SECRET_KEY (after changing it on purpose: "
        "it signs cookies only, so every session ends). The other keys cannot be replaced "
        "this way: data depends on them."
    ),
)
@with_appcontext
def accept_secret_key() -> None:
    settings: Settings = current_app.extensions["legalaid.settings"]
    with _current_database().transaction() as session:
        replace_check_value(session, "secret_key", settings.secret_key.encode("utf-8"))
    click.echo("LEGALAID_SECRET_KEY check value recorded")


# --- production: the operator manages the ring ------------------------------------------


def _rotate_in_production(settings: Settings) -> None:
    ring = KeyRing(settings.encryption_keys)
    with _current_database().transaction() as session:
        report = _checked(lambda: rotate_all(session, ring, models.metadata), _UNCHANGED)
    _echo_counts(report)
    _require_complete(report)
    old = [key_id for key_id in ring.key_ids if key_id != ring.active_id]
    if old:
        click.echo(
            f"all values are now under key {ring.active_id}; you can remove keys "
            f"{', '.join(old)} from {RING_VARIABLE}"
        )
    else:
        click.echo(
            f"all values are now under key {ring.active_id}; {RING_VARIABLE} has no other key"
        )


# --- development: the instance secrets file is the ring ---------------------------------


def _rotate_in_development(settings: Settings) -> None:
    secrets_data = _development_secrets_matching(settings)
    old_ring = settings.encryption_keys
    with _current_database().transaction() as session:
        in_use = _checked(lambda: key_ids_in_use(session, models.metadata), _UNCHANGED)
        # A retired key id keeps its check value: a new key must not reuse the id.
        taken = set(old_ring) | union_of(in_use) | retired_key_ids(session)
        new_id = _next_key_id(taken)
        new_ring = {new_id: decode_key(new_key(), RING_VARIABLE), **old_ring}
        # Saved before the re-encryption commits, so that whatever fails from here on,
        # the file still holds a key for every value in the database.
        _save_ring(settings, secrets_data, new_ring)
        report = _checked(
            lambda: rotate_all(session, KeyRing(new_ring), models.metadata), _UNCHANGED
        )
    _echo_counts(report)
    _require_complete(report)
    only_new = {new_id: new_ring[new_id]}
    _save_ring(settings, secrets_data, only_new)
    _use_ring(settings, only_new)
    click.echo(
        f"new key {new_id} is now the only key in {settings.instance_path / 'secrets.json'}"
        f" (removed {', '.join(old_ring)}); restart any running server"
    )


def _development_secrets_matching(settings: Settings) -> dict[str, str]:
    """The instance secrets, if they are where this instance's key ring comes from.

    Rewriting the file while the ring actually comes from the environment would leave
    the values under a key that the next start does not load.
    """
    data = load_development_secrets(settings.instance_path)
    stored = data.get(RING_VARIABLE, "")
    if not stored or list(parse_key_ring(stored, RING_VARIABLE).items()) != list(
        settings.encryption_keys.items()
    ):
        raise click.ClickException(
            f"{RING_VARIABLE} does not come from the instance secrets file (is it set in the "
            "environment?); rotate as in production: put a new key first and run again "
            "with LEGALAID_ENV=production, or unset it"
        )
    return data


def _save_ring(settings: Settings, data: Mapping[str, str], ring: Mapping[str, bytes]) -> None:
    write_development_secrets(
        settings.instance_path, {**data, RING_VARIABLE: format_key_ring(ring)}
    )


def _use_ring(settings: Settings, ring: Mapping[str, bytes]) -> None:
    current_app.extensions["legalaid.keyring"] = KeyRing(ring)
    current_app.extensions["legalaid.settings"] = dataclasses.replace(
        settings, encryption_keys=dict(ring)
    )


def _next_key_id(taken: Iterable[str]) -> str:
    numbers = [int(match.group(1)) for kid in taken if (match := _NUMBERED_ID.fullmatch(kid))]
    return f"k{max(numbers, default=0) + 1}"


def _timestamp_id() -> str:
    return "k" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")


# --- shared ----------------------------------------------------------------------------


def _current_database() -> Database:
    """The app's database, refused unless migrated: every encrypted column must exist."""
    database = get_database(current_app)
    ensure_current(database.engine)
    return database


def _checked(action: Callable[[], T], outcome: str = "") -> T:
    """Run ``action``, turning a value that cannot be read into a one-line error."""
    try:
        return action()
    except RotationError as exc:
        raise click.ClickException(f"{outcome}: {exc}" if outcome else str(exc)) from exc


def _echo_counts(report: RotationReport) -> None:
    for column in report.columns:
        line = f"{column.name}: {column.examined} values, {column.reencrypted} re-encrypted"
        if column.changed_meanwhile:
            line += f", {column.changed_meanwhile} changed by someone else meanwhile"
        click.echo(line)


def _require_complete(report: RotationReport) -> None:
    leftover = sorted(report.remaining_key_ids - {report.active_key_id})
    if leftover:
        raise click.ClickException(
            f"values under keys {', '.join(leftover)} are still in use (written while "
            "rotating?); keep those keys and run `legalaid keys rotate` again"
        )
