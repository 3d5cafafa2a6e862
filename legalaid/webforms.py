"""The one base class of every form of the app.

WTForms speaks the user's language only where it ships a catalogue, and it ships none for
Azerbaijani: an empty required field said "This field is required." in English on an
Azerbaijani page. Every form derives from ``AppForm`` (a part of a form, such as a row of a
``FieldList``, from ``AppSubform``), whose messages are looked up in the app's
own catalogues first (which carry WTForms' messages in az and ru, marked below), then in
WTForms' own. ``tests/test_form_messages.py`` fails for a form that derives from anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import support
from flask_babel import get_locale, get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2 import pass_context
from jinja2.runtime import Context
from wtforms import Field, FieldList, Form, FormField
from wtforms.form import BaseForm
from wtforms.i18n import messages_path

# WTForms' messages (wtforms/locale/wtforms.pot), marked here so that extraction puts them in
# the app's catalogues. Only their translations matter; the objects are never shown.
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


def _plural_markers(n: int) -> tuple[str, ...]:
    # Never called for its result: it marks WTForms' plural messages for extraction.
    return (
        ngettext(
            "Field must be at least %(min)d character long.",
            "Field must be at least %(min)d characters long.",
            n,
        ),
        ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            n,
        ),
        ngettext(
            "Field must be exactly %(max)d character long.",
            "Field must be exactly %(max)d characters long.",
            n,
        ),
        ngettext(
            "'%(value)s' is not a valid choice for this field.",
            "'%(value)s' are not valid choices for this field.",
            n,
        ),
    )


#: WTForms' own catalogues, read once per language per process. (Flask-WTF's adapter reads
#: the ``.mo`` file from disk again in every request that renders a form.)
_WTFORMS_CATALOGUES: dict[str, support.NullTranslations] = {}


def _wtforms_catalogue() -> support.NullTranslations:
    locale = get_locale()
    code = str(locale) if locale is not None else ""
    catalogue = _WTFORMS_CATALOGUES.get(code)
    if catalogue is None:
        catalogue = (
            support.Translations.load(messages_path(), [locale], domain="wtforms")
            if locale is not None
            else support.NullTranslations()
        )
        _WTFORMS_CATALOGUES[code] = catalogue
    return catalogue


class _Catalogues:
    """The app's catalogue first, WTForms' own second (English stays English).

    The app's translations are read untouched (``ugettext``): WTForms formats the message
    itself, with its own variables."""

    def gettext(self, string: str) -> str:
        translated = str(get_translations().ugettext(string))
        if translated != string:
            return translated
        return str(_wtforms_catalogue().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = str(get_translations().ungettext(singular, plural, n))
        if translated not in (singular, plural):
            return translated
        return str(_wtforms_catalogue().ungettext(singular, plural, n))


CATALOGUES = _Catalogues()


class AppForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _Catalogues:
            return CATALOGUES


class EmptyForm(AppForm):
    """A form with nothing but its CSRF token, for buttons that change state."""


class AppSubform(Form):
    """A form nested in another (``FormField``, ``FieldList``): no CSRF field of its own."""

    class Meta:
        def get_translations(self, form: Any) -> _Catalogues:
            return CATALOGUES


def add_errors(problems: list[tuple[Field, str]]) -> bool:
    """Add each message to its field unless the field has an error already; True if none."""
    for field, message in problems:
        if not field.errors:
            field.errors = [*field.errors, message]
    return not problems


@dataclass(frozen=True)
class SummaryLine:
    field_id: str | None
    label: str
    message: str


def _field_lines(field: Field, prefix: str = "") -> list[SummaryLine]:
    if isinstance(field, FieldList):
        return [line for entry in field for line in _field_lines(entry, prefix)]
    if isinstance(field, FormField):
        return [line for sub in field.form for line in _field_lines(sub, prefix)]
    if not field.errors:
        # Most fields of a page: nothing to say, and no label to translate for it.
        return []
    hidden = field.type in ("HiddenField", "CSRFTokenField")
    label = "" if hidden else str(field.label.text)
    # A group of checkboxes or radios is reached at its first option.
    target = f"{field.id}-0" if field.type in ("CheckboxesField", "RadioField") else field.id
    target = prefix + target
    return [
        SummaryLine(None if hidden else target, label, str(message))
        for message in field.errors
        if isinstance(message, str) or not isinstance(message, dict | list)
    ]


@pass_context
def error_summary(context: Context) -> list[SummaryLine]:
    """Every error of every form on the page, in the order of its fields, for the summary at
    the top of the page (GOV.UK Design System's error summary): after a failed save the
    user is told at once what to fix and can jump to each field, however long the page."""
    lines: list[SummaryLine] = []
    seen: set[int] = set()
    for value in context.get_all().values():
        if isinstance(value, BaseForm) and id(value) not in seen:
            seen.add(id(value))
            # A template that renders a form's ids with a prefix says so on the form.
            prefix = str(getattr(value, "summary_id_prefix", ""))
            lines.extend(line for field in value for line in _field_lines(field, prefix))
    return lines
