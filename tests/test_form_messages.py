"""Every form speaks the user's language, including WTForms' own validator messages, which
WTForms ships no Azerbaijani catalogue for (issue: "This field is required." in English on an
Azerbaijani page)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

import legalaid
from legalaid.webforms import AppForm, AppSubform

WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def _all_form_classes() -> list[type[wtforms.Form]]:
    for info in pkgutil.walk_packages(legalaid.__path__, "legalaid."):
        if ".migrations" in info.name or info.name.endswith(("gunicorn_conf", ".wsgi")):
            continue
        importlib.import_module(info.name)
    found: set[type[wtforms.Form]] = set()
    todo: list[type[wtforms.Form]] = [wtforms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(
        (
            c
            for c in found
            if c.__module__.startswith("legalaid.") and c.__module__ != "legalaid.webforms"
        ),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


FORMS = _all_form_classes()


def _english_patterns() -> list[re.Pattern[str]]:
    patterns = []
    with WTFORMS_POT.open("rb") as f:
        for message in read_po(f):
            for text in (message.id,) if isinstance(message.id, str) else message.id:
                if not text:
                    continue
                regex = re.escape(text)
                regex = re.sub(r"%\\\(\w+\\\)[sd]|%s", ".*", regex)
                patterns.append(re.compile(f"^{regex}$"))
    return patterns


ENGLISH = _english_patterns()


def _messages(errors: object) -> Iterator[str]:
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list | tuple):
        for value in errors:
            yield from _messages(value)
    else:
        yield str(errors)


def _bad_values(form: wtforms.Form) -> MultiDict[str, str]:
    data: MultiDict[str, str] = MultiDict()
    for field in form:
        # Wrong type for every kind of field at once: not a date, not a number, not a choice,
        # and longer than any limit.
        data.add(field.name, "not-a-valid-value-" + "x" * 5000)
    return data


def test_the_forms_are_found() -> None:
    names = {c.__name__ for c in FORMS}
    assert {"IntakeForm", "NoteForm", "ClinicForm", "RespondentRow"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: c.__qualname__)
def test_every_form_derives_from_the_app_base(form_class: type[wtforms.Form]) -> None:
    assert issubclass(form_class, AppForm | AppSubform), (
        f"{form_class.__module__}.{form_class.__qualname__} must derive from "
        "legalaid.webforms.AppForm (or AppSubform), or its messages stay English in az"
    )


@pytest.mark.parametrize("language", ["az", "ru"])
def test_no_form_answers_in_english(app: Flask, language: str) -> None:
    checked = 0
    english: list[str] = []
    for form_class in FORMS:
        for values in ("empty", "bad"):
            with app.test_request_context(method="POST"), force_locale(language):
                try:
                    form = form_class(formdata=MultiDict())
                    if values == "bad":
                        form = form_class(formdata=_bad_values(form))
                except TypeError:
                    # A form that needs arguments (e.g. the clinic's lawyers) is built by
                    # its view; its fields are checked below through the classes it shares.
                    continue
                form.validate()
                for message in _messages(form.errors):
                    checked += 1
                    if any(p.match(message) for p in ENGLISH):
                        english.append(f"{form_class.__qualname__} ({values}): {message}")
    print(f"{language}: {checked} validator messages checked, {len(english)} in English")
    assert checked > 50
    assert english == []


def test_the_footer_date_is_the_clinics_date(app: Flask) -> None:
    from legalaid import calendar

    # The server's zone may be a day behind Baku's: pages read one clock, Baku's.
    assert app.jinja_env.globals["today"] is calendar.today


@pytest.mark.parametrize("style", ["medium", "long", "full"])
def test_a_russian_date_can_end_a_sentence(app: Flask, style: str) -> None:
    from datetime import date

    from legalaid.i18n import format_date

    with app.test_request_context(), force_locale("ru"):
        day = format_date(date(2026, 12, 7), style)
        assert "2026" in day
        assert "дек" in day
        # A sentence that ends with a date ends with one full stop (it read "2026 г..").
        assert not day.endswith(".")
    with app.test_request_context(), force_locale("az"):
        assert format_date(date(2026, 12, 7), "long") == "7 dekabr 2026"
