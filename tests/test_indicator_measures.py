"""Every indicator on a small fixed data set, against tables worked out by hand.

The data set is built through the real services (intake, open, close, reopen, services,
orders, referrals, training sessions and their test sheet). The comments beside each
expected table say which record counts where, so a reader can check the hand count.

Clients (AAA = clinic in Baku, BBB = clinic in Ganja; all consent to statistics but c3):

- c1 AAA woman 25-29 baku urban {hiv, sex_work}: k1 gbv physical, opened 2025-02-10,
  law-enforcement (LE) respondent, short order granted 03-01, shelter referral completed,
  closed 05-20 resolved_favour
- c2 AAA trans_woman 18-24 baku urban {transgender, sex_work}: k2 discrimination in
  health care, opened 04-05, health referral (sent)
- c3 AAA woman 30-39 absheron rural, NO STATISTICS CONSENT: k3 gbv rape opened 03-03, LE
  respondent, order granted 03-20, referral completed, closed 03-30 withdrawn
- c4 AAA woman 40-49 baku urban {drug_use}: k4 gbv psychological opened 08-01, LE
  respondent, incident in Ganja, long order refused, shelter referral declined; k5 other
  opened 11-15
- c5 AAA man 50-59 baku urban: an intake never opened
- c9 AAA woman 25-29 baku urban: k9 gbv denial opened 01-10, closed 01-20, reopened
- c6 BBB woman 25-29 ganja urban {hiv}: k6 gbv sexual opened 2024-12-20, long order
  granted 2025-04-02
- c7 BBB non_binary 18-24 ganja rural: k7 discrimination by law enforcement opened 10-10,
  LE respondent, psychosocial referral completed, closed 12-01 not_favour
- c8 BBB woman 60+ ganja urban: k8 gbv physical opened 2026-01-15
- c10 BBB woman 30-39 ganja urban: k10 intake declined 2025-07-07 (conflict of interest)

Training: T1 AAA 2025-03-10 baku police, sheet of 6 officers (3 women, 3 men; 4 tested:
2 women, 2 men; improved by 10+: 1 woman, 1 man); T2 BBB 2025-11-05 ganja prosecutors,
counts 2 women + 5 men; T3 AAA 2026-02-01 baku police, counts 1 + 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.cases.models import Case
from legalaid.cases.services import (
    CaseDetails,
    close_case,
    reopen_case,
)
from legalaid.casework.services import add_service, record_order_result
from legalaid.clinics.models import Clinic
from legalaid.disclosure.policy import DisclosurePolicy
from legalaid.feedback.models import FeedbackAnswer, FeedbackResponse
from legalaid.indicators.catalogue import MEASURES, IndicatorCatalogue
from legalaid.indicators.measures import NATIONAL, Scope
from legalaid.indicators.periods import PeriodNotAvailableError, period_of_code
from legalaid.indicators.tables import (
    TOTAL,
    NotCataloguedError,
    Table,
    build_table,
    catalogued_table,
    clinics_dimension,
    dimension_named,
    indicator_tables,
)
from legalaid.providers.services import create_provider
from legalaid.referrals.services import refer, set_referral_status
from legalaid.settings import DEFAULT_POLICY_DIR
from legalaid.trainings.importing import ParticipantInput
from legalaid.trainings.services import create_session, replace_participants
from tests.case_factories import make_case
from tests.factories import create_clinic, create_user
from tests.training_factories import session_details

# Long after the plan: every period is complete whatever the lag.
LATER = date(2028, 6, 1)
T = TOTAL


def catalogue() -> IndicatorCatalogue:
    from legalaid.disclosure.policy import load_indicator_policies

    return load_indicator_policies(DEFAULT_POLICY_DIR)[0]


POLICY = DisclosurePolicy(require_statistics_consent=True)
NO_CONSENT_POLICY = DisclosurePolicy(require_statistics_consent=False)


# --- the data set ------------------------------------------------------------------------


@dataclass
class DataSet:
    aaa: Clinic
    bbb: Clinic


def _case(
    session: Session,
    lawyer: User,
    on: date,
    details: CaseDetails,
    *,
    respondents: tuple[tuple[str, str], ...] = (),
    open_it: bool = True,
    decline: bool = False,
    **client: Any,
) -> Case:
    return make_case(
        session,
        lawyer,
        on=on,
        details=details,
        respondents=respondents,
        open_it=open_it,
        decline=decline,
        commit=False,
        **client,
    )


def _second_case(
    session: Session, lawyer: User, first: Case, on: date, details: CaseDetails
) -> Case:
    return make_case(
        session, lawyer, on=on, details=details, existing_client=first.client, commit=False
    )


def gbv(kind: str, **more: object) -> CaseDetails:
    return CaseDetails(category="gbv", risk_level="medium", gbv_type=kind, **more)  # type: ignore[arg-type]


def discrimination(domain: str) -> CaseDetails:
    return CaseDetails(
        category="discrimination",
        risk_level="medium",
        grounds=["hiv_status"],
        discrimination_domain=domain,
    )


def _close(session: Session, case_: Case, on: date, outcome: str) -> None:
    close_case(
        session,
        case_,
        expected_version=case_.version,
        outcome=outcome,
        closed_on=on,
        by=None,
        today=on,
    )


def _order(
    session: Session, case_: Case, kind: str, on: date, result: str, result_on: date
) -> None:
    service = add_service(
        session,
        case_,
        service_type="protection_order",
        delivered_on=on,
        order_kind=kind,
        by=None,
        today=on,
    )
    record_order_result(
        session,
        case_,
        service,
        result=result,
        result_on=result_on,
        expected_version=service.version,
        today=result_on,
    )


def _refer(session: Session, case_: Case, provider_id: int, on: date, status: str = "") -> None:
    referral = refer(
        session, case_, provider_id=provider_id, service_type=None, sent_on=on, by=None, today=on
    )
    if status:
        set_referral_status(
            session,
            case_,
            referral,
            status=status,
            expected_version=referral.version,
            today=on + timedelta(days=10),
        )


def build_data_set(session: Session) -> DataSet:
    aaa = create_clinic(session, "AAA", region="baku")
    bbb = create_clinic(session, "BBB", region="ganja_dashkasan")
    lawyer_a = create_user(session, "lawyer", clinic=aaa)
    lawyer_b = create_user(session, "lawyer", clinic=bbb)
    manager_a = create_user(session, "manager", clinic=aaa)
    manager_b = create_user(session, "manager", clinic=bbb)
    providers = {
        service: create_provider(
            session,
            name=f"Synthetic {service} provider",
            service_type=service,
            economic_region="baku",
            contact="",
            by=None,
        ).id
        for service in ("shelter", "health", "psychosocial")
    }
    le = (("", "law_enforcement"),)
    d = date

    # AAA
    k9 = _case(session, lawyer_a, d(2025, 1, 10), gbv("denial_of_resources"), age_band="25_29")
    _close(session, k9, d(2025, 1, 20), "lost_contact")
    reopen_case(
        session,
        k9,
        expected_version=k9.version,
        reason="She came back",
        by=None,
        today=d(2025, 1, 25),
    )
    k1 = _case(
        session,
        lawyer_a,
        d(2025, 2, 10),
        gbv("physical_assault"),
        respondents=le,
        age_band="25_29",
        key_populations=["hiv", "sex_work"],
    )
    add_service(
        session,
        k1,
        service_type="advice",
        delivered_on=d(2025, 2, 11),
        order_kind=None,
        by=None,
        today=d(2025, 2, 11),
    )
    _refer(session, k1, providers["shelter"], d(2025, 2, 12), "completed")
    _order(session, k1, "short_term", d(2025, 2, 15), "granted", d(2025, 3, 1))
    _close(session, k1, d(2025, 5, 20), "resolved_favour")
    k3 = _case(
        session,
        lawyer_a,
        d(2025, 3, 3),
        gbv("rape"),
        respondents=le,
        age_band="30_39",
        economic_region="absheron_khizi",
        settlement="rural",
        consent_statistics=False,
    )
    _order(session, k3, "short_term", d(2025, 3, 5), "granted", d(2025, 3, 20))
    _refer(session, k3, providers["shelter"], d(2025, 3, 6), "completed")
    _close(session, k3, d(2025, 3, 30), "withdrawn")
    k2 = _case(
        session,
        lawyer_a,
        d(2025, 4, 5),
        discrimination("health_care"),
        respondents=(("", "employer"),),
        gender_identity="trans_woman",
        age_band="18_24",
        key_populations=["transgender", "sex_work"],
    )
    _refer(session, k2, providers["health"], d(2025, 4, 10))
    _case(
        session,
        lawyer_a,
        d(2025, 6, 1),
        gbv("physical_assault"),
        open_it=False,
        gender_identity="man",
        age_band="50_59",
    )
    k4 = _case(
        session,
        lawyer_a,
        d(2025, 8, 1),
        gbv(
            "psychological_abuse",
            intimate_partner_violence=True,
            incident_region="ganja_dashkasan",
        ),
        respondents=le,
        age_band="40_49",
        key_populations=["drug_use"],
    )
    _refer(session, k4, providers["shelter"], d(2025, 8, 2), "declined")
    _order(session, k4, "long_term", d(2025, 8, 5), "refused", d(2025, 8, 20))
    _second_case(
        session, lawyer_a, k4, d(2025, 11, 15), CaseDetails(category="other", risk_level="low")
    )

    # BBB
    ganja: dict[str, Any] = {"economic_region": "ganja_dashkasan"}
    k6 = _case(
        session,
        lawyer_b,
        d(2024, 12, 20),
        gbv("sexual_assault"),
        age_band="25_29",
        key_populations=["hiv"],
        **ganja,
    )
    _order(session, k6, "long_term", d(2025, 1, 5), "granted", d(2025, 4, 2))
    k7 = _case(
        session,
        lawyer_b,
        d(2025, 10, 10),
        discrimination("law_enforcement"),
        respondents=le,
        gender_identity="non_binary",
        age_band="18_24",
        settlement="rural",
        **ganja,
    )
    _refer(session, k7, providers["psychosocial"], d(2025, 10, 12), "completed")
    _close(session, k7, d(2025, 12, 1), "not_favour")
    _case(session, lawyer_b, d(2026, 1, 15), gbv("physical_assault"), age_band="60_plus", **ganja)
    _case(
        session,
        lawyer_b,
        d(2025, 7, 7),
        gbv("physical_assault"),
        decline=True,
        age_band="30_39",
        **ganja,
    )

    # Training sessions
    t1 = create_session(
        session,
        manager_a,
        aaa.id,
        session_details(manager_a, starts_on=d(2025, 3, 10), ends_on=d(2025, 3, 11)),
        today=d(2025, 3, 12),
    )
    rows = [
        ("female", 40, 60),
        ("female", 50, 55),
        ("male", 70, 65),
        ("male", None, 80),
        ("male", 30, 45),
        ("female", 60, None),
    ]
    replace_participants(
        session,
        t1,
        [
            ParticipantInput(line, sex, None, None, pre, post, True)
            for line, (sex, pre, post) in enumerate(rows, start=2)
        ],
        expected_version=t1.version,
    )
    create_session(
        session,
        manager_b,
        bbb.id,
        session_details(
            manager_b,
            starts_on=d(2025, 11, 5),
            ends_on=d(2025, 11, 5),
            economic_region="ganja_dashkasan",
            agency="prosecutors",
            participation_mode="counts",
            officers_female=2,
            officers_male=5,
            officers_total=7,
        ),
        today=d(2025, 11, 6),
    )
    create_session(
        session,
        manager_a,
        aaa.id,
        session_details(
            manager_a,
            starts_on=d(2026, 2, 1),
            ends_on=d(2026, 2, 1),
            participation_mode="counts",
            officers_female=1,
            officers_male=1,
            officers_total=2,
        ),
        today=d(2026, 2, 2),
    )
    # Anonymous feedback (LA11): AAA two answers in 2025Q1 (5 and 2), BBB one in 2025Q4 (4).
    for clinic, quarter, satisfaction in (
        (aaa, "2025Q1", "5"),
        (aaa, "2025Q1", "2"),
        (bbb, "2025Q4", "4"),
    ):
        response = FeedbackResponse(clinic_id=clinic.id, quarter=quarter, category="gbv")
        session.add(response)
        session.flush()
        session.add(
            FeedbackAnswer(response_id=response.id, question="satisfaction", answer=satisfaction)
        )
        # Another question's "5" is not satisfaction: LA11 counts only the policy's question.
        session.add(FeedbackAnswer(response_id=response.id, question="useful", answer="5"))
    session.commit()
    return DataSet(aaa, bbb)


@pytest.fixture
def data(session: Session) -> DataSet:
    return build_data_set(session)


# --- the hand-made tables -----------------------------------------------------------------

#: For each indicator and breakdown, the non-zero cells of 2025, nationally (TOTAL: margin).
EXPECTED_2025: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], int]]] = {
    # Served in 2025, with consent: c1 c2 c4 c9 (AAA), c6 c7 (BBB). c3 has no consent, c5
    # was never opened, c8 opened in 2026, c10 was declined at intake.
    "clients_served": {
        (): {(T,): 6},
        ("clinic",): {("AAA",): 4, ("BBB",): 2, (T,): 6},
        ("gender_identity",): {("woman",): 4, ("trans_woman",): 1, ("non_binary",): 1, (T,): 6},
        ("age_band",): {("18_24",): 2, ("25_29",): 3, ("40_49",): 1, (T,): 6},
        # c1 in two groups and c2 in two: the groups add up to 8 for 6 clients.
        ("key_population",): {
            ("hiv",): 2,
            ("sex_work",): 2,
            ("drug_use",): 1,
            ("transgender",): 1,
            ("none",): 2,
            (T,): 6,
        },
        ("region",): {("baku",): 4, ("ganja_dashkasan",): 2, (T,): 6},
        ("settlement",): {("urban",): 5, ("rural",): 1, (T,): 6},
        ("disability",): {("unknown",): 6, (T,): 6},
        ("clinic", "gender_identity"): {
            ("AAA", "woman"): 3,
            ("AAA", "trans_woman"): 1,
            ("AAA", T): 4,
            ("BBB", "woman"): 1,
            ("BBB", "non_binary"): 1,
            ("BBB", T): 2,
            (T, "woman"): 4,
            (T, "trans_woman"): 1,
            (T, "non_binary"): 1,
            (T, T): 6,
        },
    },
    # c3 served in Q1 without consent.
    "clients_excluded_no_consent": {(): {(T,): 1}, ("clinic",): {("AAA",): 1, (T,): 1}},
    # Opened in 2025: k9 k1 (Q1), k2 (Q2), k4 (Q3), k5 k7 (Q4); k3 excluded, k6 in 2024.
    "cases_opened": {
        (): {(T,): 6},
        ("clinic",): {("AAA",): 5, ("BBB",): 1, (T,): 6},
        ("category",): {("gbv",): 3, ("discrimination",): 2, ("other",): 1, (T,): 6},
        ("region",): {("baku",): 5, ("ganja_dashkasan",): 1, (T,): 6},
        ("gender_identity",): {("woman",): 4, ("trans_woman",): 1, ("non_binary",): 1, (T,): 6},
        ("key_population",): {
            ("hiv",): 1,
            ("sex_work",): 2,
            ("drug_use",): 2,
            ("transgender",): 1,
            ("none",): 2,
            (T,): 6,
        },
        ("clinic", "category"): {
            ("AAA", "gbv"): 3,
            ("AAA", "discrimination"): 1,
            ("AAA", "other"): 1,
            ("AAA", T): 5,
            ("BBB", "discrimination"): 1,
            ("BBB", T): 1,
            (T, "gbv"): 3,
            (T, "discrimination"): 2,
            (T, "other"): 1,
            (T, T): 6,
        },
        ("region", "category"): {
            ("baku", "gbv"): 3,
            ("baku", "discrimination"): 1,
            ("baku", "other"): 1,
            ("baku", T): 5,
            ("ganja_dashkasan", "discrimination"): 1,
            ("ganja_dashkasan", T): 1,
            (T, "gbv"): 3,
            (T, "discrimination"): 2,
            (T, "other"): 1,
            (T, T): 6,
        },
    },
    # Closed and still closed: k1, k7, k10 (declined); k9 was reopened, k3 excluded.
    "cases_closed": {
        (): {(T,): 3},
        ("outcome",): {
            ("resolved_favour",): 1,
            ("not_favour",): 1,
            ("conflict_declined",): 1,
            (T,): 3,
        },
        ("clinic",): {("AAA",): 1, ("BBB",): 2, (T,): 3},
        ("category",): {("gbv",): 2, ("discrimination",): 1, (T,): 3},
        ("clinic", "outcome"): {
            ("AAA", "resolved_favour"): 1,
            ("AAA", T): 1,
            ("BBB", "not_favour"): 1,
            ("BBB", "conflict_declined"): 1,
            ("BBB", T): 2,
            (T, "resolved_favour"): 1,
            (T, "not_favour"): 1,
            (T, "conflict_declined"): 1,
            (T, T): 3,
        },
    },
    "gbv_cases_opened": {  # k9, k1, k4
        (): {(T,): 3},
        ("gbv_type",): {
            ("physical_assault",): 1,
            ("denial_of_resources",): 1,
            ("psychological_abuse",): 1,
            (T,): 3,
        },
        ("clinic",): {("AAA",): 3, (T,): 3},
        ("region",): {("baku",): 3, (T,): 3},
        ("age_band",): {("25_29",): 2, ("40_49",): 1, (T,): 3},
        ("clinic", "gbv_type"): {
            ("AAA", "physical_assault"): 1,
            ("AAA", "denial_of_resources"): 1,
            ("AAA", "psychological_abuse"): 1,
            ("AAA", T): 3,
            (T, "physical_assault"): 1,
            (T, "denial_of_resources"): 1,
            (T, "psychological_abuse"): 1,
            (T, T): 3,
        },
    },
    "discrimination_cases_opened": {  # k2 (AAA), k7 (BBB)
        (): {(T,): 2},
        ("discrimination_domain",): {("health_care",): 1, ("law_enforcement",): 1, (T,): 2},
        ("clinic",): {("AAA",): 1, ("BBB",): 1, (T,): 2},
        ("key_population",): {("sex_work",): 1, ("transgender",): 1, ("none",): 1, (T,): 2},
        ("clinic", "discrimination_domain"): {
            ("AAA", "health_care"): 1,
            ("AAA", T): 1,
            ("BBB", "law_enforcement"): 1,
            ("BBB", T): 1,
            (T, "health_care"): 1,
            (T, "law_enforcement"): 1,
            (T, T): 2,
        },
    },
    # Granted in 2025: k1 (short, AAA) and k6 (long, BBB); k3 excluded, k4 refused.
    "protection_orders_granted": {
        (): {(T,): 2},
        ("order_kind",): {("short_term",): 1, ("long_term",): 1, (T,): 2},
        ("clinic",): {("AAA",): 1, ("BBB",): 1, (T,): 2},
        ("region",): {("baku",): 1, ("ganja_dashkasan",): 1, (T,): 2},
        ("clinic", "order_kind"): {
            ("AAA", "short_term"): 1,
            ("AAA", T): 1,
            ("BBB", "long_term"): 1,
            ("BBB", T): 1,
            (T, "short_term"): 1,
            (T, "long_term"): 1,
            (T, T): 2,
        },
    },
    # Sent: k1 shelter, k2 health, k4 shelter (AAA), k7 psychosocial (BBB); k3 excluded.
    "referrals_sent": {
        (): {(T,): 4},
        ("service_type",): {("shelter",): 2, ("psychosocial",): 1, ("health",): 1, (T,): 4},
        ("clinic",): {("AAA",): 3, ("BBB",): 1, (T,): 4},
        ("clinic", "service_type"): {
            ("AAA", "shelter"): 2,
            ("AAA", "health"): 1,
            ("AAA", T): 3,
            ("BBB", "psychosocial"): 1,
            ("BBB", T): 1,
            (T, "shelter"): 2,
            (T, "psychosocial"): 1,
            (T, "health"): 1,
            (T, T): 4,
        },
    },
    "referrals_completed": {  # k1 shelter, k7 psychosocial
        (): {(T,): 2},
        ("service_type",): {("shelter",): 1, ("psychosocial",): 1, (T,): 2},
        ("clinic",): {("AAA",): 1, ("BBB",): 1, (T,): 2},
        ("clinic", "service_type"): {
            ("AAA", "shelter"): 1,
            ("AAA", T): 1,
            ("BBB", "psychosocial"): 1,
            ("BBB", T): 1,
            (T, "shelter"): 1,
            (T, "psychosocial"): 1,
            (T, T): 2,
        },
    },
    # k1 (no incident region: client's baku), k4 (incident in ganja), k7 (client's ganja).
    "cases_law_enforcement_respondent": {
        (): {(T,): 3},
        ("region",): {("baku",): 1, ("ganja_dashkasan",): 2, (T,): 3},
        ("clinic",): {("AAA",): 2, ("BBB",): 1, (T,): 3},
        ("category",): {("gbv",): 2, ("discrimination",): 1, (T,): 3},
        ("gender_identity",): {("woman",): 2, ("non_binary",): 1, (T,): 3},
        ("region", "category"): {
            ("baku", "gbv"): 1,
            ("baku", T): 1,
            ("ganja_dashkasan", "gbv"): 1,
            ("ganja_dashkasan", "discrimination"): 1,
            ("ganja_dashkasan", T): 2,
            (T, "gbv"): 2,
            (T, "discrimination"): 1,
            (T, T): 3,
        },
    },
    "training_sessions": {  # T1 (AAA, police, baku), T2 (BBB, prosecutors, ganja)
        (): {(T,): 2},
        ("agency",): {("police",): 1, ("prosecutors",): 1, (T,): 2},
        ("region",): {("baku",): 1, ("ganja_dashkasan",): 1, (T,): 2},
        ("clinic",): {("AAA",): 1, ("BBB",): 1, (T,): 2},
        ("clinic", "agency"): {
            ("AAA", "police"): 1,
            ("AAA", T): 1,
            ("BBB", "prosecutors"): 1,
            ("BBB", T): 1,
            (T, "police"): 1,
            (T, "prosecutors"): 1,
            (T, T): 2,
        },
    },
    "officers_trained": {  # T1 sheet 3 + 3, T2 counts 2 + 5
        (): {(T,): 13},
        ("sex",): {("female",): 5, ("male",): 8, (T,): 13},
        ("agency",): {("police",): 6, ("prosecutors",): 7, (T,): 13},
        ("region",): {("baku",): 6, ("ganja_dashkasan",): 7, (T,): 13},
        ("clinic",): {("AAA",): 6, ("BBB",): 7, (T,): 13},
        ("agency", "sex"): {
            ("police", "female"): 3,
            ("police", "male"): 3,
            ("police", T): 6,
            ("prosecutors", "female"): 2,
            ("prosecutors", "male"): 5,
            ("prosecutors", T): 7,
            (T, "female"): 5,
            (T, "male"): 8,
            (T, T): 13,
        },
        ("clinic", "sex"): {
            ("AAA", "female"): 3,
            ("AAA", "male"): 3,
            ("AAA", T): 6,
            ("BBB", "female"): 2,
            ("BBB", "male"): 5,
            ("BBB", T): 7,
            (T, "female"): 5,
            (T, "male"): 8,
            (T, T): 13,
        },
    },
    # Both scores: 40->60 (f), 50->55 (f), 70->65 (m), 30->45 (m); T2 has no sheet.
    "officers_tested": {
        (): {(T,): 4},
        ("sex",): {("female",): 2, ("male",): 2, (T,): 4},
        ("agency",): {("police",): 4, (T,): 4},
        ("clinic",): {("AAA",): 4, (T,): 4},
        ("agency", "sex"): {
            ("police", "female"): 2,
            ("police", "male"): 2,
            ("police", T): 4,
            (T, "female"): 2,
            (T, "male"): 2,
            (T, T): 4,
        },
    },
    # Feedback answers of 2025: AAA 5 and 2 (Q1), BBB 4 (Q4); satisfied: 4 or 5.
    "feedback_answers": {(): {(T,): 3}, ("clinic",): {("AAA",): 2, ("BBB",): 1, (T,): 3}},
    "feedback_satisfied": {(): {(T,): 2}, ("clinic",): {("AAA",): 1, ("BBB",): 1, (T,): 2}},
    "officers_improved": {  # +20 (f) and +15 (m); +5 and -5 do not count
        (): {(T,): 2},
        ("sex",): {("female",): 1, ("male",): 1, (T,): 2},
        ("agency",): {("police",): 2, (T,): 2},
        ("clinic",): {("AAA",): 2, (T,): 2},
        ("agency", "sex"): {
            ("police", "female"): 1,
            ("police", "male"): 1,
            ("police", T): 2,
            (T, "female"): 1,
            (T, "male"): 1,
            (T, T): 2,
        },
    },
}


def nonzero(table: Table) -> dict[tuple[str, ...], int]:
    return {key: value for key, value in table.values.items() if value}


def _layout(table: Table) -> tuple[str, ...]:
    return tuple(dimension.name for dimension in table.dimensions)


def test_every_catalogued_table_of_2025_matches_the_hand_count(
    session: Session, data: DataSet
) -> None:
    shipped = catalogue()
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for indicator in shipped.indicator:
        tables = indicator_tables(
            session, shipped, POLICY, code=indicator.code, period_code="2025", today=LATER
        )
        assert len(tables) == len(indicator.measures) * len(indicator.layouts(clinic_scope=False))
        for table in tables:
            expected = EXPECTED_2025[table.measure][_layout(table)]
            if len(table.dimensions) == 0:
                expected = {(): expected[(T,)]}
            assert nonzero(table) == expected, (indicator.code, table.measure, _layout(table))
            seen.add((table.measure, _layout(table)))
    # The hand-made tables are all used: nothing expected was left unchecked.
    assert seen == {(m, layout) for m, tables in EXPECTED_2025.items() for layout in tables}


def test_categories_are_complete_and_in_vocabulary_order(session: Session, data: DataSet) -> None:
    shipped = catalogue()
    tables = indicator_tables(
        session, shipped, POLICY, code="LA01", period_code="2025", today=LATER
    )
    by_gender = next(t for t in tables if _layout(t) == ("gender_identity",))
    assert [key[0] for key in by_gender.cell_keys()] == [
        "woman",
        "man",
        "trans_woman",
        "trans_man",
        "non_binary",
        "not_stated",
        T,
    ]
    assert list(by_gender.values) == list(by_gender.cell_keys())
    by_clinic = next(t for t in tables if _layout(t) == ("clinic",))
    assert [key[0] for key in by_clinic.cell_keys()] == ["AAA", "BBB", T]


QUARTERS = [
    # Distinct clients per quarter; the year (6) is less than the quarters' sum (16).
    ("clients_served", "2025Q1", 3),  # c1, c6, c9
    ("clients_served", "2025Q2", 4),  # c1 (closed 05-20), c2, c6, c9
    ("clients_served", "2025Q3", 4),  # c2, c4, c6, c9
    ("clients_served", "2025Q4", 5),  # c2, c4, c6, c7, c9
    ("clients_served", "2026Q1", 5),  # c2, c4, c6, c8, c9 (c7 closed in December)
    ("cases_opened", "2025Q1", 2),  # k9, k1
    ("cases_opened", "2025Q2", 1),  # k2
    ("cases_opened", "2025Q3", 1),  # k4
    ("cases_opened", "2025Q4", 2),  # k5, k7
    ("cases_opened", "2026Q1", 1),  # k8
    ("cases_closed", "2025Q1", 0),  # k9 reopened, k3 excluded
    ("cases_closed", "2025Q3", 1),  # k10 declined
    ("protection_orders_granted", "2025Q1", 1),  # k1 (k3 excluded)
    ("protection_orders_granted", "2025Q2", 1),  # k6, granted in April
    ("referrals_sent", "2025Q3", 1),  # k4
    ("training_sessions", "2025Q1", 1),
    ("training_sessions", "2026Q1", 1),
    ("officers_trained", "2025Q4", 7),
    ("officers_trained", "2026Q1", 2),
    ("clients_excluded_no_consent", "2025Q2", 0),
]


def test_quarters(session: Session, data: DataSet) -> None:
    found = [
        (measure, period, only_cell(national_table(session, measure, period)))
        for measure, period, _ in QUARTERS
    ]
    assert found == QUARTERS


def national_table(
    session: Session, measure: str, period: str, layout: tuple[str, ...] = ()
) -> Table:
    """One measure's national table for a period, laid out by the named dimensions."""
    clinics = clinics_dimension(session)
    return build_table(
        session,
        MEASURES[measure],
        tuple(dimension_named(name, clinics) for name in layout),
        period_of_code(period),
        NATIONAL,
        consent_required=True,
        clinics=clinics,
    )


def only_cell(table: Table) -> int:
    assert list(table.values) == [()]
    return table.values[()]


def test_plan_to_date_runs_through_the_last_completed_quarter(
    session: Session, data: DataSet
) -> None:
    shipped = catalogue()
    # 2026-06-01 with a 30-day lag: 2026Q1 is complete, 2026Q2 is not.
    (table, *_) = indicator_tables(
        session, shipped, POLICY, code="LA02", period_code="2025-2027", today=date(2026, 6, 1)
    )
    assert table.period.start == date(2025, 1, 1)
    assert table.period.end == date(2026, 3, 31)
    assert table.values == {(): 7}  # the six of 2025 and k8


def test_a_clinic_sees_its_slice_of_the_national_table(session: Session, data: DataSet) -> None:
    shipped = catalogue()
    for clinic, expected_total in ((data.aaa, 4), (data.bbb, 2)):
        tables = indicator_tables(
            session,
            shipped,
            POLICY,
            code="LA01",
            period_code="2025",
            today=LATER,
            scope=Scope(clinic.id),
        )
        assert [_layout(t) for t in tables] == [(), ("gender_identity",)]
        total, by_gender = tables
        assert total.values == {(): expected_total}
        national = EXPECTED_2025["clients_served"][("clinic", "gender_identity")]
        assert nonzero(by_gender) == {
            (gender,): n for (code, gender), n in national.items() if code == clinic.code
        }
        # Same statistic, same cell: the clinic's table shares its cells with the nation's.
        assert total.cell_id(()).coords == (("clinic", clinic.code),)


def test_without_the_consent_rule_nobody_is_left_out(session: Session, data: DataSet) -> None:
    shipped = catalogue()
    served, by_clinic, *_ = indicator_tables(
        session, shipped, NO_CONSENT_POLICY, code="LA01", period_code="2025", today=LATER
    )
    assert served.values == {(): 7}  # c3 counted too
    assert nonzero(by_clinic) == {("AAA",): 5, ("BBB",): 2, (T,): 7}
    excluded = indicator_tables(
        session, shipped, NO_CONSENT_POLICY, code="LA10", period_code="2025", today=LATER
    )
    assert all(not nonzero(table) for table in excluded)
    opened, *_ = indicator_tables(
        session, shipped, NO_CONSENT_POLICY, code="LA02", period_code="2025", today=LATER
    )
    assert opened.values == {(): 7}  # k3 counted too


def test_aggregation_happens_in_sql(session: Session, data: DataSet) -> None:
    """Every statement is one aggregate; the rows that come back are groups, not records."""
    statements: list[str] = []
    engine = session.get_bind().engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        shipped = catalogue()
        for indicator in shipped.indicator:
            indicator_tables(
                session, shipped, POLICY, code=indicator.code, period_code="2025", today=LATER
            )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    counting = [
        s for s in statements if s.startswith("SELECT") and not s.startswith("SELECT clinic.code")
    ]
    assert counting
    for statement in counting:
        lowered = statement.lower()
        assert "count(" in lowered or "sum(" in lowered, statement


def test_same_inputs_same_tables(session: Session, data: DataSet) -> None:
    shipped = catalogue()
    first = indicator_tables(session, shipped, POLICY, code="LE02", period_code="2025", today=LATER)
    second = indicator_tables(
        session, shipped, POLICY, code="LE02", period_code="2025", today=LATER
    )
    assert [list(t.values.items()) for t in first] == [list(t.values.items()) for t in second]


def test_only_catalogued_tables_and_completed_periods(session: Session, data: DataSet) -> None:
    shipped = catalogue()
    ask: dict[str, Any] = {"session": session, "catalogue": shipped, "policy": POLICY}
    table = catalogued_table(
        **ask, code="LA01", layout=("gender_identity",), period_code="2025Q4", today=LATER
    )
    assert table.values[(T,)] == 5
    with pytest.raises(NotCataloguedError):  # a crossing the catalogue does not list
        catalogued_table(
            **ask,
            code="LA01",
            layout=("gender_identity", "age_band"),
            period_code="2025",
            today=LATER,
        )
    with pytest.raises(NotCataloguedError):
        catalogued_table(**ask, code="ZZ99", layout=(), period_code="2025", today=LATER)
    with pytest.raises(NotCataloguedError):  # a clinic's table by a dimension not crossed
        catalogued_table(
            **ask,
            code="LA01",
            layout=("age_band",),
            period_code="2025",
            today=LATER,
            scope=Scope(data.aaa.id),
        )
    # 2025Q4 ends on 31 December; with 30 days of lag it opens on 31 January.
    with pytest.raises(PeriodNotAvailableError):
        catalogued_table(
            **ask, code="LA01", layout=(), period_code="2025Q4", today=date(2026, 1, 30)
        )
    assert catalogued_table(
        **ask, code="LA01", layout=(), period_code="2025Q4", today=date(2026, 1, 31)
    ).values == {(): 5}
    for arbitrary in ("2025-03-01/2025-04-01", "2025M03", "2024", "2028Q1", "2025q1"):
        with pytest.raises(PeriodNotAvailableError):
            catalogued_table(**ask, code="LA01", layout=(), period_code=arbitrary, today=LATER)


def test_shares_come_from_the_published_counts(session: Session, data: DataSet) -> None:
    """LA08 in 2025: 2 completed of 4 sent; LE03: 2 improved of 4 tested (k=2 to see them)."""
    from legalaid.disclosure.suppression import protect, shares

    shipped = catalogue()
    relaxed = DisclosurePolicy(k=2, require_statistics_consent=True)
    for code in ("LA08", "LE03"):
        tables = indicator_tables(
            session, shipped, relaxed, code=code, period_code="2025", today=LATER
        )
        protection = protect(tables, relaxed)
        numerator, denominator = protection.tables[0], protection.tables[len(tables) // 2]
        assert _layout(numerator.table) == _layout(denominator.table) == ()
        assert shares(numerator, denominator)[()].percent == Decimal("50.0")


def test_dimensions_named_resolve(session: Session, data: DataSet) -> None:
    clinics = clinics_dimension(session)
    assert dimension_named("clinic", clinics).categories == ("AAA", "BBB")
    assert dimension_named("sex", clinics).categories == ("female", "male")


def _completed_in(session: Session, period: str) -> int:
    return only_cell(national_table(session, "referrals_completed", period))


def test_a_referral_counts_as_completed_within_90_days_of_sending_and_old_quarters_stay(
    session: Session, data: DataSet
) -> None:
    """LA08 reads a referral's completion within 90 days of sending, so re-releasing an
    old quarter gives the same number whatever happened to its referrals much later; a
    status saved again keeps its date."""
    lawyer = create_user(session, "lawyer", clinic=data.aaa)
    provider = create_provider(
        session,
        name="Synthetic late shelter",
        service_type="shelter",
        economic_region="baku",
        contact="",
        by=None,
    )
    before = _completed_in(session, "2027Q1")
    sent_on = date(2027, 1, 10)
    on_time = _case(session, lawyer, sent_on, gbv("physical_assault"))
    late = _case(session, lawyer, sent_on, gbv("physical_assault"))
    referrals = {}
    for case_ in (on_time, late):
        referrals[case_.id] = refer(
            session,
            case_,
            provider_id=provider.id,
            service_type=None,
            sent_on=sent_on,
            by=None,
            today=sent_on,
        )
    done = referrals[on_time.id]
    set_referral_status(
        session,
        on_time,
        done,
        status="completed",
        expected_version=done.version,
        today=sent_on + timedelta(days=90),
    )
    slow = referrals[late.id]
    set_referral_status(
        session,
        late,
        slow,
        status="completed",
        expected_version=slow.version,
        today=sent_on + timedelta(days=91),
    )
    session.flush()
    assert _completed_in(session, "2027Q1") == before + 1
    # Saving "completed" again a year later moves nothing.
    set_referral_status(
        session,
        on_time,
        done,
        status="completed",
        expected_version=done.version,
        today=date(2028, 3, 1),
    )
    session.flush()
    assert done.status_on == sent_on + timedelta(days=90)
    assert _completed_in(session, "2027Q1") == before + 1


def _closed_in(session: Session, period: str, layout: tuple[str, ...] = ()) -> dict[Any, int]:
    return dict(national_table(session, "cases_closed", period, layout).values)


def test_a_later_reopening_does_not_change_a_past_quarter_of_cases_closed(
    session: Session, data: DataSet
) -> None:
    """LA03 reads the dated status history: a case closed in 2027Q1 (backdated to its
    real closing date), reopened in Q2 and closed again in Q3 with another outcome
    counts in Q1 with the first outcome and in Q3 with the second; reopening it in the
    same quarter it was closed takes that closure back."""
    lawyer = create_user(session, "lawyer", clinic=data.aaa)
    q1_before = _closed_in(session, "2027Q1", ("outcome",))
    q3_before = _closed_in(session, "2027Q3", ("outcome",))
    case_ = _case(session, lawyer, date(2027, 1, 5), gbv("physical_assault"))
    _close(session, case_, date(2027, 2, 1), "resolved_favour")
    after_close = _closed_in(session, "2027Q1", ("outcome",))
    reopen_case(
        session,
        case_,
        expected_version=case_.version,
        reason="Back",
        by=None,
        today=date(2027, 5, 2),
    )
    _close(session, case_, date(2027, 8, 1), "not_favour")
    session.flush()
    q1 = _closed_in(session, "2027Q1", ("outcome",))
    assert q1 == after_close
    assert q1[("resolved_favour",)] == q1_before[("resolved_favour",)] + 1
    q3 = _closed_in(session, "2027Q3", ("outcome",))
    assert q3[("not_favour",)] == q3_before[("not_favour",)] + 1
    assert q3[("resolved_favour",)] == q3_before[("resolved_favour",)]
    # Reopened within Q3 itself: the Q3 closure is taken back, Q1 stays.
    reopen_case(
        session,
        case_,
        expected_version=case_.version,
        reason="Again",
        by=None,
        today=date(2027, 9, 1),
    )
    session.flush()
    assert _closed_in(session, "2027Q3", ("outcome",)) == q3_before
    assert _closed_in(session, "2027Q1", ("outcome",)) == q1


def _served_in(session: Session, period: str) -> int:
    values = national_table(session, "clients_served", period).values
    return int(values[(TOTAL,)] if (TOTAL,) in values else values[()])


def test_clients_served_reads_the_status_history_not_todays_status(
    session: Session, data: DataSet
) -> None:
    """LA01: a case closed in 2027Q1 and reopened in Q3 was served in Q1 and Q3, not in
    Q2; and reopening it later does not change Q1 or Q2 (today's "open" status does not
    reach back to the quarter it spent closed). The quarter of the plan sums it per
    quarter, the year counts her once."""
    lawyer = create_user(session, "lawyer", clinic=data.aaa)
    before = {q: _served_in(session, q) for q in ("2027Q1", "2027Q2", "2027Q3", "2027")}
    case_ = _case(session, lawyer, date(2027, 1, 5), gbv("physical_assault"))
    _close(session, case_, date(2027, 2, 1), "resolved_favour")
    closed = {q: _served_in(session, q) for q in before}
    assert closed == {**before, "2027Q1": before["2027Q1"] + 1, "2027": before["2027"] + 1}
    reopen_case(
        session,
        case_,
        expected_version=case_.version,
        reason="Back",
        by=None,
        today=date(2027, 8, 2),
    )
    session.flush()
    assert case_.closed_on is None  # today's status: open, since Q3
    after = {q: _served_in(session, q) for q in before}
    assert after["2027Q1"] == closed["2027Q1"]
    assert after["2027Q2"] == before["2027Q2"]  # closed all through Q2
    assert after["2027Q3"] == before["2027Q3"] + 1
    assert after["2027"] == closed["2027"]
