"""Record scoping, in one place: which cases and clients a user may see.

Every case and client route loads its record through these helpers, so a record outside
the user's scope answers exactly like one that does not exist (404). Sub-records (notes,
hearings, services, referrals, respondents) are always loaded through their case.

- a lawyer sees the cases assigned to her, and the clients of those cases;
- a manager sees every case and client of her clinic;
- the task force and administrators see none (the access policy refuses them first).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import Session

from legalaid.cases.models import Case
from legalaid.clients.models import Client
from legalaid.errors import NotFoundError
from legalaid.viewer import Viewer


def case_condition(user: Viewer | None) -> ColumnElement[bool]:
    if user is None:
        return false()
    if user.role == "lawyer":
        condition: ColumnElement[bool] = Case.assigned_lawyer_id == user.id
        return condition
    if user.role == "manager" and user.clinic_id is not None:
        condition = Case.clinic_id == user.clinic_id
        return condition
    return false()


def client_condition(user: Viewer | None) -> ColumnElement[bool]:
    if user is None:
        return false()
    if user.role == "lawyer":
        # IN, not a correlated EXISTS: SQLite then starts from her cases (an index range)
        # and looks each client up, instead of testing every client of the country.
        mine: ColumnElement[bool] = Client.id.in_(
            select(Case.client_id).where(Case.assigned_lawyer_id == user.id)
        )
        return mine
    if user.role == "manager" and user.clinic_id is not None:
        condition: ColumnElement[bool] = Client.clinic_id == user.clinic_id
        return condition
    return false()


def visible_cases(user: Viewer | None) -> Select[Case]:
    return select(Case).where(case_condition(user))


def visible_clients(user: Viewer | None) -> Select[Client]:
    return select(Client).where(client_condition(user))


def get_visible_case(session: Session, user: Viewer | None, case_id: int) -> Case:
    case: Case | None = session.scalar(visible_cases(user).where(Case.id == case_id))
    if case is None:
        raise NotFoundError()
    return case


def get_visible_client(session: Session, user: Viewer | None, client_id: int) -> Client:
    client: Client | None = session.scalar(visible_clients(user).where(Client.id == client_id))
    if client is None:
        raise NotFoundError()
    return client
