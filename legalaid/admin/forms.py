from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from legalaid.clinics.models import CLINIC_STATUSES
from legalaid.concurrency import VersionField
from legalaid.i18n import LANGUAGES
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.roles import ROLES
from legalaid.webforms import AppForm


class ClinicForm(AppForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(min=2, max=8)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    economic_region = SelectField(
        _l("Economic region"), choices=ECONOMIC_REGIONS.choices, validators=[InputRequired()]
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    opened_on = DateField(_l("Opened on"), validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=CLINIC_STATUSES.choices, validators=[InputRequired()]
    )
    # The version the user loaded: a save over someone else's change is refused (409).
    version = HiddenField()


class AccountForm(AppForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLES.choices, validators=[InputRequired()])
    clinic_id = SelectField(
        _l("Clinic (lawyers and managers)"), coerce=str, validators=[Optional()], choices=[]
    )
    preferred_language = SelectField(
        _l("Language"), choices=LANGUAGES.choices, validators=[InputRequired()]
    )


class AccountEditForm(AppForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLES.choices, validators=[InputRequired()])
    clinic_id = SelectField(
        _l("Clinic (lawyers and managers)"), coerce=str, validators=[Optional()], choices=[]
    )
    version = VersionField()
