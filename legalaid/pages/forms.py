from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from legalaid.i18n import LANGUAGES
from legalaid.webforms import AppForm


class LanguageForm(AppForm):
    language = SelectField(choices=LANGUAGES.choices, validators=[InputRequired()])
    next = HiddenField()
