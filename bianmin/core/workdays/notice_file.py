"""Reading a notice file (CSV or Excel) into calendar rows."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from bianmin.core.spreadsheets import SpreadsheetRefused, open_workbook, sheet_rows

from ._common import (
    CALENDAR_WORKBOOK_LIMITS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    NAME_MAX_LENGTH,
    CalendarImportError,
    CalendarRow,
)
from .changes import _check_year_value, _row_error, _rows_problems, _sorted_errors

# --- Reading a notice file -------------------------------------------------------------------------

_COLUMN_ALIASES = {
    "日期": "date",
    "date": "date",
    "是否工作日": "is_workday",
    "is_workday": "is_workday",
    "名称": "name",
    "name": "name",
}
_WORKDAY_WORDS = {"是": True, "1": True, "workday": True, "上班": True, "否": False, "0": False}
_WORKDAY_WORDS.update({"holiday": False, "休息": False, "true": True, "false": False})


def _read_source(source: str | Path | IO[bytes], filename: str | None) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        return filename or path.name, path.read_bytes()[: MAX_IMPORT_BYTES + 1]
    data = source.read(MAX_IMPORT_BYTES + 1)
    return filename or getattr(source, "name", "") or "", data if isinstance(data, bytes) else data.encode()


def _csv_table(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarImportError([_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")]) from exc
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a field over csv's size limit, say
        raise CalendarImportError([_("The file is not a readable CSV table.")]) from exc


def _xlsx_table(data: bytes) -> list[list[Any]]:
    """The first sheet's rows, read through ``core.spreadsheets`` (zip inspected, streamed, bounded)."""
    try:
        workbook = open_workbook(data, CALENDAR_WORKBOOK_LIMITS)
        try:
            sheet = workbook.worksheets[0]
            return [list(values) for _number, values in sheet_rows(sheet, CALENDAR_WORKBOOK_LIMITS)]
        finally:
            workbook.close()
    except SpreadsheetRefused as refused:
        unreadable = refused.code == "not_a_workbook"
        message = _("The file is not a readable Excel (.xlsx) workbook.") if unreadable else refused.message
        raise CalendarImportError([message]) from refused
    except IndexError as exc:  # a workbook without sheets
        raise CalendarImportError([_("The file is not a readable Excel (.xlsx) workbook.")]) from exc


def _date_cell(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a year like 99999999999
        return None


def _workday_cell(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return _WORKDAY_WORDS.get(str(value or "").strip().lower())


def _header_columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _COLUMN_ALIASES.get(str(cell or "").strip().lower())
        if key and key not in columns:
            columns[key] = index
    if "date" not in columns or "is_workday" not in columns:
        raise CalendarImportError(
            [_("The first row must name the columns 日期 (date), 是否工作日 (is_workday) and 名称 (name).")]
        )
    return columns


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _parse_table_row(cells: list[Any], columns: dict[str, int], number: int) -> tuple[CalendarRow | None, list[str]]:
    date_value, workday_value = _cell(cells, columns["date"]), _cell(cells, columns["is_workday"])
    name = str(_cell(cells, columns.get("name")) or "").strip()
    day, workday = _date_cell(date_value), _workday_cell(workday_value)
    problems = []
    if day is None:
        problems.append(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": date_value or ""})
    if workday is None:
        problems.append(
            _("“%(value)s” does not say whether the day is a working day; write 是 or 否.")
            % {"value": workday_value or ""}
        )
    if len(name) > NAME_MAX_LENGTH:
        problems.append(_("the name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if problems or day is None or workday is None:
        return None, [_row_error(number, problem) for problem in problems]
    return CalendarRow(day, workday, name, number), []


def _read_table(name: str, data: bytes) -> list[list[Any]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise CalendarImportError([_("The file is too large for a calendar year's notice.")])
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        table = _csv_table(data)
    elif suffix == ".xlsx":
        table = _xlsx_table(data)
    else:
        raise CalendarImportError([_("Upload a .csv or .xlsx file.")])
    if not table:
        raise CalendarImportError([_("The file is empty.")])
    if len(table) > MAX_IMPORT_ROWS + 1:
        raise CalendarImportError([_("The file has more rows than a calendar year's notice.")])
    return table


def parse_calendar_file(
    source: str | Path | IO[bytes], filename: str | None = None, *, year: int | None = None
) -> list[CalendarRow]:
    """Read a State Council notice table (CSV in UTF-8, with or without BOM, or .xlsx, first sheet).

    Columns, named in the first row: 日期/date, 是否工作日/is_workday (是/否, 1/0, workday/holiday,
    上班/休息) and 名称/name. Blank lines are skipped. Raises one CalendarImportError listing every bad
    cell; given ``year``, it also lists the rows calendar_import would refuse (wrong year, duplicates),
    so the person uploading sees every problem at once.
    """
    name, data = _read_source(source, filename)
    table = _read_table(name, data)
    columns = _header_columns(table[0])
    rows: list[CalendarRow] = []
    problems: list[tuple[int, str]] = []
    for number, cells in enumerate(table[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        row, messages = _parse_table_row(cells, columns, number)
        problems.extend((number, message) for message in messages)
        if row is not None:
            rows.append(row)
    if year is not None:
        _check_year_value(year)
        rows, row_problems = _rows_problems(year, rows)
        problems.extend(row_problems)
    if problems:
        raise CalendarImportError(_sorted_errors(problems))
    return rows
