from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from legalaid.calendar import today
from legalaid.clients.services import ClientDetails
from legalaid.concurrency import VersionField
from legalaid.vocabulary.casework import (
    AGE_BANDS,
    CLIENT_LANGUAGES,
    CONTACT_CHANNELS,
    DISABILITY,
    GENDER_IDENTITIES,
    INTERPRETER_NEEDS,
    KEY_POPULATIONS,
    SETTLEMENTS,
)
from legalaid.vocabulary.forms import code_checkboxes, code_select
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.webforms import AppForm, add_errors

#: The names of the fields below that describe the client (not the case).
CLIENT_FIELDS = (
    "full_name",
    "other_names",
    "name_to_use",
    "language",
    "interpreter",
    "access_needs",
    "date_of_birth",
    "birth_year",
    "phone",
    "address",
    "may_call",
    "may_leave_message",
    "contact_channel",
    "contact_hours",
    "contact_notes",
    "gender_identity",
    "key_populations",
    "age_band",
    "economic_region",
    "settlement",
    "disability",
    "consent_services",
    "consent_statistics",
    "consent_sharing",
)


class ClientFields(AppForm):
    full_name = StringField(
        _l("Full name"),
        validators=[InputRequired(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    other_names = StringField(
        _l("Other names used (other spellings, maiden name, nickname)"),
        validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )
    name_to_use = StringField(
        _l("Name she uses, if not her legal name"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    language = code_select(_l("Language she prefers"), CLIENT_LANGUAGES, required=False)
    interpreter = code_select(_l("Interpreter"), INTERPRETER_NEEDS, required=False)
    access_needs = TextAreaField(
        _l("Accessibility needs"), validators=[Optional(), Length(max=500)]
    )
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    birth_year = IntegerField(
        _l("Birth year, if the date is not known"),
        validators=[Optional(), NumberRange(min=1900, max=2100)],
    )
    phone = StringField(
        _l("Phone"), validators=[Optional(), Length(max=30)], render_kw={"autocomplete": "off"}
    )
    address = StringField(
        _l("Address"), validators=[Optional(), Length(max=300)], render_kw={"autocomplete": "off"}
    )
    may_call = BooleanField(_l("We may call her"))
    may_leave_message = BooleanField(_l("We may leave a message"))
    contact_channel = code_select(_l("Safe channel"), CONTACT_CHANNELS, required=False)
    contact_hours = StringField(
        _l("Safe hours to contact"), validators=[Optional(), Length(max=100)]
    )
    contact_notes = TextAreaField(
        _l("Safe-contact instructions"), validators=[Optional(), Length(max=500)]
    )
    gender_identity = code_select(_l("Gender identity"), GENDER_IDENTITIES)
    key_populations = code_checkboxes(
        _l("Key population groups (none, one or several)"), KEY_POPULATIONS
    )
    age_band = code_select(_l("Age band at intake"), AGE_BANDS, required=False)
    economic_region = code_select(_l("Economic region where she lives"), ECONOMIC_REGIONS)
    settlement = code_select(_l("Urban or rural"), SETTLEMENTS)
    disability = code_select(_l("Disability"), DISABILITY)
    consent_services = BooleanField(_l("Consents to receive services"))
    consent_statistics = BooleanField(_l("Consents to be counted in anonymized statistics"))
    consent_sharing = BooleanField(_l("Consents to share her data with referral partners"))

    #: Off when an existing client is chosen on an intake: her details are not typed again.
    checks_client = True

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        return self._client_rules() and valid

    def _client_rules(self) -> bool:
        """The rules that join two fields, found in the same submit as the required fields
        (the service checks them again; here they only spare errors arriving in waves)."""
        if not self.checks_client:
            return True
        problems = []
        born = self.date_of_birth.data
        if born is not None and born > today():
            problems.append((self.date_of_birth, _("The date of birth cannot be in the future.")))
        if born is None and not self.age_band.data and not self.date_of_birth.errors:
            problems.append((self.age_band, _("Choose an age band, or give the date of birth.")))
        return add_errors(problems)

    def client_details(self) -> ClientDetails:
        return ClientDetails(
            full_name=self.full_name.data or "",
            other_names=self.other_names.data or "",
            name_to_use=self.name_to_use.data or "",
            language=self.language.data or None,
            interpreter=self.interpreter.data or None,
            access_needs=self.access_needs.data or "",
            date_of_birth=self.date_of_birth.data,
            birth_year=self.birth_year.data,
            phone=self.phone.data or "",
            address=self.address.data or "",
            may_call=bool(self.may_call.data),
            may_leave_message=bool(self.may_leave_message.data),
            contact_channel=self.contact_channel.data or None,
            contact_hours=self.contact_hours.data or "",
            contact_notes=self.contact_notes.data or "",
            gender_identity=self.gender_identity.data or "",
            key_populations=list(self.key_populations.data or []),
            age_band=self.age_band.data or None,
            economic_region=self.economic_region.data or "",
            settlement=self.settlement.data or "",
            disability=self.disability.data or "unknown",
            consent_services=bool(self.consent_services.data),
            consent_statistics=bool(self.consent_statistics.data),
            consent_sharing=bool(self.consent_sharing.data),
        )


class ClientForm(ClientFields):
    version = VersionField()
