"""Stable codes of the domain with translatable labels (BRIEF section 2).

Codes are stored in the database and never change; labels are translated when shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from legalaid.errors import DomainError


def _plain_label(_vocabulary: Vocabulary, _code: str, label: LazyString) -> str:
    return str(label)


#: Translates a vocabulary's lazy label: ``i18n.init_babel`` installs one that keeps the
#: request's translations (``i18n.kept_label``); plain ``str`` before any app is built.
_label_translator: Callable[[Vocabulary, str, LazyString], str] = _plain_label


def set_label_translator(translator: Callable[[Vocabulary, str, LazyString], str]) -> None:
    global _label_translator
    _label_translator = translator


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[tuple[str, str | LazyString], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.terms)

    def label(self, code: str) -> str:
        """The code's label in the current language (the code itself if unknown).

        A lazy label goes through the translator the app installed
        (``i18n.init_babel``: translated once per request and language); ``str``
        otherwise (no app).
        """
        found = self._by_code.get(code)
        if found is None:
            return code
        if isinstance(found, str):
            return found
        return _label_translator(self, code, found)

    @property
    def _by_code(self) -> dict[str, str | LazyString]:
        by_code: dict[str, str | LazyString] | None = self.__dict__.get("_by_code_cache")
        if by_code is None:
            by_code = dict(self.terms)
            object.__setattr__(self, "_by_code_cache", by_code)
        return by_code

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
