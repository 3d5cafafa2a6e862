"""``policies/disclosure.toml``: what may be shown of a count, and when.

- ``k``: the smallest count that may be shown; counts from 1 to k-1 are suppressed;
- ``show_zero``: whether a zero is shown (when not, zeros are protected like small counts,
  so that "nobody of this group in this region" cannot be read either);
- ``rounding``: ``none``, or published counts rounded to a multiple of 3 or 5 (then k must
  be a multiple of the base, so that no count of k or more is shown below k);
- ``require_statistics_consent``: leave out clients who have not consented to be counted;
- ``data_entry_lag_days``: days after a period's end before it may be released;
- ``crossable``: the pairs of dimensions that may be crossed in one table. A clinic's own
  table by a dimension is a crossing with ``clinic``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from legalaid.errors import StartupError
from legalaid.indicators.catalogue import IndicatorCatalogue
from legalaid.indicators.dimensions import DIMENSION_NAMES
from legalaid.policy.loader import PolicyModel, load_policy, policy_path

_ROUNDING_BASES = {"none": 1, "base_3": 3, "base_5": 5}


class DisclosurePolicy(PolicyModel):
    k: int = Field(5, ge=2, le=100)
    show_zero: bool = True
    rounding: Literal["none", "base_3", "base_5"] = "none"
    require_statistics_consent: bool = True
    data_entry_lag_days: int = Field(30, ge=0, le=366)
    #: A new version that hides at least this many cells its previous version published
    #: is not frozen until someone has seen which and confirmed it with a reason.
    confirm_when_newly_hidden: int = Field(10, ge=1, le=100_000)
    crossable: tuple[tuple[str, str], ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> DisclosurePolicy:
        if self.k % self.rounding_base:
            raise ValueError(
                f"k ({self.k}) must be a multiple of the rounding base ({self.rounding_base})"
            )
        seen: set[frozenset[str]] = set()
        for first, second in self.crossable:
            for name in (first, second):
                if name not in DIMENSION_NAMES:
                    raise ValueError(f"crossable: unknown dimension '{name}'")
            pair = frozenset((first, second))
            if len(pair) != 2:
                raise ValueError(f"crossable: '{first}' crossed with itself")
            if pair in seen:
                raise ValueError(f"crossable: '{first}' x '{second}' listed twice")
            seen.add(pair)
        return self

    @property
    def rounding_base(self) -> int:
        return _ROUNDING_BASES[self.rounding]

    def may_cross(self, first: str, second: str) -> bool:
        return frozenset((first, second)) in {frozenset(pair) for pair in self.crossable}

    def is_sensitive(self, value: int) -> bool:
        """A true count that may not be shown (primary suppression)."""
        return 1 <= value < self.k or (value == 0 and not self.show_zero)

    def is_small_change(self, change: int) -> bool:
        """A change between versions of a cell that may not be shown or derived: one of
        1 to k-1 clients (or cases) more or fewer tells of those few."""
        return 1 <= abs(change) < self.k

    def rounded(self, value: int) -> int:
        """The published form of a count that may be shown."""
        base = self.rounding_base
        return (value + base // 2) // base * base

    def interval(self, published: int) -> tuple[int, int]:
        """What a published (possibly rounded) count tells about the true count."""
        half = self.rounding_base // 2
        return max(0, published - half), published + half


def load_indicator_policies(
    policy_dir: Path | None,
) -> tuple[IndicatorCatalogue, DisclosurePolicy]:
    """Both files, each validated, then checked against each other."""
    catalogue = load_policy(policy_dir, "indicators.toml", IndicatorCatalogue)
    disclosure = load_policy(policy_dir, "disclosure.toml", DisclosurePolicy)
    try:
        catalogue.check_crossings(disclosure.may_cross)
    except ValueError as exc:
        path = policy_path(policy_dir, "indicators.toml")
        raise StartupError(f"policy file {path}: {exc}") from exc
    return catalogue, disclosure
