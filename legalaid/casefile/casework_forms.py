from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from legalaid.casework.services import NOTE_LIMIT, PLACE_LIMIT, TASK_LIMIT
from legalaid.concurrency import VersionField
from legalaid.vocabulary.casework import (
    HEARING_KINDS,
    LEGAL_SERVICES,
    PROTECTION_ORDER_KINDS,
    PROTECTION_ORDER_RESULTS,
)
from legalaid.vocabulary.forms import code_select
from legalaid.webforms import AppForm


class ServiceForm(AppForm):
    service_type = code_select(_l("Service"), LEGAL_SERVICES)
    delivered_on = DateField(_l("Date"), validators=[InputRequired()])
    order_kind = code_select(
        _l("Protection order (for an application)"), PROTECTION_ORDER_KINDS, required=False
    )


class OrderResultForm(AppForm):
    result = code_select(_l("Result"), PROTECTION_ORDER_RESULTS)
    result_on = DateField(_l("Date of the decision"), validators=[Optional()])
    version = VersionField()
    #: The service whose result was posted (the case page has one form per order), and the
    #: prefix of its fields' ids there, for the error summary's links.
    service_id: int | None = None
    summary_id_prefix = ""


class NoteForm(AppForm):
    body = TextAreaField(_l("Note"), validators=[InputRequired(), Length(max=NOTE_LIMIT)])


class NoteCorrectionForm(NoteForm):
    version = VersionField()


class HearingForm(AppForm):
    kind = code_select(_l("Kind"), HEARING_KINDS)
    due_on = DateField(_l("Date"), validators=[InputRequired()])
    starts_at = TimeField(_l("Time (Baku)"), validators=[Optional()])
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[Optional()])
    # Choices from policies/venues.toml, set where the case page is built (render_case_page);
    # an unknown code gets the service's translated message.
    venue = SelectField(
        _l("Court or venue"), choices=[], validators=[Optional()], validate_choice=False
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=PLACE_LIMIT)])


class SuggestedDeadlineForm(AppForm):
    """Accept a deadline computed by a rule of policies/deadlines.toml (date recomputed)."""

    rule_code = HiddenField(validators=[InputRequired()])
    rule_source = HiddenField(validators=[InputRequired()])


#: The task form shares the case page with the hearing form: its ids ("task-due_on") differ.
TASK_PREFIX = "task"


class TaskForm(AppForm):
    description = StringField(_l("Task"), validators=[InputRequired(), Length(max=TASK_LIMIT)])
    due_on = DateField(_l("Due"), validators=[InputRequired()])
    assignee_id = SelectField(_l("For"), validators=[InputRequired()], choices=[])
