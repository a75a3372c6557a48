"""What the instructions sheet says: fixed Chinese text, part of the file format like the headers, and a filled
example."""

from __future__ import annotations

from bianmin.org.models import Role, SiteLevel

from ..content import ItemContent
from ..models import CaseType, ItemKind, MaterialRequirement, SpecialProcedure, StepTier
from .sheets import BOOLEAN, INTEGER, NO, YES, Column

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
        {"name": "受理", "role": Role.CLERK, "tier": StepTier.RECEIVING, "days": 1, "description": ""},
        {"name": "审批", "role": Role.DEPARTMENT_HEAD, "tier": StepTier.RECEIVING, "days": 14, "description": ""},
    ],
    fees=[],
    special_procedures=[{"kind": SpecialProcedure.Kind.PUBLIC_NOTICE, "typical_days": 5, "description": "村内公示"}],
    faqs=[{"question": "一户可以有几处宅基地？", "answer": "一户只能拥有一处宅基地。"}],
)


def column_note(column: Column) -> str:
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
