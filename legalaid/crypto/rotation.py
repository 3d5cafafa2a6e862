"""Re-encrypting every encrypted column under the key ring's active key.

The columns are found by walking the metadata for :class:`EncryptedText`, so a table
added later is rotated without anyone remembering to list it here. Values are read and
written as raw text (``type_coerce(..., Text)``) so the column type neither decrypts
them on the way out nor encrypts them a second time on the way in, and so the ring
passed in, not the application's, decides which key is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, MetaData, Table, Text, select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import type_coerce

from legalaid.crypto.fields import EncryptedText
from legalaid.crypto.keyring import VERSION, DecryptionError, KeyRing

BATCH_SIZE = 500


class RotationError(Exception):
    """A stored value cannot be rotated; the message names the row, never the value."""


@dataclass(frozen=True)
class ColumnReport:
    name: str
    examined: int
    reencrypted: int
    # Rows whose value changed between our read and our write (a concurrent writer);
    # they are left as the other writer stored them and show up in ``key_ids_in_use``.
    changed_meanwhile: int


@dataclass(frozen=True)
class RotationReport:
    active_key_id: str
    columns: tuple[ColumnReport, ...]
    key_ids_in_use: dict[str, set[str]]

    @property
    def remaining_key_ids(self) -> set[str]:
        """Every key id some stored value still needs (only the active one when done)."""
        return union_of(self.key_ids_in_use)

    @property
    def complete(self) -> bool:
        return self.remaining_key_ids <= {self.active_key_id}


@dataclass(frozen=True)
class _Row:
    pk: tuple[Any, ...]
    stored: str


def encrypted_columns(metadata: MetaData) -> list[Column[Any]]:
    """Every ``EncryptedText`` column, in a stable order (table dependency, then column).

    The caller passes the complete metadata (``legalaid.models.metadata``, every feature's
    models): a table missing from it would keep its values under the old key.
    """
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def column_name(column: Column[Any]) -> str:
    return f"{_table(column).name}.{column.name}"


def stored_key_id(stored: str) -> str:
    """The key id a stored value names; no key is needed to read it."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise DecryptionError("not an encrypted value of this application")
    return parts[1]


def key_ids_in_use(session: Session, metadata: MetaData) -> dict[str, set[str]]:
    """Per encrypted column (``table.column``), the key ids its non-null values name."""
    in_use: dict[str, set[str]] = {}
    for column in encrypted_columns(metadata):
        ids: set[str] = set()
        for row in _stored_values(session, column):
            ids.add(_key_id_of_row(column, row))
        in_use[column_name(column)] = ids
    return in_use


def union_of(in_use: Mapping[str, set[str]]) -> set[str]:
    """All key ids named in a :func:`key_ids_in_use` answer, whatever the column."""
    result: set[str] = set()
    for ids in in_use.values():
        result |= ids
    return result


def rotate_all(
    session: Session,
    keyring: KeyRing,
    metadata: MetaData,
    batch_size: int = BATCH_SIZE,
) -> RotationReport:
    """Re-encrypt under ``keyring.active_id`` every value that is under another key.

    Only flushes through ``session``: the caller's single commit makes the rotation
    all-or-nothing, so a failure halfway leaves every value under its old key.
    """
    reports = tuple(
        _rotate_column(session, keyring, column, batch_size)
        for column in encrypted_columns(metadata)
    )
    return RotationReport(
        active_key_id=keyring.active_id,
        columns=reports,
        key_ids_in_use=key_ids_in_use(session, metadata),
    )


def _rotate_column(
    session: Session, keyring: KeyRing, column: Column[Any], batch_size: int
) -> ColumnReport:
    purpose = _purpose(column)
    examined = reencrypted = changed = 0
    for row in _stored_values(session, column, batch_size):
        examined += 1
        if _key_id_of_row(column, row) == keyring.active_id:
            continue
        try:
            fresh = keyring.encrypt(keyring.decrypt(row.stored, purpose), purpose)
        except DecryptionError as exc:
            raise RotationError(f"{column_name(column)} row {_show(row.pk)}: {exc}") from exc
        if _write(session, column, row, fresh):
            reencrypted += 1
        else:
            changed += 1
    return ColumnReport(column_name(column), examined, reencrypted, changed)


def _stored_values(
    session: Session, column: Column[Any], batch_size: int = BATCH_SIZE
) -> Iterator[_Row]:
    """Non-null raw values, paged by primary key (keyset, so updates cannot shift pages)."""
    keys = _primary_key(column)
    raw = type_coerce(column, Text)
    last: tuple[Any, ...] | None = None
    while True:
        query = select(*keys, raw).where(column.is_not(None)).order_by(*keys).limit(batch_size)
        if last is not None:
            query = query.where(_after(keys, last))
        rows = session.execute(query).all()
        for row in rows:
            yield _Row(pk=tuple(row[: len(keys)]), stored=row[-1])
        if len(rows) < batch_size:
            return
        last = tuple(rows[-1][: len(keys)])


def _write(session: Session, column: Column[Any], row: _Row, fresh: str) -> bool:
    """Store ``fresh`` if the row still holds what we read; False if someone changed it.

    Comparing with the value read turns a concurrent change (say, a user enrolling a new
    TOTP secret mid-rotation) into a skipped row instead of silently overwriting it.
    The version counter is left alone on purpose: the plaintext has not changed, so
    editors holding the row open should not get a conflict.
    """
    keys = _primary_key(column)
    statement = (
        update(_table(column))
        .where(*(key == value for key, value in zip(keys, row.pk, strict=True)))
        .where(type_coerce(column, Text) == row.stored)
        .values({column: type_coerce(fresh, Text)})
    )
    result = session.connection().execute(statement)
    return result.rowcount == 1


def _after(keys: Sequence[Column[Any]], last: tuple[Any, ...]) -> ColumnElement[bool]:
    # Row-value comparison for composite keys; both SQLite and PostgreSQL support it.
    condition: ColumnElement[bool] = (
        keys[0] > last[0] if len(keys) == 1 else tuple_(*keys) > tuple_(*last)
    )
    return condition


def _key_id_of_row(column: Column[Any], row: _Row) -> str:
    try:
        return stored_key_id(row.stored)
    except DecryptionError as exc:
        raise RotationError(f"{column_name(column)} row {_show(row.pk)}: {exc}") from exc


def _primary_key(column: Column[Any]) -> list[Column[Any]]:
    keys = list(_table(column).primary_key.columns)
    if not keys:
        raise RotationError(f"{column_name(column)}: table has no primary key to update by")
    return keys


def _table(column: Column[Any]) -> Table:
    table = column.table
    if not isinstance(table, Table):
        raise TypeError(f"column {column.name} is not part of a table")
    return table


def _purpose(column: Column[Any]) -> str:
    column_type = column.type
    if not isinstance(column_type, EncryptedText):
        raise TypeError(f"{column_name(column)} is not an encrypted column")
    return column_type.purpose


def _show(pk: tuple[Any, ...]) -> str:
    return ", ".join(str(value) for value in pk)
