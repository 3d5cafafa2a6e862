"""Cross-script name skeletons and their keyed blind indexes (legalaid.conflicts.names).

The same woman is written in Azerbaijani Latin, Azerbaijani Cyrillic or Russian depending
on who typed her name; the conflict check only works if all spellings give one key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from flask import Flask

from legalaid.conflicts.names import (
    BIRTH_YEAR_PURPOSE,
    NAME_KEY_PURPOSE,
    birth_year_key,
    name_keys,
    name_skeletons,
    skeleton,
)

# Each row: spellings of one name (Azerbaijani Latin, Russian / Azerbaijani Cyrillic,
# English transliterations, capitals) that must share one skeleton.
SAME_NAME = [
    ("Məmmədova", "Mammadova", "Мамедова", "Mamedova", "MƏMMƏDOVA", "МАМЕДОВА"),
    ("Məmmədov", "Mammadov", "Мамедов", "Mamedov"),
    ("Əliyeva", "Aliyeva", "Алиева", "Əliyevа"),
    ("Cəfərova", "Jafarova", "Джафарова", "Джәфәрова", "Djafarova", "Dzhafarova"),
    ("Hüseynova", "Гусейнова", "Huseynova", "Һүсејнова"),
    ("Qasımova", "Kasimova", "Гасымова", "Gasimova"),
    ("Xədicə", "Khadija", "Хадиджа", "Xadija", "Хәдиҹә"),
    ("İsmayılova", "Исмаилова", "Ismayilova", "İSMAYILOVA", "ISMAYILOVA"),
    ("Şəbnəm", "Шабнам", "Shabnam"),
    ("Gülnarə", "Гюльнара", "Gulnara", "Гүлнарә"),
    ("Səbinə", "Сабина", "Sabina"),
    ("Nərgiz", "Наргиз", "Nargiz"),
    ("Zəhra", "Захра", "Zahra"),
    ("Könül", "Кёнуль", "Konul"),
    ("Aygün", "Айгюн", "Aygun"),
    ("Samirə", "Самира", "Samira"),
    ("Jalə", "Жале", "Zhala", "Jala"),
    ("Rəşad", "Рашад", "Rashad"),
    ("Elçin", "Эльчин", "Elchin"),
    ("Orxan", "Орхан", "Orkhan"),
    ("Əhmədov", "Ахмедов", "Akhmedov", "Ahmadov"),
    ("Quliyev", "Гулиев", "Guliyev", "Kuliyev"),
    ("Vüqar", "Вугар", "Vugar"),
    ("Ceyhun", "Джейхун", "Jeyhun"),
    ("Çingiz", "Чингиз", "Chingiz"),
    ("Tofiq", "Тофиг", "Tofik"),
]

# Names that are not the same person's and must not share a skeleton.
DIFFERENT_NAMES = [
    ("Məmmədova", "Əliyeva"),
    ("Məmmədova", "Mahmudova"),
    ("Məmmədova", "Məmmədov"),  # her husband's surname is a different word
    ("Əliyeva", "Vəliyeva"),
    ("Cəfərova", "Qafarova"),
    ("Nərgiz", "Nigar"),
    ("Şəbnəm", "Səbinə"),
    ("Gülnarə", "Günel"),
    ("Leyla", "Lətifə"),
    ("Aynur", "Aytən"),
    ("Rəşad", "Rauf"),
    ("Xədicə", "Xanım"),
    ("Samirə", "Səmayə"),
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=[row[0] for row in SAME_NAME])
def test_one_name_has_one_skeleton_in_every_script(spellings: tuple[str, ...]) -> None:
    shapes = {spelling: skeleton(spelling) for spelling in spellings}
    assert len(set(shapes.values())) == 1, shapes
    assert len(shapes[spellings[0]]) >= 3


def test_skeletons_are_the_documented_sound_classes() -> None:
    # The module's own example: all three spellings become MVMVDVWV.
    assert skeleton("Məmmədova") == skeleton("Мамедова") == "MVMVDVWV"
    assert skeleton("Cəfərova") == "JVFVRVWV"
    assert skeleton("Xədicə") == "GVDVJV"


@pytest.mark.parametrize(("first", "second"), DIFFERENT_NAMES)
def test_different_names_have_different_skeletons(first: str, second: str) -> None:
    assert skeleton(first) != skeleton(second)


def test_whole_names_in_different_scripts_give_the_same_skeletons() -> None:
    latin = name_skeletons("Aynur Rəşad qızı Məmmədova")
    russian = name_skeletons("Мамедова Айнур Рашад кызы")
    english = name_skeletons("Aynur Rashad kizi Mammadova")
    assert set(latin) == set(russian) == set(english)
    assert len(latin) == 3


@pytest.mark.parametrize(
    "name",
    [
        "Aynur Rəşad qızı Məmmədova",
        "Aynur Rəşad QIZI Məmmədova",
        "Айнур Рашад кызы Мамедова",
        "Aynur Rashad gizi Mammadova",
    ],
)
def test_daughter_of_markers_are_not_name_words(name: str) -> None:
    assert set(name_skeletons(name)) == {
        skeleton("Aynur"),
        skeleton("Rəşad"),
        skeleton("Məmmədova"),
    }


@pytest.mark.parametrize(
    "name", ["Elçin Vüqar oğlu Məmmədov", "Эльчин Вугар оглы Мамедов", "Elchin Vugar ogly Mamedov"]
)
def test_son_of_markers_are_not_name_words(name: str) -> None:
    assert set(name_skeletons(name)) == {skeleton("Elçin"), skeleton("Vüqar"), skeleton("Məmmədov")}


def test_markers_alone_give_nothing() -> None:
    assert name_skeletons("qızı oğlu кызы оглы") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A. Məmmədova", ["Məmmədova"]),
        ("Məmmədova A.R.", ["Məmmədova"]),
        ("Ə. Məmmədova", ["Məmmədova"]),
        ("А. Р. Мамедова", ["Məmmədova"]),
        ("Sh. Aliyeva", ["Əliyeva"]),
        ("Дж. Алиева", ["Əliyeva"]),
    ],
)
def test_initials_are_not_name_words(name: str, expected: list[str]) -> None:
    assert name_skeletons(name) == [skeleton(word) for word in expected]


def test_repeated_and_punctuated_words_count_once() -> None:
    assert name_skeletons("Məmmədova-Əliyeva, Məmmədova") == [
        skeleton("Məmmədova"),
        skeleton("Əliyeva"),
    ]
    # A name and the other names (maiden name, alias) are read together.
    assert name_skeletons("Aynur Məmmədova", "Мамедова Айнур", None, "") == [
        skeleton("Aynur"),
        skeleton("Məmmədova"),
    ]


def test_nothing_readable_gives_no_skeleton() -> None:
    assert skeleton("") == ""
    assert skeleton("1984") == ""
    assert name_skeletons("", None, "  ", "123 - 456") == []


# --- keyed hashes ------------------------------------------------------------------------


def _keyed_app(key: bytes) -> Flask:
    """The smallest app ``blind_index`` reads its key from."""
    app = Flask("names-under-test")
    app.extensions["legalaid.settings"] = SimpleNamespace(blind_index_key=key)
    return app


@pytest.fixture
def index_key() -> Iterator[bytes]:
    key = secrets.token_bytes(32)
    with _keyed_app(key).app_context():
        yield key


def _hmac(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def test_keys_are_keyed_hashes_of_the_skeletons(index_key: bytes) -> None:
    keys = name_keys("Aynur Məmmədova")
    assert keys == [
        _hmac(index_key, NAME_KEY_PURPOSE, skeleton("Aynur")),
        _hmac(index_key, NAME_KEY_PURPOSE, skeleton("Məmmədova")),
    ]
    for key in keys:
        assert re.fullmatch(r"[0-9a-f]{64}", key)
        # Not the plain (unkeyed) hash of the skeleton or of the word either.
        for plain in ("Aynur", "Məmmədova", skeleton("Aynur"), skeleton("Məmmədova")):
            assert key != hashlib.sha256(plain.encode()).hexdigest()
            assert plain.lower() not in key


def test_keys_agree_across_scripts(index_key: bytes) -> None:
    assert set(name_keys("Xədicə Cəfərova")) == set(name_keys("Джафарова Хадиджа"))
    assert set(name_keys("Xədicə Cəfərova")) == set(name_keys("Khadija Jafarova"))
    assert not set(name_keys("Xədicə Cəfərova")) & set(name_keys("Leyla Əliyeva"))


def test_keys_change_with_the_blind_index_key() -> None:
    with _keyed_app(secrets.token_bytes(32)).app_context():
        first = name_keys("Şəbnəm Hüseynova")
        first_year = birth_year_key(1990)
    with _keyed_app(secrets.token_bytes(32)).app_context():
        second = name_keys("Шабнам Гусейнова")
        second_year = birth_year_key(1990)
    assert len(first) == len(second) == 2
    assert not set(first) & set(second)
    assert first_year != second_year


def test_birth_year_keys(index_key: bytes) -> None:
    assert birth_year_key(None) is None
    assert birth_year_key(1990) == _hmac(index_key, BIRTH_YEAR_PURPOSE, "1990")
    assert birth_year_key(1990) == birth_year_key(1990)
    assert birth_year_key(1990) != birth_year_key(1991)
    # Purposes keep a name index from being matched against a year index.
    assert birth_year_key(1990) != _hmac(index_key, NAME_KEY_PURPOSE, "1990")
