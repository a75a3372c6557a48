"""The catalogue as an Excel workbook, both ways: exported for review and bulk editing, imported as drafts.

The workbook is a Chinese-language file format. Its sheet names, column headers, instructions and choice
labels are fixed text defined here rather than the translated verbose names: a file exported today must
still import after the translation catalogue changes. On import a header is also recognised by the field's
name and verbose name (English or Chinese), and a choice by its code or its label.

Importing is all or nothing, like the working-day calendar: ``parse_catalog`` reports every bad cell with
its sheet, Excel row and column, ``validate_content`` (the catalogue's only rule book) runs on every item
and its errors are located in the workbook too, and ``catalog_import`` writes nothing unless the whole file
is valid. It never publishes: existing items get a new draft, new items are created as drafts.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError
from bianmin.core.spreadsheets import SpreadsheetLimits, SpreadsheetRefused, open_workbook, sheet_rows
from bianmin.org.models import Department, Role, SiteLevel

from .content import PART_MODELS, ContentError, ItemContent, content_from_version, validate_content
from .models import (
    CaseType,
    CatalogImport,
    ItemKind,
    MaterialRequirement,
    ServiceItem,
    ServiceItemVersion,
    SpecialProcedure,
    Topic,
)
from .services import ContentInvalid, can_edit_catalog, draft_replace, item_create

Progress = Callable[[int, int], None]

# --- The layout ---------------------------------------------------------------------------------------

# The kinds of cell a column holds.
TEXT, INTEGER, BOOLEAN, AMOUNT = "text", "integer", "boolean", "amount"
CHOICE, LEVELS, CODES = "choice", "levels", "codes"
YES, NO = "是", "否"
LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
TEMPORARY_CODE_PREFIX = "新"
MAX_SMALL_INTEGER = 32767
MAX_AMOUNT = Decimal("99999999.99")
# A county's catalogue is a few thousand items with their parts; the upload itself is at most 10 MB.
WORKBOOK_LIMITS = SpreadsheetLimits(
    max_rows=50_000, max_columns=60, max_total_bytes=200_000_000, max_member_bytes=100_000_000
)

# The workbook's labels for stored choice values; the import also accepts the codes and the translated labels.
KIND_LABELS = {ItemKind.LICENSING: "行政许可", ItemKind.PUBLIC_SERVICE: "公共服务", ItemKind.OTHER: "其他行政权力"}
CASE_TYPE_LABELS = {
    CaseType.IMMEDIATE: "即办件",
    CaseType.COMMITTED: "承诺件",
    CaseType.ESCALATED: "上报件",
    CaseType.JOINT: "联办件",
}
LEVEL_LABELS = {SiteLevel.COUNTY: "县级", SiteLevel.TOWN: "镇级", SiteLevel.VILLAGE: "村级"}
ROLE_LABELS = {
    Role.CLERK: "窗口工作人员",
    Role.CHIEF_REPRESENTATIVE: "首席代表",
    Role.DEPARTMENT_HEAD: "分管领导",
    Role.AGENT: "代办员",
    Role.CENTRE_ADMIN: "中心管理员",
    Role.SUPERVISOR: "监察员",
}
FORM_LABELS = {
    MaterialRequirement.Form.ORIGINAL: "原件",
    MaterialRequirement.Form.COPY: "复印件",
    MaterialRequirement.Form.ORIGINAL_AND_COPY: "原件及复印件",
    MaterialRequirement.Form.ELECTRONIC: "电子件",
}
PROCEDURE_LABELS = {
    SpecialProcedure.Kind.HEARING: "听证",
    SpecialProcedure.Kind.INSPECTION: "现场勘验",
    SpecialProcedure.Kind.TESTING: "检验检测检疫",
    SpecialProcedure.Kind.APPRAISAL: "鉴定",
    SpecialProcedure.Kind.EXPERT_REVIEW: "专家评审",
    SpecialProcedure.Kind.PUBLIC_NOTICE: "公示",
    SpecialProcedure.Kind.TENDER: "招标拍卖",
}


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a sheet: ``key`` is the ItemContent attribute or the part row's key."""

    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    note: str = ""
    width: int = 16
    labels: dict[str, str] | None = None
    model_field: models.Field | None = None

    @property
    def max_length(self) -> int | None:
        return getattr(self.model_field, "max_length", None) if self.kind == TEXT else None

    @property
    def default(self) -> Any:
        if self.model_field is not None and self.model_field.has_default():
            return self.model_field.get_default()
        return {TEXT: "", BOOLEAN: False, LEVELS: [], CODES: [], CHOICE: ""}.get(self.kind)

    def aliases(self) -> set[str]:
        names = {self.header, self.key}
        if self.model_field is not None:
            names.add(str(self.model_field.verbose_name))
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    names.add(str(self.model_field.verbose_name))
        return {_normalised(name) for name in names}


@dataclass(frozen=True, eq=False)
class Sheet:
    title: str
    part: str | None  # None for the items sheet
    columns: tuple[Column, ...]

    def header_of(self, key: str | None) -> str:
        return next((column.header for column in self.columns if column.key == key), "")

    def position_of(self, header: str) -> int:
        return next((index for index, column in enumerate(self.columns) if column.header == header), -1)


def _field_column(model: type[models.Model], key: str, header: str, note: str = "", **options: Any) -> Column:
    model_field = model._meta.get_field(key)
    kind = options.pop("kind", None)
    if kind is None:
        if isinstance(model_field, models.BooleanField):
            kind = BOOLEAN
        elif isinstance(model_field, models.DecimalField):
            kind = AMOUNT
        elif isinstance(model_field, models.PositiveSmallIntegerField):
            kind = INTEGER
        else:
            kind = CHOICE if options.get("labels") else TEXT
    required = options.pop("required", kind in (INTEGER, CHOICE) and not model_field.has_default())
    return Column(key, header, kind, required, note, model_field=model_field, **options)


def _version_column(key: str, header: str, note: str = "", **options: Any) -> Column:
    return _field_column(ServiceItemVersion, key, header, note, **options)


CODE_COLUMN = Column(
    "code",
    "事项编码",
    note="已有事项填写原编码；新事项填写以部门编码和连字符开头的新编码（如 ZR-0012），"
    "或以“新”开头的临时编号（如 新1），由系统按部门自动编号。",
    width=14,
    model_field=ServiceItem._meta.get_field("code"),
)
PART_CODE_COLUMN = Column(
    "code", "事项编码", required=True, note="该行所属事项在“事项”工作表中的编码或临时编号。", width=14
)

ITEMS = Sheet(
    "事项",
    None,
    (
        CODE_COLUMN,
        Column(
            "department_code", "部门编码", required=True, note="主管部门的编码，如 ZR。已有事项不能通过导入更换部门。"
        ),
        _version_column("name", "事项名称", required=True, width=30),
        _version_column("summary", "事项简介", width=40),
        _version_column("kind", "事项类型", labels=KIND_LABELS),
        _version_column("case_type", "办件类型", labels=CASE_TYPE_LABELS),
        _version_column(
            "accepting_levels",
            "受理层级",
            "县级、镇级、村级中的一个或多个，用逗号分隔。",
            kind=LEVELS,
            required=True,
            labels=LEVEL_LABELS,
        ),
        _version_column("deciding_level", "决定层级", labels=LEVEL_LABELS),
        _version_column("village_relay", "村级可代收代办", "受理层级不含村级时，村级服务室可代收并代办。"),
        _version_column("conditions", "申请条件", "谁可以申请、何时可以申请。", required=True, width=40),
        _version_column("statutory_days", "法定时限（工作日）", "法律法规规定的办理时限。"),
        _version_column("promised_days", "承诺时限（工作日）", "不得超过法定时限。"),
        _version_column("has_fee", "是否收费", "收费事项须在“收费”工作表列出收费项目。"),
        _version_column("result_name", "办理结果", "证照、批文或决定的名称。", required=True, width=24),
        _version_column("result_validity", "结果有效期"),
        _version_column("place", "办理地点", required=True, width=30),
        _version_column("hours", "办理时间", width=24),
        _version_column("responsible_organisation", "责任单位", required=True, width=24),
        _version_column("responsible_person", "责任人"),
        _version_column("consultation_phone", "咨询电话", required=True),
        _version_column("complaint_phone", "投诉电话", required=True),
        _version_column("visits_required", "到现场次数", "0 至 5 次，留空为 1 次。"),
        _version_column("online_application", "可网上申请"),
        _version_column("agency_offered", "提供代办"),
        _version_column("silence_is_consent", "联办部门逾期视为同意", "仅联办件可以选“是”。"),
        _version_column("keywords", "关键词", "用空格分隔，帮助群众搜索。", width=24),
        Column(
            "co_department_codes",
            "联办部门编码",
            CODES,
            note="仅联办件填写：并联审查的部门编码，多个用逗号分隔，不含主管部门。",
        ),
        Column("topic_codes", "主题编码", CODES, note="群众按主题（人生事件）浏览时的主题编码，多个用逗号分隔。"),
    ),
)


def _part_sheet(title: str, part: str, *columns: tuple) -> Sheet:
    model, _keys = PART_MODELS[part]
    return Sheet(
        title,
        part,
        (PART_CODE_COLUMN, *(_field_column(model, key, header, **options) for key, header, options in columns)),
    )


PART_SHEETS = (
    _part_sheet(
        "法律依据",
        "legal_bases",
        ("law", "法律法规名称", {"required": True, "width": 30}),
        ("article", "条款", {"note": "如 第六十二条。"}),
        ("excerpt", "条文内容", {"width": 50}),
    ),
    _part_sheet(
        "申请材料",
        "materials",
        ("name", "材料名称", {"required": True, "width": 30}),
        ("form", "材料形式", {"labels": FORM_LABELS, "note": "留空为原件。"}),
        ("copies", "份数", {"note": "电子件可以为 0，其他材料至少 1 份；留空为 1 份。", "width": 8}),
        ("is_required", "是否必需", {"width": 10}),
        ("condition", "需要提供的情形", {"note": "非必需材料必须填写。", "width": 30}),
        ("notes", "备注", {"width": 30}),
    ),
    _part_sheet(
        "办理流程",
        "steps",
        ("name", "环节名称", {"required": True}),
        ("role", "办理人员", {"labels": ROLE_LABELS}),
        ("days", "环节时限（工作日）", {"note": "各环节时限之和不得超过承诺时限；留空为 0。"}),
        ("description", "环节说明", {"width": 40}),
    ),
    _part_sheet(
        "收费",
        "fees",
        ("name", "收费项目", {"required": True, "width": 24}),
        ("amount", "金额（元）", {"note": "固定金额，最多两位小数；不是固定金额时留空并填写计算方式。"}),
        ("formula", "计算方式", {"width": 30}),
        ("basis", "收费依据", {"required": True, "width": 30}),
    ),
    _part_sheet(
        "特别程序",
        "special_procedures",
        ("kind", "程序类型", {"labels": PROCEDURE_LABELS}),
        ("typical_days", "一般所需时间（工作日）", {"note": "不计入办理时限，至少 1 个工作日。"}),
        ("description", "说明", {"width": 40}),
    ),
    _part_sheet(
        "常见问题",
        "faqs",
        ("question", "问题", {"required": True, "width": 40}),
        ("answer", "解答", {"required": True, "width": 60}),
    ),
)
SHEETS = (ITEMS, *PART_SHEETS)
SHEET_BY_PART = {sheet.part: sheet for sheet in PART_SHEETS}
INSTRUCTIONS_TITLE = "填写说明"

# A list-level rule of validate_content belongs to the item's row, in the column of the field it is about.
LIST_ERROR_FIELD = {"fees": "has_fee"}


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).replace("(", "（").replace(")", "）").casefold()


# --- Results and errors --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class CatalogImportError(DomainError):
    """The workbook cannot be imported; ``errors`` lists every problem, and nothing was changed."""

    code = "catalog_import_invalid"

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(
            ngettext(
                "The workbook has %(count)d error, so nothing was changed.",
                "The workbook has %(count)d errors, so nothing was changed.",
                len(errors),
            )
            % {"count": len(errors)}
        )


def _sorted(errors: Iterable[CellError]) -> list[CellError]:
    order = {sheet.title: index for index, sheet in enumerate(SHEETS)}
    sheets = {sheet.title: sheet for sheet in SHEETS}

    def key(error: CellError) -> tuple[int, int, int]:
        sheet = sheets.get(error.sheet)
        column = sheet.position_of(error.column) if sheet else -1
        return (order.get(error.sheet, -1), error.row or 0, column if column >= 0 or not error.column else 999)

    return sorted(errors, key=key)


# --- Export --------------------------------------------------------------------------------------------


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


# --- The instructions sheet (fixed Chinese text: it is part of the file format, like the headers) -------

GENERAL_RULES = (
    "本工作簿用于导出和批量导入便民服务事项目录。除本说明外，各工作表的名称和第一行的列标题不得修改，"
    "也不得删除工作表或列；列的顺序可以调整，空行会被忽略。",
    "导入时先检查全部内容：只要有一处错误，系统不作任何修改，并逐条列出错误所在的工作表、行号、列和原因。",
    "导入不会直接公开：已有事项生成新的草稿（替换原有草稿），新事项创建为草稿，经审核发布后才对群众公开。",
    "每个事项在“事项”工作表占一行；其余工作表每行一条，用“事项编码”指明所属事项，按表中先后顺序排列。"
    "导入时以文件为准整体替换事项的这些内容：文件中没有的行，草稿中也不再有。",
    "部门负责人只能导入本部门的事项；中心管理员可以导入所有部门的事项。",
    "是/否栏填写“是”或“否”；多个编码或层级用逗号分隔；选项栏可以填写下拉列表中的名称，也可以填写其代码。",
)
CONTENT_RULES = (
    "承诺时限不得超过法定时限；除即办件外，法定时限不得为 0。",
    "办理流程各环节时限之和不得超过承诺时限；每个事项至少填写一条法律依据和一个办理环节。",
    "收费事项（是否收费为“是”）须在“收费”工作表列出每项收费及其依据，并填写金额或计算方式；"
    "不收费的事项不得列出收费项目。",
    "联办件须填写至少一个联办部门编码，且不能包含主管部门；非联办件不得填写联办部门，"
    "“联办部门逾期视为同意”也只能选“否”。",
    "上报件的决定层级须高于受理层级中的最低一级；其他事项的决定层级须同时是受理层级之一。",
    "受理层级含村级时，“村级可代收代办”须为“否”。",
    "到现场次数最多 5 次。",
    "同一事项的申请材料名称不得重复；非必需材料须填写“需要提供的情形”。",
)
EXAMPLE_CODE = "新1"
EXAMPLE_CONTENT = ItemContent(
    name="农村村民宅基地审批",
    summary="农村村民申请使用宅基地新建、改建、扩建住宅。",
    kind=ItemKind.LICENSING,
    case_type=CaseType.ESCALATED,
    accepting_levels=[SiteLevel.TOWN, SiteLevel.VILLAGE],
    deciding_level=SiteLevel.COUNTY,
    conditions="本集体经济组织成员，一户只能拥有一处宅基地。",
    statutory_days=20,
    promised_days=15,
    result_name="农村宅基地批准书",
    result_validity="长期",
    place="镇便民服务厅国土规划窗口",
    responsible_organisation="县自然资源和规划局",
    consultation_phone="0714-7321111",
    complaint_phone="0714-7321234",
    keywords="建房 宅基地 农房",
    legal_bases=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "excerpt": ""}],
    materials=[
        {
            "name": "申请人身份证",
            "form": MaterialRequirement.Form.COPY,
            "copies": 1,
            "is_required": True,
            "condition": "",
            "notes": "",
        }
    ],
    steps=[
        {"name": "受理", "role": Role.CLERK, "days": 1, "description": ""},
        {"name": "审批", "role": Role.DEPARTMENT_HEAD, "days": 14, "description": ""},
    ],
    fees=[],
    special_procedures=[{"kind": SpecialProcedure.Kind.PUBLIC_NOTICE, "typical_days": 5, "description": "村内公示"}],
    faqs=[{"question": "一户可以有几处宅基地？", "answer": "一户只能拥有一处宅基地。"}],
)


def _column_note(column: Column) -> str:
    notes = [column.note] if column.note else []
    if column.labels:
        notes.append("可选：" + "、".join(column.labels.values()) + "。")
    if column.kind == BOOLEAN:
        notes.append(f"填写“是”或“否”，留空为“{YES if column.default else NO}”。")
    if column.kind == INTEGER:
        notes.append("填写整数。")
    if column.max_length:
        notes.append(f"最多 {column.max_length} 字。")
    return "".join(notes)


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
            _append(worksheet, [sheet.title, column.header, YES if column.required else "", _column_note(column)])
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


# --- Reading cells -------------------------------------------------------------------------------------


class _CellProblem(Exception):
    """A cell that cannot be read; the message is the reason shown to the person uploading."""


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _integer(value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        number = int(value.strip())
    if number is None:
        raise _CellProblem(_("Enter a whole number, for example 20."))
    if not 0 <= number <= MAX_SMALL_INTEGER:
        raise _CellProblem(_("Enter a whole number from 0 to %(max)d.") % {"max": MAX_SMALL_INTEGER})
    return number


BOOLEAN_WORDS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "√", "✓"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0", "×", "✗"), False),
}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _normalised(_text(value))
    if word not in BOOLEAN_WORDS:
        raise _CellProblem(_("Enter 是 (yes) or 否 (no)."))
    return BOOLEAN_WORDS[word]


@functools.cache
def _choice_lookup(column: Column, language: str | None) -> dict[str, str]:
    """Every accepted spelling of each choice: its code, the workbook's label, the translated labels."""
    lookup = {}
    for value, fixed in (column.labels or {}).items():
        label = getattr(value, "label", value)
        names = {str(value), fixed, str(label)}
        for other in ("en", "zh-hans"):
            with translation.override(other):
                names.add(str(label))
        lookup.update(dict.fromkeys((_normalised(name) for name in names), str(value)))
    return lookup


def _allowed(column: Column) -> str:
    return "、".join((column.labels or {}).values())


def _choice(column: Column, value: Any) -> str:
    found = _choice_lookup(column, translation.get_language()).get(_normalised(_text(value)))
    if found is None:
        raise _CellProblem(
            _("“%(value)s” is not one of the allowed values: %(allowed)s.")
            % {"value": _text(value), "allowed": _allowed(column)}
        )
    return found


def _levels(column: Column, value: Any) -> list[str]:
    lookup = _choice_lookup(column, translation.get_language())
    words = [word for word in LIST_SEPARATORS.split(_text(value)) if word]
    unknown = [word for word in words if _normalised(word) not in lookup]
    if unknown:
        raise _CellProblem(
            _("“%(value)s” is not a level; use %(allowed)s, separated by commas.")
            % {"value": "、".join(unknown), "allowed": _allowed(column)}
        )
    return [lookup[_normalised(word)] for word in words]


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(_text(value).removesuffix("元").strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise _CellProblem(_("Enter the amount in yuan as a number, for example 12.50."))
    if abs(amount) > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise _CellProblem(_("Enter the amount in yuan with at most two decimal places and below 100 million."))
    return amount.quantize(Decimal("0.01"))


def _text_cell(column: Column, value: Any) -> str:
    text = _text(value)
    if column.max_length and len(text) > column.max_length:
        raise _CellProblem(
            _("Enter at most %(max)d characters; this cell has %(length)d.")
            % {"max": column.max_length, "length": len(text)}
        )
    return text


_CELL_READERS: dict[str, Callable[[Column, Any], Any]] = {
    TEXT: _text_cell,
    INTEGER: lambda _column, value: _integer(value),
    BOOLEAN: lambda _column, value: _boolean(value),
    CHOICE: _choice,
    LEVELS: _levels,
    CODES: lambda _column, value: [word for word in LIST_SEPARATORS.split(_text(value)) if word],
    AMOUNT: lambda _column, value: _amount(value),
}


def _read_cell(column: Column, value: Any) -> Any:
    """The stored value of one cell; raises _CellProblem with the reason when it cannot be read."""
    if _is_blank(value):
        if column.required and column.kind != TEXT:
            raise _CellProblem(_("“%(column)s” must be filled in.") % {"column": column.header})
        return column.default
    return _CELL_READERS[column.kind](column, value)


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
        if _is_blank(cell):
            continue
        name = _normalised(_text(cell))
        key = next((key for key, names in aliases.items() if name in names), None)
        if key is None:
            problems.append(CellError(sheet.title, 1, _text(cell), _("This sheet has no such column.")))
        elif key in positions:
            problems.append(CellError(sheet.title, 1, _text(cell), _("This column appears twice.")))
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
        if all(_is_blank(cell) for cell in cells):
            continue
        row = _Row(number, {}, set())
        for column in sheet.columns:
            index = positions[column.key]
            raw = cells[index] if index < len(cells) else None
            try:
                row.values[column.key] = _read_cell(column, raw)
            except _CellProblem as problem:
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
        return ParsedCatalog([], _sorted(reader.errors))
    drafts = reader.items(rows[ITEMS])
    for sheet in PART_SHEETS:
        reader.attach(sheet, rows.get(sheet, []), drafts)
    known = {(error.sheet, error.row, error.column) for error in reader.errors}
    items = [reader.check(draft, known) for draft in drafts.values()]
    if not rows[ITEMS]:
        reader.errors.append(CellError(ITEMS.title, None, "", _("The workbook lists no items.")))
    return ParsedCatalog(items, _sorted(reader.errors))


# --- Importing -----------------------------------------------------------------------------------------


class JobProgress:
    """Saves a job's progress for the upload page: at most every ``every_rows`` rows or ``every_seconds``."""

    def __init__(self, job: CatalogImport, *, every_rows: int = 100, every_seconds: float = 0.5):
        self.job = job
        self.every_rows = every_rows
        self.every_seconds = every_seconds
        self.saved_rows = -every_rows
        self.saved_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        is_due = done - self.saved_rows >= self.every_rows or now - self.saved_at >= self.every_seconds
        if is_due or done == total:
            self.job.processed_rows, self.job.total_rows = done, total
            self.job.save(update_fields=["processed_rows", "total_rows"])
            self.saved_rows, self.saved_at = done, now


def _permission_errors(actor: User | None, items: list[ParsedItem]) -> list[CellError]:
    existing = ServiceItem.objects.filter(code__in={item.code for item in items if item.code})
    owners = {item.code: item.department for item in existing.select_related("department")}
    departments = {d.code: d for d in Department.objects.filter(code__in={item.department_code for item in items})}
    errors = []
    for item in items:
        department = owners.get(item.code) or departments.get(item.department_code)
        if department is not None and not can_edit_catalog(actor, department):
            reason = _("You may not change the items of %(department)s: only a centre administrator or its head may.")
            errors.append(
                CellError(
                    ITEMS.title, item.row, ITEMS.header_of("department_code"), reason % {"department": department}
                )
            )
    return errors


def catalog_import(*, actor: User | None, data: bytes, job: CatalogImport | None = None) -> ImportResult:
    """Import a catalogue workbook as drafts, all or nothing; raises CatalogImportError listing every problem.

    An existing code gets a new draft (draft_replace), any other row a new item (item_create); nothing is
    published. Given ``job``, the checking progress is saved on it for the upload page.
    """
    parsed = parse_catalog(data, progress=JobProgress(job) if job is not None else None)
    errors = _sorted([*parsed.errors, *_permission_errors(actor, parsed.items)])
    if errors:
        raise CatalogImportError(errors)
    created = updated = 0
    current: ParsedItem | None = None
    try:
        with transaction.atomic():
            existing = ServiceItem.objects.filter(code__in=[item.code for item in parsed.items if item.code])
            items_by_code = {item.code: item for item in existing}
            codes = {item.department_code for item in parsed.items}
            departments = {department.code: department for department in Department.objects.filter(code__in=codes)}
            for current in parsed.items:
                if current.code in items_by_code:
                    draft_replace(actor=actor, item=items_by_code[current.code], content=current.content)
                    updated += 1
                else:
                    department = departments[current.department_code]
                    item_create(actor=actor, department=department, content=current.content, code=current.code)
                    created += 1
            if job is not None:
                payload = {"file": job.filename, "created": created, "updated": updated}
                audit_record(actor=actor, action="catalog.import", obj=job, payload=payload)
    except ContentInvalid as invalid:
        # The catalogue changed between the check and the write (a co-department was deactivated, say).
        assert current is not None
        raise CatalogImportError(_sorted(locate(error, current) for error in invalid.errors)) from invalid
    except DomainError as refused:
        row = current.row if current is not None else None
        raise CatalogImportError([CellError(ITEMS.title, row, "", str(refused.message))]) from refused
    return ImportResult(created=created, updated=updated)
