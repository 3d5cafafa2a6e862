"""Synthetic casework plans: what each demo case looks like, drawn from one generator.

A :class:`CasePlan` is plain data (no database): the client, the case, its respondents
and its whole life until ``today``: opening, services, hearings, referrals, notes,
reassignment, closing. Two builders turn plans into rows: the small demo through the real
services (:mod:`legalaid.demo.builder`), large data sets with bulk inserts
(:mod:`legalaid.demo.bulk`). Sharing the plans keeps both equally realistic.

Plans come out in intake order, so case numbers grow with the intake date. Nothing is
dated after ``today`` except upcoming hearings and deadlines.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from legalaid.cases.services import CaseDetails, RespondentInput
from legalaid.clients.services import ClientDetails, age_band_on
from legalaid.demo import names
from legalaid.demo.names import pick, randint
from legalaid.vocabulary.regions import ECONOMIC_REGIONS

#: The first pilot clinics opened in mid-2026 (Action Plan objective 2.2).
DEMO_START = date(2026, 6, 1)


class Weighted:
    """Codes with relative weights; one ``random()`` per draw."""

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.codes = [code for code, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> str:
        return self.codes[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


GENDERS = Weighted(
    [
        ("woman", 85),
        ("trans_woman", 8),
        ("man", 3),
        ("trans_man", 1),
        ("non_binary", 1),
        ("not_stated", 2),
    ]
)
AGE_BANDS = Weighted(
    [
        ("under_18", 3),
        ("18_24", 15),
        ("25_29", 20),
        ("30_39", 32),
        ("40_49", 18),
        ("50_59", 8),
        ("60_plus", 4),
    ]
)
# Youngest and oldest age of each band, to draw a date of birth inside it.
AGE_RANGES = {
    "under_18": (15, 17),
    "18_24": (18, 24),
    "25_29": (25, 29),
    "30_39": (30, 39),
    "40_49": (40, 49),
    "50_59": (50, 59),
    "60_plus": (60, 74),
}
DISABILITY = Weighted([("no", 75), ("yes", 6), ("unknown", 19)])
GBV_RISKS = Weighted([("low", 20), ("medium", 40), ("high", 40)])
OTHER_RISKS = Weighted([("low", 50), ("medium", 40), ("high", 10)])
CATEGORIES = Weighted([("gbv", 60), ("discrimination", 30), ("other", 10)])
GBV_TYPES = Weighted(
    [
        ("physical_assault", 35),
        ("psychological_abuse", 25),
        ("denial_of_resources", 12),
        ("sexual_assault", 9),
        ("rape", 7),
        ("forced_marriage", 12),
    ]
)
DOMAINS = Weighted(
    [
        ("health_care", 30),
        ("law_enforcement", 20),
        ("employment", 15),
        ("family", 10),
        ("social_services", 8),
        ("housing", 7),
        ("education", 4),
        ("courts", 4),
        ("other", 2),
    ]
)
RELATIONS = {
    "gbv": Weighted(
        [
            ("intimate_partner", 50),
            ("former_partner", 15),
            ("family_member", 20),
            ("known_person", 6),
            ("stranger", 5),
            ("law_enforcement", 4),
        ]
    ),
    "discrimination": Weighted(
        [
            ("law_enforcement", 30),
            ("health_worker", 30),
            ("employer", 15),
            ("institution", 15),
            ("family_member", 5),
            ("known_person", 5),
        ]
    ),
    "other": Weighted(
        [
            ("family_member", 35),
            ("former_partner", 20),
            ("institution", 20),
            ("known_person", 15),
            ("unknown", 10),
        ]
    ),
}
REFERRAL_SOURCES = Weighted(
    [
        ("self", 35),
        ("community", 20),
        ("hotline", 10),
        ("health", 10),
        ("harm_reduction", 7),
        ("shelter", 5),
        ("social_services", 5),
        ("police", 3),
        ("legal_provider", 3),
        ("other", 2),
    ]
)
OUTCOMES = Weighted(
    [
        ("resolved_favour", 35),
        ("partly_favour", 20),
        ("not_favour", 10),
        ("withdrawn", 12),
        ("lost_contact", 13),
        ("referred_out", 10),
    ]
)
ORDER_RESULTS = Weighted([("granted", 60), ("refused", 20), ("withdrawn", 10), ("pending", 10)])
CHANNELS = Weighted(
    [("phone", 35), ("messenger", 30), ("sms", 10), ("in_person", 15), ("through_partner", 10)]
)
REFERRAL_OUTCOMES = Weighted([("completed", 40), ("accepted", 35), ("declined", 10), ("sent", 15)])
PHONE_PREFIXES = ("50", "51", "55", "70", "77", "99", "10")
CITIES = {
    "baku": "Baku",
    "ganja_dashkasan": "Ganja",
    "lankaran_astara": "Lankaran",
    "shaki_zagatala": "Shaki",
}

SUMMARIES = {
    "physical_assault": "Client reports repeated beatings by the respondent; the last one "
    "{weeks} weeks ago left injuries recorded by the polyclinic. She wants it to stop "
    "and to keep the children with her.",
    "psychological_abuse": "Client describes constant threats and control: the respondent "
    "takes her phone and money and forbids her to see her family. She asks about her rights.",
    "denial_of_resources": "The respondent stopped all support {weeks} weeks ago and keeps "
    "her documents; she cannot register the children for school or receive benefits.",
    "sexual_assault": "Client was sexually assaulted {weeks} weeks ago; she has not reported "
    "it yet and fears how the police will treat her.",
    "rape": "Client was raped {weeks} weeks ago. A forensic examination was done; she needs "
    "support through the criminal complaint.",
    "forced_marriage": "Client's family is arranging a marriage against her will; she left "
    "home {weeks} weeks ago and asks for protection.",
    "discrimination": "Client was refused or mistreated because of {ground}; she wants to "
    "file a complaint and to be treated fairly.",
    "other": "Client needs help with {matter}; her documents are incomplete.",
}
GROUND_WORDS = {
    "hiv_status": "her HIV status",
    "sex_work": "sex work",
    "drug_use": "drug use",
    "gender_identity": "her gender identity",
    "sex": "being a woman",
    "other": "who she is",
}
MATTERS = ("child custody", "alimony", "property division", "identity documents", "housing")
NOTES = (
    "Called the client on the agreed number; she confirmed the next appointment.",
    "Prepared the draft claim; the client will bring her marriage certificate.",
    "The client did not come to the appointment; will try again through the partner.",
    "Accompanied the client to the district police department to file a complaint.",
    "The court granted a postponement; the new date is to be confirmed.",
    "The client moved to the shelter; contact her only through the shelter staff.",
    "Received the medical report from the polyclinic and added it to the file.",
    "Spoke with the social worker about the child benefit application.",
    "The respondent's lawyer proposed a settlement; discussed the options with the client.",
    "The client is safe and wants to continue; next step is the written statement.",
    "Checked the hearing file at the court office; two documents are still missing.",
)
CONTACT_HOURS = ("weekdays 10:00-13:00", "after 18:00 only", "mornings", "Saturdays")
CONTACT_NOTES = (
    "Never call from the clinic's number; her husband checks her phone.",
    "Messages only, no calls.",
    "Ask for 'Aysel from the polyclinic' if someone else answers.",
    "Contact through the outreach worker of the partner organisation.",
)
DECLINE_REASONS = ("The other party is a client of this clinic.",)
REOPEN_REASONS = (
    "The respondent breached the protection order; the client came back.",
    "The client asked to resume the appeal.",
)
REASSIGN_REASONS = (
    "Rebalancing caseloads.",
    "Lawyer on leave.",
    "Client asked for another lawyer.",
)


@dataclass(frozen=True)
class ClinicRef:
    id: int
    code: str
    region: str
    opened_on: date | None
    lawyer_ids: tuple[int, ...]


@dataclass(frozen=True)
class ProviderRef:
    id: int
    service_type: str
    region: str


@dataclass
class ServicePlan:
    service_type: str
    delivered_on: date
    order_kind: str | None = None
    order_result: str | None = None
    order_result_on: date | None = None


@dataclass
class HearingPlan:
    kind: str
    due_on: date
    place: str
    done_on: date | None


@dataclass
class ReferralPlan:
    provider_id: int
    service_type: str
    sent_on: date
    status: str
    status_on: date


@dataclass
class NotePlan:
    body: str
    written_on: date


@dataclass
class CasePlan:
    clinic: ClinicRef
    lawyer_id: int
    intake_on: date
    #: Clients are numbered in the order they first come; a returning client keeps hers.
    client_serial: int
    new_client: bool
    client: ClientDetails
    case: CaseDetails
    respondents: list[RespondentInput]
    declined: str | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    outcome: str | None = None
    reopened_on: date | None = None
    reopen_reason: str = ""
    reassigned_to: int | None = None
    reassigned_on: date | None = None
    reassign_reason: str = ""
    services: list[ServicePlan] = field(default_factory=list)
    hearings: list[HearingPlan] = field(default_factory=list)
    referrals: list[ReferralPlan] = field(default_factory=list)
    notes: list[NotePlan] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.closed_on is not None and self.reopened_on is None:
            return "closed"
        return "intake" if self.opened_on is None else "open"

    @property
    def end(self) -> date | None:
        """The last day casework was done before closing (None while it goes on)."""
        return self.closed_on if self.reopened_on is None else None


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=randint(rng, 0, max(0, (last - first).days)))


def _open_on(clinic: ClinicRef, day: date) -> bool:
    return clinic.opened_on is None or clinic.opened_on <= day


def _share(clinic: ClinicRef, shares: Mapping[int, float] | None) -> float:
    """A clinic's part of the intake: its lawyers, unless ``shares`` (by id) say otherwise."""
    return len(clinic.lawyer_ids) if shares is None else shares.get(clinic.id, 0.0)


def intake_days(
    clinics: Sequence[ClinicRef],
    today: date,
    count: int,
    shares: Mapping[int, float] | None = None,
) -> Iterator[date]:
    """``count`` intake dates spread over the days since DEMO_START, in order.

    Capacity grows with the lawyers (or the ``shares``, by clinic id) of the clinics open
    that day; the pilot ramps up over the months and weekends are quiet. Rounding the
    running total keeps the sum exact.
    """
    days = [DEMO_START + timedelta(days=n) for n in range(max(0, (today - DEMO_START).days + 1))]
    weights = []
    for index, day in enumerate(days):
        capacity = sum(_share(clinic, shares) for clinic in clinics if _open_on(clinic, day))
        ramp = 0.4 + 0.6 * index / max(1, len(days) - 1)
        weekday = (1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.1)[day.weekday()]
        weights.append(capacity * ramp * weekday)
    total = sum(weights)
    if total == 0 or count <= 0:
        return
    running, given = 0.0, 0
    for day, weight in zip(days, weights, strict=True):
        running += weight
        upto = round(count * running / total)
        for _ in range(upto - given):
            yield day
        given = max(given, upto)


@dataclass
class _Returning:
    serial: int
    client: ClientDetails
    respondents: list[RespondentInput]


class CasePlanner:
    """Draws plans one after another from a single generator (``--seed`` replays them).

    Each clinic takes a part of the intake in proportion to its lawyers, or to its entry
    in ``shares`` (by clinic id, any scale; a clinic left out, or at 0, takes none).
    """

    def __init__(
        self,
        rng: random.Random,
        clinics: Sequence[ClinicRef],
        providers: Sequence[ProviderRef],
        today: date,
        shares: Mapping[int, float] | None = None,
    ) -> None:
        self.rng, self.today, self.shares = rng, today, shares
        self.clinics = [c for c in clinics if c.lawyer_ids and _share(c, shares) > 0]
        self.providers = list(providers)
        # Some lawyers carry more than others: the manager's caseload page has work to do.
        self.lawyer_weights = {
            clinic.id: Weighted(
                [(str(lawyer), rng.uniform(0.6, 1.4)) for lawyer in clinic.lawyer_ids]
            )
            for clinic in self.clinics
        }
        # A few officers per region turn up in several cases, in different spellings:
        # state actors are what Objective 2.3 is about, and the conflict check sees them.
        self.officers = {
            region: [names.draw_person(rng, woman=rng.random() < 0.15) for _ in range(6)]
            for region in ECONOMIC_REGIONS.codes
        }
        self.recent: dict[int, deque[_Returning]] = {
            clinic.id: deque(maxlen=300) for clinic in self.clinics
        }
        self.next_serial = 0
        self._clinic_weights: dict[tuple[int, ...], Weighted] = {}

    def plans(self, count: int) -> Iterator[CasePlan]:
        for day in intake_days(self.clinics, self.today, count, self.shares):
            yield self.plan(day, self._clinic(day))

    def _clinic(self, day: date) -> ClinicRef:
        """A clinic open that day, in proportion to its lawyers (or its share)."""
        open_clinics = [clinic for clinic in self.clinics if _open_on(clinic, day)]
        key = tuple(clinic.id for clinic in open_clinics)
        if key not in self._clinic_weights:
            self._clinic_weights[key] = Weighted(
                [(str(index), _share(c, self.shares)) for index, c in enumerate(open_clinics)]
            )
        return open_clinics[int(self._clinic_weights[key].draw(self.rng))]

    def plan(self, intake_on: date, clinic: ClinicRef) -> CasePlan:
        rng = self.rng
        lawyer_id = int(self.lawyer_weights[clinic.id].draw(rng))
        recent = self.recent[clinic.id]
        earlier = pick(rng, recent) if recent and rng.random() < 0.08 else None
        if earlier is not None:
            serial, client, new_client = earlier.serial, earlier.client, False
        else:
            serial, client, new_client = self.next_serial, self._client(clinic, intake_on), True
            self.next_serial += 1
        case = self._case(client, clinic, intake_on)
        if earlier is not None and earlier.respondents and rng.random() < 0.5:
            respondents = list(earlier.respondents)  # the same husband, again
        else:
            respondents = self._respondents(case.category, clinic)
        recent.append(_Returning(serial, client, respondents))
        plan = CasePlan(
            clinic=clinic,
            lawyer_id=lawyer_id,
            intake_on=intake_on,
            client_serial=serial,
            new_client=new_client,
            client=client,
            case=case,
            respondents=respondents,
        )
        self._lifecycle(plan)
        return plan

    # --- the client -------------------------------------------------------------------

    def _client(self, clinic: ClinicRef, intake_on: date) -> ClientDetails:
        rng = self.rng
        gender = GENDERS.draw(rng)
        woman = gender in ("woman", "trans_woman") or (
            gender in ("non_binary", "not_stated") and rng.random() < 0.7
        )
        person = names.draw_person(rng, woman=woman)
        populations = {
            code
            for code, share in (("hiv", 0.22), ("sex_work", 0.14), ("drug_use", 0.1))
            if rng.random() < share
        }
        if gender in ("trans_woman", "trans_man"):
            populations.add("transgender")
        region = clinic.region if rng.random() < 0.85 else pick(rng, ECONOMIC_REGIONS.codes)
        band = AGE_BANDS.draw(rng)
        youngest, oldest = AGE_RANGES[band]
        born = intake_on - timedelta(days=randint(rng, youngest * 365 + 5, oldest * 365 + 360))
        known = rng.random()
        phone = rng.random() < 0.85
        may_call = phone and rng.random() < 0.7
        return ClientDetails(
            full_name=names.write_person(rng, person),
            other_names=names.maiden_name(rng) if woman and rng.random() < 0.2 else "",
            gender_identity=gender,
            economic_region=region,
            settlement="urban" if rng.random() < (0.9 if region == "baku" else 0.55) else "rural",
            # The exact date is known for some clients, only the year for others.
            date_of_birth=born if known < 0.35 else None,
            birth_year=born.year if 0.35 <= known < 0.6 else None,
            age_band=age_band_on(born, intake_on),
            phone=self._phone() if phone else "",
            address=self._address(clinic, region) if rng.random() < 0.55 else "",
            may_call=may_call,
            may_leave_message=may_call and rng.random() < 0.4,
            contact_channel=CHANNELS.draw(rng) if rng.random() < 0.9 else None,
            contact_hours=pick(rng, CONTACT_HOURS) if rng.random() < 0.4 else "",
            contact_notes=pick(rng, CONTACT_NOTES) if rng.random() < 0.25 else "",
            disability=DISABILITY.draw(rng),
            key_populations=sorted(populations),
            consent_services=rng.random() < 0.97,
            consent_statistics=rng.random() < 0.88,
            consent_sharing=rng.random() < 0.72,
        )

    def _phone(self) -> str:
        rng = self.rng
        return (
            f"+994 {pick(rng, PHONE_PREFIXES)} {randint(rng, 200, 999)} "
            f"{randint(rng, 10, 99)} {randint(rng, 10, 99)}"
        )

    def _address(self, clinic: ClinicRef, region: str) -> str:
        rng = self.rng
        city = CITIES.get(region, CITIES.get(clinic.region, ""))
        street = pick(rng, names.STREETS)
        return f"{street} {randint(rng, 1, 120)}, apt {randint(rng, 1, 80)}, {city}".strip(", ")

    # --- the case ---------------------------------------------------------------------

    def _case(self, client: ClientDetails, clinic: ClinicRef, intake_on: date) -> CaseDetails:
        rng = self.rng
        category = CATEGORIES.draw(rng)
        incident = intake_on - timedelta(days=randint(rng, 0, 150))
        details = CaseDetails(
            category=category,
            risk_level=(GBV_RISKS if category == "gbv" else OTHER_RISKS).draw(rng),
            incident_date=incident if rng.random() < 0.95 else None,
            incident_date_approximate=rng.random() < 0.25,
            incident_region=client.economic_region if rng.random() < 0.9 else clinic.region,
            referral_source=REFERRAL_SOURCES.draw(rng),
        )
        weeks = max(1, (intake_on - incident).days // 7)
        if category == "gbv":
            details.gbv_type = GBV_TYPES.draw(rng)
            forced = details.gbv_type == "forced_marriage"
            young = client.age_band in ("under_18", "18_24")
            details.intimate_partner_violence = not forced and rng.random() < 0.7
            details.early_marriage = rng.random() < (0.5 if forced and young else 0.04)
            details.summary = SUMMARIES[details.gbv_type].format(weeks=weeks)
        elif category == "discrimination":
            grounds = {
                {"hiv": "hiv_status", "transgender": "gender_identity"}.get(code, code)
                for code in client.key_populations
                if rng.random() < 0.8
            }
            if not grounds or rng.random() < 0.25:
                grounds.add("sex" if rng.random() < 0.8 else "other")
            details.grounds = sorted(grounds)
            details.discrimination_domain = DOMAINS.draw(rng)
            ground = GROUND_WORDS[details.grounds[0]]
            details.summary = SUMMARIES["discrimination"].format(ground=ground)
        else:
            details.summary = SUMMARIES["other"].format(matter=pick(rng, MATTERS))
        # Referred in by a partner of the directory (shelter, HIV clinic ...) or not.
        partners = [p for p in self.providers if p.service_type == details.referral_source]
        if partners and rng.random() < 0.6:
            details.referral_source_provider_id = pick(rng, partners).id
        return details

    def _respondents(self, category: str, clinic: ClinicRef) -> list[RespondentInput]:
        rng = self.rng
        count = 0 if rng.random() < 0.03 else 2 if rng.random() < 0.15 else 1
        rows = []
        for index in range(count):
            relation = "family_member" if index else RELATIONS[category].draw(rng)
            rows.append(RespondentInput(self._respondent_name(relation, clinic), relation))
        return rows

    def _respondent_name(self, relation: str, clinic: ClinicRef) -> str:
        rng = self.rng
        if relation in ("stranger", "unknown"):
            return ""
        if relation == "institution":
            return pick(rng, names.INSTITUTIONS).format(n=randint(rng, 1, 40))
        if relation == "law_enforcement":
            officer = pick(rng, self.officers[clinic.region])
            return names.write_person(rng, officer) if rng.random() < 0.8 else ""
        woman = rng.random() < {"family_member": 0.35, "health_worker": 0.5}.get(relation, 0.15)
        if relation in ("intimate_partner", "former_partner"):
            woman = rng.random() < 0.03
        return names.write_person(rng, names.draw_person(rng, woman=woman))

    # --- what happens next ------------------------------------------------------------

    def _lifecycle(self, plan: CasePlan) -> None:
        rng, today = self.rng, self.today
        if rng.random() < 0.015:
            plan.declined = pick(rng, DECLINE_REASONS)
            plan.closed_on, plan.outcome = plan.intake_on, "conflict_declined"
            return
        opened = plan.intake_on + timedelta(days=pick(rng, (0, 0, 0, 1, 1, 2, 3, 5, 7, 14)))
        recent = (today - plan.intake_on).days < 45
        if opened > today or (recent and rng.random() < 0.05):
            if rng.random() < 0.5:
                plan.services.append(ServicePlan("advice", plan.intake_on))
            return
        plan.opened_on = opened
        closing = opened + timedelta(days=5 + int(rng.gammavariate(2.0, 40.0)))
        if closing <= today and rng.random() < 0.9:
            plan.closed_on, plan.outcome = closing, OUTCOMES.draw(rng)
            reopening = closing + timedelta(days=randint(rng, 5, 40))
            if reopening <= today and rng.random() < 0.03:
                plan.reopened_on, plan.reopen_reason = reopening, pick(rng, REOPEN_REASONS)
        last = plan.closed_on or today
        self._services(plan, opened, last)
        self._hearings(plan, opened)
        self._referrals(plan, opened, last)
        plan.notes = [
            NotePlan(pick(rng, NOTES), _between(rng, opened, last))
            for _ in range(pick(rng, (0, 0, 1, 1, 1, 2, 2, 3)))
        ]
        others = [lawyer for lawyer in plan.clinic.lawyer_ids if lawyer != plan.lawyer_id]
        if others and rng.random() < 0.05:
            plan.reassigned_to = pick(rng, others)
            plan.reassigned_on = _between(rng, opened, last)
            plan.reassign_reason = pick(rng, REASSIGN_REASONS)

    def _services(self, plan: CasePlan, opened: date, last: date) -> None:
        rng, category = self.rng, plan.case.category
        if rng.random() < 0.9:
            plan.services.append(ServicePlan("advice", plan.intake_on))
        shares = {
            "document_drafting": 0.45,
            "court_representation": {"gbv": 0.3, "discrimination": 0.25}.get(category, 0.35),
            "police_representation": 0.4
            if plan.case.discrimination_domain == "law_enforcement"
            else 0.2,
            "mediation": {"gbv": 0.0, "discrimination": 0.05}.get(category, 0.15),
            "accompaniment": 0.2,
        }
        for service_type, share in shares.items():
            if rng.random() < share:
                plan.services.append(ServicePlan(service_type, _between(rng, opened, last)))
        partner = plan.case.intimate_partner_violence or any(
            row.relation == "family_member" for row in plan.respondents
        )
        if category == "gbv" and partner and rng.random() < 0.3:
            applied = _between(rng, opened, last)
            order = ServicePlan(
                "protection_order",
                applied,
                order_kind="short_term" if rng.random() < 0.7 else "long_term",
                order_result="pending",
            )
            decided = applied + timedelta(days=randint(rng, 3, 25))
            if decided <= self.today:
                order.order_result = ORDER_RESULTS.draw(rng)
                order.order_result_on = None if order.order_result == "pending" else decided
            plan.services.append(order)

    def _hearings(self, plan: CasePlan, opened: date) -> None:
        rng, today = self.rng, self.today
        types = {service.service_type for service in plan.services}
        places = names.PLACES.get(plan.clinic.region, ("District Court",))
        due: list[tuple[str, date]] = []
        if types & {"court_representation", "protection_order"}:
            for _ in range(randint(rng, 1, 3)):
                kind = "hearing" if rng.random() < 0.7 else "deadline"
                due.append((kind, opened + timedelta(days=randint(rng, 7, 120))))
        if "police_representation" in types:
            due.append(("police_interview", opened + timedelta(days=randint(rng, 2, 40))))
        if plan.end is None:
            # Open work has a calendar: some of it this fortnight, some later.
            if rng.random() < 0.3:
                kind = pick(rng, ("hearing", "deadline", "appeal_deadline", "meeting"))
                due.append((kind, today + timedelta(days=randint(rng, 1, 14))))
            if rng.random() < 0.1:
                due.append(("hearing", today + timedelta(days=randint(rng, 15, 60))))
        for kind, when in due:
            if plan.end is not None and when > plan.end:
                when = _between(rng, opened, plan.end)
            # Past dates are mostly done; what is not done on an open case is overdue.
            done = when <= today and (plan.end is not None or rng.random() < 0.85)
            place = {"hearing": pick(rng, places), "meeting": "Clinic office"}.get(kind, "")
            plan.hearings.append(HearingPlan(kind, when, place, when if done else None))

    def _referrals(self, plan: CasePlan, opened: date, last: date) -> None:
        rng, client = self.rng, plan.client
        # No consent to sharing, no referral: nothing about her leaves the clinic.
        if not client.consent_sharing:
            return
        needs = []
        if plan.case.category == "gbv":
            if plan.case.risk_level == "high" and rng.random() < 0.5:
                needs.append("shelter")
            if rng.random() < 0.4:
                needs.append("psychosocial")
        if "hiv" in client.key_populations and rng.random() < 0.4:
            needs.append("health")
        if "drug_use" in client.key_populations and rng.random() < 0.5:
            needs.append("harm_reduction")
        for service_type, share in (("livelihood", 0.08), ("social_services", 0.08)):
            if rng.random() < share:
                needs.append(service_type)
        for service_type in needs[:2]:
            candidates = [p for p in self.providers if p.service_type == service_type]
            local = [p for p in candidates if p.region == plan.clinic.region]
            if not candidates:
                continue
            provider = pick(rng, local or candidates)
            sent = _between(rng, opened, last)
            status, status_on = "sent", sent
            answered = sent + timedelta(days=randint(rng, 1, 20))
            if answered <= self.today:
                status = REFERRAL_OUTCOMES.draw(rng)
                status_on = answered if status != "sent" else sent
            plan.referrals.append(ReferralPlan(provider.id, service_type, sent, status, status_on))
            plan.services.append(ServicePlan("referral", sent))
