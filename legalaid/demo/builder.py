"""Fill a fresh database with synthetic, reproducible demo data.

Clinics and staff first, then the referral directory, then casework: each case is taken
in through the real services (intake with its conflict check, opening, services,
hearings, referrals, notes, closing), dated as if it happened on its own day, so that
every row is valid, name keys are built and the audit log reads like a clinic's.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.accounts.passwords import current_hasher
from legalaid.calendar import today as clinic_today
from legalaid.cases.models import Case
from legalaid.cases.services import assign_case, close_case, open_case, reopen_case, take_intake
from legalaid.casework.models import CaseTask
from legalaid.casework.services import (
    add_hearing,
    add_note,
    add_service,
    record_order_result,
    set_hearing_done,
)
from legalaid.clients.models import Client
from legalaid.clinics.models import Clinic
from legalaid.clinics.services import create_clinic
from legalaid.database import utcnow
from legalaid.demo.cases import CasePlan, CasePlanner, ClinicRef, ProviderRef
from legalaid.demo.names import PROVIDERS
from legalaid.demo.trainings import build_trainings
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer, set_referral_status

DEMO_CLINICS = (
    ("BAK", "Baku Legal Aid Clinic", "baku", "Baku", date(2026, 6, 1), "pilot"),
    ("GNJ", "Ganja Legal Aid Clinic", "ganja_dashkasan", "Ganja", date(2026, 6, 15), "pilot"),
    (
        "LNK",
        "Lankaran Legal Aid Clinic",
        "lankaran_astara",
        "Lankaran",
        date(2026, 9, 1),
        "pilot",
    ),
    ("SHK", "Shaki Legal Aid Clinic", "shaki_zagatala", "Shaki", date(2026, 10, 15), "pilot"),
)


# Synthetic staff: one account per role, plus a second lawyer for reassignment demos.
DEMO_ACCOUNTS = (
    ("admin@demo.legalaid.az", "Aysel Quliyeva", "admin", None),
    ("taskforce@demo.legalaid.az", "Rauf Hasanov", "task_force", None),
    ("manager@demo.legalaid.az", "Leyla Mammadova", "manager", "BAK"),
    ("lawyer@demo.legalaid.az", "Nigar Aliyeva", "lawyer", "BAK"),
    ("lawyer2@demo.legalaid.az", "Svetlana Orlova", "lawyer", "BAK"),
)
# More lawyers, so that caseloads mean something. They have no password (an administrator
# can issue a setup code); cases are taken in under their names all the same.
DEMO_LAWYERS = (
    ("gunel.hasanova@demo.legalaid.az", "Günel Həsənova", "BAK"),
    ("ayten.rzayeva@demo.legalaid.az", "Aytən Rzayeva", "BAK"),
    ("kamala.babayeva@demo.legalaid.az", "Kəmalə Babayeva", "BAK"),
    ("sabina.orujova@demo.legalaid.az", "Səbinə Orucova", "GNJ"),
    ("ramil.jafarov@demo.legalaid.az", "Ramil Cəfərov", "GNJ"),
    ("lala.kazimova@demo.legalaid.az", "Lalə Kazımova", "GNJ"),
    ("zumrud.abbasova@demo.legalaid.az", "Zümrüd Abbasova", "LNK"),
    ("elvin.novruzov@demo.legalaid.az", "Elvin Novruzov", "LNK"),
    ("nargiz.valiyeva@demo.legalaid.az", "Nərgiz Vəliyeva", "SHK"),
    ("farida.gasimova@demo.legalaid.az", "Fəridə Qasımova", "SHK"),
)
#: Cases of the default demo: enough for lists that page, small enough to build in seconds.
DEFAULT_CASES = 120
_WORDS = (
    "apricot",
    "caspian",
    "lantern",
    "pomegranate",
    "saffron",
    "tandir",
    "carpet",
    "violet",
    "harbour",
    "mountain",
    "silk",
    "river",
    "garden",
    "quince",
    "breeze",
    "amber",
)


@dataclass
class CaseworkTally:
    cases: Counter[tuple[str, str]] = field(default_factory=Counter)  # (clinic, status)
    clients: int = 0
    services: int = 0
    hearings_upcoming: int = 0
    hearings_overdue: int = 0
    referrals: int = 0
    notes: int = 0

    def count(self, plan: CasePlan, today: date) -> None:
        self.cases[(plan.clinic.code, plan.status)] += 1
        self.clients += plan.new_client
        self.services += len(plan.services)
        self.referrals += len(plan.referrals)
        self.notes += len(plan.notes)
        for hearing in plan.hearings:
            if hearing.done_on is None and hearing.due_on < today:
                self.hearings_overdue += 1
            elif today <= hearing.due_on <= today + timedelta(days=14):
                self.hearings_upcoming += 1

    def lines(self) -> list[str]:
        total = sum(self.cases.values())
        out = [f"casework ({total} cases, {self.clients} clients):"]
        for code in sorted({code for code, _ in self.cases}):
            by_status = {s: self.cases[(code, s)] for s in ("intake", "open", "closed")}
            shown = ", ".join(f"{n} {s}" for s, n in by_status.items())
            out.append(f"  {code}  {sum(by_status.values())} cases: {shown}")
        out.append(
            f"  {self.services} services, {self.referrals} referrals, {self.notes} notes; "
            f"hearings: {self.hearings_upcoming} in the next 14 days, "
            f"{self.hearings_overdue} overdue"
        )
        return out


@dataclass
class DemoReport:
    rng: random.Random
    today: date
    clinics: list[Clinic] = field(default_factory=list)
    accounts: list[tuple[User, str]] = field(default_factory=list)
    lawyers: list[User] = field(default_factory=list)
    providers: list[ProviderRef] = field(default_factory=list)
    casework: CaseworkTally | None = None

    @property
    def clinic_refs(self) -> list[ClinicRef]:
        """Clinics with their lawyers, as the case planner needs them."""
        lawyers = [user for user, _ in self.accounts if user.role == "lawyer"] + self.lawyers
        return [
            ClinicRef(
                id=clinic.id,
                code=clinic.code,
                region=clinic.economic_region,
                opened_on=clinic.opened_on,
                lawyer_ids=tuple(user.id for user in lawyers if user.clinic_id == clinic.id),
            )
            for clinic in self.clinics
        ]

    def lines(self) -> list[str]:
        out = [f"clinics ({len(self.clinics)}):"]
        out += [f"  {c.code}  {c.name}  [{c.economic_region}]" for c in self.clinics]
        out.append("")
        out.append("accounts: role, clinic, e-mail, password (demo only: two-step sign-in is off):")
        codes = {clinic.id: clinic.code for clinic in self.clinics}
        out += [
            f"  {u.role:<10}  {codes.get(u.clinic_id or 0, '-'):<4}  {u.email:<28}  password: {pw}"
            for u, pw in self.accounts
        ]
        out.append("")
        out.append("more lawyers (no password; an administrator can issue a setup code):")
        out += [f"  {codes[u.clinic_id or 0]}  {u.email}" for u in self.lawyers]
        out.append("")
        out.append(f"referral directory: {len(self.providers)} synthetic service providers")
        if self.casework is not None:
            out.append("")
            out += self.casework.lines()
        return out


def _demo_password(rng: random.Random) -> str:
    return "-".join(rng.choice(_WORDS) for _ in range(4))


def build_demo(
    session: Session, *, seed: int, today: date | None = None, cases: int = DEFAULT_CASES
) -> DemoReport:
    """Clinics, staff, the referral directory and ``cases`` cases dated up to ``today``.

    With ``cases=0`` the casework is left to :mod:`legalaid.demo.bulk`, which goes on
    drawing from ``report.rng``.
    """
    # One generator for the whole build, so that --seed reproduces every value.
    report = DemoReport(rng=random.Random(seed), today=today or clinic_today())
    _add_clinics(session, report)
    _add_accounts(session, report)
    for name, service_type, region, contact in PROVIDERS:
        provider = create_provider(
            session,
            name=name,
            service_type=service_type,
            economic_region=region,
            contact=contact,
            by=None,
        )
        report.providers.append(ProviderRef(provider.id, service_type, region))
    if cases > 0:
        report.casework = _add_casework(session, report, cases)
        _add_tasks(session, report)
    build_trainings(session, report.rng, report.clinics, report.today)
    return report


def _add_clinics(session: Session, report: DemoReport) -> None:
    for code, name, region, city, opened_on, status in DEMO_CLINICS:
        report.clinics.append(
            create_clinic(
                session,
                code=code,
                name=name,
                economic_region=region,
                city=city,
                opened_on=opened_on,
                status=status,
            )
        )


def _add_accounts(session: Session, report: DemoReport) -> None:
    clinic_ids = {clinic.code: clinic.id for clinic in report.clinics}
    hasher = current_hasher()
    for email, full_name, role, clinic_code in DEMO_ACCOUNTS:
        password = _demo_password(report.rng)
        user = User(
            email=email,
            full_name=full_name,
            role=role,
            clinic_id=clinic_ids[clinic_code] if clinic_code else None,
            password_hash=hasher.hash(password),
            password_changed_at=utcnow(),
        )
        session.add(user)
        report.accounts.append((user, password))
    for email, full_name, clinic_code in DEMO_LAWYERS:
        user = User(
            email=email, full_name=full_name, role="lawyer", clinic_id=clinic_ids[clinic_code]
        )
        session.add(user)
        report.lawyers.append(user)
    session.flush()


def _add_casework(session: Session, report: DemoReport, count: int) -> CaseworkTally:
    planner = CasePlanner(report.rng, report.clinic_refs, report.providers, report.today)
    users = {user.id: user for user, _ in report.accounts} | {u.id: u for u in report.lawyers}
    clinics = {clinic.id: clinic for clinic in report.clinics}
    clients: dict[int, Client] = {}
    tally = CaseworkTally()
    for plan in planner.plans(count):
        _take_case(session, plan, users, clinics, clients, report.today)
        tally.count(plan, report.today)
    return tally


#: To-dos of the first demo lawyer (days from today): her home page shows the overdue and
#: today's ones as reminders (the bell counts them), the agenda lists all three.
DEMO_TASKS = (
    (-2, "Send the client the copy of the court decision"),
    (0, "Call the client back about the shelter place"),
    (3, "Prepare the documents for the appeal"),
)


def _add_tasks(session: Session, report: DemoReport) -> None:
    """A few tasks on the first demo lawyer's open cases (no random draw: the rest of the
    demo stays the same for a seed). Added as records, since the service refuses a task
    dated in the past."""
    lawyer = next((user for user, _ in report.accounts if user.role == "lawyer"), None)
    if lawyer is None:
        return
    case_ids = session.scalars(
        select(Case.id)
        .where(Case.assigned_lawyer_id == lawyer.id, Case.status == "open")
        .order_by(Case.id)
        .limit(len(DEMO_TASKS))
    ).all()
    for case_id, (days, description) in zip(case_ids, DEMO_TASKS, strict=False):
        session.add(
            CaseTask(
                case_id=case_id,
                description=description,
                due_on=report.today + timedelta(days=days),
                assignee_id=lawyer.id,
                created_by_id=lawyer.id,
            )
        )
    session.flush()


def _take_case(
    session: Session,
    plan: CasePlan,
    users: dict[int, User],
    clinics: dict[int, Clinic],
    clients: dict[int, Client],
    today: date,
) -> None:
    """Replay one plan through the services, each step on its own day."""
    lawyer = users[plan.lawyer_id]
    existing = None if plan.new_client else clients[plan.client_serial]
    intake = take_intake(
        session,
        lawyer,
        clinic=clinics[plan.clinic.id],
        existing_client=existing,
        client_details=plan.client if existing is None else None,
        case_details=plan.case,
        respondents=plan.respondents,
        assigned_lawyer_id=lawyer.id,
        decision="decline" if plan.declined else "proceed",
        decline_reason=plan.declined or "",
        today=plan.intake_on,
    )
    clients[plan.client_serial] = intake.client
    case_ = intake.case
    if plan.opened_on is not None:
        open_case(
            session, case_, expected_version=case_.version, by=lawyer.id, today=plan.opened_on
        )
    _casework(session, case_, plan, lawyer.id, today)
    if plan.reassigned_to is not None:
        assign_case(
            session, case_, lawyer_id=plan.reassigned_to, reason=plan.reassign_reason, by=None
        )
    if plan.closed_on is not None and plan.declined is None:
        close_case(
            session,
            case_,
            expected_version=case_.version,
            outcome=plan.outcome or "resolved_favour",
            closed_on=plan.closed_on,
            by=case_.assigned_lawyer_id,
            today=today,
            # The synthetic history closes some cases before dates set for later: as a
            # lawyer who ticked the confirmation would.
            agenda_loss_confirmed=True,
        )
    if plan.reopened_on is not None:
        reopen_case(
            session,
            case_,
            expected_version=case_.version,
            reason=plan.reopen_reason,
            by=case_.assigned_lawyer_id,
            today=plan.reopened_on,
        )


def _casework(session: Session, case_: Case, plan: CasePlan, by: int, today: date) -> None:
    for service in plan.services:
        row = add_service(
            session,
            case_,
            service_type=service.service_type,
            delivered_on=service.delivered_on,
            order_kind=service.order_kind,
            by=by,
            today=today,
        )
        if service.order_result not in (None, "pending"):
            record_order_result(
                session,
                case_,
                row,
                result=service.order_result or "",
                result_on=service.order_result_on,
                expected_version=row.version,
                today=today,
            )
    for hearing in plan.hearings:
        added = add_hearing(
            session,
            case_,
            kind=hearing.kind,
            due_on=hearing.due_on,
            place=hearing.place,
            by=by,
            today=today,
        )
        if hearing.done_on is not None:
            set_hearing_done(session, case_, added, done=True, today=hearing.done_on)
    for referral in plan.referrals:
        sent = refer(
            session,
            case_,
            provider_id=referral.provider_id,
            service_type=referral.service_type,
            sent_on=referral.sent_on,
            by=by,
            today=today,
        )
        if referral.status != "sent":
            set_referral_status(
                session,
                case_,
                sent,
                status=referral.status,
                expected_version=sent.version,
                today=referral.status_on,
            )
    for note in plan.notes:
        add_note(session, case_, body=note.body, by=by)
