"""Our states → the codes the upper-level platforms use (provincial 办件/电子监察 interfaces; docs/DOMAIN §9), in one
module, as explicit tables. Every table's right-hand side is a key of the matching ``*_NAMES`` table, which says
what each code means; the tests check both directions and the exact pairs.

Where §9 has a code we never emit (03 预受理, 04 预受理退回, 11 转报办结, step result 2 不受理, rule category 05
廉政风险点) it is still named here, so a code read back from the receiver always has a meaning.
"""

from __future__ import annotations

from bianmin.cases.models import ReviewTask, Status
from bianmin.catalog.models import SpecialProcedure
from bianmin.supervision.models import Level, RuleMode

# --- Case status (办件状态) ------------------------------------------------------------------------------------

CASE_STATUS_NAMES: dict[str, str] = {
    "01": "草稿",
    "02": "收件",
    "03": "预受理",
    "04": "预受理退回",
    "05": "受理",
    "06": "补齐补正",
    "07": "不予受理",
    "08": "在办",
    "09": "挂起",
    "10": "办结",
    "11": "转报办结",
    "12": "作废办结",
    "13": "退件",
    "99": "其他",
}

# A case's status after a move. Accepted cases are 在办 (08); the acceptance itself is reported as 受理 (05) by
# ``STATUS_AT_ACTION``. A decided case (approved or denied) is 办结: the platform's "processing finished", whether the
# result is handed over yet or not. The applicant's withdrawal voids the case: 作废办结.
CASE_STATUS_CODES: dict[str, str] = {
    Status.DRAFT: "01",
    Status.RECEIVED: "02",
    Status.SUPPLEMENT_REQUESTED: "06",
    Status.ACCEPTED: "08",
    Status.SUSPENDED: "09",
    Status.APPROVED: "10",
    Status.DENIED: "10",
    Status.REFUSED: "07",
    Status.WITHDRAWN: "12",
    Status.CLOSED: "10",
}

# Moves whose reported status is the move itself rather than the state it leaves.
STATUS_AT_ACTION: dict[str, str] = {"case.accept": "05", "case.accept_deemed": "05"}


def case_status_code(status: str, action: str = "") -> str:
    """The national status of a case left in ``status`` by ``action``; 99 (其他) for a status not in the table."""
    return STATUS_AT_ACTION.get(action) or CASE_STATUS_CODES.get(status, "99")


# --- Steps (环节) ------------------------------------------------------------------------------------------------

STEP_TYPE_NAMES: dict[str, str] = {"1": "开始", "2": "中间", "3": "结束", "4": "单步"}
STEP_RESULT_NAMES: dict[str, str] = {
    "0": "不同意",
    "1": "同意",
    "2": "不受理",
    "3": "不予受理",
    "4": "受理",
    "5": "补齐补正",
    "6": "特别程序",
    "7": "退回",
}
# Every audited move of a case that is a step upward: (step type, step result). ``None`` as the result: the step's
# own outcome decides (a review step's agree/disagree, ``REVIEW_OUTCOME_RESULTS``).
STEP_OF_ACTION: dict[str, tuple[str, str | None]] = {
    "case.accept": ("1", "4"),
    "case.accept_deemed": ("1", "4"),
    "case.request_supplement": ("2", "5"),
    "case.receive_supplement": ("2", "5"),
    "case.waive_material": ("2", "1"),
    "case.complete_task": ("2", None),
    "case.consent_by_silence": ("2", "1"),
    "case.forward": ("2", "1"),
    "case.suspend": ("2", "6"),
    "case.resume": ("2", "6"),
    "case.decide_extension": ("2", "6"),
    "case.approve": ("2", "1"),
    "case.deny": ("2", "0"),
    "case.issue_certificate": ("2", "1"),
    "case.collect_fee": ("2", "1"),
    "case.mark_ready": ("2", "1"),
    "case.receive_result": ("2", "1"),
    "case.refuse": ("3", "3"),
    "case.withdraw": ("3", "7"),
    "case.deliver": ("3", "1"),
}
# The step's name upward where the move is not one of the item's review steps (those go by their own name).
STEP_NAMES: dict[str, str] = {
    "case.accept": "受理",
    "case.accept_deemed": "视为受理",
    "case.request_supplement": "一次性告知补正",
    "case.receive_supplement": "补齐补正材料",
    "case.waive_material": "材料免于提交",
    "case.consent_by_silence": "逾期视为同意",
    "case.forward": "转报上级",
    "case.suspend": "特别程序开始",
    "case.resume": "特别程序结束",
    "case.decide_extension": "延长审批",
    "case.approve": "准予许可",
    "case.deny": "不予许可",
    "case.issue_certificate": "制证",
    "case.collect_fee": "收费",
    "case.mark_ready": "结果待领取",
    "case.receive_result": "结果送达窗口",
    "case.refuse": "不予受理",
    "case.withdraw": "撤回申请",
    "case.deliver": "送达办结",
}
# Moves that are not steps: the receipt is the basic information (``case.submit``); the rest change nothing the
# platform tracks (a link to a duplicate, an extension still only requested, a signature recorded after delivery, a
# calendar correction of the deadlines, the scan of a material already recorded).
NOT_A_STEP: frozenset[str] = frozenset(
    {
        "case.submit",
        "case.link_application",
        "case.request_extension",
        "case.record_signature",
        "case.recompute_deadlines",
        "case.attach_scan",
    }
)
REVIEW_OUTCOME_RESULTS: dict[str, str] = {
    ReviewTask.Outcome.AGREE: "1",
    ReviewTask.Outcome.DISAGREE: "0",
    ReviewTask.Outcome.CONSENT_BY_SILENCE: "1",
}
# An immediate case decided at the window in one go is a single step (4): its decision is reported so.
SINGLE_STEP_TYPE = "4"

# --- Special steps and procedures (特别程序) ---------------------------------------------------------------------

SPECIAL_STEP_NAMES: dict[str, str] = {"1": "延长审批"}
EXTENSION_SPECIAL_STEP = "1"
# The special procedures (ALL art. 45) as the platforms name them; our kind is sent with its name.
SPECIAL_PROCEDURE_NAMES: dict[str, str] = {
    SpecialProcedure.Kind.HEARING: "听证",
    SpecialProcedure.Kind.INSPECTION: "现场勘查",
    SpecialProcedure.Kind.TESTING: "检验检测检疫",
    SpecialProcedure.Kind.APPRAISAL: "鉴定",
    SpecialProcedure.Kind.EXPERT_REVIEW: "专家评审",
    SpecialProcedure.Kind.PUBLIC_NOTICE: "公示",
    SpecialProcedure.Kind.TENDER: "招标拍卖",
}

# --- Result (办理结果) -------------------------------------------------------------------------------------------

RESULT_TYPE_NAMES: dict[str, str] = {"10": "证照", "20": "批文", "30": "其他", "99": "无"}


# What the applicant received, by how the case ended and whether a licence was issued: a licence (10); an approval
# without one is a written decision (20); a denial is a written decision but no approval (30); a refusal or a
# withdrawal ends without a result (99).
RESULT_TYPES: dict[tuple[str, bool], str] = {
    (Status.APPROVED, True): "10",
    (Status.APPROVED, False): "20",
    (Status.DENIED, False): "30",
    (Status.REFUSED, False): "99",
    (Status.WITHDRAWN, False): "99",
}


def result_type_code(*, ended_as: str, has_certificate: bool) -> str:
    return RESULT_TYPES.get((ended_as, has_certificate and ended_as == Status.APPROVED), "99")


# --- Limits (时限) -----------------------------------------------------------------------------------------------

# Every limit of ours is in working days; the provincial interfaces write the unit as G (工作日) or Z (自然日).
LIMIT_UNIT_NAMES: dict[str, str] = {"G": "工作日", "Z": "自然日"}
WORKING_DAYS_UNIT = "G"

# --- Supervision (电子监察) --------------------------------------------------------------------------------------

ALERT_TYPE_NAMES: dict[str, str] = {"0": "正常", "1": "预警", "2": "黄牌", "5": "红牌", "6": "严重违规"}
ALERT_TYPE_CODES: dict[str, str] = {
    Level.WARNING: "1",
    Level.YELLOW: "2",
    Level.RED: "5",
    Level.SERIOUS: "6",
}
# A closed or dismissed alert: the cause is gone (or was never there), the case is back to 正常.
ALERT_CLEARED = "0"

RULE_CATEGORY_NAMES: dict[str, str] = {"01": "时效", "02": "流程", "03": "内容", "04": "收费", "05": "廉政风险点"}
# Every rule of supervision.rules.RULES in its category: a deadline missed is 时效; a required step skipped or
# repeated is 流程; a notice without its content is 内容; a fee off the standard is 收费.
RULE_CATEGORIES: dict[str, str] = {
    "case_overdue_promised": "01",
    "case_overdue_statutory": "01",
    "step_overdue": "01",
    "late_acceptance": "01",
    "forwarded_late": "01",
    "order_overdue": "01",
    "bad_review_not_rectified": "01",
    "complaint_overdue": "01",
    "repeated_supplement": "02",
    "decision_without_acceptance": "02",
    "duplicate_override": "02",
    "duty_missing": "02",
    "step_role_unheld": "02",
    "refusal_without_reasons": "03",
    "fee_off_standard": "04",
}

CHECK_METHOD_NAMES: dict[str, str] = {"0": "停用", "1": "自动", "2": "手工"}
CHECK_METHOD_CODES: dict[str, str] = {RuleMode.OFF: "0", RuleMode.AUTOMATIC: "1", RuleMode.MANUAL: "2"}

# Every table of ours with the names its codes are read back by.
TABLES: dict[str, tuple[dict, dict[str, str]]] = {
    "case_status": (CASE_STATUS_CODES, CASE_STATUS_NAMES),
    "status_at_action": (STATUS_AT_ACTION, CASE_STATUS_NAMES),
    "review_outcome": (REVIEW_OUTCOME_RESULTS, STEP_RESULT_NAMES),
    "result_type": (RESULT_TYPES, RESULT_TYPE_NAMES),
    "alert_type": (ALERT_TYPE_CODES, ALERT_TYPE_NAMES),
    "rule_category": (RULE_CATEGORIES, RULE_CATEGORY_NAMES),
    "check_method": (CHECK_METHOD_CODES, CHECK_METHOD_NAMES),
}
