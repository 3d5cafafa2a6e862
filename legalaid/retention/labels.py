"""What erasure removes and keeps, in words a manager reads before confirming."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

REASON_LABELS: dict[str, LazyString] = {
    "retention": _l("Retention period passed"),
    "client_request": _l("The client asked for her data to be erased"),
    "consent_withdrawn": _l("The client withdrew her consent"),
    "not_needed": _l("The data is no longer needed"),
}

#: One line per field of policies/retention.toml (``erased`` and ``kept``).
FIELD_LABELS: dict[str, LazyString] = {
    "client.full_name": _l("Her full name"),
    "client.other_names": _l("Other names she uses"),
    "client.name_to_use": _l("The name she uses"),
    "client.language_needs": _l("Her language, interpreter and accessibility needs"),
    "client.date_of_birth": _l("Her date of birth (the age band stays)"),
    "client.birth_year_key": _l("The keyed birth year used by the conflict check"),
    "client.phone": _l("Her phone number"),
    "client.address": _l("Her address"),
    "client.contact_hours": _l("When she may be contacted"),
    "client.contact_notes": _l("Safe-contact notes"),
    "client.name_keys": _l("Her name keys: the conflict check no longer finds her"),
    "respondent.name": _l("Respondents' names"),
    "respondent.name_keys": _l("Respondents' name keys"),
    "legal_case.summary": _l("Case summaries"),
    "case_note.body": _l("Case notes, with every earlier version"),
    "hearing.place": _l("Places of hearings"),
    "case_task.description": _l("Descriptions of tasks on her cases"),
    "case_status_change.reason": _l("Reasons given for reopening"),
    "case_assignment.reason": _l("Reasons given for reassignment"),
    "conflict_check.reason": _l("Reasons given for declining after a conflict check"),
    "case_document.content": _l(
        "Documents on her cases and her file: the files, their names and descriptions "
        "(a record that a document existed stays)"
    ),
    "client.number": _l("The client number"),
    "client.age_band": _l("Age band"),
    "client.gender_identity": _l("Gender identity"),
    "client.key_populations": _l("Key population groups"),
    "client.economic_region": _l("Region and urban / rural"),
    "client.settlement": _l("Urban / rural"),
    "client.disability": _l("Disability"),
    "client.consents": _l("Consents and their dates"),
    "legal_case.coded_attributes": _l("The coded details of her cases (category, type, risk)"),
    "legal_case.dates": _l("Dates of intake, opening and closure"),
    "legal_case.status": _l("Case statuses"),
    "legal_case.outcome": _l("Case outcomes"),
    "respondent.relation": _l("Respondents' relation to her"),
    "service_delivery": _l("Services delivered (type and date)"),
    "hearing.kind_and_dates": _l("Kinds and dates of hearings"),
    "referral": _l("Referrals (service, provider, dates, status)"),
}


def field_label(code: str) -> str:
    label = FIELD_LABELS.get(code)
    return str(label) if label is not None else code
