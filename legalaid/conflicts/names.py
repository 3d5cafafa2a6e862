"""Name keys that treat Azerbaijani Latin, Azerbaijani Cyrillic and Russian spellings alike.

The same person is written Məmmədova, Mammadova or Мамедова depending on who typed it.
Each word of a name is reduced to a sound skeleton: letters that the three scripts use
for the same sound fall into one class (ş / sh / ш; c / j / дж; x / kh / х; q / g / г ...),
every vowel becomes one symbol, and repeated symbols collapse. All three spellings above
become ``MVMVDVWV``. The skeleton is deliberately coarse: a conflict check must rather
ask once too often than miss the husband of a client. Several words and the birth year
must agree before two names match (see :mod:`legalaid.cases.conflict_check`).

Only keyed hashes of the skeletons are stored (:func:`legalaid.crypto.blind_index`).
"""

from __future__ import annotations

import re
import unicodedata

from legalaid.crypto.blind_index import blind_index

NAME_KEY_PURPOSE = "name.word"
BIRTH_YEAR_PURPOSE = "client.birth_year"

# Several letters spell one sound; the longest are replaced first.
_DIGRAPHS = (
    ("дж", "J"),
    ("dzh", "J"),
    ("dj", "J"),
    ("zh", "J"),
    ("ch", "J"),
    ("kh", "G"),
    ("gh", "G"),
    ("sh", "S"),
    ("ts", "S"),
)

_CLASSES = {
    "V": "aeiouyəıöüаеёиоуыэюяәөүйј",
    "G": "gğqkhxгғкқхһ",
    "J": "cçjжчҹ",
    "S": "sşсшщц",
    "Z": "zз",
    "D": "dд",
    "T": "tт",
    "B": "bб",
    "P": "pп",
    "W": "vwв",
    "F": "fф",
    "L": "lл",
    "M": "mм",
    "N": "nн",
    "R": "rр",
}
_SYMBOL = {letter: symbol for symbol, letters in _CLASSES.items() for letter in letters}
_SILENT = set("ьъ'’`")

# Patronymic markers carry no identity of their own ("qızı", "oğlu", "кызы", "оглы").
_MARKERS = {"GVZV", "VGLV"}

_WORD_SPLIT = re.compile(r"[^\w']+", re.UNICODE)


def _fold(text: str) -> str:
    # Turkish dotted capital İ lowercases to i + combining dot; drop the dot.
    lowered = unicodedata.normalize("NFC", text.replace("İ", "i").lower())
    return lowered.replace("i̇", "i")


def skeleton(word: str) -> str:
    """The sound skeleton of one word ("" when nothing of it is a letter we know)."""
    text = _fold(word)
    for digraph, replacement in _DIGRAPHS:
        text = text.replace(digraph, replacement)
    symbols: list[str] = []
    for char in text:
        if char in _SILENT:
            continue
        symbol: str | None = char if char in "JGS" else _SYMBOL.get(char)
        if symbol is None:
            continue
        if not symbols or symbols[-1] != symbol:
            symbols.append(symbol)
    return "".join(symbols)


def name_skeletons(*names: str | None) -> list[str]:
    """The distinct skeletons of every word of the given names, without markers."""
    seen: list[str] = []
    for name in names:
        for word in _WORD_SPLIT.split(name or ""):
            shape = skeleton(word)
            # One letter is an initial, not a name.
            if len(shape) < 2 or shape in _MARKERS or shape in seen:
                continue
            seen.append(shape)
    return seen


def name_keys(*names: str | None) -> list[str]:
    """Keyed hashes of the skeletons: what is stored and compared."""
    return [blind_index(shape, NAME_KEY_PURPOSE) for shape in name_skeletons(*names)]


def birth_year_key(year: int | None) -> str | None:
    return None if year is None else blind_index(str(year), BIRTH_YEAR_PURPOSE)
