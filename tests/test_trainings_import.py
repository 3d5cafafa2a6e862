"""The test-sheet import: all or nothing, every bad row named, formulas never evaluated."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from legalaid.accounts.models import User
from legalaid.audit.models import AuditEntry
from legalaid.trainings import importing
from legalaid.trainings.models import TrainingParticipant, TrainingSession
from tests.factories import create_user, sign_in
from tests.training_factories import HAND_ROWS, HEADER, csv_sheet, make_training, xlsx_sheet

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


@pytest.fixture
def manager(session: Session) -> User:
    return create_user(session, "manager")


@pytest.fixture
def training(session: Session, manager: User) -> TrainingSession:
    return make_training(session, manager)


@pytest.fixture
def browser(app: Flask, session: Session, manager: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, app, manager, session=session)
    return client


def _upload(
    client: FlaskClient,
    training_id: int,
    data: bytes | None,
    filename: str = "sheet.csv",
    *,
    version: int | None = None,
) -> TestResponse:
    url = f"/trainings/{training_id}/import"
    page = client.get(url).get_data(as_text=True)
    token, current = _TOKEN.search(page), _VERSION.search(page)
    assert token
    assert current
    form: dict[str, object] = {
        "csrf_token": token.group(1),
        "version": str(version if version is not None else current.group(1)),
    }
    if data is not None:
        form["sheet"] = FileStorage(io.BytesIO(data), filename)
    # Encoded in memory: the test client would spool a large body to a file it leaves open.
    boundary, body = encode_multipart(MultiDict(form))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _rows(session: Session, training_id: int) -> list[tuple[object, ...]]:
    session.expire_all()
    p = TrainingParticipant
    return [
        (r.line, r.sex, r.rank_group, r.service_years, r.pre_score, r.post_score, r.attended_full)
        for r in session.scalars(select(p).where(p.session_id == training_id).order_by(p.line))
    ]


def _actions(session: Session, training_id: int) -> list[tuple[str, str]]:
    session.expire_all()
    return [
        (row[0], row[1])
        for row in session.execute(
            select(AuditEntry.action, AuditEntry.outcome)
            .where(
                AuditEntry.object_type == "training_session",
                AuditEntry.object_id == str(training_id),
            )
            .order_by(AuditEntry.seq)
        )
    ]


EXPECTED_HAND_ROWS = [
    (2, "female", "rank_and_file", "2_5", 40, 60, True),
    (3, "female", "junior_officer", "6_10", 50, 55, True),
    (4, "male", "senior_officer", "over_20", 70, 65, False),
    (5, "male", "rank_and_file", "under_2", None, 80, True),
    (6, "male", None, None, 30, 45, True),
    (7, "female", "civilian", "11_20", 60, None, False),
]


# --- good sheets ---------------------------------------------------------------------------


def test_a_csv_sheet_is_imported_and_audited(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    response = _upload(browser, training.id, csv_sheet(*HAND_ROWS))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/trainings/{training.id}")
    assert _rows(session, training.id) == EXPECTED_HAND_ROWS
    assert ("training.imported", "success") in _actions(session, training.id)
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Test sheet imported: 6 officers." in page


def test_semicolons_a_bom_headers_in_any_order_and_friendly_values(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    sheet = (
        "\ufeffAttended full;Post-score;Pre score;SEX;No.\r\n"
        "Yes;85%;70,0;F;1\r\n"
        "bəli;90;;m;2\r\n"
        "нет;;55.0;female;3\r\n"
        ";;;;\r\n"
    ).encode()
    response = _upload(browser, training.id, sheet)
    assert response.status_code == 302
    assert _rows(session, training.id) == [
        (2, "female", None, None, 70, 85, True),
        (3, "male", None, None, None, 90, True),
        (4, "female", None, None, 55, None, False),
    ]
    page = unescape(browser.get(response.headers["Location"]).get_data(as_text=True))
    assert "Columns not read: no." in page


def test_an_xlsx_sheet_is_imported(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    sheet = xlsx_sheet(
        [
            ["female", "junior_officer", "2_5", 40, 60.0, True],
            ["male", None, None, None, 75, "no"],
            [None, None, None, None, None, None],
            ["Male", "senior_officer", "over_20", 100, 100, 1],
        ]
    )
    response = _upload(browser, training.id, sheet, "scores.xlsx")
    assert response.status_code == 302
    assert _rows(session, training.id) == [
        (2, "female", "junior_officer", "2_5", 40, 60, True),
        (3, "male", None, None, None, 75, False),
        (5, "male", "senior_officer", "over_20", 100, 100, True),
    ]


def test_the_type_is_decided_by_the_content_not_the_name(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    response = _upload(
        browser, training.id, xlsx_sheet([["female", None, None, 1, 2, "yes"]]), "a.csv"
    )
    assert response.status_code == 302
    assert len(_rows(session, training.id)) == 1


def test_a_new_sheet_replaces_the_rows(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    assert _upload(browser, training.id, csv_sheet(*HAND_ROWS)).status_code == 302
    assert _upload(browser, training.id, csv_sheet("male,,,10,20,yes")).status_code == 302
    assert _rows(session, training.id) == [(2, "male", None, None, 10, 20, True)]
    saved = session.get(TrainingSession, training.id)
    assert saved is not None
    assert (saved.officers_total, saved.officers_female, saved.officers_male) == (1, 0, 1)


# --- bad sheets: all or nothing ------------------------------------------------------------


def _refused(
    response: TestResponse, session: Session, training_id: int, before: list[tuple[object, ...]]
) -> str:
    assert response.status_code == 400
    assert _rows(session, training_id) == before
    assert ("training.import_refused", "failure") in _actions(session, training_id)
    return unescape(response.get_data(as_text=True))


def test_every_bad_row_is_reported_and_nothing_is_saved_csv(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    assert _upload(browser, training.id, csv_sheet(*HAND_ROWS)).status_code == 302
    before = _rows(session, training.id)
    sheet = csv_sheet(
        "female,rank_and_file,2_5,40,60,yes",  # row 2: fine
        "woman,,,40,60,yes",  # row 3: unknown sex
        "male,,,101,60,yes",  # row 4: out of range
        "male,,,40,abc,yes",  # row 5: not a number
        "male,,,40,60,maybe",  # row 6: not yes/no
        "male,general,,40,60,yes",  # row 7: unknown rank group
        ",,,,,",  # row 8: blank, skipped
        "male,,forever,-5,60.5,",  # row 9: three problems
        ",,,40,60,yes",  # row 10: sex missing
    )
    html = _refused(_upload(browser, training.id, sheet), session, training.id, before)
    assert "Nothing was imported: 7 rows need correcting." in html
    assert "Row 2:" not in html
    assert "Row 8:" not in html
    assert "Row 3: sex: unknown code; use one of female, male." in html
    assert "Row 4: pre_score: a whole number from 0 to 100, or empty." in html
    assert "Row 5: post_score: a whole number from 0 to 100, or empty." in html
    assert "Row 6: attended_full: yes or no." in html
    assert "Row 7: rank_group: unknown code; use one of rank_and_file" in html
    assert (
        "Row 9: service_years: unknown code; use one of under_2, 2_5, 6_10, 11_20, over_20. "
        "pre_score: formulas are not read; type the value itself. "
        "post_score: a whole number from 0 to 100, or empty. "
        "attended_full: this cell is required."
    ) in html
    assert "Row 10: sex: this cell is required." in html
    # The values typed are never repeated back.
    assert "woman" not in html
    assert "general" not in html
    assert "forever" not in html
    saved = session.get(TrainingSession, training.id)
    assert saved is not None
    assert saved.officers_total == 6


def test_every_bad_row_is_reported_and_nothing_is_saved_xlsx(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    sheet = xlsx_sheet(
        [
            ["female", None, None, 40, 60, "yes"],
            ["female", None, None, 40.5, 60, "yes"],
            ["male", None, None, 40, 160, True],
            ["male", "captain", None, 40, 60, "no"],
        ]
    )
    html = _refused(_upload(browser, training.id, sheet, "s.xlsx"), session, training.id, [])
    assert "Nothing was imported: 3 rows need correcting." in html
    assert "Row 3: pre_score: a whole number from 0 to 100, or empty." in html
    assert "Row 4: post_score: a whole number from 0 to 100, or empty." in html
    assert "Row 5: rank_group: unknown code" in html


def test_formula_cells_are_text_never_evaluated(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    csv_formulas = csv_sheet(
        '=HYPERLINK("http://example.invalid"),,,40,60,yes',
        "female,,,=40+10,60,yes",
        "female,,,+50,@SUM(A1),yes",
        "female,,,40,60,=TRUE()",
    )
    html = _refused(_upload(browser, training.id, csv_formulas), session, training.id, [])
    assert "Row 2: sex: formulas are not read; type the value itself." in html
    assert "Row 3: pre_score: formulas are not read" in html
    assert (
        "Row 4: pre_score: formulas are not read; type the value itself. post_score: formulas"
        in html
    )
    assert "Row 5: attended_full: formulas are not read" in html
    assert "example.invalid" not in html

    workbook = xlsx_sheet(
        [
            ["female", None, None, "=10*5", 60, "yes"],
            ["=CHAR(102)", None, None, 40, "=A1", "yes"],
        ]
    )
    html = _refused(_upload(browser, training.id, workbook, "s.xlsx"), session, training.id, [])
    assert "Row 2: pre_score: formulas are not read" in html
    assert "Row 3: sex: formulas are not read; type the value itself. post_score: formulas" in html


def test_a_formula_in_a_column_that_is_not_read_is_never_stored(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    sheet = csv_sheet("female,,,40,60,yes,=cmd|' /C calc'!A0", header=HEADER + ",comment")
    assert _upload(browser, training.id, sheet).status_code == 302
    assert _rows(session, training.id) == [(2, "female", None, None, 40, 60, True)]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (None, "", "Choose the file to import."),
        (b"", "empty.csv", "The file is empty."),
        (b"\r\n\r\n", "blank.csv", "The file is empty."),
        (
            HEADER.encode() + b"\r\n",
            "header.csv",
            "The sheet has no officers' rows under its header.",
        ),
        (b"sex,attended_full\r\nfemale,yes\r\n", "x.csv", "missing: pre_score, post_score."),
        (b"name;age\r\nX;40\r\n", "x.csv", "missing: sex, pre_score, post_score, attended_full."),
        (
            b"\x00\x01\x02binary\xff\xfe\x00",
            "x.csv",
            "neither a CSV text file (UTF-8) nor an .xlsx",
        ),
        (b"caf\xe9,\xff\r\n", "latin.csv", "neither a CSV text file (UTF-8) nor an .xlsx"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "The workbook could not be read."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "old.xls", "Old Excel files (.xls) are not read."),
        (
            (HEADER + "\r\n" + 'female,,,"40,60,yes\r\n').encode(),
            "quote.csv",
            "The CSV file is malformed",
        ),
        (
            csv_sheet("female,,,40,60,yes", header="sex,sex,pre_score,post_score,attended_full"),
            "twice.csv",
            "The column sex appears twice.",
        ),
    ],
)
def test_an_empty_or_malformed_upload_is_refused_clearly(
    browser: FlaskClient,
    session: Session,
    training: TrainingSession,
    data: bytes | None,
    filename: str,
    message: str,
) -> None:
    response = _upload(browser, training.id, data, filename)
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert 'id="sheet-error"' in html
    assert _rows(session, training.id) == []


def test_too_many_rows_are_refused(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    sheet = csv_sheet(*(["female,,,40,60,yes"] * (importing.MAX_ROWS + 1)))
    html = unescape(_upload(browser, training.id, sheet).get_data(as_text=True))
    assert "A sheet can hold at most 1000 officers' rows." in html
    assert _rows(session, training.id) == []


def test_a_sheet_above_its_limit_is_refused_on_the_form(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    big = csv_sheet("female,,,40,60,yes") + b"," * (importing.MAX_SHEET_BYTES + 10)
    response = _upload(browser, training.id, big)
    assert response.status_code == 400
    assert "The file is larger than 1024 KB." in response.get_data(as_text=True)


def test_a_huge_upload_gets_the_413_page(
    app: Flask, browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    # A raw body (the test client would spool a multipart one to a file left open when
    # the app refuses to read it); the app refuses on the declared length alone.
    body = b"--b\r\n" + b"x" * (limit + 1)
    response = browser.post(
        f"/trainings/{training.id}/import",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "File too large" in html
    assert "2 MB" in html
    assert _rows(session, training.id) == []


def test_an_import_on_a_stale_session_gives_409(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    response = _upload(browser, training.id, csv_sheet(*HAND_ROWS), version=training.version - 1)
    assert response.status_code == 409
    assert "Someone else changed this session after you opened it." in response.get_data(
        as_text=True
    )
    assert _rows(session, training.id) == []


# --- templates -----------------------------------------------------------------------------


def test_the_csv_template_is_the_header_as_an_attachment(browser: FlaskClient) -> None:
    response = browser.get("/trainings/sheet-template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-sheet.csv"'
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == (HEADER + "\r\n").encode()


def test_the_xlsx_template_imports_once_filled_and_holds_no_formula(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    from openpyxl import load_workbook

    response = browser.get("/trainings/sheet-template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-sheet.xlsx"'
    assert response.headers["Content-Type"] == importing.XLSX_MEDIA_TYPE
    workbook = load_workbook(io.BytesIO(response.data))
    officers, codes = workbook["officers"], workbook["codes"]
    assert [cell.value for cell in officers[1]] == HEADER.split(",")
    labels = {(row[0], row[1]): row[2] for row in codes.iter_rows(min_row=2, values_only=True)}
    assert labels[("rank_group", "senior_officer")] == "Senior officer (major and above)"
    for sheet in (officers, codes):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    # Filled in, it imports.
    officers.append(["female", "civilian", "under_2", 20, 70, "yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(browser, training.id, buffer.getvalue(), "t.xlsx").status_code == 302
    assert _rows(session, training.id) == [(2, "female", "civilian", "under_2", 20, 70, True)]


def test_template_text_that_looks_like_a_formula_is_quoted() -> None:
    assert importing.safe_text("=1+1") == "'=1+1"
    assert importing.safe_text("-A") == "'-A"
    assert importing.safe_text("@x") == "'@x"
    assert importing.safe_text("Female") == "Female"


def test_the_lawyer_sees_the_summary_but_cannot_import(
    app: Flask, session: Session, manager: User, training: TrainingSession
) -> None:
    lawyer = create_user(session, "lawyer")
    lawyer.clinic_id = manager.clinic_id
    session.commit()
    client = app.test_client()
    sign_in(client, app, lawyer, session=session)
    assert client.get(f"/trainings/{training.id}/import").status_code == 403
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Import the test sheet" not in page
    assert "Edit the session" not in page
    before = session.scalar(select(func.count()).select_from(TrainingParticipant))
    assert before == session.scalar(select(func.count()).select_from(TrainingParticipant))


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(
    browser: FlaskClient, session: Session, training: TrainingSession
) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (importing.MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < importing.MAX_SHEET_BYTES
    response = _upload(browser, training.id, buffer.getvalue(), "bomb.xlsx")
    assert response.status_code == 400
    assert "The workbook is too large once unpacked." in response.get_data(as_text=True)
    assert _rows(session, training.id) == []
