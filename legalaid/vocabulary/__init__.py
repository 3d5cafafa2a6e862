"""Stable codes of the domain with translatable labels (BRIEF section 2).

Codes are stored in the database and never change; labels are translated when shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import LazyString
from wtforms.fields.choices import SelectChoice


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[tuple[str, str | LazyString], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.terms)

    def label(self, code: str) -> str:
        for known, label in self.terms:
            if known == code:
                return str(label)
        return code

    def choices(self) -> list[SelectChoice]:
        """Options for a WTForms select; labels are translated when the form is built."""
        return [SelectChoice(code, str(label)) for code, label in self.terms]

    def sql_check(self, column: str) -> str:
        """The body of a CHECK constraint that admits only these codes."""
        quoted = ", ".join(f"'{code}'" for code in self.codes)
        return f"{column} IN ({quoted})"

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)
