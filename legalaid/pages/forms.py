from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from legalaid.i18n import LANGUAGES


class LanguageForm(FlaskForm):
    language = SelectField(choices=LANGUAGES.choices, validators=[InputRequired()])
    next = HiddenField()
