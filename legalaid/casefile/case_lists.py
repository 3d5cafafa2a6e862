"""The case list: filters, sorting and pagination in SQL, always within the user's scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.calendar import today
from legalaid.cases.models import Case
from legalaid.cases.scope import case_condition
from legalaid.casework.models import Hearing
from legalaid.clients.models import Client
from legalaid.pagination import Page, paginate
from legalaid.routing import record_id
from legalaid.viewer import Viewer
from legalaid.vocabulary.casework import CASE_CATEGORIES, CASE_STATUSES, RISK_LEVELS

SORTS = ("newest", "oldest", "number", "risk", "due")
#: A status filter value of its own: every case not closed (at intake or open).
ACTIVE = "active"
#: The statuses of a case that still needs work.
ACTIVE_STATUSES = ("intake", "open")


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    category: str = ""
    risk: str = ""
    lawyer: str = ""
    overdue: bool = False
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: Mapping[str, str], user: Viewer) -> CaseFilters:
        """Unknown values are ignored, not refused: a list always shows something sensible."""

        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = args.get(name, "").strip()
            return value if value in allowed else ""

        lawyer = args.get("lawyer", "").strip()
        return cls(
            q=args.get("q", "").strip()[:40],
            status=pick("status", (*CASE_STATUSES.codes, ACTIVE)),
            category=pick("category", CASE_CATEGORIES.codes),
            risk=pick("risk", RISK_LEVELS.codes),
            lawyer=lawyer if record_id(lawyer) and user.role == "manager" else "",
            overdue=args.get("overdue") == "1",
            sort=pick("sort", SORTS) or "newest",
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.status, self.category, self.risk, self.lawyer, self.overdue))


@dataclass(frozen=True)
class CaseRow:
    case: Case
    client_number: str
    lawyer_name: str
    next_due: Any
    overdue: bool
    client_erased_on: Any


def _next_due() -> Any:
    return (
        select(func.min(Hearing.due_on))
        .where(Hearing.case_id == Case.id, Hearing.done.is_(False), Hearing.due_on >= today())
        .correlate(Case)
        .scalar_subquery()
    )


def _overdue() -> Any:
    return exists(
        select(Hearing.id).where(
            Hearing.case_id == Case.id, Hearing.done.is_(False), Hearing.due_on < today()
        )
    )


def _filtered(query: Select[Any], user: Viewer, filters: CaseFilters) -> Select[Any]:
    query = query.where(case_condition(user))
    if filters.q:
        query = query.where(
            func.upper(Case.number).contains(filters.q.upper(), autoescape=True)
            | func.upper(Client.number).contains(filters.q.upper(), autoescape=True)
        )
    if filters.status == ACTIVE:
        query = query.where(Case.status.in_(ACTIVE_STATUSES))
    elif filters.status:
        query = query.where(Case.status == filters.status)
    if filters.category:
        query = query.where(Case.category == filters.category)
    if filters.risk:
        query = query.where(Case.risk_level == filters.risk)
    if filters.lawyer:
        query = query.where(Case.assigned_lawyer_id == record_id(filters.lawyer))
    if filters.overdue:
        query = query.where(and_(_overdue()))
    return query


def case_list_count(user: Viewer, filters: CaseFilters) -> Select[Any]:
    """The number of cases the list holds, read from the user's cases alone.

    Every case has exactly one client and one lawyer (both required), so the joins of the
    list change no count: only a search by client number needs the client. Kept, they
    made PostgreSQL read every client of the country for a manager's count.
    """
    query = select(func.count(Case.id)).select_from(Case)
    if filters.q:
        query = query.join(Client, Client.id == Case.client_id)
    return _filtered(query, user, filters)


def case_list_query(user: Viewer, filters: CaseFilters) -> Select[Any]:
    next_due = _next_due().label("next_due")
    overdue = _overdue().label("overdue")
    query = _filtered(
        select(Case, Client.number, User.full_name, next_due, overdue, Client.erased_on)
        .join(Client, Client.id == Case.client_id)
        .join(User, User.id == Case.assigned_lawyer_id),
        user,
        filters,
    )
    risk_rank = case({"high": 0, "medium": 1, "low": 2}, value=Case.risk_level, else_=3)
    orders: dict[str, list[Any]] = {
        "newest": [Case.id.desc()],
        "oldest": [Case.id.asc()],
        "number": [Case.number.asc()],
        "risk": [risk_rank, Case.id.desc()],
        "due": [func.coalesce(_next_due(), "9999-12-31"), Case.id.desc()],
    }
    return query.order_by(*orders[filters.sort])


def case_list_page(
    session: Session, user: Viewer, filters: CaseFilters, raw_page: str | None
) -> Page[CaseRow]:
    query = case_list_query(user, filters)
    total = int(session.scalar(case_list_count(user, filters)) or 0)
    page: Page[Any] = paginate(session, query, raw_page, count=total)
    return Page(
        items=[CaseRow(*row) for row in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )


def active_case_counts(session: Session, lawyer_ids: list[int]) -> dict[int, int]:
    """Each lawyer's active cases, counted in one GROUP BY (for choosing whom to assign)."""
    if not lawyer_ids:
        return {}
    rows = session.execute(
        select(Case.assigned_lawyer_id, func.count())
        .where(Case.assigned_lawyer_id.in_(lawyer_ids), Case.status.in_(ACTIVE_STATUSES))
        .group_by(Case.assigned_lawyer_id)
    )
    return {int(lawyer_id): int(count) for lawyer_id, count in rows}
