"""Languages: English, Azerbaijani and Russian, chosen per user and remembered."""

from __future__ import annotations

import re
from datetime import date

import flask_babel
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, format_datetime, format_decimal, get_locale

from legalaid.calendar import today as clinic_today
from legalaid.vocabulary import Vocabulary

# Each language is named in itself so that a reader can find her own.
LANGUAGES = Vocabulary("language", (("en", "English"), ("az", "Azərbaycanca"), ("ru", "Русский")))
LANGUAGE_COOKIE = "legalaid_lang"
TRANSLATIONS_DIR = "translations"


def select_locale() -> str:
    if not has_request_context():
        return "en"
    user_choice = g.get("user_language")
    if user_choice in LANGUAGES:
        return str(user_choice)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return request.accept_languages.best_match(LANGUAGES.codes) or "en"


_NAMED_FORMATS = ("short", "medium", "long", "full")
# CLDR's Russian dates end in "г." (year); in a sentence that ends with a date the full stop
# then doubles ("2026 г.."). The app's dates leave the abbreviation out, as forms do.
_YEAR_ABBREVIATION = re.compile(r"\s*'г'\.?$")


def format_date(value: date | None = None, format: str = "medium") -> str:
    """flask_babel.format_date, with named formats that can end a sentence in every language."""
    locale = get_locale()
    if locale is not None and format in _NAMED_FORMATS:
        pattern = locale.date_formats[format].pattern
        trimmed = _YEAR_ABBREVIATION.sub("", pattern)
        if trimmed != pattern:
            return str(flask_babel.format_date(value, trimmed))
    return str(flask_babel.format_date(value, format))


def init_babel(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS_DIR)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        # The clinics' date (Baku), as everywhere else a user sees or types one.
        today=clinic_today,
    )
