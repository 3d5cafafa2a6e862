"""Every marked string has an Azerbaijani and a Russian translation, and the compiled
catalogs the app loads are the ones the .po files describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "legalaid" / "translations"
METHODS = [("legalaid/**.py", "python"), ("legalaid/templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_pgettext": ((1, "c"), 2),
}


def _marked_strings() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


MARKED = _marked_strings()


def test_extraction_finds_the_strings_of_the_code() -> None:
    assert "Page not found" in MARKED
    assert "Baku" in MARKED


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_marked_string_is_translated(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated[key] = strings
    missing = sorted(MARKED - set(translated))
    assert missing == [], (
        f"{len(missing)} string(s) lack a '{language}' translation: {missing[:10]}"
    )


def _plain(value: object) -> object:
    """Plural entries come back as lists from .mo files and tuples from .po files."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("language", ["az", "ru"])
def test_compiled_catalog_matches_the_po_file(language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        po = {
            _plain(m.id): _plain(m.string)
            for m in read_po(handle, locale=language)
            if m.id and not m.fuzzy
        }
    with (folder / "messages.mo").open("rb") as handle:
        mo = {_plain(m.id): _plain(m.string) for m in read_mo(handle) if m.id}
    assert po == mo, "run: pybabel compile -d legalaid/translations"
