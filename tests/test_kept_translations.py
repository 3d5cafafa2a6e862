"""Dates and labels as users see them: each translated once, never in another language.

Labels (``Vocabulary.label``) are translated once per request and language, kept in ``g``
with the locale they are in: ``force_locale`` or a language changed mid-request
translates again.


``legalaid.i18n.format_date`` keeps the text of a day (a ``date``) per (day, format,
language) for the process: a case list formats some 70 dates a page (issue 15, what every
request pays). What must hold: the text is Babel's (the Russian year abbreviation left
out), a language or format never gets another's text, and a ``datetime`` (time zone to
convert) is not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import flask_babel
import pytest
from babel.dates import format_date as babel_format_date
from flask import Flask
from flask.ctx import RequestContext

from legalaid import i18n
from legalaid.i18n import LANGUAGE_COOKIE, format_date


@pytest.fixture
def babel_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every call that reaches Flask-Babel's format_date, from an empty kept set."""
    calls: list[object] = []
    real = flask_babel.format_date

    def counted(value: object = None, format: str | None = None, rebase: bool = True) -> str:
        calls.append(value)
        return str(real(value, format, rebase))

    monkeypatch.setattr(flask_babel, "format_date", counted)
    i18n._formatted_day.cache_clear()
    yield calls
    i18n._formatted_day.cache_clear()


def _in(app: Flask, language: str) -> RequestContext:
    return app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}={language}"})


def test_a_day_is_formatted_once_per_language_and_format(
    app: Flask, babel_calls: list[object]
) -> None:
    day = date(2026, 3, 4)
    with _in(app, "ru"):
        first = format_date(day)
        assert format_date(day) == first
        assert len(babel_calls) == 1
        # Another format is its own text.
        assert format_date(day, "long") == re.sub(
            r"\s*г\.$", "", babel_format_date(day, "long", locale="ru")
        )
        assert len(babel_calls) == 2
    assert first == re.sub(r"\s*г\.$", "", babel_format_date(day, "medium", locale="ru"))
    for language in ("en", "az"):
        with _in(app, language):
            assert format_date(day) == babel_format_date(day, "medium", locale=language)
    assert len(babel_calls) == 4


def test_a_datetime_is_not_kept(app: Flask, babel_calls: list[object]) -> None:
    # A moment's day depends on the time zone it is shown in: formatted every time.
    moment = datetime(2026, 3, 4, 22, 30, tzinfo=UTC)
    with _in(app, "en"):
        assert format_date(moment) == format_date(moment)
        # 22:30 UTC is already the 5th in Baku.
        assert format_date(moment) == babel_format_date(date(2026, 3, 5), locale="en")
    assert len(babel_calls) == 3


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch, app: Flask) -> list[str]:
    """Every message the app's domain translates (gettext and pgettext)."""
    asked: list[str] = []
    domain_type = type(app.extensions["babel"].instance.domain_instance)
    real_gettext, real_pgettext = domain_type.gettext, domain_type.pgettext

    def gettext(self: object, string: str, **variables: object) -> str:
        asked.append(string)
        return str(real_gettext(self, string, **variables))

    def pgettext(self: object, context: str, string: str, **variables: object) -> str:
        asked.append(string)
        return str(real_pgettext(self, context, string, **variables))

    monkeypatch.setattr(domain_type, "gettext", gettext)
    monkeypatch.setattr(domain_type, "pgettext", pgettext)
    return asked


def test_a_label_is_translated_once_per_request_and_language(
    app: Flask, translations: list[str]
) -> None:
    from flask_babel import force_locale

    from legalaid.vocabulary.casework import CASE_STATUSES

    with _in(app, "ru"):
        assert CASE_STATUSES.label("closed") == CASE_STATUSES.label("closed") == "Закрыто"
        assert translations.count("Closed") == 1
        with force_locale("en"):
            assert CASE_STATUSES.label("closed") == "Closed"
        assert CASE_STATUSES.label("closed") == "Закрыто"
        assert CASE_STATUSES.label("no such code") == "no such code"
    with _in(app, "az"):
        assert CASE_STATUSES.label("closed") != "Закрыто"
    assert translations.count("Closed") == 4
