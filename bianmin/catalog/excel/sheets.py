"""The workbook's layout: its sheets, their columns and the fixed labels of stored choices.

The workbook is a Chinese-language file format. Its sheet names, column headers, instructions and choice
labels are fixed text defined here rather than the translated verbose names: a file exported today must
still import after the translation catalogue changes. On import a header is also recognised by the field's
name and verbose name (English or Chinese), and a choice by its code or its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation

from bianmin.core.spreadsheets import SpreadsheetLimits
from bianmin.org.models import Role, SiteLevel

from ..content import PART_MODELS
from ..models import (
    CaseType,
    ItemKind,
    MaterialRequirement,
    ServiceItem,
    ServiceItemVersion,
    SpecialProcedure,
    StepTier,
)

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
TIER_LABELS = {StepTier.RECEIVING: "受理地", StepTier.TOWN: "镇级", StepTier.COUNTY: "县级"}
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
        return {normalised(name) for name in names}


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
        (
            "tier",
            "办理层级",
            {"labels": TIER_LABELS, "note": "在受理地、其所在镇或县办理，由该处担任此角色的人员办理；留空为受理地。"},
        ),
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


def normalised(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).replace("(", "（").replace(")", "）").casefold()
