"""The test sheet: trainers' pre- and post-test scores, one row per officer, no names.

A CSV or XLSX file is read whole and checked first; every bad row is reported with its
row number (as the spreadsheet numbers it: the header is row 1) and nothing is returned
unless every row is valid. The type is decided by the content, never the file name.

Cells are read as values, never evaluated: a workbook is opened with ``data_only=False``
(a formula cell gives its formula text) and a cell that looks like a formula (``=``,
``+``, ``-``, ``@``, a tab or a carriage return at the start) is text, which no column
accepts, so it is refused with a clear message. Nothing from the sheet is stored as free
text, and messages never repeat a cell's content (a name typed in by mistake stays out).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from legalaid.errors import DomainError
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary.trainings import OFFICER_SEXES, RANK_GROUPS, SERVICE_YEARS

#: The largest sheet read; the app's request limit (MAX_CONTENT_LENGTH) is above it.
MAX_SHEET_BYTES = 1024 * 1024
#: Officers in one session's sheet.
MAX_ROWS = 1000
#: Rows and columns looked at in a workbook (formatted empty rows count too).
MAX_SCANNED_ROWS = 20_000
MAX_COLUMNS = 50
#: What a workbook may unpack to: a small sheet that inflates to more is refused.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | bool | None

_YES = {"yes", "y", "1", "true", "bəli", "beli", "да", "д"}
_NO = {"no", "n", "0", "false", "xeyr", "нет", "н"}
_SCORE = re.compile(r"^(\d{1,3})(?:[.,](\d{1,6}))?\s*%?$")


@dataclass(frozen=True)
class Column:
    name: str
    required_column: bool
    required_value: bool
    description: object
    vocabulary: Vocabulary | None = None


COLUMNS = (
    Column("sex", True, True, _l("female or male"), OFFICER_SEXES),
    Column("rank_group", False, False, _l("a rank group code, or empty"), RANK_GROUPS),
    Column("service_years", False, False, _l("a years-of-service code, or empty"), SERVICE_YEARS),
    Column("pre_score", True, False, _l("pre-test score: a whole number 0-100, or empty")),
    Column("post_score", True, False, _l("post-test score: a whole number 0-100, or empty")),
    Column("attended_full", True, True, _l("yes or no: attended the whole session")),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


@dataclass(frozen=True)
class ParticipantInput:
    """One officer as the sheet gives it; ``line`` is the sheet's row number."""

    line: int
    sex: str
    rank_group: str | None
    service_years: str | None
    pre_score: int | None
    post_score: int | None
    attended_full: bool


@dataclass(frozen=True)
class SheetProblem:
    """What is wrong; ``row`` is None for the file as a whole."""

    row: int | None
    message: str


class SheetError(DomainError):
    """The sheet is refused whole; ``problems`` lists every reason, row by row."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        bad_rows = len({problem.row for problem in problems if problem.row is not None})
        if bad_rows:
            message = ngettext(
                "Nothing was imported: %(num)d row needs correcting. "
                "Correct it in the sheet and upload it again.",
                "Nothing was imported: %(num)d rows need correcting. "
                "Correct them in the sheet and upload it again.",
                bad_rows,
            )
        else:
            message = _("Nothing was imported.") + " " + problems[0].message
        super().__init__(message, field="sheet")
        self.problems = problems


@dataclass(frozen=True)
class ParsedSheet:
    kind: str  # "csv" or "xlsx"
    rows: list[ParticipantInput]
    ignored_columns: list[str]


def _refuse(message: str) -> SheetError:
    return SheetError([SheetProblem(None, message)])


# --- reading the file ----------------------------------------------------------------------


def _sheet_kind(data: bytes) -> str:
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        raise _refuse(_("Old Excel files (.xls) are not read. Save the sheet as .xlsx or CSV."))
    return "csv"


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise _refuse(_("The file is neither a CSV text file (UTF-8) nor an .xlsx workbook."))


def _delimiter(text: str) -> str:
    """The separator that splits the first line into the most columns (, ; or tab)."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return max((",", ";", "\t"), key=first.count)


def _csv_rows(data: bytes) -> list[list[Cell]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[list[Cell]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_SCANNED_ROWS:
                break
            rows.append(list(row[:MAX_COLUMNS]))
    except csv.Error:
        raise _refuse(
            _("The CSV file is malformed (near row %(row)d).", row=reader.line_num)
        ) from None
    return rows


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(_("The workbook could not be read. Is it an .xlsx file?")) from None
    if "xl/workbook.xml" not in names:
        raise _refuse(_("The workbook could not be read. Is it an .xlsx file?"))
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise _refuse(_("The workbook is too large once unpacked."))


def _xlsx_rows(data: bytes) -> list[list[Cell]]:
    _check_archive(data)
    from openpyxl import load_workbook

    rows: list[list[Cell]] = []
    try:
        with warnings.catch_warnings():
            # Workbooks from other tools make openpyxl warn about styles it does not know.
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            try:
                sheet = workbook.worksheets[0]
                for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    if len(rows) >= MAX_SCANNED_ROWS:
                        break
                    rows.append([_xlsx_value(value) for value in values])
            finally:
                workbook.close()
    except SheetError:
        raise
    except Exception:  # a malformed upload can fail anywhere in the reader
        raise _refuse(_("The workbook could not be read. Is it an .xlsx file?")) from None
    return rows


def _xlsx_value(value: object) -> Cell:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    # Dates, times, errors: shown to the columns as text, which none of them accepts.
    return str(value)


# --- checking the values -------------------------------------------------------------------


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _looks_like_formula(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _formula_message(column: str) -> str:
    message: str = _("%(column)s: formulas are not read; type the value itself.", column=column)
    return message


def _code(column: Column, value: Cell) -> str | None:
    assert column.vocabulary is not None  # noqa: S101 - code columns have one
    if _blank(value):
        if column.required_value:
            raise ValueError(_("%(column)s: this cell is required.", column=column.name))
        return None
    if _looks_like_formula(value):
        raise ValueError(_formula_message(column.name))
    text = str(value).strip().casefold()
    if column.name == "sex" and text in ("f", "m"):
        text = {"f": "female", "m": "male"}[text]
    if text not in column.vocabulary.codes:
        raise ValueError(
            _(
                "%(column)s: unknown code; use one of %(codes)s.",
                column=column.name,
                codes=", ".join(column.vocabulary.codes),
            )
        )
    return text


def _score(column: Column, value: Cell) -> int | None:
    if _blank(value):
        return None
    message = _("%(column)s: a whole number from 0 to 100, or empty.", column=column.name)
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        if _looks_like_formula(value):
            raise ValueError(_formula_message(column.name))
        match = _SCORE.match(str(value).strip())
        if match is None:
            raise ValueError(message)
        try:
            number = Decimal(f"{match.group(1)}.{match.group(2) or '0'}")
        except InvalidOperation:
            raise ValueError(message) from None
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError(message)
    return int(number)


def _yes_no(column: Column, value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    if _blank(value):
        raise ValueError(_("%(column)s: this cell is required.", column=column.name))
    if _looks_like_formula(value):
        raise ValueError(_formula_message(column.name))
    text = str(value).strip().casefold()
    if isinstance(value, float) and value in (0.0, 1.0):
        text = str(int(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(_("%(column)s: yes or no.", column=column.name))


def _header_name(value: Cell) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").strip().casefold())


def _header(cells: Sequence[Cell]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        name = _header_name(cell)
        if not name:
            continue
        if name in COLUMN_NAMES:
            if name in positions:
                raise _refuse(_("The column %(column)s appears twice.", column=name))
            positions[name] = index
        elif not _looks_like_formula(cell):
            ignored.append(name[:40])
    missing = [c.name for c in COLUMNS if c.required_column and c.name not in positions]
    if missing:
        raise _refuse(
            _(
                "The first row must name the columns; missing: %(columns)s. "
                "Download the template to see them.",
                columns=", ".join(missing),
            )
        )
    return positions, ignored


def _row(line: int, cells: Sequence[Cell], positions: dict[str, int]) -> ParticipantInput:
    def cell(name: str) -> Cell:
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    values: dict[str, object] = {}
    problems: list[str] = []
    readers: dict[str, Callable[[Column, Cell], object]] = {
        "sex": _code,
        "rank_group": _code,
        "service_years": _code,
        "pre_score": _score,
        "post_score": _score,
        "attended_full": _yes_no,
    }
    for column in COLUMNS:
        try:
            values[column.name] = readers[column.name](column, cell(column.name))
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ValueError(_("Row %(row)d: %(problems)s", row=line, problems=" ".join(problems)))
    return ParticipantInput(line=line, **values)  # type: ignore[arg-type]


def check_rows(rows: Iterable[Sequence[Cell]]) -> tuple[list[ParticipantInput], list[str]]:
    """The officers of the sheet, or :class:`SheetError` with every bad row."""
    numbered = [(line, cells) for line, cells in enumerate(rows, start=1)]
    filled = [(line, cells) for line, cells in numbered if not all(map(_blank, cells))]
    if not filled:
        raise _refuse(_("The file is empty."))
    header_line, header_cells = filled[0]
    positions, ignored = _header(header_cells)
    body = [(line, cells) for line, cells in filled if line > header_line]
    if not body:
        raise _refuse(_("The sheet has no officers' rows under its header."))
    if len(body) > MAX_ROWS or len(numbered) >= MAX_SCANNED_ROWS:
        raise _refuse(_("A sheet can hold at most %(limit)d officers' rows.", limit=MAX_ROWS))
    participants: list[ParticipantInput] = []
    problems: list[SheetProblem] = []
    for line, cells in body:
        try:
            participants.append(_row(line, cells, positions))
        except ValueError as error:
            problems.append(SheetProblem(line, str(error)))
    if problems:
        raise SheetError(problems)
    return participants, ignored


def parse_sheet(data: bytes) -> ParsedSheet:
    """Read and check a whole sheet (CSV or XLSX, decided by its content)."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_SHEET_BYTES:
        raise _refuse(_("The file is larger than %(size)d KB.", size=MAX_SHEET_BYTES // 1024))
    kind = _sheet_kind(data)
    rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    participants, ignored = check_rows(rows)
    return ParsedSheet(kind=kind, rows=participants, ignored_columns=ignored)


# --- the templates -------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Text a spreadsheet will show as text: a leading formula character is quoted."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def template_csv() -> bytes:
    return (",".join(COLUMN_NAMES) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    """A workbook with the header, drop-down lists of the codes and a sheet explaining them.

    Every string is written as a string cell (never a formula), whatever its translation.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "officers"
    for index, name in enumerate(COLUMN_NAMES, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.value = name
        cell.data_type = "s"
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 16
    sheet.freeze_panes = "A2"
    last = MAX_ROWS + 1
    lists = {
        "A": OFFICER_SEXES.codes,
        "B": RANK_GROUPS.codes,
        "C": SERVICE_YEARS.codes,
        "F": ("yes", "no"),
    }
    for letter, codes in lists.items():
        validation = DataValidation(
            type="list", formula1='"' + ",".join(codes) + '"', allow_blank=True
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
    scores = DataValidation(
        type="whole", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    scores.add(f"D2:E{last}")
    sheet.add_data_validation(scores)

    legend = workbook.create_sheet("codes")
    rows: list[tuple[str, str, str]] = [(_("Column"), _("Value"), _("Meaning"))]
    for column in COLUMNS:
        vocabulary = column.vocabulary
        if vocabulary is not None:
            rows += [(column.name, code, vocabulary.label(code)) for code in vocabulary]
        else:
            rows.append((column.name, "", str(column.description)))
    for number, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = legend.cell(row=number, column=index)
            cell.value = safe_text(value)
            cell.data_type = "s"
            if number == 1:
                cell.font = Font(bold=True)
    for letter, width in (("A", 16), ("B", 18), ("C", 60)):
        legend.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
