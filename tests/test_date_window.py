"""The one date-window rule of the services (``errors.Problems.date_within``)."""

from __future__ import annotations

from datetime import date

import pytest

from legalaid.errors import DomainError, ManyProblemsError, Problems

EARLIEST = date(2026, 1, 10)
LATEST = date(2026, 2, 10)


def _refusals(value: date | None, *, required: str = "") -> list[tuple[str, str | None]]:
    problems = Problems()
    problems.date_within(
        value,
        "on",
        latest=(LATEST, "too late"),
        earliest=(EARLIEST, "too early"),
        required=required,
    )
    try:
        problems.done()
    except ManyProblemsError as errors:
        return [(str(error), error.field) for error in errors.problems]
    except DomainError as error:
        return [(str(error), error.field)]
    return []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EARLIEST, []),
        (LATEST, []),
        (date(2026, 2, 11), [("too late", "on")]),
        (date(2026, 1, 9), [("too early", "on")]),
    ],
)
def test_a_date_is_refused_only_outside_its_window(
    value: date, expected: list[tuple[str, str]]
) -> None:
    assert _refusals(value) == expected


def test_a_missing_date_is_refused_only_when_it_is_required() -> None:
    assert _refusals(None) == []
    assert _refusals(None, required="required") == [("required", "on")]


def test_the_later_bound_is_checked_first_and_one_refusal_is_given() -> None:
    problems = Problems()
    problems.date_within(
        date(2026, 3, 1),
        "on",
        latest=(date(2026, 1, 1), "too late"),
        earliest=(date(2026, 6, 1), "too early"),
    )
    assert [str(error) for error in problems.found] == ["too late"]
