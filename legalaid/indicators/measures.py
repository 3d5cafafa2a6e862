"""The formulas of the casework indicators: one function per measure, all in SQL.

Each measure answers one question ("how many cases were opened in this period?") as a
single ``SELECT ... GROUP BY`` over the dimensions asked for, within a scope (the nation
or one clinic). Rows never come back to Python to be counted: the database returns one
row per combination of categories, with its count. The catalogue
(``policies/indicators.toml``) names these functions; it cannot add new formulas.

Clients who have not consented to be counted in anonymized statistics are left out of
every measure when the disclosure policy requires consent; how many were left out is a
measure of its own (:func:`clients_excluded_no_consent`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from sqlalchemy import (
    ColumnElement,
    Label,
    Select,
    SQLColumnExpression,
    String,
    and_,
    case,
    distinct,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased, join
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.expression import ColumnClause, Exists, literal_column

from legalaid.cases.models import Case, CaseStatusChange, Respondent
from legalaid.casework.models import ServiceDelivery
from legalaid.clients.models import Client, ClientKeyPopulation
from legalaid.clinics.models import Clinic
from legalaid.indicators.by_quarter import QUARTER, quarter_code
from legalaid.indicators.dimensions import CLINIC, NO_KEY_POPULATION
from legalaid.indicators.periods import Period
from legalaid.indicators.sql_dates import days_between
from legalaid.referrals.models import Referral

#: One row of a measure: the categories, in the order of the dimensions asked, and a count.
Row = tuple[tuple[str, ...], int]


@dataclass(frozen=True)
class Scope:
    """The nation (no clinic) or one clinic."""

    clinic_id: int | None = None


NATIONAL = Scope()

#: The pseudo-dimension of a measure asked for several periods at once (see
#: :attr:`Measure.count_periods`): the code of the period ("2026Q1", "2026").
PERIOD = "_period"


class MeasureFunction(Protocol):
    def __call__(
        self,
        session: Session,
        period: Period,
        scope: Scope,
        dimensions: tuple[str, ...],
        *,
        consent_required: bool,
    ) -> list[Row]: ...


class PeriodsFunction(Protocol):
    """A measure asked for several periods in one statement: each row's first category
    is the code of its period (the dimension :data:`PERIOD`), then ``dimensions``."""

    def __call__(
        self,
        session: Session,
        periods: Sequence[Period],
        scope: Scope,
        dimensions: tuple[str, ...],
        *,
        consent_required: bool,
    ) -> list[Row]: ...


@dataclass(frozen=True)
class Within:
    """How a measure relates to the broader measure that counts the same units.

    - ``category`` given: this measure *is* the broader one restricted to that category
      (``gbv_cases_opened`` is ``cases_opened`` with ``category = gbv``), so every cell of
      it equals the broader measure's cell with that category added;
    - ``category`` None: every cell is at most the broader measure's same cell (the units
      counted are a subset: tested officers among trained ones).

    ``except_dimensions``: dimensions on which the two do not agree (a different basis,
    e.g. the incident's region rather than the client's): no relation over them.
    Disclosure control treats these as relations every reader knows.
    """

    measure: str
    category: tuple[str, str] | None = None
    except_dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    name: str
    count: MeasureFunction
    dimensions: tuple[str, ...]
    #: Quarters add up to the year: every unit counted has one date, and the measure
    #: answers by its quarter (the dimension ``QUARTER``). False for counts of distinct
    #: people, where a client served in two quarters is one client of the year.
    time_additive: bool
    #: Counts clients' records, so statistics consent applies.
    uses_clients: bool = True
    #: Every period of a release in one statement, for a measure that does not add up
    #: over time (None: ask each period on its own).
    count_periods: PeriodsFunction | None = None
    #: What is counted, and by which date ("case opened", "referral sent"...). Measures
    #: of one unit must be related (``within``) to one broader measure of that unit,
    #: checked at start-up, so that no identity between indicators is forgotten.
    unit: str = ""
    within: Within | None = None


def sql_text(value: str) -> SQLColumnExpression[str]:
    """A constant string written into the SQL itself.

    Only for codes of our own vocabularies. A bound parameter would be a different
    parameter in SELECT and in GROUP BY, which PostgreSQL refuses to treat as the same
    expression.
    """
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a vocabulary code: {value!r}")
    return literal_column(f"'{value}'", String)


def grouped_counts(
    session: Session,
    columns: Mapping[str, SQLColumnExpression[Any]],
    dimensions: Sequence[str],
    aggregate: ColumnElement[Any],
    from_: FromClause,
    where: Sequence[ColumnElement[bool]],
) -> list[Row]:
    """``SELECT <dimensions>, <aggregate> FROM ... WHERE ... GROUP BY <dimensions>``."""
    return run_rows(session, grouped_select(columns, dimensions, aggregate, from_, where))


def grouped_select(
    columns: Mapping[str, SQLColumnExpression[Any]],
    dimensions: Sequence[str],
    aggregate: ColumnElement[Any],
    from_: FromClause,
    where: Sequence[ColumnElement[bool]],
) -> Select[Any]:
    chosen = _chosen(columns, dimensions)
    labelled: list[Label[Any]] = [column.label(f"d{i}") for i, column in enumerate(chosen)]
    statement: Select[Any] = select(*labelled, aggregate).select_from(from_).where(*where)
    grouped = [column for column in chosen if not _is_constant(column)]
    return statement.group_by(*grouped) if grouped else statement


def _chosen(
    columns: Mapping[str, SQLColumnExpression[Any]], dimensions: Sequence[str]
) -> list[SQLColumnExpression[Any]]:
    unknown = [name for name in dimensions if name not in columns]
    if unknown:
        raise ValueError(f"this measure has no dimension {unknown[0]!r}")
    return [columns[name] for name in dimensions]


def _is_constant(column: SQLColumnExpression[Any]) -> bool:
    # A constant (see sql_text) is selected but not grouped by: PostgreSQL refuses a
    # string constant in GROUP BY.
    return isinstance(column, ColumnClause) and column.is_literal


def run_rows(session: Session, statement: Any) -> list[Row]:
    rows: list[Row] = []
    for row in session.execute(statement):
        *values, count = tuple(row)
        rows.append((tuple(str(value) for value in values), int(count or 0)))
    return rows


def within(column: Any, period: Period) -> list[ColumnElement[bool]]:
    return [column >= period.start, column <= period.end]


def in_scope(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    return [] if scope.clinic_id is None else [column == scope.clinic_id]


def consented(required: bool) -> list[ColumnElement[bool]]:
    return [Client.consent_statistics.is_(True)] if required else []


# --- what the casework dimensions mean --------------------------------------------------


def _client_columns() -> dict[str, SQLColumnExpression[Any]]:
    """Dimensions taken from the client (and her clinic)."""
    return {
        CLINIC: Clinic.code,
        "gender_identity": Client.gender_identity,
        "age_band": Client.age_band,
        "region": Client.economic_region,
        "settlement": Client.settlement,
        "disability": Client.disability,
        # Outer join: a client in none of the groups is counted once, as "none".
        "key_population": func.coalesce(
            ClientKeyPopulation.population, sql_text(NO_KEY_POPULATION)
        ),
    }


def _case_columns() -> dict[str, SQLColumnExpression[Any]]:
    return {
        **_client_columns(),
        "category": Case.category,
        "gbv_type": Case.gbv_type,
        "discrimination_domain": Case.discrimination_domain,
        "outcome": Case.outcome,
    }


def _with_client_joins(from_: Any, dimensions: Sequence[str]) -> FromClause:
    """``from_`` already joins the client; add the clinic and key groups only if asked."""
    if CLINIC in dimensions:
        from_ = from_.join(Clinic, Clinic.id == Client.clinic_id)
    if "key_population" in dimensions:
        from_ = from_.outerjoin(ClientKeyPopulation, ClientKeyPopulation.client_id == Client.id)
    result: FromClause = from_
    return result


def _count_once(column: Any, dimensions: Sequence[str]) -> ColumnElement[Any]:
    """Count the rows of ``column``'s table, each once.

    Every join from a case, a referral or an order goes to one row (its case, client,
    clinic), except the client's key groups: only then can a row come back several times,
    and only then is ``DISTINCT`` needed (it costs a sort over every row counted).
    """
    if "key_population" in dimensions:
        return func.count(distinct(column))
    return func.count(column)


def _cases(dimensions: Sequence[str]) -> FromClause:
    return _with_client_joins(join(Case, Client, Case.client_id == Client.id), dimensions)


def _served(start: Any, end: Any) -> list[ColumnElement[bool]]:
    """A case open at some time from ``start`` to ``end`` (intakes never opened do not
    count), read from the status history: a case closed before the period and not
    reopened by its end was not served in it, whatever its status is today. So an old
    quarter's number does not change when one of its cases is reopened (or closed) later.
    """
    return [
        Case.opened_on.is_not(None),
        Case.opened_on <= end,
        ~_closed_throughout(start, end),
    ]


def _closed_throughout(start: Any, end: Any) -> Exists:
    """Closed on a day before ``start``, and not reopened on or before ``end``."""
    closure = aliased(CaseStatusChange)
    reopening = aliased(CaseStatusChange)
    reopened = (
        select(reopening.id)
        .where(
            reopening.case_id == closure.case_id,
            reopening.from_status == "closed",
            reopening.id > closure.id,
            reopening.effective_on <= end,
        )
        .exists()
    )
    return (
        select(closure.id)
        .where(
            closure.case_id == Case.id,
            closure.to_status == "closed",
            closure.effective_on < start,
            ~reopened,
        )
        .exists()
    )


# --- the measures ----------------------------------------------------------------------


def clients_served(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Distinct clients with at least one case open at some time during the period."""
    return _count_clients(
        session, [period], scope, dimensions, **_served_clients(consent_required)
    )[period.code]


def clients_served_by_period(
    session: Session,
    periods: Sequence[Period],
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """:func:`clients_served` of each period, by the dimension :data:`PERIOD`."""
    return _by_period(
        _count_clients(session, periods, scope, dimensions, **_served_clients(consent_required))
    )


def clients_excluded_no_consent(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Clients served (as above) but left out for lack of statistics consent.

    Only by clinic: describing these clients any further would count them after all.
    """
    if not consent_required:
        return []
    return _count_clients(session, [period], scope, dimensions, **_excluded_clients())[period.code]


def clients_excluded_no_consent_by_period(
    session: Session,
    periods: Sequence[Period],
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """:func:`clients_excluded_no_consent` of each period, by the dimension :data:`PERIOD`."""
    if not consent_required:
        return []
    return _by_period(_count_clients(session, periods, scope, dimensions, **_excluded_clients()))


class _Clients(TypedDict):
    columns: Mapping[str, SQLColumnExpression[Any]]
    who: Sequence[ColumnElement[bool]]


def _served_clients(consent_required: bool) -> _Clients:
    return {"columns": _client_columns(), "who": consented(consent_required)}


def _excluded_clients() -> _Clients:
    return {"columns": {CLINIC: Clinic.code}, "who": [Client.consent_statistics.is_(False)]}


def _count_clients(
    session: Session,
    periods: Sequence[Period],
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    columns: Mapping[str, SQLColumnExpression[Any]],
    who: Sequence[ColumnElement[bool]],
) -> dict[str, list[Row]]:
    """Distinct clients (among ``who``) served in each period, by period code.

    One period: ``count(DISTINCT client.id)`` over the cases served. Several: one
    statement for all of them, which reads the cases once. The inner query groups the
    cases served in any of the periods by client alone, with one flag per period, 1 if
    one of her cases was open at some time during it; the outer query joins each client
    once and sums the flags by her categories. Grouping by client is done once, on the
    narrow case index, where ``count(DISTINCT)`` per period would sort the clients of
    every period again. A case is always in its client's clinic (``open_case``), so the
    cases of a clinic are those of its clients.
    """
    where = [*in_scope(Client.clinic_id, scope), *who]
    if len(periods) == 1:
        (period,) = periods
        served = _served(period.start, period.end)
        rows = grouped_counts(
            session,
            columns,
            dimensions,
            func.count(distinct(Client.id)),
            _cases(dimensions),
            [*served, *where],
        )
        return {period.code: rows}
    chosen = _chosen(columns, dimensions)
    flags = [
        func.max(case((and_(*_served(period.start, period.end)), 1), else_=0)).label(f"served_{i}")
        for i, period in enumerate(periods)
    ]
    any_period = _served(min(p.start for p in periods), max(p.end for p in periods))
    per_client = (
        select(Case.client_id.label("client_id"), *flags)
        .where(*any_period, *in_scope(Case.clinic_id, scope))
        .group_by(Case.client_id)
        .subquery("per_client")
    )
    from_ = _with_client_joins(
        join(per_client, Client, Client.id == per_client.c.client_id), dimensions
    )
    selected: list[Any] = [
        *[column.label(f"d{i}") for i, column in enumerate(chosen)],
        *[func.sum(per_client.c[f"served_{i}"]) for i in range(len(periods))],
    ]
    statement: Select[Any] = select(*selected).select_from(from_).where(*where)
    grouped = [column for column in chosen if not _is_constant(column)]
    if grouped:
        statement = statement.group_by(*grouped)
    found: dict[str, list[Row]] = {period.code: [] for period in periods}
    for row in session.execute(statement):
        values = tuple(str(value) for value in row[: len(chosen)])
        for period, count in zip(periods, row[len(chosen) :], strict=True):
            # As one GROUP BY per period: no row for a category without clients, but
            # always the total.
            if count or not dimensions:
                found[period.code].append((values, int(count or 0)))
    return found


def _by_period(found: Mapping[str, list[Row]]) -> list[Row]:
    return [
        ((code, *categories), count) for code, rows in found.items() for categories, count in rows
    ]


def _count_cases(
    session: Session,
    dimensions: tuple[str, ...],
    *,
    on: Any,
    period: Period,
    scope: Scope,
    consent_required: bool,
    where: Sequence[ColumnElement[bool]] = (),
    columns: Mapping[str, SQLColumnExpression[Any]] | None = None,
) -> list[Row]:
    """Cases whose date ``on`` falls in the period, within the scope: the shape of every
    case measure, which differ only in that date, extra conditions and columns."""
    return grouped_counts(
        session,
        {**(_case_columns() if columns is None else columns), QUARTER: quarter_code(on)},
        dimensions,
        _count_once(Case.id, dimensions),
        _cases(dimensions),
        [
            *where,
            *within(on, period),
            *in_scope(Case.clinic_id, scope),
            *consented(consent_required),
        ],
    )


def cases_opened(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Cases moved from intake to open during the period."""
    return _count_cases(
        session,
        dimensions,
        on=Case.opened_on,
        period=period,
        scope=scope,
        consent_required=consent_required,
    )


def cases_closed(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Closures during the period, by the outcome recorded at closing, each dated by its
    closing date, that were not undone by a reopening in the same quarter.

    Read from the status history, so the number of an old quarter no longer changes when
    one of its cases is reopened later (a reopening in the quarter itself does take the
    closure back). A case closed in two quarters counts in each: closures add up over
    quarters into the year.
    """
    closure = CaseStatusChange
    reopening = aliased(CaseStatusChange)
    undone = (
        select(reopening.id)
        .where(
            reopening.case_id == closure.case_id,
            reopening.from_status == "closed",
            reopening.id > closure.id,
            quarter_code(reopening.effective_on) == quarter_code(closure.effective_on),
        )
        .exists()
    )
    columns = {
        **_case_columns(),
        "outcome": closure.outcome,
        QUARTER: quarter_code(closure.effective_on),
    }
    from_ = _with_client_joins(
        join(closure, Case, closure.case_id == Case.id).join(Client, Case.client_id == Client.id),
        dimensions,
    )
    return grouped_counts(
        session,
        columns,
        dimensions,
        _count_once(closure.id, dimensions),
        from_,
        [
            closure.to_status == "closed",
            ~undone,
            *within(closure.effective_on, period),
            *in_scope(Case.clinic_id, scope),
            *consented(consent_required),
        ],
    )


def gbv_cases_opened(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    return _count_cases(
        session,
        dimensions,
        on=Case.opened_on,
        period=period,
        scope=scope,
        consent_required=consent_required,
        where=[Case.category == "gbv"],
    )


def discrimination_cases_opened(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    return _count_cases(
        session,
        dimensions,
        on=Case.opened_on,
        period=period,
        scope=scope,
        consent_required=consent_required,
        where=[Case.category == "discrimination"],
    )


def cases_law_enforcement_respondent(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Cases opened during the period with at least one law-enforcement respondent.

    Region: where the incident happened, or the client's region when that is not recorded,
    so that every case has one region and the regions add up to the nation.
    """
    officer = exists(
        select(Respondent.id).where(
            Respondent.case_id == Case.id, Respondent.relation == "law_enforcement"
        )
    )
    return _count_cases(
        session,
        dimensions,
        on=Case.opened_on,
        period=period,
        scope=scope,
        consent_required=consent_required,
        where=[officer],
        columns={
            **_case_columns(),
            "region": func.coalesce(Case.incident_region, Client.economic_region),
        },
    )


def protection_orders_granted(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Protection orders granted during the period (by the date of the decision)."""
    columns = {
        **_case_columns(),
        "order_kind": ServiceDelivery.order_kind,
        QUARTER: quarter_code(ServiceDelivery.order_result_on),
    }
    from_ = _with_client_joins(
        join(ServiceDelivery, Case, ServiceDelivery.case_id == Case.id).join(
            Client, Case.client_id == Client.id
        ),
        dimensions,
    )
    return grouped_counts(
        session,
        columns,
        dimensions,
        _count_once(ServiceDelivery.id, dimensions),
        from_,
        [
            ServiceDelivery.order_result == "granted",
            *within(ServiceDelivery.order_result_on, period),
            *in_scope(Case.clinic_id, scope),
            *consented(consent_required),
        ],
    )


def _referrals(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    consent_required: bool,
    extra: list[ColumnElement[bool]],
) -> list[Row]:
    columns = {
        **_case_columns(),
        "service_type": Referral.service_type,
        QUARTER: quarter_code(Referral.sent_on),
    }
    from_ = _with_client_joins(
        join(Referral, Case, Referral.case_id == Case.id).join(Client, Case.client_id == Client.id),
        dimensions,
    )
    return grouped_counts(
        session,
        columns,
        dimensions,
        _count_once(Referral.id, dimensions),
        from_,
        [
            *extra,
            *within(Referral.sent_on, period),
            *in_scope(Case.clinic_id, scope),
            *consented(consent_required),
        ],
    )


#: LA08 counts a referral as completed when it was completed within this many days of
#: being sent (the indicator's definition in ``policies/indicators.toml`` says so).
REFERRAL_COMPLETION_DAYS = 90


def referrals_sent(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Referrals sent out during the period."""
    return _referrals(session, period, scope, dimensions, consent_required, [])


def referrals_completed(
    session: Session,
    period: Period,
    scope: Scope,
    dimensions: tuple[str, ...],
    *,
    consent_required: bool,
) -> list[Row]:
    """Referrals sent out during the period and completed within
    :data:`REFERRAL_COMPLETION_DAYS` of being sent.

    Each referral has its own window, so the count adds up over quarters, and once the
    window has passed it no longer changes when an old quarter is released again (a
    referral completed a year later does not move an old share); it changes only if that
    referral's own record is corrected. ``status_on`` is the date of the status now
    recorded (set when the status changes, see ``set_referral_status``).
    """
    return _referrals(
        session,
        period,
        scope,
        dimensions,
        consent_required,
        [
            Referral.status == "completed",
            days_between(Referral.status_on, Referral.sent_on) <= REFERRAL_COMPLETION_DAYS,
        ],
    )


#: The tables these formulas read.
CASE_TABLES = (
    Case,
    CaseStatusChange,
    Client,
    ClientKeyPopulation,
    Clinic,
    Respondent,
    ServiceDelivery,
    Referral,
)

_CLIENT_DIMENSIONS = (
    CLINIC,
    "gender_identity",
    "age_band",
    "key_population",
    "region",
    "settlement",
    "disability",
)

CASE_MEASURES: tuple[Measure, ...] = (
    Measure(
        "clients_served",
        clients_served,
        _CLIENT_DIMENSIONS,
        time_additive=False,
        count_periods=clients_served_by_period,
        unit="client served",
    ),
    Measure(
        "clients_excluded_no_consent",
        clients_excluded_no_consent,
        (CLINIC,),
        time_additive=False,
        count_periods=clients_excluded_no_consent_by_period,
        unit="client not consenting",
    ),
    Measure(
        "cases_opened",
        cases_opened,
        (*_CLIENT_DIMENSIONS, "category"),
        time_additive=True,
        unit="case opened",
    ),
    Measure(
        "cases_closed",
        cases_closed,
        (*_CLIENT_DIMENSIONS, "category", "outcome"),
        time_additive=True,
        unit="case closed",
    ),
    Measure(
        "gbv_cases_opened",
        gbv_cases_opened,
        (*_CLIENT_DIMENSIONS, "gbv_type"),
        time_additive=True,
        unit="case opened",
        within=Within("cases_opened", ("category", "gbv")),
    ),
    Measure(
        "discrimination_cases_opened",
        discrimination_cases_opened,
        (*_CLIENT_DIMENSIONS, "discrimination_domain"),
        time_additive=True,
        unit="case opened",
        within=Within("cases_opened", ("category", "discrimination")),
    ),
    Measure(
        "cases_law_enforcement_respondent",
        cases_law_enforcement_respondent,
        (CLINIC, "region", "category", "gender_identity", "key_population"),
        time_additive=True,
        unit="case opened",
        # Its region is the incident's (the client's only where that is not recorded).
        within=Within("cases_opened", except_dimensions=("region",)),
    ),
    Measure(
        "protection_orders_granted",
        protection_orders_granted,
        (*_CLIENT_DIMENSIONS, "order_kind"),
        time_additive=True,
        unit="protection order granted",
    ),
    Measure(
        "referrals_sent",
        referrals_sent,
        (*_CLIENT_DIMENSIONS, "service_type"),
        time_additive=True,
        unit="referral sent",
    ),
    Measure(
        "referrals_completed",
        referrals_completed,
        (*_CLIENT_DIMENSIONS, "service_type"),
        time_additive=True,
        unit="referral sent",
        within=Within("referrals_sent"),
    ),
)
