"""Languages: English, Azerbaijani and Russian, chosen per user and remembered."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import flask_babel
from babel import Locale
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import (
    Babel,
    Domain,
    LazyString,
    format_datetime,
    format_decimal,
    get_locale,
)

from legalaid.calendar import today as clinic_today
from legalaid.vocabulary import Vocabulary, set_label_translator

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
    """flask_babel.format_date, with named formats that can end a sentence in every language.

    A day (a ``date``, not a ``datetime``: no time zone to convert) is formatted once per
    (day, format, language) per process and the text kept: a case list formats some 70
    dates, each about 16 us in Babel's locale data, and the same few hundred days recur.
    """
    locale = get_locale()
    if type(value) is date and locale is not None:
        return _formatted_day(value, format, locale)
    return _format_date(value, format, locale)


@lru_cache(maxsize=8192)
def _formatted_day(value: date, format: str, locale: Locale) -> str:
    # Only ever called inside the request whose locale is ``locale``.
    return _format_date(value, format, locale)


def _format_date(value: date | None, format: str, locale: Locale | None) -> str:
    if locale is not None and format in _NAMED_FORMATS:
        pattern = locale.date_formats[format].pattern
        trimmed = _YEAR_ABBREVIATION.sub("", pattern)
        if trimmed != pattern:
            return str(flask_babel.format_date(value, trimmed))
    return str(flask_babel.format_date(value, format))


_KEPT_CATALOGUE = "_legalaid_catalogue"
#: ``g`` key of the vocabulary labels translated in this request, with their locale.
_KEPT_LABELS = "_legalaid_labels"


def kept_label(vocabulary: Vocabulary, code: str, label: LazyString) -> str:
    """A vocabulary's lazy label, translated once per request and language.

    A case list shows some 150 labels, and each translation goes through Flask-Babel's
    context, domain and catalogue lookups (about 9 us; 5 us kept). Kept in ``g`` with
    the very locale object it was translated for, as ``RequestDomain`` keeps the
    catalogue: ``force_locale`` or a language changed mid-request translates again.
    """
    if not has_app_context():
        return str(label)
    locale = get_locale()
    kept: tuple[object, dict[tuple[int, str], tuple[Vocabulary, str]]] | None
    kept = g.get(_KEPT_LABELS)
    if kept is None or kept[0] is not locale:
        kept = (locale, {})
        setattr(g, _KEPT_LABELS, kept)
    key = (id(vocabulary), code)
    entry = kept[1].get(key)
    if entry is None:
        # The vocabulary is kept beside its text: its id names no other while g lasts.
        entry = kept[1][key] = (vocabulary, str(label))
    return entry[1]


class RequestDomain(Domain):
    """Flask-Babel's domain, with the catalogue of the current locale kept in ``g``.

    Flask-Babel looks the catalogue up again for every message: the context, the locale,
    ``str(locale)`` and its cache, about 18 us a call, and a page translates a hundred
    strings or more. Kept with the very locale object it was found for: ``force_locale``
    and ``refresh`` (a language changed mid-request) make a new one, so the next message
    looks the catalogue up again.
    """

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return super().get_translations()  # type: ignore[no-any-return]
        locale = get_locale()
        kept = g.get(_KEPT_CATALOGUE)
        if kept is not None and kept[0] is locale:
            return kept[1]  # type: ignore[no-any-return]
        translations = super().get_translations()
        setattr(g, _KEPT_CATALOGUE, (locale, translations))
        return translations  # type: ignore[no-any-return]


def init_babel(app: Flask) -> None:
    babel = Babel(
        app, locale_selector=select_locale, default_translation_directories=TRANSLATIONS_DIR
    )
    # The domain every gettext (views, templates, lazy strings) goes through.
    domain = RequestDomain(domain=app.extensions["babel"].default_domain)
    babel.domain_instance = domain
    set_label_translator(kept_label)
    # Templates ask the app's one domain directly (Flask-Babel's callables look the
    # request's domain up again for every string; no view switches domains).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        # The clinics' date (Baku), as everywhere else a user sees or types one.
        today=clinic_today,
    )
