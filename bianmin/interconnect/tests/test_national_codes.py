"""The mapping tables from our states to the national codes (DOMAIN §9), both ways and pair by pair."""

from __future__ import annotations

import pytest

from bianmin.cases.models import ReviewTask, Status
from bianmin.catalog.models import SpecialProcedure
from bianmin.interconnect import national_codes as codes
from bianmin.supervision.models import Level, RuleMode
from bianmin.supervision.rules import RULES


def test_every_state_of_ours_has_a_code():
    assert set(codes.CASE_STATUS_CODES) == set(Status.values)
    assert set(codes.REVIEW_OUTCOME_RESULTS) == set(ReviewTask.Outcome.values)
    assert set(codes.ALERT_TYPE_CODES) == set(Level.values)
    assert set(codes.RULE_CATEGORIES) == set(RULES)
    assert set(codes.CHECK_METHOD_CODES) == set(RuleMode.values)
    assert set(codes.SPECIAL_PROCEDURE_NAMES) == set(SpecialProcedure.Kind.values)


@pytest.mark.parametrize("table", sorted(codes.TABLES))
def test_every_code_we_emit_has_a_meaning(table):
    ours, names = codes.TABLES[table]
    assert set(ours.values()) <= set(names), table


def test_every_step_has_a_type_and_result_with_a_meaning():
    for action, (step_type, result) in codes.STEP_OF_ACTION.items():
        assert step_type in codes.STEP_TYPE_NAMES, action
        assert result is None or result in codes.STEP_RESULT_NAMES, action
    assert not set(codes.STEP_OF_ACTION) & codes.NOT_A_STEP
    assert set(codes.STEP_NAMES) == set(codes.STEP_OF_ACTION) - {"case.complete_task"}
    assert codes.SINGLE_STEP_TYPE in codes.STEP_TYPE_NAMES
    assert codes.ALERT_CLEARED in codes.ALERT_TYPE_NAMES
    assert codes.SPECIAL_STEP_NAMES[codes.EXTENSION_SPECIAL_STEP] == "延长审批"
    assert codes.LIMIT_UNIT_NAMES[codes.WORKING_DAYS_UNIT] == "工作日"


def test_the_national_code_lists_are_those_of_the_platforms():
    assert list(codes.CASE_STATUS_NAMES.items()) == [
        ("01", "草稿"), ("02", "收件"), ("03", "预受理"), ("04", "预受理退回"), ("05", "受理"), ("06", "补齐补正"),
        ("07", "不予受理"), ("08", "在办"), ("09", "挂起"), ("10", "办结"), ("11", "转报办结"), ("12", "作废办结"),
        ("13", "退件"), ("99", "其他"),
    ]  # fmt: skip
    assert codes.STEP_TYPE_NAMES == {"1": "开始", "2": "中间", "3": "结束", "4": "单步"}
    assert codes.STEP_RESULT_NAMES == {
        "0": "不同意", "1": "同意", "2": "不受理", "3": "不予受理", "4": "受理", "5": "补齐补正", "6": "特别程序",
        "7": "退回",
    }  # fmt: skip
    assert codes.RESULT_TYPE_NAMES == {"10": "证照", "20": "批文", "30": "其他", "99": "无"}
    assert codes.ALERT_TYPE_NAMES == {"0": "正常", "1": "预警", "2": "黄牌", "5": "红牌", "6": "严重违规"}
    assert codes.RULE_CATEGORY_NAMES == {"01": "时效", "02": "流程", "03": "内容", "04": "收费", "05": "廉政风险点"}
    assert codes.CHECK_METHOD_NAMES == {"0": "停用", "1": "自动", "2": "手工"}


def test_the_exact_pairs():
    assert {status: codes.CASE_STATUS_CODES[status] for status in Status.values} == {
        "draft": "01", "received": "02", "supplement_requested": "06", "accepted": "08", "suspended": "09",
        "approved": "10", "denied": "10", "refused": "07", "withdrawn": "12", "closed": "10",
    }  # fmt: skip
    assert codes.case_status_code("accepted", "case.accept") == "05"
    assert codes.case_status_code("accepted", "case.accept_deemed") == "05"
    assert codes.case_status_code("accepted", "case.complete_task") == "08"
    assert codes.case_status_code("unknown") == "99"
    assert codes.ALERT_TYPE_CODES == {"warning": "1", "yellow": "2", "red": "5", "serious": "6"}
    assert codes.CHECK_METHOD_CODES == {"off": "0", "automatic": "1", "manual": "2"}
    assert codes.STEP_OF_ACTION["case.accept"] == ("1", "4")
    assert codes.STEP_OF_ACTION["case.refuse"] == ("3", "3")
    assert codes.STEP_OF_ACTION["case.request_supplement"] == ("2", "5")
    assert codes.STEP_OF_ACTION["case.suspend"] == ("2", "6")
    assert codes.STEP_OF_ACTION["case.withdraw"] == ("3", "7")
    assert codes.STEP_OF_ACTION["case.deliver"] == ("3", "1")
    assert codes.REVIEW_OUTCOME_RESULTS == {"agree": "1", "disagree": "0", "consent_by_silence": "1"}
    assert [codes.result_type_code(ended_as=s, has_certificate=c) for s, c in [
        ("approved", True), ("approved", False), ("denied", False), ("denied", True), ("refused", False),
        ("withdrawn", False),
    ]] == ["10", "20", "30", "30", "99", "99"]  # fmt: skip
    assert codes.RULE_CATEGORIES["fee_off_standard"] == "04"
    assert codes.RULE_CATEGORIES["refusal_without_reasons"] == "03"
    assert codes.RULE_CATEGORIES["case_overdue_statutory"] == "01"
    assert codes.RULE_CATEGORIES["duplicate_override"] == "02"


def test_every_move_the_case_services_audit_is_a_step_or_named_as_none():
    """A new move of a case must be placed in the tables: read the actions the services write."""
    import re
    from pathlib import Path

    import bianmin.cases.services as services
    import bianmin.licences.services as licences

    source = "".join(p.read_text() for p in Path(services.__file__).parent.glob("*.py"))
    found = {f"case.{name}" for name in re.findall(r'_audit\(\s*\w+,\s*"([a-z_]+)"', source)}
    found |= {f"case.{name}" for name in re.findall(r'"([a-z_]+)" if \w+ else "([a-z_]+)"', source) for name in name}
    found |= set(re.findall(r'action="(case\.[a-z_]+)"', Path(licences.__file__).read_text()))
    assert len(found) >= 20
    assert found <= set(codes.STEP_OF_ACTION) | codes.NOT_A_STEP, found - set(codes.STEP_OF_ACTION) - codes.NOT_A_STEP
