"""Stable codes of the domain with translatable labels (BRIEF section 2).

Codes are stored in the database and never change; labels are translated when shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from legalaid.errors import DomainError


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

    def require(self, code: str | None, field: str) -> str:
        """The code itself, or a translated refusal that names the form field."""
        if code is None or code not in self.codes:
            raise DomainError(_("Choose one of the listed values."), field=field)
        return code

    def optional(self, code: str | None, field: str) -> str | None:
        return None if not code else self.require(code, field)

    def require_all(self, codes: list[str], field: str) -> list[str]:
        for code in codes:
            self.require(code, field)
        return sorted(set(codes))

    def sql_check(self, column: str) -> str:
        """The body of a CHECK constraint that admits only these codes."""
        quoted = ", ".join(f"'{code}'" for code in self.codes)
        return f"{column} IN ({quoted})"

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)
