"""Exports of a release: CSV (formula-safe), JSON, DHIS2 dataValueSets, and the download.

Data: two clinics whose codes a spreadsheet would read as formulas ("=SUM" and "-AB"),
cases opened in 2026Q1: "=SUM" 9 women and 2 men, "-AB" 6 women and 1 man. "Today" is
2026-11-22, so 2026Q1 is complete. With k = 5 the men's cells are suppressed (primary),
and others with them (complementary).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

import jsonschema
import pytest
from flask import Flask
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.clinics.models import Clinic
from legalaid.indicators.catalogue import MEASURES, TOTAL_COMBO, IndicatorCatalogue
from legalaid.indicators.tables import TOTAL
from legalaid.releases import exports
from legalaid.releases.dhis2_metadata import export_metadata
from legalaid.releases.frozen import FrozenRelease, PublishedTable
from legalaid.releases.models import IndicatorRelease
from legalaid.releases.services import create_release
from legalaid.settings import DEFAULT_POLICY_DIR
from tests.case_factories import make_case
from tests.dhis2_schema import validate_data_value_set, validate_metadata
from tests.factories import create_clinic, create_user, sign_in

TODAY = date(2026, 11, 22)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DHIS2_PERIOD = re.compile(r"^\d{4}(Q[1-4])?$")
DATA_VALUE_KEYS = {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}
DATA_VALUE_SET_KEYS = {"dataSet", "period", "orgUnit", "idScheme", "completeDate", "dataValues"}


@dataclass
class World:
    sum_clinic: Clinic
    ab_clinic: Clinic
    task_force: User
    manager: User


def _cases(session: Session, lawyer: User, women: int, men: int) -> None:
    for _ in range(women):
        make_case(session, lawyer, on=date(2026, 2, 10), gender_identity="woman")
    for _ in range(men):
        make_case(session, lawyer, on=date(2026, 2, 12), gender_identity="man")


@pytest.fixture
def world(session: Session) -> World:
    sum_clinic = create_clinic(session, code="=SUM", region="baku")
    ab_clinic = create_clinic(session, code="-AB", region="ganja_dashkasan")
    _cases(session, create_user(session, "lawyer", clinic=sum_clinic), 9, 2)
    _cases(session, create_user(session, "lawyer", clinic=ab_clinic), 6, 1)
    return World(
        sum_clinic,
        ab_clinic,
        create_user(session, "task_force"),
        create_user(session, "manager", clinic=sum_clinic),
    )


def release_for(app: Flask, session: Session, user: User, period: str) -> IndicatorRelease:
    policies = app.extensions["legalaid.policies"]
    made = create_release(
        session,
        catalogue=policies.indicators,
        policy=policies.disclosure,
        user=user,
        period_code=period,
        reason=None,
        today=TODAY,
    )
    session.commit()
    return made


def catalogue_of(app: Flask) -> IndicatorCatalogue:
    catalogue: IndicatorCatalogue = app.extensions["legalaid.policies"].indicators
    return catalogue


def _key(table: PublishedTable, categories: dict[str, str]) -> tuple[str, ...]:
    return tuple(categories.get(name, TOTAL) for name in table.layout)


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://x")', "＝1"]
)
def test_a_cell_a_spreadsheet_would_run_is_neutralized(cell: str) -> None:
    assert exports.neutralize(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "12", "LA01", "woman", "national", "2026Q1", "'=1"])
def test_an_ordinary_cell_is_kept(cell: str) -> None:
    assert exports.neutralize(cell) == cell


def _csv(app: Flask, release: IndicatorRelease) -> list[dict[str, str]]:
    text = exports.export_csv(release, FrozenRelease(release.content))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == exports.CSV_COLUMNS
    assert all(len(row) == len(exports.CSV_COLUMNS) for row in rows)
    return [dict(zip(exports.CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


def test_csv_neutralizes_formula_like_clinic_codes_and_parses_whole(
    app: Flask, session: Session, world: World
) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    rows = _csv(app, release)
    clinic_categories = {
        row[f"category{n}"] for row in rows for n in (1, 2) if row[f"dimension{n}"] == "clinic"
    }
    assert clinic_categories == {"'=SUM", "'-AB", ""}
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(FORMULA_START), (name, cell)


def _unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def test_csv_has_every_cell_of_the_release_with_its_published_value(
    app: Flask, session: Session, world: World
) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    frozen = FrozenRelease(release.content)
    rows = _csv(app, release)
    counts = [row for row in rows if row["role"] in ("count", "numerator", "denominator")]
    expected = sum(
        len(table.cell_keys())
        for entry in frozen.indicators
        for measure in (entry.measure, entry.denominator)
        if measure is not None
        for table in frozen.tables
        if table.measure == measure and table.layout in entry.layouts
    )
    assert len(counts) == expected
    suppressed = 0
    for row in counts:
        assert row["release_id"] == str(release.id)
        assert row["version"] == "1"
        assert row["scope"] == "national"
        layout = tuple(row[f"dimension{n}"] for n in (1, 2) if row[f"dimension{n}"])
        table = frozen.table(row["measure"], row["period"], layout)
        assert table is not None
        categories = {
            row[f"dimension{n}"]: _unquote(row[f"category{n}"])
            for n in (1, 2)
            if row[f"category{n}"]
        }
        key = _key(table, categories)
        if table.statuses[key] == "published":
            assert row["status"] == "published"
            assert row["value"] == str(table.values[key])
        else:
            suppressed += 1
            assert row["status"] == "suppressed"
            assert row["value"] == ""  # never 0
    assert suppressed > 0, "the data set must make the release suppress something"
    # The statuses say suppressed, never why (primary or complementary).
    assert {row["status"] for row in rows} <= {"published", "suppressed", "undefined"}
    shares = [row for row in rows if row["role"] == "share"]
    assert {row["indicator"] for row in shares} == {"LA08", "LA11", "LE03"}


# --- JSON ----------------------------------------------------------------------------------


def test_json_export_matches_the_frozen_release(app: Flask, session: Session, world: World) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    frozen = FrozenRelease(release.content)
    data = exports.export_json(release, frozen, catalogue_of(app))
    json.dumps(data)  # serializable as is
    assert data["format"] == "legalaid.release/1"
    assert data["release"]["id"] == release.id
    assert data["release"]["scope"] == {"kind": "national"}
    assert data["release"]["period"]["code"] == "2026Q1"
    assert data["policy"]["k"] == 5
    assert [entry["code"] for entry in data["indicators"]] == [
        entry.code for entry in frozen.indicators
    ]
    assert data["indicators"][0]["title"]["az"]
    # Nobody's name, nor the reason typed, travels with the numbers.
    assert "created_by" not in data["release"]
    assert "reason" not in data["release"]
    assert len(data["tables"]) == len(frozen.tables)
    suppressed = 0
    for exported, table in zip(data["tables"], frozen.tables, strict=True):
        assert exported["measure"] == table.measure
        assert exported["period"] == table.period.code
        assert tuple(exported["dimensions"]) == table.layout
        assert len(exported["cells"]) == len(table.cell_keys())
        for cell in exported["cells"]:
            key = _key(table, cell["categories"])
            if table.statuses[key] == "published":
                assert cell == {
                    "categories": cell["categories"],
                    "value": table.values[key],
                    "suppressed": False,
                }
            else:
                suppressed += 1
                assert cell["value"] is None
                assert cell["suppressed"] is True
    assert suppressed == release.cells_suppressed > 0
    for share in data["shares"]:
        for cell in share["cells"]:
            assert (cell["percent"] is None) == (cell["status"] != "published")


def test_json_export_shows_only_the_clinic_of_a_clinic_release(
    app: Flask, session: Session, world: World
) -> None:
    release = release_for(app, session, world.manager, "2026Q1")
    data = exports.export_json(release, FrozenRelease(release.content), catalogue_of(app))
    assert data["release"]["scope"] == {"kind": "clinic", "code": "=SUM"}
    dimensions = {name for table in data["tables"] for name in table["dimensions"]}
    assert "clinic" not in dimensions


# --- DHIS2 ---------------------------------------------------------------------------------


def check_data_value_set(
    payload: dict[str, Any], catalogue: IndicatorCatalogue, org_unit: str
) -> list[dict[str, str]]:
    """The structure of a DHIS2 ``dataValueSets`` import (JSON, idScheme CODE)."""
    assert isinstance(payload, dict)
    assert set(payload) <= DATA_VALUE_SET_KEYS
    assert payload["idScheme"] == "CODE"
    assert payload["orgUnit"] == org_unit
    if "period" in payload:
        assert isinstance(payload["period"], str)
        assert DHIS2_PERIOD.match(payload["period"])
    values = payload["dataValues"]
    assert isinstance(values, list)
    assert values
    clinic = "" if org_unit == catalogue.dhis2.national_org_unit else "_CLINIC"
    elements = {}
    for indicator in catalogue.indicator:
        codes = indicator.dhis2
        # An element with a breakdown sends its total under a "_TOTAL" element.
        for code in (
            codes.data_element,
            codes.denominator_data_element,
            f"{codes.data_element}_TOTAL" if codes.category else None,
        ):
            if code is not None:
                elements[f"{code}{clinic}"] = indicator
                # Distinct people's years go under their own element of the yearly set.
                if not MEASURES[indicator.measure].time_additive:
                    elements[f"{code}{clinic}_YEAR"] = indicator
    seen = set()
    for value in values:
        assert isinstance(value, dict)
        assert set(value) == DATA_VALUE_KEYS
        assert all(isinstance(item, str) for item in value.values())
        assert DHIS2_PERIOD.match(value["period"]), value
        # One period type per data set: quarters under the quarterly elements, years
        # only under the yearly ones.
        assert value["dataElement"].endswith("_YEAR") == ("Q" not in value["period"]), value
        assert value["orgUnit"] == org_unit
        assert value["dataElement"] in elements
        combos = elements[value["dataElement"]].dhis2.category_option_combos.values()
        assert value["categoryOptionCombo"] in combos
        assert re.fullmatch(r"0|[1-9][0-9]*", value["value"]), value
        where = (
            value["dataElement"],
            value["period"],
            value["orgUnit"],
            value["categoryOptionCombo"],
        )
        assert where not in seen, f"duplicate data value {where}"
        seen.add(where)
    return values


def _expected_dhis2(
    frozen: FrozenRelease, catalogue: IndicatorCatalogue
) -> tuple[dict[tuple[str, str, str], str], int]:
    """Every published count DHIS2 should get, worked out from the release by hand; and
    how many cells of those tables were suppressed."""
    expected: dict[tuple[str, str, str], str] = {}
    suppressed = 0
    # An element has a breakdown when the indicator it is the data element of has one.
    broken_down = {i.dhis2.data_element for i in catalogue.indicator if i.dhis2.category}
    clinic = "_CLINIC" if frozen.clinic_code else ""
    for entry in frozen.indicators:
        indicator = catalogue.get(entry.code)
        assert indicator is not None
        codes = indicator.dhis2
        pairs = [(entry.measure, codes.data_element)]
        if codes.denominator_data_element:
            assert entry.denominator is not None
            pairs.append((entry.denominator, codes.denominator_data_element))
        for period in frozen.periods():
            if not DHIS2_PERIOD.match(period.code):
                continue
            for measure, base in pairs:
                # DHIS2 sums the quarters of events into the year; people are counted
                # once per year, under the yearly element.
                year = ""
                if "Q" not in period.code:
                    if MEASURES[measure].time_additive:
                        continue
                    year = "_YEAR"
                total_of = "_TOTAL" if base in broken_down else ""
                element_of = {
                    (): f"{base}{total_of}{clinic}{year}",
                    (codes.category,): f"{base}{clinic}{year}",
                }
                layouts: list[tuple[tuple[str, ...], str]] = [((), TOTAL_COMBO)]
                if codes.category and base in broken_down:
                    layouts.append(((codes.category,), ""))
                found: dict[tuple[str, ...], dict[tuple[str, str, str], str]] = {}
                for layout, _combo in layouts:
                    table = frozen.table(measure, period.code, layout)
                    if table is None:
                        continue
                    keys = [()] if not layout else [(c,) for c in table.dimensions[0].categories]
                    found[layout] = {}
                    for key in keys:
                        combo = codes.category_option_combos[key[0] if key else TOTAL_COMBO]
                        if table.statuses[key] != "published":
                            suppressed += 1
                            del found[layout]
                            break
                        where = (element_of[layout], period.code, combo)
                        found[layout][where] = str(table.values[key])
                # The total under its own element, and the breakdown where all of it is
                # published.
                for published in found.values():
                    expected.update(published)
    return expected, suppressed


def test_dhis2_payload_has_the_structure_of_a_data_value_set_and_no_suppressed_cell(
    app: Flask, session: Session, world: World
) -> None:
    catalogue = catalogue_of(app)
    release = release_for(app, session, world.task_force, "2026Q1")
    frozen = FrozenRelease(release.content)
    payload = exports.export_dhis2(frozen, catalogue)
    validate_data_value_set(json.loads(json.dumps(payload)))
    # The schema is not vacuous: a number where DHIS2 wants a string, or a total beside a
    # stray key, is refused.
    for broken in (
        {**payload, "dataValues": [{**payload["dataValues"][0], "value": 18}]},
        {**payload, "dataValues": [{**payload["dataValues"][0], "extra": "x"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_data_value_set(broken)
    assert payload["period"] == "2026Q1"
    values = check_data_value_set(payload, catalogue, catalogue.dhis2.national_org_unit)
    got = {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"] for v in values}
    expected, suppressed = _expected_dhis2(frozen, catalogue)
    assert got == expected
    assert suppressed > 0, "a suppressed cell must exist, and be left out"
    # Clients served by gender: 18 in all, 3 men (suppressed), so 15 women (suppressed
    # too, or the total would give the men away); the zeros of the other genders stay.
    # The total has an element of its own: never a total beside its breakdown under one
    # data element (DHIS2 would count it twice), in any period.
    assert got[("AZLA01_CLIENTS_SERVED_TOTAL", "2026Q1", "default")] == "18"
    assert ("AZLA01_CLIENTS_SERVED", "2026Q1", "default") not in got
    assert ("AZLA01_CLIENTS_SERVED", "2026Q1", "AZGI_MAN") not in got
    assert ("AZLA01_CLIENTS_SERVED", "2026Q1", "AZGI_WOMAN") not in got
    assert ("AZLA01_CLIENTS_SERVED", "2026Q1", "AZGI_TRANS_WOMAN") not in got
    by_place = {
        (element, period, org)
        for element, period, org in [(v["dataElement"], v["period"], v["orgUnit"]) for v in values]
    }
    for element, period, org in by_place:
        combos = {
            v["categoryOptionCombo"]
            for v in values
            if (v["dataElement"], v["period"], v["orgUnit"]) == (element, period, org)
        }
        assert combos == {"default"} or "default" not in combos, (element, period)
    # Across periods too: an element carries totals only or breakdowns only.
    totals = {v["dataElement"] for v in values if v["categoryOptionCombo"] == "default"}
    breakdowns = {v["dataElement"] for v in values if v["categoryOptionCombo"] != "default"}
    assert breakdowns
    assert totals
    assert not totals & breakdowns


def test_dhis2_payload_of_a_clinic_release_uses_the_clinic_code(
    app: Flask, session: Session, world: World
) -> None:
    catalogue = catalogue_of(app)
    release = release_for(app, session, world.manager, "2026Q1")
    frozen = FrozenRelease(release.content)
    payload = exports.export_dhis2(frozen, catalogue)
    values = check_data_value_set(payload, catalogue, "=SUM")
    got = {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"] for v in values}
    assert got == _expected_dhis2(frozen, catalogue)[0]
    # Under the clinic elements, which analytics never adds up into the nation's.
    assert got[("AZLA02_CASES_OPENED_CLINIC", "2026Q1", "default")] == "11"
    assert all(element.split("_")[-1] in {"CLINIC", "YEAR"} for element, _, _ in got)
    assert payload["dataSet"].endswith("_CLINIC")


def test_dhis2_payload_of_a_year_has_its_quarters_and_the_year(
    app: Flask, session: Session, world: World
) -> None:
    catalogue = catalogue_of(app)
    release = release_for(app, session, world.task_force, "2025")
    frozen = FrozenRelease(release.content)
    payload = exports.export_dhis2(frozen, catalogue)
    # No case in 2025: every count is a published zero.
    values = check_data_value_set(payload, catalogue, "AZ")
    assert {value["period"] for value in values} == {"2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"}
    # The year only for counts of people (clients served), under the yearly element;
    # cases opened add up, so DHIS2 sums its quarters itself and no year is sent.
    years = {v["dataElement"] for v in values if v["period"] == "2025"}
    assert "AZLA01_CLIENTS_SERVED_TOTAL_YEAR" in years
    assert not any(element.startswith("AZLA02_") for element in years)
    assert "period" not in payload
    assert "dataSet" not in payload
    assert got_expected(frozen, catalogue, values)


def got_expected(
    frozen: FrozenRelease, catalogue: IndicatorCatalogue, values: list[dict[str, str]]
) -> bool:
    got = {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"] for v in values}
    return got == _expected_dhis2(frozen, catalogue)[0]


def test_dhis2_metadata_defines_everything_the_payloads_send(
    app: Flask, session: Session, world: World
) -> None:
    """One metadata import an administrator can load into DHIS2 before the first data:
    every element, category option combo and period type the payloads use, distinct
    people never summed (aggregationType NONE), zeros significant, ids that resolve."""
    catalogue = catalogue_of(app)
    with app.test_request_context():
        metadata = export_metadata(catalogue)
    validate_metadata(json.loads(json.dumps(metadata)))
    with pytest.raises(jsonschema.ValidationError):
        validate_metadata(
            {**metadata, "dataSets": [{**metadata["dataSets"][0], "periodType": "Q"}]}
        )
    ids = [o["id"] for kind in metadata.values() for o in kind]
    assert len(ids) == len(set(ids)), "ids are unique"
    by_id = {o["id"]: o for kind in metadata.values() for o in kind}

    def resolves(refs: list[dict[str, str]]) -> bool:
        return all(ref["id"] in by_id for ref in refs)

    elements = {e["code"]: e for e in metadata["dataElements"]}
    combos = {c["id"]: c for c in metadata["categoryCombos"]}
    option_combos = {c["code"]: c for c in metadata["categoryOptionCombos"]}
    for option_combo in option_combos.values():
        assert option_combo["categoryCombo"]["id"] in combos
        assert resolves(option_combo["categoryOptions"])
    for category in metadata["categories"]:
        assert resolves(category["categoryOptions"])
    for combo in combos.values():
        assert resolves(combo["categories"])
    period_type = {}
    for data_set in metadata["dataSets"]:
        for member in data_set["dataSetElements"]:
            assert member["dataSet"]["id"] == data_set["id"]
            element = by_id[member["dataElement"]["id"]]
            assert element["code"] not in period_type, "each element is in one data set"
            period_type[element["code"]] = data_set["periodType"]
    assert set(period_type) == set(elements)
    for indicator in catalogue.indicator:
        code = indicator.dhis2.data_element
        additive = MEASURES[indicator.measure].time_additive
        total = f"{code}_TOTAL" if indicator.dhis2.category else code
        for national, clinic in [(code, f"{code}_CLINIC"), (total, f"{total}_CLINIC")]:
            assert elements[national]["zeroIsSignificant"] is True
            aggregation = elements[national]["aggregationType"]
            assert aggregation == ("SUM" if additive else "NONE"), indicator.code
            # A clinic's numbers never roll up into the nation's.
            assert elements[clinic]["aggregationType"] == "NONE", indicator.code
            assert (f"{national}_YEAR" in elements) == (not additive)
            assert (f"{clinic}_YEAR" in elements) == (not additive)
        # The total element has no breakdown; the breakdown element has one.
        if indicator.dhis2.category:
            assert "categoryCombo" not in elements[total]
            assert "categoryCombo" in elements[code]

    # Every value of a quarter's and a year's payloads, national and clinic, is defined.
    for user, period in [
        (world.task_force, "2026Q1"),
        (world.task_force, "2025"),
        (world.manager, "2026Q1"),
    ]:
        frozen = FrozenRelease(release_for(app, session, user, period).content)
        payload = exports.export_dhis2(frozen, catalogue)
        members = set()
        if "dataSet" in payload:  # a quarter's: the data set holds every element sent
            (data_set,) = [d for d in metadata["dataSets"] if d["code"] == payload["dataSet"]]
            assert data_set["periodType"] == "Quarterly"
            members = {by_id[m["dataElement"]["id"]]["code"] for m in data_set["dataSetElements"]}
        for value in payload["dataValues"]:
            element = elements[value["dataElement"]]
            expected_type = "Quarterly" if "Q" in value["period"] else "Yearly"
            assert period_type[element["code"]] == expected_type, value
            assert not members or element["code"] in members, value
            if value["categoryOptionCombo"] == "default":
                continue
            option_combo = option_combos[value["categoryOptionCombo"]]
            assert element["categoryCombo"] == option_combo["categoryCombo"], value


def test_the_dhis2_metadata_download_is_audited(app: Flask, session: Session, world: World) -> None:
    client = app.test_client()
    sign_in(client, app, world.task_force, session=session)
    response = client.get("/releases/dhis2-metadata.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.get_data())["dataSets"]
    assert _audits(session, "release.dhis2_metadata_exported")


# --- The download --------------------------------------------------------------------------


def _audits(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
    )


@pytest.mark.parametrize(
    ("fmt", "media_type", "extension"),
    [
        ("csv", "text/csv", "csv"),
        ("json", "application/json", "json"),
        ("dhis2", "application/json", "dhis2.json"),
        ("dhis2-deletions", "application/json", "dhis2-deletions.json"),
    ],
)
def test_the_task_force_downloads_a_national_release(
    app: Flask, session: Session, world: World, fmt: str, media_type: str, extension: str
) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    client = app.test_client()
    sign_in(client, app, world.task_force, session=session)
    response = client.get(f"/releases/{release.id}/export.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="release-{release.id}-national-2026Q1-v1.{extension}"'
    )
    if fmt != "csv":
        json.loads(response.get_data(as_text=True))
    entries = _audits(session, "release.exported")
    assert entries[-1].object_id == str(release.id)
    assert entries[-1].actor_id == world.task_force.id
    assert entries[-1].outcome == "success"


def test_a_manager_downloads_her_clinics_release_with_a_safe_file_name(
    app: Flask, session: Session, world: World
) -> None:
    release = release_for(app, session, world.manager, "2026Q1")
    client = app.test_client()
    sign_in(client, app, world.manager, session=session)
    response = client.get(f"/releases/{release.id}/export.csv")
    assert response.status_code == 200
    assert (
        f'filename="release-{release.id}-_SUM-2026Q1-v1.csv"'
        in (response.headers["Content-Disposition"])
    )


def test_a_release_out_of_scope_answers_404_and_is_audited(
    app: Flask, session: Session, world: World
) -> None:
    national = release_for(app, session, world.task_force, "2026Q1")
    clinic = release_for(app, session, world.manager, "2026Q1")
    client = app.test_client()
    sign_in(client, app, world.manager, session=session)
    assert client.get(f"/releases/{national.id}/export.csv").status_code == 404
    denied = _audits(session, "release.exported")[-1]
    assert (denied.object_id, denied.outcome) == (str(national.id), "denied")
    other = app.test_client()
    sign_in(other, app, world.task_force, session=session)
    assert other.get(f"/releases/{clinic.id}/export.json").status_code == 404
    assert other.get("/releases/999999/export.json").status_code == 404


def test_an_unknown_format_answers_404(app: Flask, session: Session, world: World) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    client = app.test_client()
    sign_in(client, app, world.task_force, session=session)
    assert client.get(f"/releases/{release.id}/export.xlsx").status_code == 404
    assert client.get(f"/releases/{release.id}/export.CSV").status_code == 404


@pytest.mark.parametrize("role", ["lawyer", "admin"])
def test_lawyers_and_administrators_download_nothing(
    app: Flask, session: Session, world: World, role: str
) -> None:
    release = release_for(app, session, world.task_force, "2026Q1")
    client = app.test_client()
    user = create_user(session, role, clinic=world.sum_clinic if role == "lawyer" else None)
    sign_in(client, app, user, session=session)
    assert client.get(f"/releases/{release.id}/export.csv").status_code == 403


# --- The catalogue's DHIS2 settings --------------------------------------------------------


def _catalogue_data() -> dict[str, Any]:
    path = DEFAULT_POLICY_DIR / "indicators.toml"
    data: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
    return data


def test_the_national_org_unit_is_a_dhis2_code() -> None:
    data = _catalogue_data()
    assert IndicatorCatalogue.model_validate(data).dhis2.national_org_unit == "AZ"
    data["dhis2"]["national_org_unit"] = "A Z;"
    with pytest.raises(ValidationError, match="national_org_unit"):
        IndicatorCatalogue.model_validate(data)


def test_one_dhis2_data_element_cannot_count_two_measures() -> None:
    data = _catalogue_data()
    data["indicator"][1]["dhis2"]["data_element"] = data["indicator"][0]["dhis2"]["data_element"]
    with pytest.raises(ValidationError, match="already counts"):
        IndicatorCatalogue.model_validate(data)
