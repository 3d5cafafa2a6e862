from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from legalaid.calendar import today
from legalaid.casefile.client_forms import ClientFields
from legalaid.cases.services import CaseDetails, RespondentInput
from legalaid.concurrency import VersionField
from legalaid.routing import record_id
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary.casework import (
    CASE_CATEGORIES,
    CASE_OUTCOMES,
    DISCRIMINATION_DOMAINS,
    DISCRIMINATION_GROUNDS,
    GBV_TYPES,
    REFERRAL_SOURCES,
    RESPONDENT_RELATIONS,
    RISK_LEVELS,
)
from legalaid.vocabulary.forms import code_checkboxes, code_select
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.webforms import AppForm, AppSubform, add_errors

INTAKE_RESPONDENT_ROWS = 2

INTAKE_DECISIONS = Vocabulary(
    "intake_decision",
    (
        ("proceed", _l("Proceed: take the case")),
        ("decline", _l("Decline: conflict of interest")),
    ),
)
MAX_RESPONDENT_ROWS = 10


def _optional_int(value: object) -> int | None:
    return record_id(value)


class CaseFields(AppForm):
    category = code_select(_l("Category"), CASE_CATEGORIES)
    gbv_type = code_select(
        _l("Type of violence (the first that applies)"), GBV_TYPES, required=False
    )
    intimate_partner_violence = BooleanField(_l("Intimate-partner violence"))
    early_marriage = BooleanField(_l("Early marriage"))
    grounds = code_checkboxes(_l("Grounds of discrimination"), DISCRIMINATION_GROUNDS)
    discrimination_domain = code_select(
        _l("Where the discrimination happened"), DISCRIMINATION_DOMAINS, required=False
    )
    incident_date = DateField(_l("Incident date"), validators=[Optional()])
    incident_date_approximate = BooleanField(_l("The date is approximate"))
    incident_region = code_select(_l("Region of the incident"), ECONOMIC_REGIONS, required=False)
    risk_level = code_select(_l("Risk level"), RISK_LEVELS)
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    referral_source = code_select(_l("Referred by"), REFERRAL_SOURCES, required=False)
    referral_source_provider_id = SelectField(
        _l("Referring organisation (if in the directory)"),
        choices=[],
        validators=[Optional()],
        validate_choice=False,
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return self._case_rules() and valid

    def _case_rules(self) -> bool:
        """What the category makes required, found with the rest in one submit (the
        service checks it again)."""
        problems = []
        category = self.category.data
        if category == "gbv" and not self.gbv_type.data:
            problems.append((self.gbv_type, _("Choose the type of violence.")))
        if category == "discrimination":
            if not self.grounds.data:
                problems.append((self.grounds, _("Choose at least one ground.")))
            if not self.discrimination_domain.data:
                problems.append((self.discrimination_domain, _("Choose where it happened.")))
        incident = self.incident_date.data
        if incident is not None and incident > today():
            problems.append((self.incident_date, _("The incident date cannot be in the future.")))
        return add_errors(problems)

    def case_details(self) -> CaseDetails:
        return CaseDetails(
            category=self.category.data or "",
            risk_level=self.risk_level.data or "",
            gbv_type=self.gbv_type.data or None,
            intimate_partner_violence=bool(self.intimate_partner_violence.data),
            early_marriage=bool(self.early_marriage.data),
            grounds=list(self.grounds.data or []),
            discrimination_domain=self.discrimination_domain.data or None,
            incident_date=self.incident_date.data,
            incident_date_approximate=bool(self.incident_date_approximate.data),
            incident_region=self.incident_region.data or None,
            summary=self.summary.data or "",
            referral_source=self.referral_source.data or None,
            referral_source_provider_id=_optional_int(self.referral_source_provider_id.data),
        )


class CaseForm(CaseFields):
    version = VersionField()


class RespondentRow(AppSubform):
    name = StringField(
        _l("Name (if known)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    relation = code_select(_l("Relation to the client"), RESPONDENT_RELATIONS, required=False)


class IntakeForm(ClientFields, CaseFields):
    # "new", or the id of an existing client that the check found in the user's scope.
    existing_client = RadioField(_l("Client"), choices=[], default="new", validate_choice=False)
    respondents = FieldList(
        FormField(RespondentRow),
        min_entries=INTAKE_RESPONDENT_ROWS,
        max_entries=MAX_RESPONDENT_ROWS,
    )
    assigned_lawyer_id = SelectField(
        _l("Lawyer"), choices=[], validators=[Optional()], validate_choice=False
    )
    decision = RadioField(
        _l("Decision after the conflict check"),
        choices=INTAKE_DECISIONS.choices,
        validators=[Optional()],
        validate_choice=False,
    )
    decline_reason = TextAreaField(
        _l("Reason for declining"), validators=[Optional(), Length(max=1000)]
    )
    # A keyed fingerprint of the names the conflict check was shown for (no names in it).
    checked = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        problems = []
        if self.decision.data not in ("proceed", "decline"):
            problems.append((self.decision, _("Choose whether to proceed or decline.")))
        elif self.decision.data == "decline" and not (self.decline_reason.data or "").strip():
            problems.append((self.decline_reason, _("Give the reason for declining.")))
        return add_errors(problems) and valid

    def respondent_inputs(self) -> list[RespondentInput]:
        return [
            RespondentInput(name=row.form.name.data or "", relation=row.form.relation.data or "")
            for row in self.respondents
        ]


class RespondentForm(AppForm):
    name = StringField(
        _l("Name (if known)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    relation = code_select(_l("Relation to the client"), RESPONDENT_RELATIONS)


class CloseForm(AppForm):
    outcome = code_select(_l("Outcome"), CASE_OUTCOMES)
    closed_on = DateField(_l("Closed on"), validators=[Optional()])
    agenda_loss_confirmed = BooleanField(
        _l("Close it anyway: its hearings and deadlines leave the agenda")
    )
    version = VersionField()


class ReopenForm(AppForm):
    reason = TextAreaField(
        _l("Reason for reopening"), validators=[InputRequired(), Length(max=1000)]
    )
    version = VersionField()


class RecheckForm(AppForm):
    decision = RadioField(
        _l("Decision after the conflict check"),
        choices=INTAKE_DECISIONS.choices,
        validators=[InputRequired()],
        validate_choice=False,
    )
    decline_reason = TextAreaField(
        _l("Reason for declining"), validators=[Optional(), Length(max=1000)]
    )
    version = VersionField()


class OpenForm(AppForm):
    version = VersionField()


class AssignForm(AppForm):
    lawyer_id = SelectField(
        _l("Assign to"), choices=[], validators=[InputRequired()], validate_choice=False
    )
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=1000)])
    version = VersionField()
