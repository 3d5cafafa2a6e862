"""The words of casework (BRIEF section 2): stable codes stored in the database."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from legalaid.vocabulary import Vocabulary

GENDER_IDENTITIES = Vocabulary(
    "gender_identity",
    (
        ("woman", _l("Woman")),
        ("man", _l("Man")),
        ("trans_woman", _l("Transgender woman")),
        ("trans_man", _l("Transgender man")),
        ("non_binary", _l("Non-binary")),
        ("not_stated", _l("Prefers not to say")),
    ),
)

KEY_POPULATIONS = Vocabulary(
    "key_population",
    (
        ("hiv", _l("Living with HIV")),
        ("sex_work", _l("Sex work")),
        ("drug_use", _l("Drug use")),
        ("transgender", _l("Transgender")),
    ),
)

AGE_BANDS = Vocabulary(
    "age_band",
    (
        ("under_18", _l("Under 18")),
        ("18_24", _l("18-24")),
        ("25_29", _l("25-29")),
        ("30_39", _l("30-39")),
        ("40_49", _l("40-49")),
        ("50_59", _l("50-59")),
        ("60_plus", _l("60+")),
    ),
)

SETTLEMENTS = Vocabulary("settlement", (("urban", _l("Urban")), ("rural", _l("Rural"))))

DISABILITY = Vocabulary(
    "disability",
    (("no", _l("No")), ("yes", _l("Yes")), ("unknown", _l("Not known"))),
)

#: The language she prefers to be spoken to in.
CLIENT_LANGUAGES = Vocabulary(
    "client_language",
    (
        ("az", _l("Azerbaijani")),
        ("ru", _l("Russian")),
        ("en", _l("English")),
        ("other", _l("Another language")),
    ),
)

INTERPRETER_NEEDS = Vocabulary(
    "interpreter",
    (
        ("none", _l("No interpreter needed")),
        ("spoken", _l("Spoken-language interpreter")),
        ("sign", _l("Sign-language interpreter")),
    ),
)

CONTACT_CHANNELS = Vocabulary(
    "contact_channel",
    (
        ("phone", _l("Phone call")),
        ("sms", _l("Text message")),
        ("messenger", _l("Messenger app")),
        ("in_person", _l("In person only")),
        ("through_partner", _l("Through a partner organisation")),
    ),
)

CASE_CATEGORIES = Vocabulary(
    "case_category",
    (
        ("gbv", _l("Gender-based violence")),
        ("discrimination", _l("Discrimination")),
        ("other", _l("Other legal issue")),
    ),
)

GBV_TYPES = Vocabulary(
    "gbv_type",
    (
        ("rape", _l("Rape")),
        ("sexual_assault", _l("Sexual assault")),
        ("physical_assault", _l("Physical assault")),
        ("forced_marriage", _l("Forced marriage")),
        ("denial_of_resources", _l("Denial of resources, opportunities or services")),
        ("psychological_abuse", _l("Psychological / emotional abuse")),
    ),
)

DISCRIMINATION_GROUNDS = Vocabulary(
    "discrimination_ground",
    (
        ("hiv_status", _l("HIV status")),
        ("sex_work", _l("Sex work")),
        ("drug_use", _l("Drug use")),
        ("gender_identity", _l("Gender identity")),
        ("sex", _l("Sex")),
        ("other", _l("Other")),
    ),
)

DISCRIMINATION_DOMAINS = Vocabulary(
    "discrimination_domain",
    (
        ("health_care", _l("Health care")),
        ("employment", _l("Employment")),
        ("law_enforcement", _l("Police / law enforcement")),
        ("courts", _l("Courts")),
        ("housing", _l("Housing")),
        ("education", _l("Education")),
        ("family", _l("Family and child custody")),
        ("social_services", _l("Social services")),
        ("other", _l("Other")),
    ),
)

RESPONDENT_RELATIONS = Vocabulary(
    "respondent_relation",
    (
        ("intimate_partner", _l("Intimate partner")),
        ("former_partner", _l("Former partner")),
        ("family_member", _l("Family member")),
        ("law_enforcement", _l("Police or other law-enforcement officer")),
        ("health_worker", _l("Health worker")),
        ("employer", _l("Employer or colleague")),
        ("known_person", _l("Other known person")),
        ("stranger", _l("Stranger")),
        ("institution", _l("Institution")),
        ("unknown", _l("Unknown")),
    ),
)

#: Relations that make the respondent a state actor (Objective 2.3 exists because of them).
STATE_ACTOR_RELATIONS = frozenset({"law_enforcement", "institution"})

RISK_LEVELS = Vocabulary(
    "risk_level", (("low", _l("Low")), ("medium", _l("Medium")), ("high", _l("High")))
)

# A context of their own: "Closed" of a case is not "Closed" of a clinic in Russian.
CASE_STATUSES = Vocabulary(
    "case_status",
    (
        ("intake", lazy_pgettext("case status", "Intake")),
        ("open", lazy_pgettext("case status", "Open")),
        ("closed", lazy_pgettext("case status", "Closed")),
    ),
)

CASE_OUTCOMES = Vocabulary(
    "case_outcome",
    (
        ("resolved_favour", _l("Resolved in client's favour")),
        ("partly_favour", _l("Partly in client's favour")),
        ("not_favour", _l("Not in client's favour")),
        ("withdrawn", _l("Withdrawn by client")),
        ("lost_contact", _l("Client lost contact")),
        ("referred_out", _l("Referred out")),
        ("conflict_declined", _l("Conflict of interest — declined")),
    ),
)

REFERRAL_SOURCES = Vocabulary(
    "referral_source",
    (
        ("self", _l("Came by herself")),
        ("community", _l("Community organisation / peer")),
        ("health", _l("Health / HIV service")),
        ("harm_reduction", _l("Harm reduction service")),
        ("shelter", _l("Shelter")),
        ("police", _l("Police")),
        ("social_services", _l("Social services")),
        ("legal_provider", _l("Another legal provider")),
        ("hotline", _l("Hotline")),
        ("other", _l("Other")),
    ),
)

LEGAL_SERVICES = Vocabulary(
    "legal_service",
    (
        ("advice", _l("Advice")),
        ("document_drafting", _l("Document drafting")),
        ("court_representation", _l("Representation in court")),
        ("police_representation", _l("Representation before police or administrative bodies")),
        ("protection_order", _l("Protection-order application")),
        ("mediation", _l("Mediation")),
        ("accompaniment", _l("Accompaniment")),
        ("referral", _l("Referral")),
    ),
)

PROTECTION_ORDER_KINDS = Vocabulary(
    "protection_order_kind",
    (("short_term", _l("Short-term order")), ("long_term", _l("Long-term order"))),
)

PROTECTION_ORDER_RESULTS = Vocabulary(
    "protection_order_result",
    (
        ("pending", _l("Pending")),
        ("granted", _l("Granted")),
        ("refused", _l("Refused")),
        ("withdrawn", _l("Withdrawn")),
    ),
)

HEARING_KINDS = Vocabulary(
    "hearing_kind",
    (
        ("hearing", _l("Court hearing")),
        ("deadline", _l("Filing deadline")),
        ("appeal_deadline", _l("Appeal deadline")),
        ("police_interview", _l("Police interview")),
        ("meeting", _l("Meeting")),
    ),
)

REFERRAL_SERVICES = Vocabulary(
    "referral_service",
    (
        ("shelter", _l("Shelter")),
        ("psychosocial", _l("Psychosocial support")),
        ("health", _l("Health / HIV care")),
        ("harm_reduction", _l("Harm reduction")),
        ("police", _l("Police")),
        ("social_services", _l("Social services")),
        ("legal_provider", _l("Another legal provider")),
        ("livelihood", _l("Livelihood / vocational")),
    ),
)

REFERRAL_STATUSES = Vocabulary(
    "referral_status",
    (
        ("sent", _l("Sent")),
        ("accepted", _l("Accepted")),
        ("completed", _l("Completed")),
        ("declined", _l("Declined")),
    ),
)

CONFLICT_DECISIONS = Vocabulary(
    "conflict_decision", (("proceed", _l("Proceed")), ("decline", _l("Decline")))
)

CONFLICT_RESULTS = Vocabulary(
    "conflict_result",
    (
        ("clear", _l("No match")),
        ("in_scope", _l("Match in your cases")),
        ("possible", _l("Possible conflict elsewhere")),
    ),
)
