"""Reading an uploaded workbook: every bad cell reported with its sheet, Excel row and column, and every item
checked against ``validate_content`` (the catalogue's only rule book), its errors located in the workbook too."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from bianmin.core.spreadsheets import SpreadsheetRefused, open_workbook, sheet_rows
from bianmin.org.models import Department

from ..content import PART_MODELS, ContentError, ItemContent, validate_content
from ..models import ServiceItem
from .cells import CellProblem, cell_text, is_blank, read_cell
from .sheets import (
    AMOUNT,
    INTEGER,
    ITEMS,
    LIST_ERROR_FIELD,
    PART_SHEETS,
    SHEET_BY_PART,
    SHEETS,
    TEMPORARY_CODE_PREFIX,
    WORKBOOK_LIMITS,
    Sheet,
    normalised,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CellError:
    """One problem in the workbook: ``row`` is the Excel row number, ``column`` the header as written."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ParsedItem:
    """One item of the workbook; ``code`` is None when the system numbers it. ``part_rows`` maps each list
    of ``content`` to the Excel rows its entries came from, so later errors can point at them."""

    code: str | None
    department_code: str
    content: ItemContent
    row: int
    part_rows: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class ParsedCatalog:
    """The items read from a workbook and every problem found; write the items only when ``errors`` is empty."""

    items: list[ParsedItem]
    errors: list[CellError]


def sorted_errors(errors: Iterable[CellError]) -> list[CellError]:
    order = {sheet.title: index for index, sheet in enumerate(SHEETS)}
    sheets = {sheet.title: sheet for sheet in SHEETS}

    def key(error: CellError) -> tuple[int, int, int]:
        sheet = sheets.get(error.sheet)
        column = sheet.position_of(error.column) if sheet else -1
        return (order.get(error.sheet, -1), error.row or 0, column if column >= 0 or not error.column else 999)

    return sorted(errors, key=key)


# --- Reading the workbook ------------------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, errors: list[CellError]):
        super().__init__(errors)
        self.errors = errors


def _load_tables(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows by stripped title; raises _Unreadable for an empty, unreadable or oversized file."""
    if not data:
        raise _Unreadable([CellError("", None, "", _("The file is empty."))])
    title = ""
    try:
        workbook = open_workbook(data, WORKBOOK_LIMITS)
        try:
            tables = {}
            for sheet in workbook.worksheets:
                title = sheet.title.strip()
                tables[title] = [values for _number, values in sheet_rows(sheet, WORKBOOK_LIMITS)]
            return tables
        finally:
            workbook.close()
    except SpreadsheetRefused as refused:
        raise _Unreadable([CellError(title, refused.row, "", str(refused.message))]) from refused


def _header_map(sheet: Sheet, table: list[tuple], errors: list[CellError]) -> dict[str, int] | None:
    """Column key -> cell index from the header row; None (with errors added) when the header is unusable."""
    if not table:
        errors.append(CellError(sheet.title, 1, "", _("The sheet has no header row. Start from the template.")))
        return None
    aliases = {column.key: column.aliases() for column in sheet.columns}
    positions: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(table[0]):
        if is_blank(cell):
            continue
        name = normalised(cell_text(cell))
        key = next((key for key, names in aliases.items() if name in names), None)
        if key is None:
            problems.append(CellError(sheet.title, 1, cell_text(cell), _("This sheet has no such column.")))
        elif key in positions:
            problems.append(CellError(sheet.title, 1, cell_text(cell), _("This column appears twice.")))
        else:
            positions[key] = index
    for column in sheet.columns:
        if column.key not in positions:
            problems.append(
                CellError(sheet.title, 1, column.header, _("The column is missing. Start from the template."))
            )
    errors.extend(problems)
    return None if problems else positions


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    failed: set[str]


def _data_rows(sheet: Sheet, table: list[tuple], positions: dict[str, int], errors: list[CellError]) -> list[_Row]:
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(is_blank(cell) for cell in cells):
            continue
        row = _Row(number, {}, set())
        for column in sheet.columns:
            index = positions[column.key]
            raw = cells[index] if index < len(cells) else None
            try:
                row.values[column.key] = read_cell(column, raw)
            except CellProblem as problem:
                errors.append(CellError(sheet.title, number, column.header, str(problem)))
                row.values[column.key] = None if column.kind in (INTEGER, AMOUNT) else column.default
                row.failed.add(column.key)
        rows.append(row)
    return rows


@dataclass
class _Draft:
    """An item being assembled from the sheets; ``code`` is None when the system numbers it."""

    row: _Row
    code: str | None
    department: Department | None
    parts: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {part: [] for part in PART_MODELS})
    part_rows: dict[str, list[int]] = field(default_factory=lambda: {part: [] for part in PART_MODELS})


class _Reader:
    def __init__(self, tables: dict[str, list[tuple]], progress: Progress | None):
        self.tables = tables
        self.progress = progress
        self.errors: list[CellError] = []
        self.done = 0
        self.total = 0

    def error(self, sheet: Sheet, row: int, key: str, reason: str) -> None:
        self.errors.append(CellError(sheet.title, row, sheet.header_of(key), reason))

    def advance(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def sheet_rows(self) -> dict[Sheet, list[_Row]] | None:
        """The data rows of every sheet whose header is right; None when the items sheet is unusable."""
        found: dict[Sheet, list[_Row]] = {}
        for sheet in SHEETS:
            if sheet.title not in self.tables:
                reason = _("The workbook has no sheet named “%(sheet)s”. Start from the template.")
                self.errors.append(CellError(sheet.title, None, "", reason % {"sheet": sheet.title}))
                continue
            table = self.tables[sheet.title]
            positions = _header_map(sheet, table, self.errors)
            if positions is not None:
                found[sheet] = _data_rows(sheet, table, positions, self.errors)
        if ITEMS not in found:
            return None  # without the items, the rows of the other sheets cannot be checked
        self.total = sum(len(rows) for rows in found.values())
        if self.progress is not None:
            self.progress(0, self.total)
        return found

    def items(self, rows: list[_Row]) -> dict[Any, _Draft]:
        """Each item row by its code or temporary code (rows the system numbers: by their row number)."""
        departments = Department.objects.filter(code__in={row.values["department_code"] for row in rows})
        by_code = {department.code: department for department in departments}
        existing = dict(
            ServiceItem.objects.filter(code__in={row.values["code"] for row in rows}).values_list(
                "code", "department__code"
            )
        )
        drafts: dict[Any, _Draft] = {}
        for row in rows:
            code = row.values["code"]
            if code in drafts:
                reason = _("The code “%(code)s” is already used on row %(row)d.")
                self.error(ITEMS, row.number, "code", reason % {"code": code, "row": drafts[code].row.number})
                self.advance()
                continue
            department = self.department(row, by_code, existing)
            is_numbered = not code or code.startswith(TEMPORARY_CODE_PREFIX)
            if not is_numbered and code not in existing and department is not None:
                self.check_new_code(row, code, department)
            drafts[code or ("row", row.number)] = _Draft(row, None if is_numbered else code, department)
        return drafts

    def department(self, row: _Row, departments: dict[str, Department], existing: dict[str, str]) -> Department | None:
        code, department_code = row.values["code"], row.values["department_code"]
        if "department_code" in row.failed:
            return None
        if not department_code:
            self.error(ITEMS, row.number, "department_code", _("Give the code of the owning department."))
            return None
        department = departments.get(department_code)
        if department is None:
            reason = _("There is no department with the code “%(code)s”.") % {"code": department_code}
            self.error(ITEMS, row.number, "department_code", reason)
        elif code in existing and existing[code] != department_code:
            reason = _("The item %(code)s belongs to the department %(department)s; the import cannot move it.")
            self.error(ITEMS, row.number, "department_code", reason % {"code": code, "department": existing[code]})
        return department

    def check_new_code(self, row: _Row, code: str, department: Department) -> None:
        prefix = f"{department.code}-"
        if not code.startswith(prefix) or len(code) == len(prefix):
            reason = _(
                "A new item's code starts with its department's code and a hyphen, for example %(example)s; "
                "or write a temporary code starting with 新 to have the item numbered."
            )
            self.error(ITEMS, row.number, "code", reason % {"example": f"{prefix}0001"})

    def attach(self, sheet: Sheet, rows: list[_Row], drafts: dict[Any, _Draft]) -> None:
        """Add each row of a part sheet to its item, in the sheet's order."""
        for row in rows:
            code = row.values.pop("code")
            if code in drafts:
                drafts[code].parts[sheet.part].append(row.values)
                drafts[code].part_rows[sheet.part].append(row.number)
            elif not code:
                self.error(sheet, row.number, "code", _("Give the code of the item this row belongs to."))
            elif "code" not in row.failed:
                reason = _("There is no item with the code “%(code)s” on the sheet “%(sheet)s”.")
                self.error(sheet, row.number, "code", reason % {"code": code, "sheet": ITEMS.title})
            self.advance()

    def check(self, draft: _Draft, known: set[tuple]) -> ParsedItem:
        """The item's content, with every broken catalogue rule located in the workbook (once per cell)."""
        values = {key: value for key, value in draft.row.values.items() if key not in ("code", "department_code")}
        content = ItemContent(**values, **draft.parts)
        item = ParsedItem(draft.code, draft.row.values["department_code"], content, draft.row.number, draft.part_rows)
        for error in validate_content(content, owner=draft.department):
            located = locate(error, item)
            cell = (located.sheet, located.row, located.column)
            if cell not in known:  # a cell that could not be read already has its reason
                known.add(cell)
                self.errors.append(located)
        self.advance()
        return item


def locate(error: ContentError, item: ParsedItem) -> CellError:
    """Where in the workbook a broken rule of ``validate_content`` lies."""
    if error.field not in SHEET_BY_PART:
        return CellError(ITEMS.title, item.row, ITEMS.header_of(error.field), error.message)
    sheet = SHEET_BY_PART[error.field]
    rows = item.part_rows.get(error.field, [])
    if error.row is not None and error.row <= len(rows):
        return CellError(sheet.title, rows[error.row - 1], sheet.header_of(error.column), error.message)
    # A rule about the whole list: on the item's row, in the column of the field it is about.
    key = LIST_ERROR_FIELD.get(error.field, "code")
    if error.field == "steps" and rows:
        key = "promised_days"  # there are steps, so the rule broken is their total against the promise
    return CellError(ITEMS.title, item.row, ITEMS.header_of(key), error.message)


def parse_catalog(data: bytes, *, progress: Progress | None = None) -> ParsedCatalog:
    """Read a catalogue workbook and check every cell and every item against the catalogue's rules.

    ``progress(done, total)`` is called once the rows are counted and after each row is checked.
    """
    try:
        tables = _load_tables(data)
    except _Unreadable as unreadable:
        return ParsedCatalog([], unreadable.errors)
    reader = _Reader(tables, progress)
    rows = reader.sheet_rows()
    if rows is None or len(rows) < len(SHEETS):
        # With a sheet missing the items are incomplete, and checking them would only add noise.
        return ParsedCatalog([], sorted_errors(reader.errors))
    drafts = reader.items(rows[ITEMS])
    for sheet in PART_SHEETS:
        reader.attach(sheet, rows.get(sheet, []), drafts)
    known = {(error.sheet, error.row, error.column) for error in reader.errors}
    items = [reader.check(draft, known) for draft in drafts.values()]
    if not rows[ITEMS]:
        reader.errors.append(CellError(ITEMS.title, None, "", _("The workbook lists no items.")))
    return ParsedCatalog(items, sorted_errors(reader.errors))
