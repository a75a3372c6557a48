"""The catalogue written as a workbook: exported for review and bulk editing, or empty as the template."""

from __future__ import annotations

import io
from typing import Any

from django.db import models

from bianmin.org.models import Department

from ..content import PART_MODELS, ItemContent, content_from_version
from ..models import ServiceItem, ServiceItemVersion, Topic
from .sheets import (
    BOOLEAN,
    CHOICE,
    CODES,
    INSTRUCTIONS_TITLE,
    ITEMS,
    LEVEL_LABELS,
    LEVELS,
    NO,
    PART_SHEETS,
    SHEETS,
    YES,
    Column,
    Sheet,
)
from .template import CONTENT_RULES, EXAMPLE_CODE, EXAMPLE_CONTENT, GENERAL_RULES, column_note


def export_catalog(*, department: Department | None = None, include_drafts: bool = False) -> bytes:
    """The published catalogue (or one department's items) as a workbook; with ``include_drafts``, an item's
    draft replaces its published version and never-published items are included."""
    statuses = [ServiceItem.Status.PUBLISHED]
    versions = ServiceItemVersion.objects.filter(item__current_version=models.F("pk"))
    if include_drafts:
        statuses.append(ServiceItem.Status.DRAFT)
        versions = ServiceItemVersion.objects.filter(
            models.Q(item__current_version=models.F("pk")) | models.Q(published_at__isnull=True)
        )
    versions = versions.filter(item__status__in=statuses)
    if department is not None:
        versions = versions.filter(item__department=department)
    chosen: dict[int, ServiceItemVersion] = {}
    for version in versions.select_related("item__department").prefetch_related(*_EXPORT_PREFETCH):
        if version.item_id not in chosen or version.is_draft:
            chosen[version.item_id] = version
    exported = sorted(chosen.values(), key=lambda version: version.item.code)
    return _workbook_bytes(
        [(version.item.code, version.item.department.code, content_from_version(version)) for version in exported]
    )


def catalog_template() -> bytes:
    """The empty workbook: headers, instructions and a filled example on the instructions sheet only."""
    return _workbook_bytes([])


_EXPORT_PREFETCH = [
    *PART_MODELS,
    models.Prefetch("co_departments", queryset=Department.objects.order_by("code")),
    models.Prefetch("topics", queryset=Topic.objects.order_by("position", "code")),
]


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == BOOLEAN:
        return YES if value else NO
    if column.kind == CHOICE:
        return column.labels.get(value, value) if column.labels else value
    if column.kind == LEVELS:
        return ",".join(LEVEL_LABELS.get(level, level) for level in value)
    if column.kind == CODES:
        return ",".join(value)
    return value


def _item_rows(code: str, department_code: str, content: ItemContent) -> dict[Sheet, list[list[Any]]]:
    values = {"code": code, "department_code": department_code, **content.as_dict()}
    rows = {ITEMS: [[_cell_value(column, values[column.key]) for column in ITEMS.columns]]}
    for sheet in PART_SHEETS:
        rows[sheet] = [
            [code, *(_cell_value(column, entry.get(column.key)) for column in sheet.columns[1:])]
            for entry in getattr(content, sheet.part)
        ]
    return rows


def _workbook_bytes(items: list[tuple[str, str, ItemContent]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    _write_instructions(workbook.active)
    rows = [_item_rows(code, department_code, content) for code, department_code, content in items]
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.title)
        table = [[column.header for column in sheet.columns], *(row for item_rows in rows for row in item_rows[sheet])]
        for number, row in enumerate(table, start=1):
            _write_row(worksheet, number, row)
        _format_table(worksheet, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_row(worksheet, number: int, values: list[Any]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for index, value in enumerate(values, start=1):
        cell = worksheet.cell(number, index, ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
        # Text that starts with "=" is content, not a formula to run in the reader's Excel.
        if cell.data_type == "f":
            cell.data_type = "s"


def _append(worksheet, values: list[Any]) -> None:
    _write_row(worksheet, worksheet.max_row + 1, values)


def _display_width(value: Any) -> int:
    text = str(value) if value is not None else ""
    return max((sum(2 if ord(char) > 0x2E7F else 1 for char in line) for line in text.splitlines()), default=0)


def _format_table(worksheet, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
    worksheet.freeze_panes = "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cells = worksheet[letter]
        widest = max((_display_width(cell.value) for cell in cells), default=0)
        worksheet.column_dimensions[letter].width = min(max(widest + 2, column.width), 60)
        if column.width >= 40:
            for cell in cells[1:]:
                cell.alignment = wrap
        choices = [YES, NO] if column.kind == BOOLEAN else list(column.labels.values()) if column.kind == CHOICE else []
        if choices:
            # A drop-down to help; the import also accepts codes, so Excel does not refuse other values.
            validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"', showErrorMessage=False)
            validation.add(f"{letter}2:{letter}5000")
            worksheet.add_data_validation(validation)


# --- The instructions sheet ------------------------------------------------------------------------------


def _heading(worksheet, text: str) -> None:
    from openpyxl.styles import Font

    worksheet.append([text])
    worksheet.cell(worksheet.max_row, 1).font = Font(bold=True)


def _bold_row(worksheet, values: list[Any]) -> None:
    from openpyxl.styles import Font

    worksheet.append(values)
    for cell in worksheet[worksheet.max_row]:
        cell.font = Font(bold=True)


def _write_instructions(worksheet) -> None:
    from openpyxl.styles import Alignment, Font

    worksheet.title = INSTRUCTIONS_TITLE
    worksheet.append(["便民服务事项目录 Excel 填写说明"])
    worksheet["A1"].font = Font(bold=True, size=14)
    for heading, lines in (("一、基本规则", GENERAL_RULES), ("二、校验规则", CONTENT_RULES)):
        worksheet.append([])
        _heading(worksheet, heading)
        for number, line in enumerate(lines, start=1):
            worksheet.append([f"{number}. {line}"])
    worksheet.append([])
    _heading(worksheet, "三、各列说明")
    _bold_row(worksheet, ["工作表", "列", "必填", "填写要求"])
    for sheet in SHEETS:
        for column in sheet.columns:
            _append(worksheet, [sheet.title, column.header, YES if column.required else "", column_note(column)])
    worksheet.append([])
    _heading(worksheet, "四、填写示例（仅供参考，本页内容不会被导入）")
    example = _item_rows(EXAMPLE_CODE, "ZR", EXAMPLE_CONTENT)
    for sheet in SHEETS:
        worksheet.append([f"工作表“{sheet.title}”"])
        _bold_row(worksheet, [column.header for column in sheet.columns])
        for row in example[sheet] or [["（无）"]]:
            _append(worksheet, row)
    for letter, width in (("A", 16), ("B", 22), ("C", 8), ("D", 70)):
        worksheet.column_dimensions[letter].width = width
    for cell in worksheet["D"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
