from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from legalaid.concurrency import VersionField
from legalaid.routing import record_id
from legalaid.trainings.services import SessionDetails
from legalaid.vocabulary.forms import CheckboxesField, code_checkboxes, code_select
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import (
    DELIVERY_KINDS,
    LAW_ENFORCEMENT_AGENCIES,
    PARTICIPATION_MODES,
    TRAINING_MODULES,
)
from legalaid.webforms import AppForm


def _count_field(label: object) -> IntegerField:
    return IntegerField(
        label, validators=[Optional()], render_kw={"min": 0, "inputmode": "numeric"}
    )


class SessionForm(AppForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    economic_region = code_select(_l("Economic region"), ECONOMIC_REGIONS)
    venue = StringField(_l("Venue"), validators=[InputRequired(), Length(max=200)])
    delivered_by = RadioField(
        _l("Delivered by"),
        choices=DELIVERY_KINDS.choices,
        default="clinic",
        validators=[InputRequired()],
        validate_choice=False,
    )
    partner_name = StringField(_l("Partner organisation"), validators=[Optional(), Length(max=200)])
    agency = code_select(_l("Agency trained"), LAW_ENFORCEMENT_AGENCIES)
    unit = StringField(_l("Unit trained"), validators=[InputRequired(), Length(max=200)])
    modules = code_checkboxes(_l("Modules covered"), TRAINING_MODULES)
    hours = DecimalField(
        _l("Hours of training"),
        places=None,
        validators=[InputRequired()],
        render_kw={"inputmode": "decimal"},
    )
    trainer_ids = CheckboxesField(_l("Trainers from the clinic"), choices=[], validate_choice=False)
    external_trainers = TextAreaField(
        _l("External trainers, one name per line"),
        validators=[Optional(), Length(max=2500)],
        render_kw={"rows": 3},
    )
    participation_mode = RadioField(
        _l("How the participants are recorded"),
        choices=PARTICIPATION_MODES.choices,
        default="rows",
        validators=[InputRequired()],
        validate_choice=False,
    )
    officers_total = _count_field(_l("Officers trained"))
    officers_female = _count_field(_l("Of them women"))
    officers_male = _count_field(_l("Of them men"))
    officers_full_attendance = _count_field(_l("Attended the whole session (if known)"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def details(self) -> SessionDetails:
        return SessionDetails(
            title=self.title.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            economic_region=self.economic_region.data or "",
            venue=self.venue.data or "",
            delivered_by=self.delivered_by.data or "",
            partner_name=self.partner_name.data or "",
            agency=self.agency.data or "",
            unit=self.unit.data or "",
            hours=self.hours.data,
            modules=list(self.modules.data or []),
            trainer_ids=[n for n in map(record_id, self.trainer_ids.data or []) if n],
            external_trainers=(self.external_trainers.data or "").splitlines(),
            participation_mode=self.participation_mode.data or "",
            officers_female=self.officers_female.data,
            officers_male=self.officers_male.data,
            officers_total=self.officers_total.data,
            officers_full_attendance=self.officers_full_attendance.data,
            notes=self.notes.data or "",
        )


class SessionEditForm(SessionForm):
    version = VersionField()


class ImportForm(AppForm):
    sheet = FileField(
        _l("Test sheet (CSV or XLSX)"),
        render_kw={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet"
        },
    )
    version = VersionField()


class VersionOnlyForm(AppForm):
    version = VersionField()
