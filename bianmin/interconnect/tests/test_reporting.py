"""The upward report's messages, built from the audit chain of real cases taken through their life."""

from __future__ import annotations

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.core.testing import at, delivered, received, suspended, user
from bianmin.interconnect.models import UPWARD, CollectorCursor, Delivery
from bianmin.interconnect.reporting import alerts_collect, report_collect
from bianmin.interconnect.schemas import message_json_schema, message_validate
from bianmin.supervision.models import Alert
from bianmin.supervision.sweep import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def upward(settings):
    settings.INTERCONNECT_UPWARD_URL = "http://127.0.0.1:9"
    settings.INTERCONNECT_DEPLOYMENT = "yangxin"


def reported(case: Case) -> list[tuple]:
    return [
        (d.message_type, d.code, d.body.get("step_type"), d.body.get("step_result"), d.body.get("step_name"))
        for d in Delivery.objects.filter(destination=UPWARD, body__case__case_id=case.pk).order_by("pk")
    ]


def test_a_case_from_receipt_to_delivery_is_reported_step_by_step_in_the_national_codes(county, upward):
    case = delivered("SJ-0004", "YX", now=at(2026, 3, 3))

    assert report_collect() == 9

    assert reported(case) == [
        ("case_basic", "02", None, None, None),
        ("case_step", "05", "1", "4", "受理"),
        ("case_step", "08", "2", "1", "材料审查"),
        ("case_step", "08", "2", "1", "现场核查"),
        ("case_step", "10", "2", "1", "准予许可"),
        ("case_step", "10", "2", "1", "制证"),
        ("case_step", "10", "2", "1", "结果待领取"),
        ("case_step", "10", "3", "1", "送达办结"),
        ("case_result", "10", None, None, None),
    ]
    basic = Delivery.objects.get(message_type="case_basic").body
    assert {key: basic[key] for key in basic if key not in ("materials", "occurred_at", "received_at")} == {
        "message_id": basic["message_id"],
        "message_type": "case_basic",
        "deployment": "yangxin",
        "day": "2026-03-03",
        "code": "02",
        "case": {
            "case_id": case.pk,
            "tracking_number": case.tracking_number,
            "item_code": "SJ-0004",
            "department_code": "SJ",
            "site_code": "YX",
        },
        "item_name": "食品经营许可",
        "applicant_name": "张三",
        "applicant_id_type": "resident_id",
        "applicant_id_number": case.applicant_id_number,
        "channel": "window",
        "promised_limit": 5,
        "statutory_limit": 10,
        "limit_unit": "G",
        "is_bundle": False,
    }
    assert basic["occurred_at"] == "2026-03-03T10:00:00+08:00"
    assert len(basic["materials"]) == 6 and basic["materials"][0]["state"] == "provided"
    result = Delivery.objects.get(message_type="case_result").body
    assert (result["result_type"], result["result_name"], result["certificate_number"]) == (
        "10",
        case.version.result_name,
        case.certificate_number,
    )
    first_event = basic["message_id"].split("-")[2]
    assert basic["message_id"] == f"yangxin-{case.pk}-{first_event}-basic"
    for delivery in Delivery.objects.all():
        message_validate(delivery.body)  # every message fits its schema


def test_collecting_again_or_from_the_start_writes_nothing_twice(county, upward):
    delivered("SJ-0004", "YX", now=at(2026, 3, 3))
    report_collect()
    before = list(Delivery.objects.order_by("pk").values_list("message_id", flat=True))

    assert report_collect() == 0
    CollectorCursor.objects.filter(name="upward_cases").update(last_sequence=0)
    assert report_collect() == 0

    assert list(Delivery.objects.order_by("pk").values_list("message_id", flat=True)) == before


def test_a_refused_and_a_withdrawn_case_end_without_a_result(county, upward):
    refused = received("SJ-0004", "YX", now=at(2026, 3, 3))
    services.case_refuse(actor=user("admin"), case=refused, reasons="不属于本机关职权范围", now=at(2026, 3, 3, 11))
    withdrawn = received("SJ-0003", "YX", now=at(2026, 3, 3))
    services.case_withdraw(actor=user("admin"), case=withdrawn, reason="申请人撤回", now=at(2026, 3, 4))

    report_collect()

    assert reported(refused) == [
        ("case_basic", "02", None, None, None),
        ("case_step", "07", "3", "3", "不予受理"),
        ("case_result", "07", None, None, None),
    ]
    assert reported(withdrawn)[1:] == [
        ("case_step", "12", "3", "7", "撤回申请"),
        ("case_result", "12", None, None, None),
    ]
    results = Delivery.objects.filter(message_type="case_result").order_by("pk")
    assert [(d.body["result_type"], d.day.isoformat()) for d in results] == [("99", "2026-03-03"), ("99", "2026-03-04")]


def test_a_special_procedure_and_an_extension_are_special_steps(county, upward):
    case = suspended("SJ-0004", "YX", kind="expert_review", reason="专家评审", expected_days=3, now=at(2026, 3, 3))
    services.case_resume(actor=user("admin"), case=case, now=at(2026, 3, 6))
    extension = services.case_request_extension(
        actor=user("admin"), case=case, days=5, reason="情况复杂", now=at(2026, 3, 6, 11)
    )
    services.case_decide_extension(actor=user("admin"), extension=extension, approve=True, now=at(2026, 3, 6, 12))

    report_collect()

    specials = Delivery.objects.filter(message_type="case_special").order_by("pk")
    assert [
        (d.code, d.body["special_step"], d.body["procedure"], d.body["procedure_name"], d.body["phase"], d.body["days"])
        for d in specials
    ] == [
        ("09", None, "expert_review", "专家评审", "start", 3),
        ("08", None, "", "", "end", 3),
        ("08", "1", "extension", "延长审批", "start", 5),
    ]
    assert [row[:4] for row in reported(case) if row[0] == "case_step"][1:] == [
        ("case_step", "09", "2", "6"),
        ("case_step", "08", "2", "6"),
        ("case_step", "08", "2", "6"),
    ]


def test_nothing_is_read_while_no_upper_platform_is_configured(county, settings):
    settings.INTERCONNECT_UPWARD_URL = ""
    delivered("SJ-0004", "YX", now=at(2026, 3, 3))

    assert (report_collect(), alerts_collect()) == (0, 0)
    assert not Delivery.objects.exists() and not CollectorCursor.objects.exists()


def test_alerts_are_reported_with_their_type_rule_category_and_check_method_raised_and_closed(county, upward):
    from bianmin.core.testing import overdue

    case = overdue()
    sweep(now=at(2026, 3, 12))
    raised = {alert.rule: alert for alert in Alert.objects.filter(case=case)}
    assert set(raised) == {"case_overdue_promised", "step_overdue"}

    assert alerts_collect(now=at(2026, 3, 12, 11)) == Alert.objects.count() == 8  # the county's others too
    bodies = {
        d.body["rule"]: d.body
        for d in Delivery.objects.filter(message_type="supervision_alert", body__tracking_number=case.tracking_number)
    }
    promised = bodies["case_overdue_promised"]
    assert {k: promised[k] for k in ("code", "rule_category", "check_method", "phase", "tracking_number")} == {
        "code": "2",
        "rule_category": "01",
        "check_method": "1",
        "phase": "raised",
        "tracking_number": case.tracking_number,
    }
    assert promised["message_id"] == f"yangxin-alert-{raised['case_overdue_promised'].pk}-raised"
    assert bodies["step_overdue"]["code"] == "1"

    # The case is decided: the sweep closes both; reported as 正常 once the closing has settled.
    Alert.objects.filter(case=case).update(state=Alert.State.CLOSED, closed_at=at(2026, 3, 13, 9))
    assert alerts_collect(now=at(2026, 3, 13, 10)) == 2
    assert alerts_collect(now=at(2026, 3, 13, 11)) == 0
    closed = Delivery.objects.filter(message_type="supervision_alert", body__phase="closed")
    assert sorted(d.code for d in closed) == ["0", "0"]
    for delivery in Delivery.objects.all():
        message_validate(delivery.body)


def test_a_message_that_does_not_fit_its_schema_is_refused():
    body = {"message_type": "case_result", "message_id": "x", "deployment": "d", "occurred_at": "2026-03-03T10:00:00"}
    with pytest.raises(ValueError):
        message_validate(body)
    with pytest.raises(ValueError):
        message_validate({"message_type": "nothing"})
    schema = message_json_schema("case_step")
    assert schema["properties"]["step_result"]["enum"] == ["0", "1", "2", "3", "4", "5", "6", "7"]
    assert schema["additionalProperties"] is False


def test_an_immediate_case_is_decided_in_a_single_step(county, upward):
    from bianmin.core.testing import CLERK_OF, intake

    case = services.case_handle_immediately(
        actor=user(CLERK_OF["BS"]), intake=intake("SJ-0001", "BS"), now=at(2026, 3, 2)
    )

    report_collect()

    assert reported(case) == [
        ("case_basic", "02", None, None, None),
        ("case_step", "05", "1", "4", "受理"),
        ("case_step", "10", "4", "1", "准予许可"),  # decided on the spot: 单步
        ("case_step", "10", "2", "1", "制证"),
        ("case_step", "10", "3", "1", "送达办结"),
        ("case_result", "10", None, None, None),
    ]


def test_the_committed_json_schemas_are_the_current_ones():
    from pathlib import Path

    from django.conf import settings

    from bianmin.interconnect.management.commands.upward_schemas import upward_schemas_text

    committed = (Path(settings.BASE_DIR) / "docs" / "upward-schemas.json").read_text(encoding="utf-8")
    assert committed == upward_schemas_text(), "run `manage.py upward_schemas --output docs/upward-schemas.json`"
