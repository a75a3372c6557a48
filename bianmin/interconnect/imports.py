"""Files of cases from another system: a CSV (UTF-8, or GB18030 as Chinese Excel saves it) or an Excel workbook
(.xlsx, first sheet), turned into the rows of ``cases.services.cases_import`` with their row numbers in the file.

The first row names the columns: the field names of ``cases.services.imports.FIELDS`` or their Chinese headers
(``HEADERS``, the template's). Blank rows are skipped; a problem names the row as the file numbers it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.cases.services import CaseImportRefused, ImportProblem, cases_import
from bianmin.cases.services.imports import FIELDS, MAX_ROWS
from bianmin.core.spreadsheets import SpreadsheetLimits, SpreadsheetRefused, open_workbook, sheet_rows

LIMITS = SpreadsheetLimits(
    max_rows=MAX_ROWS + 1, max_columns=30, max_total_bytes=20_000_000, max_member_bytes=10_000_000
)
MAX_CSV_BYTES = 5_000_000
HEADERS = {
    "原办件编号": "original_number",
    "事项编码": "item",
    "站点代码": "site",
    "申请人": "applicant_name",
    "证件类型": "applicant_id_type",
    "证件号码": "applicant_id_number",
    "手机号码": "applicant_phone",
    "地址": "applicant_address",
    "渠道": "channel",
    "收件日期": "received_on",
    "受理日期": "accepted_on",
    "状态": "status",
    "申请内容": "details",
}


def _refused(message: str) -> CaseImportRefused:
    return CaseImportRefused([ImportProblem(0, "", message)])


def _header(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    return HEADERS.get(text, text)


def _rows(table: list[tuple[int, tuple[Any, ...]]]) -> tuple[list[dict[str, Any]], list[int]]:
    if not table:
        raise _refused(_("The file is empty."))
    _number, header = table[0]
    columns = [_header(value) for value in header]
    unknown = [column for column in columns if column and column not in FIELDS]
    if unknown:
        raise _refused(_("The first row names unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    rows, numbers = [], []
    for number, values in table[1:]:
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        rows.append({column: value for column, value in zip(columns, values, strict=False) if column})
        numbers.append(number)
    return rows, numbers


def _csv_table(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    if len(data) > MAX_CSV_BYTES:
        raise _refused(_("The file is larger than %(max)d MB.") % {"max": MAX_CSV_BYTES // 1_000_000})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("The file is not text in UTF-8 or GB18030."))
    table = []
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > LIMITS.max_rows:
            raise _refused(_("A batch has at most %(max)d cases.") % {"max": MAX_ROWS})
        table.append((number, tuple(values)))
    return table


def _workbook_table(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    try:
        workbook = open_workbook(data, LIMITS)
        return list(sheet_rows(workbook.worksheets[0], LIMITS))
    except SpreadsheetRefused as refused:
        raise _refused(str(refused.message)) from None


def cases_import_file(*, actor: User, filename: str, data: bytes, source: str) -> list[Case]:
    """Import the cases of a CSV or .xlsx file, all or nothing (``cases_import`` checks and writes)."""
    is_csv = filename.lower().endswith(".csv")
    rows, numbers = _rows(_csv_table(data) if is_csv else _workbook_table(data))
    return cases_import(actor=actor, rows=rows, source=source, row_numbers=numbers)
