"""Reading uploaded .xlsx workbooks without trusting them: every spreadsheet import opens its file here.

An .xlsx file is a zip of XML. A few hundred kilobytes can hold a sheet of gigabytes (a "zip bomb"), and
openpyxl would spend minutes and gigabytes of memory reading it. So before openpyxl sees a file, its zip
directory is inspected (number of members, each member's and the total uncompressed size, the compression
ratio) and refused above the caller's limits; the workbook is then opened read-only (streamed), a sheet whose
declared size is over the row or column limit is refused before its first row, and reading stops at the
first row past the limit whatever the sheet declared. A cell openpyxl cannot convert (a date of year
99999999999, say) is refused with its row number. Every refusal is a ``SpreadsheetRefused`` with a
translated message, raised before anything is written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError


class SpreadsheetRefused(DomainError):
    """The file is not a workbook this import may read; ``row`` is the sheet row concerned, when there is one."""

    code = "spreadsheet_refused"

    def __init__(self, message, *, code: str | None = None, row: int | None = None):
        super().__init__(message, code=code)
        self.row = row


def _not_a_workbook() -> SpreadsheetRefused:
    message = _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
    return SpreadsheetRefused(message, code="not_a_workbook")


@dataclass(frozen=True)
class SpreadsheetLimits:
    """What one import accepts. The sizes are uncompressed bytes; a real workbook compresses about 5 to 20 times."""

    max_rows: int
    max_columns: int
    max_total_bytes: int
    max_member_bytes: int
    max_members: int = 200
    max_ratio: int = 100


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def inspect_zip(data: bytes, limits: SpreadsheetLimits) -> None:
    """Refuse an .xlsx whose zip directory promises more than ``limits`` allow; reads only the directory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _not_a_workbook() from exc
    if len(members) > limits.max_members:
        raise SpreadsheetRefused(
            _("The workbook has %(count)d parts; at most %(max)d are accepted.")
            % {"count": len(members), "max": limits.max_members}
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.max_member_bytes:
            raise SpreadsheetRefused(
                _("The workbook's part “%(name)s” unpacks to %(size)s MB; at most %(max)s MB are accepted.")
                % {
                    "name": member.filename,
                    "size": _megabytes(member.file_size),
                    "max": _megabytes(limits.max_member_bytes),
                }
            )
        # A tiny member may compress very well (an empty sheet); only a large one tells of a bomb.
        if member.file_size > 100_000 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise SpreadsheetRefused(
                _("The workbook's part “%(name)s” is compressed more than %(ratio)d times: it is refused as unsafe.")
                % {"name": member.filename, "ratio": limits.max_ratio}
            )
    if total > limits.max_total_bytes:
        raise SpreadsheetRefused(
            _("The workbook unpacks to %(size)s MB; at most %(max)s MB are accepted.")
            % {"size": _megabytes(total), "max": _megabytes(limits.max_total_bytes)}
        )


def open_workbook(data: bytes, limits: SpreadsheetLimits):
    """The workbook, read-only and streamed, after ``inspect_zip``; refuses a file openpyxl cannot open."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    inspect_zip(data, limits)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, OverflowError) as exc:
        raise _not_a_workbook() from exc


def _too_many_rows(limits: SpreadsheetLimits, title: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _("The sheet “%(sheet)s” has more than %(max)d rows.") % {"sheet": title, "max": limits.max_rows}
    )


def _too_many_columns(limits: SpreadsheetLimits, title: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _("The sheet “%(sheet)s” has more than %(max)d columns.") % {"sheet": title, "max": limits.max_columns}
    )


def sheet_rows(sheet, limits: SpreadsheetLimits) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield ``(row number, values)`` of a read-only sheet, at most ``limits.max_columns`` values a row.

    Refuses a sheet that declares more rows or columns than the limits before reading it, and stops at the
    first row of data past them whatever it declared (a declared size may be wrong or missing). Empty cells
    past the column limit are dropped.
    """
    declared_rows, declared_columns = sheet.max_row, sheet.max_column  # from the sheet's <dimension>, if any
    if declared_rows is not None and declared_rows > limits.max_rows:
        raise _too_many_rows(limits, sheet.title)
    if declared_columns is not None and declared_columns > limits.max_columns:
        raise _too_many_columns(limits, sheet.title)
    sheet.reset_dimensions()  # some programs write a wrong size; read every row there is, up to the limit
    number = 0
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except (ValueError, LookupError, ArithmeticError, TypeError, SyntaxError) as exc:  # SyntaxError: bad XML
            raise SpreadsheetRefused(
                _(
                    "Row %(row)d of the sheet “%(sheet)s” cannot be read: a cell holds a date or number out of "
                    "range, or the file is damaged."
                )
                % {"row": number + 1, "sheet": sheet.title},
                row=number + 1,
            ) from exc
        number += 1
        if len(values) > limits.max_columns:
            extra = values[limits.max_columns :]
            if any(value is not None and value != "" for value in extra):
                raise _too_many_columns(limits, sheet.title)
            values = values[: limits.max_columns]
        if number > limits.max_rows:
            # Formatting left on empty rows is not data, but a row number far out (r="99999999") would make
            # openpyxl fill in every empty row before it: stop after as many empty rows again as the limit.
            if number <= 2 * limits.max_rows and all(value is None or value == "" for value in values):
                continue
            raise _too_many_rows(limits, sheet.title)
        yield number, values
