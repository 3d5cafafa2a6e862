from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from legalaid.concurrency import VersionField
from legalaid.vocabulary.casework import REFERRAL_SERVICES, REFERRAL_STATUSES
from legalaid.vocabulary.forms import code_select
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.webforms import AppForm


class ReferralForm(AppForm):
    # The case page renders its fields as "referral-<name>" (other forms there share names).
    summary_id_prefix = "referral-"

    provider_id = SelectField(
        _l("Refer to"), choices=[], validators=[InputRequired()], validate_choice=False
    )
    service_type = code_select(
        _l("Service (if not the provider's main one)"), REFERRAL_SERVICES, required=False
    )
    sent_on = DateField(_l("Sent on"), validators=[Optional()])


class ReferralStatusForm(AppForm):
    status = code_select(_l("Status"), REFERRAL_STATUSES)
    version = VersionField()


class ProviderForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    service_type = code_select(_l("Main service"), REFERRAL_SERVICES)
    economic_region = code_select(_l("Economic region"), ECONOMIC_REGIONS)
    contact = StringField(
        _l("Contact (organisation's phone, email, address)"),
        validators=[Optional(), Length(max=300)],
    )
    active = BooleanField(_l("In use"), default=True)
    # Only on the edit page; a new provider has no version yet.
    version = VersionField(validators=[Optional()])
