"""The deadlines the rules suggest for a case, and accepting one of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.cases.models import Case
from legalaid.casework.models import Hearing, ServiceDelivery
from legalaid.casework.services import add_hearing
from legalaid.deadlines.policy import DeadlinePolicy, DeadlineRule
from legalaid.deadlines.workdays import deadline_date
from legalaid.errors import DomainError


@dataclass(frozen=True)
class Suggestion:
    rule: DeadlineRule
    source: str  # "service:12" or "hearing:7"
    starts_on: date
    due_on: date


def _due(rule: DeadlineRule, start: date) -> date:
    return deadline_date(
        start, rule.days, working_days=rule.working_days, roll_forward=rule.roll_forward
    )


def _candidates(
    policy: DeadlinePolicy, services: Sequence[ServiceDelivery], done: Sequence[Hearing]
) -> list[Suggestion]:
    hearings = [hearing for hearing in done if hearing.done]
    found: list[Suggestion] = []
    for rule in policy.rules:
        for service in services:
            if rule.from_service == service.service_type and rule.from_order_kind in (
                None,
                service.order_kind,
            ):
                start = service.delivered_on
                found.append(Suggestion(rule, f"service:{service.id}", start, _due(rule, start)))
        for hearing in hearings:
            if rule.from_hearing == hearing.kind:
                start = hearing.due_on
                found.append(Suggestion(rule, f"hearing:{hearing.id}", start, _due(rule, start)))
    return found


def suggestions_for(
    session: Session,
    policy: DeadlinePolicy,
    case_: Case,
    *,
    services: Sequence[ServiceDelivery] | None = None,
    hearings: Sequence[Hearing] | None = None,
) -> list[Suggestion]:
    """What the rules suggest for an active case and was not accepted yet.

    The case page passes the case's services and hearings it has already loaded (all of
    them): nothing more is read then.
    """
    if case_.status == "closed":
        return []
    if services is None:
        services = session.scalars(
            select(ServiceDelivery).where(ServiceDelivery.case_id == case_.id)
        ).all()
    if hearings is None:
        hearings = session.scalars(select(Hearing).where(Hearing.case_id == case_.id)).all()
    accepted = {
        (hearing.rule_code, hearing.rule_source)
        for hearing in hearings
        if hearing.rule_code is not None
    }
    return [
        found
        for found in _candidates(policy, services, hearings)
        if (found.rule.code, found.source) not in accepted
    ]


def accept_suggestion(
    session: Session,
    policy: DeadlinePolicy,
    case_: Case,
    *,
    rule_code: str,
    source: str,
    by: int | None,
    today: date,
) -> Hearing:
    """Add the deadline, its date computed again here (never taken from the form)."""
    chosen = next(
        (
            found
            for found in suggestions_for(session, policy, case_)
            if found.rule.code == rule_code and found.source == source
        ),
        None,
    )
    if chosen is None:
        raise DomainError(_("This suggested deadline was already added or no longer applies."))
    return add_hearing(
        session,
        case_,
        kind=chosen.rule.creates,
        due_on=chosen.due_on,
        place="",
        by=by,
        today=today,
        rule_code=chosen.rule.code,
        rule_source=chosen.source,
    )
