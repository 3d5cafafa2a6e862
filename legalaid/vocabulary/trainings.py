"""The words of law-enforcement sensitivity training (Objective 2.3): stable codes.

Codes are stored in the database (and typed in the test sheet); labels are translated
when shown. Extending a list means adding a code here and a migration that widens the
column's CHECK constraint; a code is never renamed or reused.
"""

from flask_babel import lazy_gettext as _l

from legalaid.vocabulary import Vocabulary

LAW_ENFORCEMENT_AGENCIES = Vocabulary(
    "law_enforcement_agency",
    (
        ("police", _l("Police (Ministry of Internal Affairs)")),
        ("prosecutors", _l("Prosecutor's office")),
        ("courts", _l("Courts (judges and court staff)")),
        ("penitentiary", _l("Penitentiary service")),
        ("migration", _l("State Migration Service")),
        ("other", _l("Other law-enforcement body")),
    ),
)

TRAINING_MODULES = Vocabulary(
    "training_module",
    (
        ("gbv_response", _l("GBV response and survivor-centred interviewing")),
        ("non_discrimination", _l("Non-discrimination of key populations")),
        ("hiv_stigma", _l("HIV and stigma")),
        ("drug_use_sex_work", _l("Rights of people who use drugs and of sex workers")),
        ("gender_identity", _l("Gender identity")),
        ("protection_orders", _l("Protection orders")),
        ("referral_pathways", _l("Referral pathways")),
    ),
)

DELIVERY_KINDS = Vocabulary(
    "training_delivery",
    (
        ("clinic", _l("The clinic")),
        ("partner", _l("A partner organisation")),
    ),
)

PARTICIPATION_MODES = Vocabulary(
    "training_participation",
    (
        ("rows", _l("One row per officer (from the test sheet)")),
        ("counts", _l("Totals by sex only")),
    ),
)

OFFICER_SEXES = Vocabulary("officer_sex", (("female", _l("Female")), ("male", _l("Male"))))

RANK_GROUPS = Vocabulary(
    "rank_group",
    (
        ("rank_and_file", _l("Rank and file (private, sergeant)")),
        ("junior_officer", _l("Junior officer (lieutenant to captain)")),
        ("senior_officer", _l("Senior officer (major and above)")),
        ("civilian", _l("Civilian staff, no rank")),
    ),
)

SERVICE_YEARS = Vocabulary(
    "service_years",
    (
        ("under_2", _l("Less than 2 years")),
        ("2_5", _l("2-5 years")),
        ("6_10", _l("6-10 years")),
        ("11_20", _l("11-20 years")),
        ("over_20", _l("More than 20 years")),
    ),
)
