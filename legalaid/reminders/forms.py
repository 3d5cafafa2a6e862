from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from legalaid.webforms import AppForm


class ReminderSettingsForm(AppForm):
    enabled = BooleanField(_l("Send me reminders of hearings, deadlines and tasks by e-mail"))
