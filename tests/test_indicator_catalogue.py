"""The indicator catalogue and the disclosure policy as files, and the reporting periods."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pydantic import ValidationError

from legalaid.disclosure.policy import DisclosurePolicy, load_indicator_policies
from legalaid.errors import StartupError
from legalaid.factory import create_app
from legalaid.indicators.catalogue import MEASURES, IndicatorCatalogue
from legalaid.indicators.periods import (
    PLAN_CODE,
    PeriodNotAvailableError,
    completed_periods,
    parse_period,
    quarter,
    year_period,
)
from legalaid.settings import DEFAULT_POLICY_DIR
from tests.conftest import make_settings

SHIPPED = tomllib.loads((DEFAULT_POLICY_DIR / "indicators.toml").read_text(encoding="utf-8"))
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
AZERBAIJANI = re.compile(r"[əƏğĞıİöÖüÜçÇşŞ]")


def shipped() -> IndicatorCatalogue:
    return load_indicator_policies(DEFAULT_POLICY_DIR)[0]


def test_the_shipped_catalogue_covers_both_objectives_in_three_languages() -> None:
    catalogue = shipped()
    codes = [entry.code for entry in catalogue.indicator]
    assert len(codes) >= 10
    assert {entry.objective for entry in catalogue.indicator} == {"2.2", "2.3"}
    for entry in catalogue.indicator:
        for text in (entry.title, entry.definition):
            assert len({text.en, text.az, text.ru}) == 3, entry.code
            assert CYRILLIC.search(text.ru), entry.code
            assert AZERBAIJANI.search(text.az), entry.code
        assert entry.targets.example, entry.code
        assert sorted(entry.targets.by_year) == [2025, 2026, 2027]
        assert entry.layouts(clinic_scope=False)[0] == ()
    # What the issue asks to be counted is there.
    measures = {name for entry in catalogue.indicator for name in entry.measures}
    assert measures >= {
        "clients_served",
        "cases_opened",
        "cases_closed",
        "protection_orders_granted",
        "referrals_sent",
        "referrals_completed",
        "cases_law_enforcement_respondent",
        "training_sessions",
        "officers_trained",
        "officers_improved",
        "officers_tested",
        "clients_excluded_no_consent",
    }
    elements = [entry.dhis2.data_element for entry in catalogue.indicator]
    assert len(elements) == len(set(elements))


def test_the_catalogue_gets_the_app_started(app: Flask) -> None:
    policies = app.extensions["legalaid.policies"]
    assert policies.indicators.get("LA01") is not None
    assert policies.disclosure.k == 5
    assert policies.disclosure.require_statistics_consent


def _with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def _first(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = data["indicator"][0]
    return entry


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _first(d).update(code=d["indicator"][1]["code"]), "listed twice"),
        (lambda d: _first(d).update(code="la1"), "code"),
        (lambda d: _first(d).update(measure="happiness"), "unknown measure"),
        (lambda d: _first(d)["title"].pop("ru"), "title.ru"),
        (lambda d: _first(d)["definition"].update(az="  "), "definition.az"),
        (lambda d: _first(d).update(objective="9.9"), "objective"),
        (lambda d: _first(d)["targets"]["by_year"].pop("2027"), "2025, 2026, 2027"),
        (lambda d: _first(d)["targets"].pop("example"), "example"),
        (lambda d: _first(d)["targets"]["by_year"].update({"2026": -1}), "negative"),
        (
            lambda d: _first(d).update(disaggregations=["clinic", "agency"]),
            "cannot be broken down by 'agency'",
        ),
        (lambda d: _first(d).update(disaggregations=["clinic", "clinic"]), "listed twice"),
        (lambda d: _first(d).update(crossings=[["clinic", "outcome"]]), "from its disaggregations"),
        (lambda d: _first(d).update(unit="share"), "needs a denominator"),
        (lambda d: _first(d)["dhis2"]["category_option_combos"].pop("woman"), "missing ['woman']"),
        (lambda d: _first(d)["dhis2"].update(category="clinic"), "not the clinic"),
        (lambda d: _first(d).update(colour="blue"), "colour"),
        (lambda d: _first(d).pop("basis"), "basis"),
        (lambda d: _first(d)["basis"].update(region="none"), "whose region"),
        (lambda d: _first(d)["basis"].update(consent_as_of="not_applicable"), "consent_as_of"),
        (lambda d: d.update(indicator=[]), "at least 1"),
    ],
)
def test_a_bad_catalogue_is_refused(change: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        IndicatorCatalogue.model_validate(_with(change))


def test_a_share_needs_a_known_denominator_with_the_same_breakdowns() -> None:
    def change(data: dict[str, Any]) -> None:
        share = next(e for e in data["indicator"] if e["code"] == "LA08")
        share["denominator"] = "training_sessions"

    with pytest.raises(ValidationError, match="cannot be broken down by 'service_type'"):
        IndicatorCatalogue.model_validate(_with(change))


def _policy_dir(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    for source in DEFAULT_POLICY_DIR.glob("*.toml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_crossing_the_disclosure_policy_does_not_allow_stops_start_up(tmp_path: Path) -> None:
    disclosure = (DEFAULT_POLICY_DIR / "disclosure.toml").read_text(encoding="utf-8")
    narrowed = disclosure.replace('    ["agency", "sex"],\n', "")
    assert narrowed != disclosure
    folder = _policy_dir(tmp_path, disclosure=narrowed)
    with pytest.raises(StartupError, match=r"indicators\.toml: LE02: crossing agency x sex"):
        load_indicator_policies(folder)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("indicators", "[[indicator]]\ncode = 'LA01'\n", "indicators.toml"),
        ("indicators", "[[indicator]\n", "is not valid TOML"),
        ("disclosure", "k = 1\n", "disclosure.toml: k"),
        ("disclosure", "k = 6\nrounding = 'base_5'\n", "multiple of the rounding base"),
        ("disclosure", "crossable = [['clinic', 'star_sign']]\n", "unknown dimension"),
        ("disclosure", "minimum = 5\n", "disclosure.toml: minimum"),
    ],
)
def test_a_bad_policy_file_stops_the_app(
    name: str, text: str, message: str, tmp_path: Path, migrated_database_url: str
) -> None:
    settings = make_settings(
        migrated_database_url, tmp_path, policy_dir=_policy_dir(tmp_path, **{name: text})
    )
    with pytest.raises(StartupError, match=re.escape(message)) as error:
        create_app(settings)
    assert "\n" not in str(error.value)


def test_disclosure_defaults() -> None:
    policy = DisclosurePolicy()
    assert (policy.k, policy.show_zero, policy.rounding) == (5, True, "none")
    assert policy.require_statistics_consent
    assert policy.may_cross("sex", "agency") is False
    shipped_policy = load_indicator_policies(DEFAULT_POLICY_DIR)[1]
    assert shipped_policy.may_cross("sex", "agency")
    assert shipped_policy.may_cross("agency", "sex")


def test_every_measure_is_named_by_the_catalogue() -> None:
    named = {name for entry in shipped().indicator for name in entry.measures}
    assert named == set(MEASURES)


# --- periods ---------------------------------------------------------------------------------


def test_quarters_and_years() -> None:
    assert (quarter(2026, 1).start, quarter(2026, 1).end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter(2024, 1).end == date(2024, 3, 31)
    assert quarter(2025, 4).end == date(2025, 12, 31)
    assert year_period(2026).quarters == tuple(quarter(2026, q) for q in (1, 2, 3, 4))
    assert quarter(2026, 2).code == "2026Q2"
    assert year_period(2026).code == "2026"


def test_completed_periods_wait_for_the_data_entry_lag() -> None:
    # 2025Q1 ends on 31 March: with 30 days of lag it is released from 1 May.
    assert completed_periods(date(2025, 4, 30), 30) == ()
    released = completed_periods(date(2025, 5, 1), 30)
    assert [p.code for p in released] == ["2025Q1", PLAN_CODE]
    assert released[-1].end == date(2025, 3, 31)
    released = completed_periods(date(2026, 2, 1), 30)
    assert [p.code for p in released] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2025",
        PLAN_CODE,
    ]
    assert completed_periods(date(2026, 2, 1), 0) == completed_periods(date(2026, 1, 2), 0)
    everything = completed_periods(date(2030, 1, 1), 30)
    assert len(everything) == 12 + 3 + 1
    assert everything[-1].end == date(2027, 12, 31)


def test_parse_period_only_names_released_periods() -> None:
    today = date(2026, 6, 1)
    assert parse_period("2026Q1", today, 30) == quarter(2026, 1)
    assert parse_period("2025", today, 30) == year_period(2025)
    plan = parse_period(PLAN_CODE, today, 30)
    assert (plan.start, plan.end) == (date(2025, 1, 1), date(2026, 3, 31))
    for code in ("2026Q2", "2026", "2024Q4", "2028", "2026-01-01", "2026-01-01/2026-02-01", ""):
        with pytest.raises(PeriodNotAvailableError):
            parse_period(code, today, 30)


def test_how_periods_add_up() -> None:
    plan = parse_period(PLAN_CODE, date(2026, 9, 1), 30)  # through 2026Q2
    by_quarter, by_year = plan.partitions
    assert [p.code for p in by_quarter] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    assert [p.code for p in by_year] == ["2025", "2026Q1", "2026Q2"]
    assert year_period(2026).partitions == (year_period(2026).quarters,)
    assert quarter(2026, 1).partitions == ()
    assert year_period(2026).contains(quarter(2026, 3))
    assert not quarter(2026, 3).contains(year_period(2026))
