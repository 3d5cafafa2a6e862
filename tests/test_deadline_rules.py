"""Deadline rules: date arithmetic with weekends and Azerbaijan's holidays, and the policy
file refused at start-up when a rule points nowhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from legalaid.deadlines.policy import DeadlinePolicy
from legalaid.deadlines.workdays import (
    add_working_days,
    deadline_date,
    is_working_day,
    next_working_day,
)
from legalaid.errors import StartupError
from legalaid.policy.loader import SHIPPED_POLICY_DIR, load_policy


def test_weekends_and_public_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2026, 12, 7))  # a Monday
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 1, 20))  # Martyrs' Day, a Tuesday
    assert not is_working_day(date(2026, 5, 28))  # Independence Day
    # Victory Day fell on Sunday 8 November 2026: the day off moved to Tuesday the 10th.
    assert not is_working_day(date(2026, 11, 10))


def test_working_days_step_over_a_holiday() -> None:
    # Friday 5 June 2026 + 7 working days: 8-12 June (5), then Monday 15 June is National
    # Liberation Day, so the 6th and 7th are 16 and 17 June.
    assert add_working_days(date(2026, 6, 5), 7) == date(2026, 6, 17)
    # Across the Novruz and Ramadan holidays of March 2026 nothing counts from 20 to 30 March.
    assert add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 31)


def test_working_days_across_the_new_year() -> None:
    # 31 December (Solidarity Day), 1-2 January (New Year), 3-4 January a weekend.
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 5)


def test_a_calendar_deadline_rolls_to_the_next_working_day_only_when_the_rule_says_so() -> None:
    start = date(2026, 4, 28)  # + 30 days = Thursday 28 May, Independence Day
    assert deadline_date(start, 30, working_days=False, roll_forward=False) == date(2026, 5, 28)
    # 28 and 29 May are days off, 30 and 31 May a weekend: the next working day is 1 June.
    assert deadline_date(start, 30, working_days=False, roll_forward=True) == date(2026, 6, 1)
    assert next_working_day(date(2026, 6, 1)) == date(2026, 6, 1)


def test_the_shipped_rules_are_valid_and_all_still_to_confirm() -> None:
    policy = load_policy(None, "deadlines.toml", DeadlinePolicy)
    assert {rule.code for rule in policy.rules} >= {
        "short_term_order_expiry",
        "appeal_deadline",
        "authority_reply_due",
    }
    for rule in policy.rules:
        assert rule.to_confirm
        assert rule.legal_basis
        assert rule.source
        assert set(rule.title) == {"en", "az", "ru"}


def _policy_dir(tmp_path: Path, text: str) -> Path:
    (tmp_path / "deadlines.toml").write_text(text, encoding="utf-8")
    return tmp_path


RULE = """
[[rules]]
code = "x_rule"
title.en = "X"
title.az = "X"
title.ru = "X"
{origin}
creates = "deadline"
days = 10
working_days = true
legal_basis = "Art. 1"
source = "somewhere"
to_confirm = true
"""


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ('from_service = "teleportation"', "unknown service"),
        ('from_hearing = "duel"', "unknown hearing kind"),
        ("", "exactly one of from_service, from_hearing"),
        ('from_service = "advice"\nfrom_order_kind = "short_term"', "from_order_kind needs"),
    ],
)
def test_a_rule_that_points_nowhere_stops_start_up(
    tmp_path: Path, origin: str, message: str
) -> None:
    folder = _policy_dir(tmp_path, RULE.format(origin=origin))
    with pytest.raises(StartupError, match=message):
        load_policy(folder, "deadlines.toml", DeadlinePolicy)


def test_a_rule_without_every_language_stops_start_up(tmp_path: Path) -> None:
    text = RULE.format(origin='from_service = "advice"').replace('title.ru = "X"\n', "")
    with pytest.raises(StartupError, match="missing: ru"):
        load_policy(_policy_dir(tmp_path, text), "deadlines.toml", DeadlinePolicy)


def test_the_shipped_file_is_the_one_the_app_reads() -> None:
    assert (SHIPPED_POLICY_DIR / "deadlines.toml").is_file()
