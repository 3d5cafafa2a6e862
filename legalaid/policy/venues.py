"""Courts and other places of hearings (``policies/venues.toml``), a list the network extends.

Unlike the vocabularies written in code, this one is policy: the clinic network adds its
own courts without a code change, so its names come in the file in every language rather
than from the translation catalogues. A hearing stores the code; the calendar feed shows
the name in the reader's language and nothing of the hearing's free-text place.
"""

from __future__ import annotations

from typing import Annotated

from flask_babel import LazyString, get_locale
from pydantic import Field, StringConstraints, model_validator

from legalaid.policy.loader import PolicyModel
from legalaid.vocabulary import Vocabulary

#: Stored in hearing.venue (String(32)).
VenueCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: The code for a place the list does not have (its details go in the free text).
OTHER = "other"


class Names(PolicyModel):
    en: Name
    az: Name
    ru: Name

    def get(self, language: str) -> str:
        return {"en": self.en, "az": self.az, "ru": self.ru}.get(language, self.en)


class Venue(PolicyModel):
    code: VenueCode
    name: Names

    def current_name(self) -> str:
        """The name in the language of the page or message being built."""
        locale = get_locale()
        return self.name.get(locale.language if locale is not None else "en")


class VenueList(PolicyModel):
    venue: tuple[Venue, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> VenueList:
        codes = [venue.code for venue in self.venue]
        doubled = sorted({code for code in codes if codes.count(code) > 1})
        if doubled:
            raise ValueError(f"venue code listed twice: {', '.join(doubled)}")
        if OTHER not in codes:
            raise ValueError(f"the list needs the code {OTHER!r} for a place it does not name")
        return self

    @property
    def vocabulary(self) -> Vocabulary:
        """The codes with their names, each read in the current language when shown."""
        return Vocabulary(
            "venue", tuple((venue.code, LazyString(venue.current_name)) for venue in self.venue)
        )
