"""Large synthetic data sets, fast: the same case plans, written with Core bulk inserts.

``legalaid demo --cases 100000`` needs minutes, not hours, so the services (one flush and
one audit entry per step) are bypassed: each chunk of plans becomes lists of rows, sent
in one transaction with one ``executemany`` per table (``COPY`` on PostgreSQL) by a
writer thread while the next chunk is prepared. What stays exactly as in the app:

- every encrypted column is encrypted by its column type, value by value (the bind
  processor of ``EncryptedText`` runs for Core inserts too), with a fresh nonce each;
- name keys and birth-year keys are the app's own (:mod:`legalaid.conflicts.names`), so
  conflict checks run over an index of realistic size;
- case and client numbers are reserved from the clinic counters (``reserve_numbers``).

What differs: no audit entries and no conflict-check hits (the checks are recorded as
clear). Primary keys are given here, from the current maximum, so one process must be
the only writer while it runs; PostgreSQL's sequences are moved past them at the end.

Where the cases go is :func:`plan_network`'s choice (``--network``): by default the
network of clinics grows with the data, about one clinic of a manager and six lawyers per
5 000 cases, opened with the app's own ``create_clinic``, so that no lawyer carries more
than a lawyer can ("realistic"); or every case goes to the four demo clinics ("fixed").
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from itertools import count as counting
from itertools import islice, product
from string import ascii_uppercase
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.cases.models import (
    Case,
    CaseAssignment,
    CaseDiscriminationGround,
    CaseStatusChange,
    Respondent,
)
from legalaid.casework.models import Hearing, Note, NoteRevision, ServiceDelivery
from legalaid.clients.models import Client, ClientKeyPopulation
from legalaid.clinics.models import Clinic
from legalaid.clinics.numbers import case_number, client_number, current_last, reserve_numbers
from legalaid.clinics.services import create_clinic
from legalaid.conflicts.models import ConflictCheck, NameKey
from legalaid.conflicts.names import birth_year_key, name_keys
from legalaid.crypto.fields import EncryptedText
from legalaid.demo.builder import DEMO_CLINICS
from legalaid.demo.cases import DEMO_START, CasePlan, CasePlanner, ClinicRef, ProviderRef
from legalaid.demo.names import draw_person, randint
from legalaid.providers.models import ServiceProvider
from legalaid.referrals.models import Referral
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

# Parents before children: the foreign keys are checked row by row.
TABLES: tuple[Table, ...] = tuple(
    cast(Table, model.__table__)
    for model in (
        Client,
        ClientKeyPopulation,
        Case,
        CaseDiscriminationGround,
        Respondent,
        NameKey,
        CaseStatusChange,
        CaseAssignment,
        ConflictCheck,
        ServiceDelivery,
        Hearing,
        Referral,
        Note,
        NoteRevision,
    )
)
#: Cases per transaction: big enough for fast executemany, small enough for memory.
CHUNK = 5000

Rows = list[dict[str, Any]]


class BlindKeys:
    """The app's name and birth-year keys, remembered for one build.

    Keys are deterministic (a keyed hash), so a synthetic name that comes back may reuse
    them; encryption is never remembered: every value gets its own nonce. One instance
    per build, inside the app context: the keys depend on the app's blind-index key.
    """

    def __init__(self) -> None:
        self.words: dict[str, tuple[str, ...]] = {}
        self.years: dict[int | None, str | None] = {}

    def names(self, *names: str | None) -> list[str]:
        """``name_keys(*names)``, word by word: synthetic names reuse a few hundred words."""
        keys: list[str] = []
        for name in names:
            for word in (name or "").split():
                if word not in self.words:
                    self.words[word] = tuple(name_keys(word))
                keys += [key for key in self.words[word] if key not in keys]
        return keys

    def birth_year(self, year: int | None) -> str | None:
        if year not in self.years:
            self.years[year] = birth_year_key(year)
        return self.years[year]


@lru_cache(maxsize=4096)
def _at(day: date) -> datetime:
    """A timestamp for something done on ``day`` (midday in Baku)."""
    return datetime.combine(day, clock(8, 0), tzinfo=UTC)


@dataclass
class BulkReport:
    cases: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    finish_seconds: float = 0.0

    def lines(self) -> list[str]:
        rate = self.cases / self.seconds if self.seconds else 0.0
        out = [
            f"bulk casework: {self.cases} cases in {self.seconds:.1f} s ({rate:.0f} cases/s), "
            f"indexes analysed in {self.finish_seconds:.1f} s",
            "  (synthetic bulk data has no audit entries and no recorded conflict hits)",
        ]
        out += [f"  {name:<28} {count:>10}" for name, count in sorted(self.rows.items())]
        return out


class _Ids:
    """The next primary key of each table, read once at the start."""

    def __init__(self, connection: Connection) -> None:
        self.next: dict[str, int] = {}
        for table in TABLES:
            if "id" in table.c:
                last = connection.execute(select(func.max(table.c.id))).scalar()
                self.next[table.name] = int(last or 0) + 1

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class _Chunk:
    """The rows of one chunk of plans, table by table."""

    def __init__(self, ids: _Ids, keys: BlindKeys, client_base: int) -> None:
        self.ids, self.keys, self.client_base = ids, keys, client_base
        self.rows: dict[str, Rows] = {table.name: [] for table in TABLES}

    def add(self, plan: CasePlan, case_no: str, client_no: str | None) -> None:
        client_id = self.client_base + plan.client_serial
        if client_no is not None:
            self._client(plan, client_id, client_no)
        case_id = self.ids.take("legal_case")
        lawyer = plan.reassigned_to or plan.lawyer_id
        self._case(plan, case_id, client_id, case_no, lawyer)
        names_checked = 1
        for respondent in plan.respondents:
            respondent_id = self.ids.take("respondent")
            self.rows["respondent"].append(
                {
                    "id": respondent_id,
                    "case_id": case_id,
                    "name": respondent.name or None,
                    "relation": respondent.relation,
                    "created_by_id": plan.lawyer_id,
                    "created_at": _at(plan.intake_on),
                }
            )
            if respondent.name:
                names_checked += 1
                self._name_keys(plan, (respondent.name,), respondent_id=respondent_id)
        self.rows["conflict_check"].append(
            {
                "id": self.ids.take("conflict_check"),
                "case_id": case_id,
                "performed_by_id": plan.lawyer_id,
                "performed_at": _at(plan.intake_on),
                "names_checked": names_checked,
                "result": "clear",
                "decision": "decline" if plan.declined else "proceed",
                "decline_reason": plan.declined,
            }
        )
        self._history(plan, case_id)
        self._casework(plan, case_id)

    def _client(self, plan: CasePlan, client_id: int, number: str) -> None:
        details, by, on = plan.client, plan.lawyer_id, plan.intake_on
        born = details.date_of_birth
        self.rows["client"].append(
            {
                "id": client_id,
                "clinic_id": plan.clinic.id,
                "number": number,
                "full_name": details.full_name,
                "other_names": details.other_names or None,
                "date_of_birth": born.isoformat() if born else None,
                "birth_year_key": self.keys.birth_year(details.known_birth_year),
                "phone": details.phone or None,
                "address": details.address or None,
                "may_call": details.may_call,
                "may_leave_message": details.may_leave_message,
                "contact_channel": details.contact_channel,
                "contact_hours": details.contact_hours or None,
                "contact_notes": details.contact_notes or None,
                "gender_identity": details.gender_identity,
                "age_band": details.age_band,
                "economic_region": details.economic_region,
                "settlement": details.settlement,
                "disability": details.disability,
                # A consent is dated and signed even when refused, as the service does.
                "consent_services": details.consent_services,
                "consent_services_on": on,
                "consent_services_by_id": by,
                "consent_statistics": details.consent_statistics,
                "consent_statistics_on": on,
                "consent_statistics_by_id": by,
                "consent_sharing": details.consent_sharing,
                "consent_sharing_on": on,
                "consent_sharing_by_id": by,
                "created_by_id": by,
                "created_at": _at(on),
                "version": 1,
            }
        )
        self.rows["client_key_population"] += [
            {"client_id": client_id, "population": code} for code in details.key_populations
        ]
        self._name_keys(plan, (details.full_name, details.other_names), client_id=client_id)

    def _name_keys(
        self,
        plan: CasePlan,
        names: tuple[str, ...],
        *,
        client_id: int | None = None,
        respondent_id: int | None = None,
    ) -> None:
        keys = self.keys.names(*names)
        self.rows["name_key"] += [
            {
                "id": self.ids.take("name_key"),
                "key": key,
                "words": len(keys),
                "clinic_id": plan.clinic.id,
                "client_id": client_id,
                "respondent_id": respondent_id,
            }
            for key in keys
        ]

    def _case(self, plan: CasePlan, case_id: int, client_id: int, number: str, lawyer: int) -> None:
        details, status = plan.case, plan.status
        self.rows["legal_case"].append(
            {
                "id": case_id,
                "clinic_id": plan.clinic.id,
                "number": number,
                "year": plan.intake_on.year,
                "seq": int(number.rsplit("-", 1)[1]),
                "client_id": client_id,
                "category": details.category,
                "gbv_type": details.gbv_type,
                "intimate_partner_violence": details.intimate_partner_violence,
                "early_marriage": details.early_marriage,
                "discrimination_domain": details.discrimination_domain,
                "incident_date": details.incident_date,
                "incident_date_approximate": details.incident_date_approximate,
                "incident_region": details.incident_region,
                "risk_level": details.risk_level,
                "summary": details.summary or None,
                "referral_source": details.referral_source,
                "referral_source_provider_id": details.referral_source_provider_id,
                "status": status,
                "intake_on": plan.intake_on,
                "opened_on": plan.opened_on,
                "closed_on": plan.closed_on if status == "closed" else None,
                "outcome": plan.outcome if status == "closed" else None,
                "assigned_lawyer_id": lawyer,
                "created_by_id": plan.lawyer_id,
                "created_at": _at(plan.intake_on),
                "updated_at": _at(plan.closed_on or plan.opened_on or plan.intake_on),
                "version": 1,
            }
        )
        self.rows["case_discrimination_ground"] += [
            {"case_id": case_id, "ground": ground} for ground in details.grounds
        ]

    def _history(self, plan: CasePlan, case_id: int) -> None:
        by = plan.lawyer_id
        moves: list[tuple[str | None, str, str | None, str | None, date]] = []
        if plan.declined:
            moves.append((None, "closed", "conflict_declined", plan.declined, plan.intake_on))
        else:
            moves.append((None, "intake", None, None, plan.intake_on))
        if plan.opened_on is not None:
            moves.append(("intake", "open", None, None, plan.opened_on))
            if plan.closed_on is not None:
                moves.append(("open", "closed", plan.outcome, None, plan.closed_on))
            if plan.reopened_on is not None:
                moves.append(("closed", "open", None, plan.reopen_reason, plan.reopened_on))
        self.rows["case_status_change"] += [
            {
                "id": self.ids.take("case_status_change"),
                "case_id": case_id,
                "from_status": before,
                "to_status": after,
                "outcome": outcome,
                "reason": reason,
                "changed_by_id": by,
                "changed_at": _at(on),
                "effective_on": on,
            }
            for before, after, outcome, reason, on in moves
        ]
        assignments: list[tuple[int | None, int, str | None, date]] = [
            (None, plan.lawyer_id, None, plan.intake_on)
        ]
        if plan.reassigned_to is not None and plan.reassigned_on is not None:
            assignments.append(
                (plan.lawyer_id, plan.reassigned_to, plan.reassign_reason, plan.reassigned_on)
            )
        self.rows["case_assignment"] += [
            {
                "id": self.ids.take("case_assignment"),
                "case_id": case_id,
                "from_lawyer_id": before,
                "to_lawyer_id": after,
                "reason": reason,
                "assigned_by_id": by,
                "assigned_at": _at(on),
            }
            for before, after, reason, on in assignments
        ]

    def _casework(self, plan: CasePlan, case_id: int) -> None:
        by = plan.lawyer_id
        self.rows["service_delivery"] += [
            {
                "id": self.ids.take("service_delivery"),
                "case_id": case_id,
                "service_type": s.service_type,
                "delivered_on": s.delivered_on,
                "provided_by_id": by,
                "order_kind": s.order_kind,
                "order_result": s.order_result,
                "order_result_on": s.order_result_on,
                "created_at": _at(s.delivered_on),
                "version": 1,
            }
            for s in plan.services
        ]
        self.rows["hearing"] += [
            {
                "id": self.ids.take("hearing"),
                "case_id": case_id,
                "kind": h.kind,
                "due_on": h.due_on,
                "place": h.place or None,
                "done": h.done_on is not None,
                "done_on": h.done_on,
                "created_by_id": by,
                "created_at": _at(plan.opened_on or plan.intake_on),
                "version": 1,
            }
            for h in plan.hearings
        ]
        self.rows["referral"] += [
            {
                "id": self.ids.take("referral"),
                "case_id": case_id,
                "provider_id": r.provider_id,
                "service_type": r.service_type,
                "status": r.status,
                "sent_on": r.sent_on,
                "status_on": r.status_on,
                "created_by_id": by,
                "created_at": _at(r.sent_on),
                "version": 1,
            }
            for r in plan.referrals
        ]
        for note in plan.notes:
            note_id = self.ids.take("case_note")
            written = _at(note.written_on)
            self.rows["case_note"].append(
                {
                    "id": note_id,
                    "case_id": case_id,
                    "author_id": by,
                    "created_at": written,
                    "revised_at": written,
                    "version": 1,
                }
            )
            self.rows["case_note_revision"].append(
                {
                    "id": self.ids.take("case_note_revision"),
                    "note_id": note_id,
                    "revision": 1,
                    "body": note.body,
                    "edited_by_id": by,
                    "edited_at": written,
                }
            )


def _processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(
        dialect
    )
    if processor is None or isinstance(column_type, EncryptedText):
        return processor
    # Dates, timestamps and flags repeat endlessly; converting each once is enough.
    return lru_cache(maxsize=4096)(processor)


def _default(table: Table, key: str) -> Any:
    default: Any = table.c[key].default
    if default is None:
        return None
    # SQLAlchemy wraps a callable default to take an execution context it may ignore.
    return default.arg(None) if default.is_callable else default.arg


class _Insert:
    """One table's rows written in bulk; values go through each column's own type.

    Every value passes the column type's bind processor, as in
    ``connection.execute(insert(table), rows)`` (so ``EncryptedText`` encrypts each one),
    but without SQLAlchemy's per-row bookkeeping, a large share of the time at this volume.
    SQLite gets one compiled INSERT and ``executemany``. PostgreSQL gets ``COPY``: a
    pipelined ``executemany`` still costs the server one statement per row, several
    times slower on this machine (measured: ~100 us against ~15 us a row).
    """

    def __init__(self, dialect: Any, table: Table, keys: list[str]) -> None:
        self.table = table
        self.copy = dialect.name == "postgresql"
        # A column the rows leave out but that has a Python default (e.g. a timestamp
        # added to the model later) gets that default, taken once.
        defaulted = [c.key for c in table.c if c.key not in keys and c.default is not None]
        self.defaults = {key: _default(table, key) for key in defaulted}
        ordered = [*keys, *defaulted]
        compiled = insert(table).compile(dialect=dialect, column_keys=ordered)
        self.sql, self.positional = compiled.string, compiled.positional
        # Values in the statement's parameter order (COPY takes ours).
        self.keys = list(compiled.positiontup or ordered) if self.positional else ordered
        self.processors = [_processor(table.c[key].type, dialect) for key in self.keys]

    def convert(self, rows: Rows) -> list[tuple[Any, ...]]:
        """The values as the driver takes them: encrypted, dates formatted for the backend."""
        pairs = list(zip(self.keys, self.processors, strict=True))
        if self.defaults:
            rows = [{**self.defaults, **row} for row in rows]
        return [
            tuple(row[key] if proc is None else proc(row[key]) for key, proc in pairs)
            for row in rows
        ]

    def write(self, connection: Connection, values: list[tuple[Any, ...]]) -> None:
        if self.copy:
            self._copy(connection, values)
        elif self.positional:
            connection.exec_driver_sql(self.sql, values)
        else:
            connection.exec_driver_sql(
                self.sql, [dict(zip(self.keys, row, strict=True)) for row in values]
            )

    def _copy(self, connection: Connection, values: list[tuple[Any, ...]]) -> None:
        from psycopg import sql  # PostgreSQL only: psycopg is an optional dependency

        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(self.table.name), sql.SQL(", ").join(map(sql.Identifier, self.keys))
        )
        # Binary COPY: about 8x less Python time per row than text (measured).
        types = [_pg_type(self.table.c[key].type) for key in self.keys]
        # The driver's own cursor, on the connection (and in the transaction) of the chunk.
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in values:
                copy.write_row(row)


def _pg_type(column_type: Any) -> str:
    """The PostgreSQL wire type of what a column's bind processor hands the driver."""
    stored = getattr(column_type, "impl_instance", column_type)  # under a TypeDecorator
    if isinstance(stored, Boolean):
        return "bool"
    if isinstance(stored, Integer):
        return "int8" if isinstance(stored, BigInteger) else "int4"
    if isinstance(stored, DateTime):
        return "timestamptz" if stored.timezone else "timestamp"
    if isinstance(stored, Date):
        return "date"
    if isinstance(stored, String):  # also Text; varchar has text's binary format
        return "text"
    raise TypeError(f"no binary COPY type for {column_type!r}")


class _Numbers:
    """Case and client numbers, handed out in intake order from the clinic counters.

    The counters are read once; each chunk then takes its blocks with ``reserve_numbers``
    in its own transaction, which must give exactly the numbers already in its rows (it
    would not if someone else took numbers meanwhile: the bulk builder runs alone).
    """

    def __init__(self, session: Session, clinics: list[ClinicRef], years: range) -> None:
        series = ["client", *(f"case-{year}" for year in years)]
        self.last = {
            (clinic.id, name): current_last(session, clinic.id, name)
            for clinic in clinics
            for name in series
        }

    def take(self, chunk: list[CasePlan]) -> tuple[list[str], list[str | None], Blocks]:
        blocks: Blocks = {}

        def following(clinic_id: int, series: str) -> int:
            number = self.last[(clinic_id, series)] + 1
            self.last[(clinic_id, series)] = number
            first, count = blocks.get((clinic_id, series), (number, 0))
            blocks[(clinic_id, series)] = (first, count + 1)
            return number

        cases: list[str] = []
        clients: list[str | None] = []
        for plan in chunk:
            clinic, year = plan.clinic, plan.intake_on.year
            cases.append(case_number(clinic.code, year, following(clinic.id, f"case-{year}")))
            clients.append(
                client_number(clinic.code, following(clinic.id, "client"))
                if plan.new_client
                else None
            )
        return cases, clients, blocks


# (clinic id, series) -> (first number, how many) of one chunk.
Blocks = dict[tuple[int, str], tuple[int, int]]


@dataclass
class _Prepared:
    """One chunk, ready for the database: numbers to confirm and converted rows."""

    cases: int
    blocks: Blocks
    writes: list[tuple[_Insert, list[tuple[Any, ...]]]]


def _write(session_factory: Callable[[], Session], prepared: _Prepared) -> None:
    """One chunk in one transaction (runs in the writer thread: no app context needed)."""
    with session_factory() as session, session.begin():
        for (clinic_id, series), (first, count) in sorted(prepared.blocks.items()):
            if reserve_numbers(session, clinic_id, series, count) != first:
                raise RuntimeError("numbers were taken while the bulk builder ran: run it alone")
        connection = session.connection()
        for target, values in prepared.writes:
            target.write(connection, values)


def _chunks(plans: Iterator[CasePlan], size: int) -> Iterator[list[CasePlan]]:
    while chunk := list(islice(plans, size)):
        yield chunk


def _finish(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the given ids; refresh planner statistics."""
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            if "id" in table.c:
                following = func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0) + 1
                sequence = func.pg_get_serial_sequence(table.name, "id")
                connection.execute(select(func.setval(sequence, following, False)))
    connection.execute(text("ANALYZE"))


def build_bulk_cases(
    session_factory: Callable[[], Session],
    *,
    planner: CasePlanner,
    count: int,
    progress: Callable[[int, float], None] | None = None,
    chunk_size: int = CHUNK,
) -> BulkReport:
    """Insert ``count`` planned cases, one transaction per chunk; needs an app context.

    This thread plans, encrypts and converts chunk N+1 while a writer thread sends
    chunk N: on two cores the database's work and Python's overlap.
    """
    report = BulkReport()
    started = time.perf_counter()
    with session_factory() as session, session.begin():
        dialect = session.get_bind().dialect
        ids = _Ids(session.connection())
        years = range(DEMO_START.year, planner.today.year + 1)
        numbers = _Numbers(session, planner.clinics, years)
    # Client ids follow the planner's serials (a returning client keeps hers): base + serial.
    client_base = ids.next["client"]
    inserts: dict[str, _Insert] = {}
    keys = BlindKeys()

    def prepare(chunk: list[CasePlan]) -> _Prepared:
        case_numbers, client_numbers, blocks = numbers.take(chunk)
        rows = _Chunk(ids, keys, client_base)
        for plan, case_no, client_no in zip(chunk, case_numbers, client_numbers, strict=True):
            rows.add(plan, case_no, client_no)
        writes = []
        for table in TABLES:
            if batch := rows.rows[table.name]:
                if table.name not in inserts:
                    inserts[table.name] = _Insert(dialect, table, list(batch[0]))
                writes.append((inserts[table.name], inserts[table.name].convert(batch)))
                report.rows[table.name] += len(batch)
        return _Prepared(len(chunk), blocks, writes)

    def written(future: Future[None], cases: int) -> None:
        future.result()  # a failed chunk stops the build here, with its error
        report.cases += cases
        if progress is not None:
            progress(report.cases, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer") as writer:
        pending: tuple[Future[None], int] | None = None
        for chunk in _chunks(planner.plans(count), chunk_size):
            prepared = prepare(chunk)
            if pending is not None:
                written(*pending)
            pending = (writer.submit(_write, session_factory, prepared), prepared.cases)
        if pending is not None:
            written(*pending)
    report.seconds = time.perf_counter() - started
    with session_factory() as session, session.begin():
        _finish(session.connection())
    report.finish_seconds = time.perf_counter() - started - report.seconds
    return report


def existing_refs(session: Session) -> tuple[list[ClinicRef], list[ProviderRef]]:
    """Clinics with their lawyers and the provider directory, to add cases to a database."""
    lawyers = session.execute(
        select(User.clinic_id, User.id)
        .where(User.role == "lawyer", User.active.is_(True))
        .order_by(User.id)
    ).all()
    clinics = [
        ClinicRef(
            id=clinic.id,
            code=clinic.code,
            region=clinic.economic_region,
            opened_on=clinic.opened_on,
            lawyer_ids=tuple(user for clinic_id, user in lawyers if clinic_id == clinic.id),
        )
        for clinic in session.scalars(select(Clinic).order_by(Clinic.id))
    ]
    providers = [
        ProviderRef(row.id, row.service_type, row.economic_region)
        for row in session.execute(
            select(
                ServiceProvider.id, ServiceProvider.service_type, ServiceProvider.economic_region
            )
            .where(ServiceProvider.active.is_(True))
            .order_by(ServiceProvider.id)
        )
    ]
    return clinics, providers


# --- the network -------------------------------------------------------------------------

#: ``--network``: realistic (the default) grows the network with the data, fixed puts
#: every case into the demo clinics.
NETWORKS = ("realistic", "fixed")
#: Realistic network: a clinic of a manager and NETWORK_LAWYERS lawyers per this many cases.
CASES_PER_CLINIC = 5000
NETWORK_LAWYERS = 6
NETWORK_EMAIL_DOMAIN = "network.demo.legalaid.az"
#: Network clinics open within this many days of the first pilots (mid-2026), so their
#: cases spread over nearly the whole period, like the demo clinics'.
NETWORK_OPENING_DAYS = 45


@dataclass
class NetworkPlan:
    """Where the next bulk cases go: the planner, and the clinics added for them."""

    network: str
    planner: CasePlanner
    #: Clinics with lawyers, and their lawyers, in the whole network.
    clinics: int
    lawyers: int
    added: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        added = (
            f" ({len(self.added)} added: {self.added[0]}..{self.added[-1]})" if self.added else ""
        )
        return [
            f"network ({self.network}): {self.clinics} clinics{added}, {self.lawyers} lawyers; "
            f"the new cases go to {len(self.planner.clinics)} of the clinics"
        ]


def plan_network(
    session: Session,
    rng: random.Random,
    *,
    network: str,
    count: int,
    today: date,
    cases_per_clinic: int = CASES_PER_CLINIC,
) -> NetworkPlan:
    """A planner for ``count`` more cases; for a realistic network, grown for them first.

    Realistic: clinics (a manager and NETWORK_LAWYERS lawyers each) are added until the
    network has a lawyer for every ``cases_per_clinic / NETWORK_LAWYERS`` cases of the new
    total, the demo clinics counted by their lawyers like any other. A clinic's share of
    the total follows its lawyers; the new cases go to the clinics in proportion to what
    they lack of their share, so a clinic that already holds it takes none: its staff keep
    their caseload while the national database grows around them. Fixed: every case goes
    to the demo clinics, in proportion to their lawyers, whatever the total.

    Clinics are added with ``create_clinic`` and flushed, not committed: commit before
    :func:`build_bulk_cases`, whose own sessions must see them.
    """
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r}: one of {', '.join(NETWORKS)}")
    if network == "fixed":
        clinics, providers = existing_refs(session)
        demo = {code for code, *_ in DEMO_CLINICS}
        clinics = [clinic for clinic in clinics if clinic.code in demo]
        if not clinics:
            raise ValueError("the fixed network needs the demo clinics")
        planner = CasePlanner(rng, clinics, providers, today)
        return NetworkPlan(network, planner, len(clinics), _lawyers(clinics))
    held: dict[int, int] = {
        clinic_id: cases
        for clinic_id, cases in session.execute(
            select(Case.clinic_id, func.count()).group_by(Case.clinic_id)
        )
    }
    total = sum(held.values()) + count
    clinics, providers = existing_refs(session)
    # In lawyers' cases (cases x NETWORK_LAWYERS), to stay in whole numbers.
    missing = total * NETWORK_LAWYERS - _lawyers(clinics) * cases_per_clinic
    added: list[str] = []
    if missing > 0:
        added = _add_clinics(session, rng, -(-missing // (NETWORK_LAWYERS * cases_per_clinic)))
        clinics, providers = existing_refs(session)
    clinics = [clinic for clinic in clinics if clinic.lawyer_ids]
    staff = _lawyers(clinics)
    shares = {
        clinic.id: lacking
        for clinic in clinics
        if (lacking := total * len(clinic.lawyer_ids) / staff - held.get(clinic.id, 0)) > 0
    }
    planner = CasePlanner(rng, clinics, providers, today, shares)
    return NetworkPlan(network, planner, len(clinics), staff, added)


def _lawyers(clinics: list[ClinicRef]) -> int:
    return sum(len(clinic.lawyer_ids) for clinic in clinics)


def network_codes() -> Iterator[str]:
    """NAA, NAB, ..., NZZ, NAAA, ...: Latin letters only, as a clinic code must be."""
    for size in counting(2):
        for letters in product(ascii_uppercase, repeat=size):
            yield "N" + "".join(letters)


def _add_clinics(session: Session, rng: random.Random, how_many: int) -> list[str]:
    """Open ``how_many`` network clinics, staff included; the regions take turns.

    Staff are made as the demo's extra lawyers are: accounts without a password (an
    administrator can issue a setup code), named at random.
    """
    taken = set(session.scalars(select(Clinic.code)))
    regions = ECONOMIC_REGIONS.codes
    added: list[str] = []
    for index, code in enumerate(network_codes()):
        if len(added) == how_many:
            break
        if code in taken:
            continue
        region = regions[index % len(regions)]
        clinic = create_clinic(
            session,
            code=code,
            name=f"{ECONOMIC_REGIONS.label(region)} Legal Aid Clinic {code}",
            economic_region=region,
            opened_on=DEMO_START + timedelta(days=randint(rng, 0, NETWORK_OPENING_DAYS)),
            status="pilot",
        )
        staff = [("manager", "manager")] + [
            ("lawyer", f"lawyer{n}") for n in range(1, NETWORK_LAWYERS + 1)
        ]
        for role, mailbox in staff:
            person = draw_person(rng, woman=rng.random() < 0.75)
            session.add(
                User(
                    email=f"{mailbox}.{code.lower()}@{NETWORK_EMAIL_DOMAIN}",
                    full_name=person.written("latin"),
                    role=role,
                    clinic_id=clinic.id,
                )
            )
        added.append(code)
    session.flush()
    return added


__all__ = [
    "CASES_PER_CLINIC",
    "NETWORKS",
    "BlindKeys",
    "BulkReport",
    "NetworkPlan",
    "build_bulk_cases",
    "existing_refs",
    "network_codes",
    "plan_network",
]
