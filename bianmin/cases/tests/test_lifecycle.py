"""A case's whole life against the law (ALL art. 29–50): each case type from intake to delivery, the one-time
supplement notice, agency through a village room, decision rules, fees and delivery, withdrawal.

Every date below is computed by hand from the 2026 State Council calendar (seeded in the test database) and
written as a literal, with the count in a comment. 2026 facts used here: 03-02 is a Monday; 04-06 (清明) is
a holiday; 05-01 and 05-04..05 (劳动节) are holidays and Saturday 05-09 is a make-up working day.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from bianmin.accounts.models import User
from bianmin.cases import services
from bianmin.cases.models import Case, CaseMaterial, DeliveryMethod, Notice, ReviewTask, Status
from bianmin.cases.selectors import cases_visible_to
from bianmin.cases.services import APPEAL_RIGHTS, MaterialCheck
from bianmin.catalog.models import FeeRule
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent, OutboundMessage
from bianmin.core.testing import at, department_head, intake, refused, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def spring_2026():
    """The wall clock in March 2026, inside the chief representatives' delegations (2026-01-01..2027-12-31):
    ``permissions.can`` checks a delegation on today's date, the services get ``now`` explicitly."""
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        yield


# --- Helpers --------------------------------------------------------------------------------------------------


def actions(case: Case) -> list[str]:
    return list(audit_events_for(case).values_list("action", flat=True))


def tasks(case: Case) -> list[tuple]:
    return list(
        case.tasks.order_by("is_parallel", "position", "department__code").values_list(
            "name", "state", "site__code", "opened_on", "due"
        )
    )


def task(case: Case, name: str) -> ReviewTask:
    return case.tasks.get(name=name)


def open_task(case: Case, department_code: str | None = None, *, parallel: bool = False) -> ReviewTask:
    found = case.tasks.filter(state=ReviewTask.State.OPEN, is_parallel=parallel)
    if department_code:
        found = found.filter(department__code=department_code)
    return found.get()


def complete(case: Case, actor: User, on: datetime.datetime, *, parallel_department: str | None = None) -> ReviewTask:
    target = open_task(case, parallel_department, parallel=parallel_department is not None)
    return services.case_complete_task(actor=actor, task=target, outcome=ReviewTask.Outcome.AGREE, now=on)


def accepted_sj0004() -> Case:
    """SJ-0004 食品经营许可 received at the county 2026-03-02 (Mon), accepted 03-03 by the county clerk."""
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    return services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3))


def sj0004_at_decision() -> Case:
    """SJ-0004 with its review steps done (04, 05 March) by the chief representative: the decision is open."""
    case = accepted_sj0004()
    complete(case, user("market_chief"), at(2026, 3, 4))
    complete(case, user("market_chief"), at(2026, 3, 5))
    return case


def zr0003_approved() -> Case:
    """ZR-0003 不动产转移登记 (has a fee): received 03-02, accepted 03-03, steps done, approved 03-05."""
    case = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0003", "YX"), now=at(2026, 3, 2))
    case = services.case_accept(actor=user("land_chief"), case=case, now=at(2026, 3, 3))
    complete(case, user("land_chief"), at(2026, 3, 4))  # 审核
    complete(case, user("land_chief"), at(2026, 3, 4, 15))  # 登簿
    services.case_decide(actor=user("land_head"), case=case, approve=True, now=at(2026, 3, 5))
    case.refresh_from_db()
    return case


# --- 1. Each case type through its whole life ------------------------------------------------------------------


def test_committed_case_from_submission_to_delivery(county, spring_2026):
    clerk, chief = user("county_clerk"), user("market_chief")

    # Given SJ-0004 (committed, county) submitted at the county window on Monday 2026-03-02
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    assert case.status == Status.RECEIVED
    assert case.tracking_number == "YX-20260302-0001"
    assert (case.receiving_site.code, case.current_site.code) == ("YX", "YX")
    assert case.received_on == datetime.date(2026, 3, 2)
    # 03-02 → 03-03(1) 03-04(2) 03-05(3) 03-06(4) 03-09(5)
    assert case.acceptance_due == datetime.date(2026, 3, 9)

    # When the clerk accepts it on 03-03
    case = services.case_accept(actor=clerk, case=case, now=at(2026, 3, 3))

    # Then the clock starts on 03-03: promised 5, statutory 10 working days
    assert case.status == Status.ACCEPTED
    assert (case.accepted_on, case.accepted_by, case.is_deemed_accepted) == (datetime.date(2026, 3, 3), clerk, False)
    # 03-03 → 03-04(1) 03-05(2) 03-06(3) 03-09(4) 03-10(5)
    assert case.promised_due == datetime.date(2026, 3, 10)
    # 03-10(5) → 03-11(6) 03-12(7) 03-13(8) 03-16(9) 03-17(10)
    assert case.statutory_due == datetime.date(2026, 3, 17)
    assert case.deadlines_provisional is False
    receipt, acceptance = case.notices.order_by("pk")
    assert (receipt.kind, receipt.number) == (Notice.Kind.RECEIPT, "YX-20260302-0001")
    assert (acceptance.kind, acceptance.number) == (Notice.Kind.ACCEPTANCE, "YX-SL-2026-00001")
    assert acceptance.content["promised_due"] == "2026-03-10"
    assert acceptance.issuer_name == "县市场监督管理局"
    # The intake step is done by the acceptance; the next step is open, due 03-03 + 1 = 03-04.
    assert tasks(case) == [
        ("受理", "done", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 3, 3)),
        ("材料审查", "open", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 3, 4)),
        ("现场核查", "waiting", "YX", None, None),
        ("许可决定并发证", "waiting", "YX", None, None),
    ]

    # When the chief representative completes the review steps
    complete(case, chief, at(2026, 3, 4))
    # 现场核查 opens 03-04, 2 days: 03-05(1) 03-06(2)
    assert (task(case, "现场核查").state, task(case, "现场核查").due) == ("open", datetime.date(2026, 3, 6))
    complete(case, chief, at(2026, 3, 5))
    # 许可决定并发证 opens 03-05, 1 day: 03-06(1)
    assert (task(case, "许可决定并发证").state, task(case, "许可决定并发证").due) == ("open", datetime.date(2026, 3, 6))

    # And decides within his delegation (阳市监〔2026〕12号) on 03-06
    decision = services.case_decide(actor=chief, case=case, approve=True, now=at(2026, 3, 6))
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    assert (case.decided_by, case.decided_at) == (chief, at(2026, 3, 6))
    assert (decision.kind, decision.number, decision.content["rights"]) == (
        Notice.Kind.APPROVAL,
        "YX-ZY-2026-00001",
        "",
    )
    # ALL art. 44: 03-06 → 03-09(1) 10(2) 11(3) 12(4) 13(5) 16(6) 17(7) 18(8) 19(9) 20(10)
    assert case.certificate_due == datetime.date(2026, 3, 20)
    assert task(case, "许可决定并发证").state == ReviewTask.State.DONE

    # And issues the certificate (5 years) on 03-09; the clerk hands it over on 03-10
    case = services.case_issue_certificate(actor=chief, case=case, now=at(2026, 3, 9))
    assert case.certificate_number == "SJ0004-2026-000001"
    assert case.certificate_valid_until == datetime.date(2031, 3, 8)
    case = services.case_deliver(actor=clerk, case=case, method=DeliveryMethod.WINDOW, now=at(2026, 3, 10))

    # Then the case is closed and its timeline tells the whole story
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.delivered_at == case.closed_at == at(2026, 3, 10)
    assert actions(case) == [
        "case.submit",
        "case.accept",
        "case.complete_task",
        "case.complete_task",
        "case.approve",
        "case.issue_certificate",
        "case.deliver",
    ]
    approve = audit_events_for(case).get(action="case.approve")
    assert approve.payload["on_time"] is True
    assert approve.actor == chief
    assert list(
        OutboundMessage.objects.filter(object_id=str(case.pk)).order_by("pk").values_list("event", flat=True)
    ) == ["submitted", "accepted", "decided", "delivered"]
    # Handed over: the text message links to the rating page (国办发〔2019〕51号), its channel the SMS link.
    delivered_text = OutboundMessage.objects.get(object_id=str(case.pk), event="delivered").body
    assert f"http://127.0.0.1:8000/rate/{case.tracking_number}/?via=sms" in delivered_text


def test_immediate_case_is_handled_in_one_call_at_a_town(county):
    clerk = user("baisha_clerk")

    # Given SJ-0001 (immediate, county or town) with complete materials at 白沙镇 on 2026-03-02
    # When the town clerk handles it on the spot
    case = services.case_handle_immediately(actor=clerk, intake=intake("SJ-0001", "BS"), now=at(2026, 3, 2))

    # Then it is received, accepted, decided, certified and delivered in that one visit
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.tracking_number == "BS-20260302-0001"
    assert (case.receiving_site.code, case.current_site.code) == ("BS", "BS")
    assert case.received_at == case.accepted_at == case.decided_at == case.delivered_at == at(2026, 3, 2)
    assert (case.accepted_by, case.decided_by) == (clerk, clerk)
    # promised limit 0: the same (working) day; statutory 3: 03-03(1) 03-04(2) 03-05(3)
    assert (case.promised_due, case.statutory_due) == (datetime.date(2026, 3, 2), datetime.date(2026, 3, 5))
    # 03-02 → 03-03(1) 04(2) 05(3) 06(4) 09(5) 10(6) 11(7) 12(8) 13(9) 16(10)
    assert case.certificate_due == datetime.date(2026, 3, 16)
    assert (case.certificate_number, case.certificate_valid_until) == ("SJ0001-2026-000001", None)  # 长期
    assert list(case.notices.values_list("kind", "number")) == [
        ("receipt", "BS-20260302-0001"),
        ("acceptance", "BS-SL-2026-00001"),
        ("approval", "BS-ZY-2026-00001"),
        ("delivery", "BS-SD-2026-00001"),  # the delivery receipt (送达回证) the applicant signs
    ]
    assert list(case.tasks.values_list("name", "state", "outcome", "is_decision")) == [
        ("受理、审查并当场核准", "done", "agree", True)
    ]
    assert actions(case) == ["case.submit", "case.accept", "case.approve", "case.issue_certificate", "case.deliver"]


def test_immediate_handling_refuses_incomplete_materials_and_other_case_types(county):
    clerk = user("baisha_clerk")

    with refused("materials_incomplete"):
        services.case_handle_immediately(
            actor=clerk, intake=intake("SJ-0001", "BS", complete=False), now=at(2026, 3, 2)
        )
    with refused("not_immediate"):
        services.case_handle_immediately(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))

    assert Case.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()


def test_escalated_case_moves_from_the_town_to_the_county(county):
    baisha_clerk, baisha_agent, baisha_leader, ny_head = (
        user("baisha_clerk"),
        user("baisha_agent"),
        user("baisha_leader"),
        department_head("NY"),
    )

    # Given NY-0001 农村宅基地审批 (escalated, town → county) received and accepted at 白沙镇
    case = services.case_submit(actor=baisha_clerk, intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))
    case = services.case_accept(actor=baisha_clerk, case=case, now=at(2026, 3, 3))
    assert (case.receiving_site.code, case.current_site.code, case.forwarded_at) == ("BS", "BS", None)
    # 03-03 → 03-04(1) 05 06 09 10(5) 11 12 13 16 17(10) 18 19 20 23 24(15)
    assert case.promised_due == datetime.date(2026, 3, 24)
    # 03-24(15) → 03-25(16) 26(17) 27(18) 30(19) 31(20)
    assert case.statutory_due == datetime.date(2026, 3, 31)
    # Each step at its tier: the town's two (镇级) at BS, the county's decision (县级) at YX.
    # 镇级联审与实地审查 7 days from 03-03: 03-04(1) 05 06 09 10 11(6) 12(7)
    assert tasks(case) == [
        ("受理", "done", "BS", datetime.date(2026, 3, 3), datetime.date(2026, 3, 3)),
        ("镇级联审与实地审查", "open", "BS", datetime.date(2026, 3, 3), datetime.date(2026, 3, 12)),
        ("镇级审核", "waiting", "BS", None, None),
        ("县级审批", "waiting", "YX", None, None),
    ]

    # When the town's agent finishes the on-site review on 03-10
    complete(case, baisha_agent, at(2026, 3, 10))

    # Then the town's review opens at the town, where the case stays
    case.refresh_from_db()
    assert (case.current_site.code, case.forwarded_at) == ("BS", None)
    # 镇级审核 2 days from 03-10: 03-11(1) 03-12(2)
    assert (task(case, "镇级审核").state, task(case, "镇级审核").due) == ("open", datetime.date(2026, 3, 12))

    # When the town's reviewer (镇分管领导) reviews on 03-11
    complete(case, baisha_leader, at(2026, 3, 11))

    # Then the county's step opens and the case is forwarded to the county
    case.refresh_from_db()
    assert case.current_site.code == "YX"
    assert case.receiving_site.code == "BS"
    assert case.forwarded_at == at(2026, 3, 11)
    # 县级审批 5 days from 03-11: 03-12(1) 13(2) 16(3) 17(4) 18(5)
    assert (task(case, "县级审批").state, task(case, "县级审批").due) == ("open", datetime.date(2026, 3, 18))
    forward = audit_events_for(case).get(action="case.forward")
    assert (forward.actor, forward.payload["to_site"]) == (baisha_leader, "YX")

    # When the county head decides (03-12)
    services.case_decide(actor=ny_head, case=case, approve=True, now=at(2026, 3, 12))
    case = services.case_issue_certificate(actor=user("county_clerk"), case=case, now=at(2026, 3, 13))
    # … and its result goes back to the town, which received it (结果反馈), and is handed over there
    case = services.case_mark_ready(actor=user("county_clerk"), case=case, now=at(2026, 3, 16))
    case = services.case_receive_result(actor=baisha_clerk, case=case, now=at(2026, 3, 17))
    case = services.case_deliver(actor=baisha_clerk, case=case, now=at(2026, 3, 17))

    # Then it is closed at the town, decided at the county, and forwarded exactly once
    case.refresh_from_db()
    assert (case.status, case.decided_by, case.certificate_number) == (Status.CLOSED, ny_head, "NY0001-2026-000001")
    assert (case.current_site.code, case.sent_from_site.code, case.delivered_by) == ("BS", "YX", baisha_clerk)
    assert actions(case) == [
        "case.submit",
        "case.accept",
        "case.complete_task",
        "case.complete_task",
        "case.forward",
        "case.approve",
        "case.issue_certificate",
        "case.mark_ready",
        "case.receive_result",
        "case.deliver",
    ]


def test_joint_case_reviews_in_parallel_and_waits_for_every_co_department(county):
    clerk = user("county_clerk")
    fg_head, hb_head, zj_head, land_head = (
        department_head("FG", full_name="FG局长"),
        department_head("HB", full_name="HB局长"),
        department_head("ZJ", full_name="ZJ局长"),
        user("land_head"),
    )

    # Given FG-0003 企业投资项目并联审批 (joint; co-departments HB, ZJ, ZR) accepted 2026-03-03
    case = services.case_submit(actor=clerk, intake=intake("FG-0003", "YX"), now=at(2026, 3, 2))
    case = services.case_accept(actor=clerk, case=case, now=at(2026, 3, 3))
    # 03-03 → March 04..31: 20; April 01(21) 02(22) 03(23) [04-06 清明] 07(24) 08(25) 09(26) 10(27) 13(28) 14(29) 15(30)
    assert case.promised_due == datetime.date(2026, 4, 15)
    # 04-15(30) → 16 17 20 21 22 23 24 27 28 29 30(41) [05-01..05 劳动节] 05-06(42) 07(43) 08(44) 05-09 Sat make-up(45)
    assert case.statutory_due == datetime.date(2026, 5, 9)
    # Each co-department reviews in parallel within 30 - 2 (the lead's last step) = 28 days: 04-13(28)
    # The lead's own 各部门并联审查 has 20 days: 03-31(20)
    assert tasks(case) == [
        ("一窗受理并分送", "done", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 3, 3)),
        ("各部门并联审查", "open", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 3, 31)),
        ("联合会审", "waiting", "YX", None, None),
        ("汇总出件", "waiting", "YX", None, None),
        ("Joint review by 市生态环境局阳新分局", "open", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 4, 13)),
        ("Joint review by 县住房和城乡建设局", "open", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 4, 13)),
        ("Joint review by 县自然资源和规划局", "open", "YX", datetime.date(2026, 3, 3), datetime.date(2026, 4, 13)),
    ]
    parallel = case.tasks.filter(is_parallel=True)
    assert sorted(parallel.values_list("department__code", "role")) == [
        ("HB", "department_head"),
        ("ZJ", "department_head"),
        ("ZR", "department_head"),
    ]

    # When the lead and two co-departments finish, ZR's review still open
    complete(case, fg_head, at(2026, 3, 10))  # 各部门并联审查
    complete(case, hb_head, at(2026, 3, 11), parallel_department="HB")
    complete(case, zj_head, at(2026, 3, 12), parallel_department="ZJ")
    complete(case, fg_head, at(2026, 3, 13))  # 联合会审

    # Then the decision is refused: review_pending, naming the open review
    audit_count = AuditEvent.objects.count()
    with refused("review_pending") as info:
        services.case_decide(actor=fg_head, case=case, approve=True, now=at(2026, 3, 16))
    assert "Joint review by 县自然资源和规划局" in str(info.value)
    case.refresh_from_db()
    assert (case.status, case.decided_at) == (Status.ACCEPTED, None)
    assert AuditEvent.objects.count() == audit_count

    # When ZR answers, the lead decides
    complete(case, land_head, at(2026, 3, 16), parallel_department="ZR")
    services.case_decide(actor=fg_head, case=case, approve=True, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    assert set(case.tasks.values_list("state", flat=True)) == {ReviewTask.State.DONE}
    assert list(
        case.tasks.filter(is_parallel=True)
        .order_by("department__code")
        .values_list("department__code", "outcome", "completed_by__username")
    ) == [("HB", "agree", "hb_head"), ("ZJ", "agree", "zj_head"), ("ZR", "agree", "land_head")]


def test_the_intake_step_is_done_at_the_moment_of_acceptance(county):
    """The services take ``now`` (the worker, the tests and replays own the clock): the intake step that the
    acceptance performs is completed at the acceptance's moment, not at the server's wall-clock time."""
    with time_machine.travel(at(2026, 3, 20, 8), tick=False):
        case = accepted_sj0004()  # accepted at 2026-03-03 10:00

    intake_step = case.tasks.get(name="受理")
    assert (intake_step.state, intake_step.completed_by) == (ReviewTask.State.DONE, user("county_clerk"))
    assert intake_step.completed_at == case.accepted_at == at(2026, 3, 3)


# --- 2. Supplement, then acceptance ----------------------------------------------------------------------------


def test_one_supplement_notice_lists_every_problem_and_a_second_needs_a_reason(county):
    clerk = user("county_clerk")

    # Given SJ-0004 received on Monday 2026-03-02 with a material missing
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX", complete=False), now=at(2026, 3, 2))
    assert list(case.materials.filter(state=CaseMaterial.State.MISSING).values_list("name", flat=True)) == [
        "食品经营许可申请书"
    ]

    # When the clerk issues the one-time notice listing every problem on 03-03
    problems = [("食品经营许可申请书", "未提供"), ("营业执照", "复印件不清晰，请提供加盖公章的复印件")]
    notice = services.case_request_supplement(actor=clerk, case=case, problems=problems, now=at(2026, 3, 3))

    # Then one notice lists all of them, and the case waits for the materials
    assert (notice.kind, notice.number, notice.is_repeat) == (Notice.Kind.SUPPLEMENT, "YX-BZ-2026-00001", False)
    assert notice.content["problems"] == [
        {"material": "食品经营许可申请书", "problem": "未提供"},
        {"material": "营业执照", "problem": "复印件不清晰，请提供加盖公章的复印件"},
    ]
    case.refresh_from_db()
    assert (case.status, case.supplement_count) == (Status.SUPPLEMENT_REQUESTED, 1)
    # No second notice while the first is outstanding
    with refused("transition_not_allowed"):
        services.case_request_supplement(
            actor=clerk, case=case, problems=problems, repeat_reason="x", now=at(2026, 3, 4)
        )

    # When the applicant brings the materials on Thursday 03-05
    case = services.case_receive_supplement(
        actor=clerk,
        case=case,
        now=at(2026, 3, 5),
        materials=[
            MaterialCheck(name="食品经营许可申请书", original_seen=True),
            MaterialCheck(name="营业执照", copy_kept=True),
        ],
    )

    # Then a new 5-working-day window runs from that day: 03-05 → 03-06(1) 03-09(2) 03-10(3) 03-11(4) 03-12(5)
    assert (case.status, case.acceptance_due) == (Status.RECEIVED, datetime.date(2026, 3, 12))
    # And each material keeps its one row: the missing one is now provided, its history says by whom and when
    assert case.materials.count() == 6
    application = case.materials.get(name="食品经营许可申请书")
    assert (application.state, application.original_seen) == (CaseMaterial.State.PROVIDED, True)
    assert list(application.history.values_list("kind", "state", "by__username", "at")) == [
        ("intake", "missing", "county_clerk", at(2026, 3, 2)),
        ("notice", "missing", "county_clerk", at(2026, 3, 3)),
        ("supplied", "provided", "county_clerk", at(2026, 3, 5)),
    ]

    # And a second notice without a reason is refused, nothing written
    audit_count = AuditEvent.objects.count()
    with refused("repeat_supplement_needs_reason"):
        services.case_request_supplement(
            actor=clerk, case=case, problems=[("营业执照", "经营范围不符")], repeat_reason="  ", now=at(2026, 3, 6)
        )
    case.refresh_from_db()
    assert (case.status, case.supplement_count, case.notices.count()) == (Status.RECEIVED, 1, 1)
    assert AuditEvent.objects.count() == audit_count

    # With a reason it is allowed, recorded as a repeat for supervision
    second = services.case_request_supplement(
        actor=clerk,
        case=case,
        problems=[("营业执照", "经营范围不含餐饮服务")],
        repeat_reason="补正后发现营业执照经营范围不符",
        now=at(2026, 3, 6),
    )
    assert (second.is_repeat, second.content["repeat_reason"]) == (True, "补正后发现营业执照经营范围不符")
    event = audit_events_for(case).filter(action="case.request_supplement").last()
    assert (event.payload["is_repeat"], event.payload["repeat_reason"]) == (True, "补正后发现营业执照经营范围不符")
    case.refresh_from_db()
    assert (case.status, case.supplement_count) == (Status.SUPPLEMENT_REQUESTED, 2)

    # And once the materials are complete the clerk accepts it: the clock starts on the acceptance day
    services.case_receive_supplement(
        actor=clerk, case=case, materials=[MaterialCheck(name="营业执照")], now=at(2026, 3, 9)
    )
    case = services.case_accept(actor=clerk, case=case, now=at(2026, 3, 10))
    # 03-10 → 03-11(1) 12(2) 13(3) 16(4) 17(5)
    assert (case.accepted_on, case.promised_due, case.is_deemed_accepted) == (
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 17),
        False,
    )


def test_a_supplement_notice_must_name_each_material_and_its_problem(county):
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX", complete=False), now=at(2026, 3, 2))

    for problems in ([], [("营业执照", " ")], [(" ", "未提供")]):
        with refused("supplement_incomplete"):
            services.case_request_supplement(actor=clerk, case=case, problems=problems, now=at(2026, 3, 3))

    case.refresh_from_db()
    assert (case.status, case.supplement_count, case.notices.count()) == (Status.RECEIVED, 0, 0)


# --- 8. Agency from a village room, delivered back through it --------------------------------------------------


def test_agency_case_from_a_village_room_goes_back_through_it(county):
    agent, baisha_clerk, baisha_agent = user("baishacun_agent"), user("baisha_clerk"), user("baisha_agent")
    county_clerk, futu_clerk, mz_head = (
        user("county_clerk"),
        user("futu_clerk"),
        department_head("MZ", full_name="MZ局长"),
    )

    # Given the 白沙村 agent takes a 低保 application (MZ-0001, town → county, village relay) with authorisation
    case = services.case_submit(
        actor=agent,
        now=at(2026, 3, 2),
        intake=intake(
            "MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="张三委托柯春生代办，委托书已签字"
        ),
    )

    # Then it is received at the town hall, relayed by the village room, numbered by the room
    assert (case.receiving_site.code, case.current_site.code, case.relay_site.code) == ("BS", "BS", "BS01")
    assert case.tracking_number == "BS01-20260302-0001"
    assert (case.channel, case.agent, case.received_by) == ("agency", agent, agent)
    assert case.agency_authorisation == "张三委托柯春生代办，委托书已签字"
    assert cases_visible_to(agent).filter(pk=case.pk).exists()
    assert not cases_visible_to(futu_clerk).filter(pk=case.pk).exists()

    # When the town accepts it, the town's agent surveys, and the county's civil affairs head decides
    case = services.case_accept(actor=baisha_clerk, case=case, now=at(2026, 3, 3))
    # promised 20 from 03-03: March 04..31 = 20 → 03-31; statutory 30: April 01(21) 02 03 07(24) 08 09 10 13 14 15(30)
    assert (case.promised_due, case.statutory_due) == (datetime.date(2026, 3, 31), datetime.date(2026, 4, 15))
    complete(case, baisha_agent, at(2026, 3, 10))  # 入户调查与经济状况核对, at BS
    complete(case, user("baisha_leader"), at(2026, 3, 11))  # 镇级审核并公示: the town's reviewer, at BS
    case.refresh_from_db()
    assert (case.current_site.code, case.forwarded_at) == ("YX", at(2026, 3, 11))
    services.case_decide(actor=mz_head, case=case, approve=True, now=at(2026, 3, 12))
    case = services.case_issue_certificate(actor=county_clerk, case=case, now=at(2026, 3, 13))
    assert (case.certificate_number, case.certificate_valid_until) == ("MZ0001-2026-000001", None)  # 按年复核

    # And the county sends the result back to the village room (结果反馈): the case moves there
    case = services.case_mark_ready(actor=county_clerk, case=case, now=at(2026, 3, 16))
    assert (case.delivery_method, case.delivery_site.code, case.ready_at) == (
        DeliveryMethod.WINDOW,
        "BS01",
        at(2026, 3, 16),
    )
    assert (case.current_site.code, case.sent_from_site.code) == ("BS01", "YX")
    assert not OutboundMessage.objects.filter(object_id=str(case.pk), event="ready").exists()

    # Then the village agent records its arrival, and only now is the applicant told to come to the room
    case = services.case_receive_result(actor=agent, case=case, now=at(2026, 3, 17, 9))
    ready = OutboundMessage.objects.get(object_id=str(case.pk), event="ready")
    assert "白沙村便民服务室" in ready.body
    # … and hands it over, which closes the case
    assert cases_visible_to(agent).filter(pk=case.pk).exists()
    case = services.case_deliver(actor=agent, case=case, note="本人签收", now=at(2026, 3, 17))
    case.refresh_from_db()
    assert (case.status, case.delivery_method, case.delivered_at) == (
        Status.CLOSED,
        DeliveryMethod.WINDOW,
        at(2026, 3, 17),
    )
    deliver = audit_events_for(case).get(action="case.deliver")
    assert (deliver.actor, deliver.payload["method"], deliver.payload["note"]) == (agent, "window", "本人签收")
    assert not cases_visible_to(futu_clerk).filter(pk=case.pk).exists()


def test_agency_needs_the_relaying_site_and_the_authorisation(county):
    agent = user("baishacun_agent")

    with refused("intake_invalid"):
        services.case_submit(
            actor=agent, intake=intake("MZ-0001", "BS01", channel="agency", relay="BS01"), now=at(2026, 3, 2)
        )
    with refused("intake_invalid"):
        services.case_submit(
            actor=agent, intake=intake("MZ-0001", "BS01", channel="agency", authorisation="委托书"), now=at(2026, 3, 2)
        )
    # Another village's agent cannot take an application for 白沙村's room
    with pytest.raises(PermissionDenied):
        services.case_submit(
            actor=user("futucun_agent"),
            now=at(2026, 3, 2),
            intake=intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书"),
        )
    assert Case.objects.count() == 0


def test_an_unknown_delivery_method_is_refused_and_changes_nothing(county, spring_2026):
    case = sj0004_at_decision()
    services.case_decide(actor=user("market_chief"), case=case, approve=True, now=at(2026, 3, 6))
    services.case_issue_certificate(actor=user("market_chief"), case=case, now=at(2026, 3, 9))

    with refused("delivery_invalid"):
        services.case_mark_ready(actor=user("county_clerk"), case=case, method="relay", now=at(2026, 3, 9))
    case.refresh_from_db()
    assert (case.delivery_method, case.delivery_site.code, case.ready_at) == ("window", "YX", None)


# --- 9. Decision rules: reasons, appeal rights, certificate, fees, delivery -------------------------------------


def test_denial_needs_reasons_and_states_the_appeal_rights(county, spring_2026):
    chief = user("market_chief")
    case = sj0004_at_decision()

    # A denial without reasons is refused, nothing changes
    audit_count = AuditEvent.objects.count()
    with refused("reasons_required"):
        services.case_decide(actor=chief, case=case, approve=False, reasons="  ", now=at(2026, 3, 6))
    case.refresh_from_db()
    assert (case.status, case.decided_at, case.notices.count()) == (Status.ACCEPTED, None, 2)
    assert AuditEvent.objects.count() == audit_count

    # With reasons: denied, the decision notice carries the reasons and the right to reconsideration/litigation
    notice = services.case_decide(
        actor=chief, case=case, approve=False, reasons="经营场所不符合食品安全要求", now=at(2026, 3, 6)
    )
    case.refresh_from_db()
    assert (case.status, case.decision_reasons, case.certificate_due) == (
        Status.DENIED,
        "经营场所不符合食品安全要求",
        None,
    )
    assert (notice.kind, notice.number) == (Notice.Kind.DENIAL, "YX-BX-2026-00001")
    assert notice.content["reasons"] == "经营场所不符合食品安全要求"
    assert notice.content["rights"] == APPEAL_RIGHTS
    assert "行政复议" in notice.content["rights"] and "行政诉讼" in notice.content["rights"]
    assert task(case, "许可决定并发证").outcome == ReviewTask.Outcome.DISAGREE
    assert actions(case)[-1] == "case.deny"

    # A denied case gets no certificate, but its decision is delivered and the case closed
    with refused("transition_not_allowed"):
        services.case_issue_certificate(actor=chief, case=case, now=at(2026, 3, 9))
    case = services.case_deliver(actor=user("county_clerk"), case=case, now=at(2026, 3, 9))
    assert case.status == Status.CLOSED


def test_certificate_number_and_validity(county, spring_2026):
    chief = user("market_chief")
    first = sj0004_at_decision()
    services.case_decide(actor=chief, case=first, approve=True, now=at(2026, 3, 6))
    second = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    assert second.tracking_number == "YX-20260302-0002"
    second = services.case_accept(actor=user("county_clerk"), case=second, now=at(2026, 3, 3))
    complete(second, chief, at(2026, 3, 4))
    complete(second, chief, at(2026, 3, 5))
    services.case_decide(actor=chief, case=second, approve=True, now=at(2026, 3, 6))

    # Numbered in the licence type's series (the item's) per year, gap-free, six digits
    first = services.case_issue_certificate(actor=chief, case=first, now=at(2026, 3, 9))
    second = services.case_issue_certificate(actor=chief, case=second, now=at(2026, 3, 10))
    assert re.fullmatch(r"SJ0004-2026-\d{6}", first.certificate_number)
    assert (first.certificate_number, second.certificate_number) == ("SJ0004-2026-000001", "SJ0004-2026-000002")
    # 5年 from 03-09 / 03-10: to the day before the fifth anniversary
    assert (first.certificate_valid_until, second.certificate_valid_until) == (
        datetime.date(2031, 3, 8),
        datetime.date(2031, 3, 9),
    )
    # Only once
    with refused("certificate_issued"):
        services.case_issue_certificate(actor=chief, case=first, now=at(2026, 3, 11))
    first.refresh_from_db()
    assert first.certificate_number == "SJ0004-2026-000001"


def test_numbers_take_the_year_of_the_beijing_date(county, spring_2026):
    """On 1 January before 08:00 Beijing time the UTC clock (timezone.now()) still shows the old year: a
    certificate, notice or fee receipt issued then belongs to the new year, like the tracking number."""
    chief = user("market_chief")
    case = sj0004_at_decision()
    services.case_decide(actor=chief, case=case, approve=True, now=at(2026, 3, 6))

    # 2026-12-31 23:30 UTC is 2027-01-01 07:30 in Beijing, as timezone.now() gives it in production
    new_years_morning = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(new_years_morning, tick=False):
        case = services.case_issue_certificate(actor=chief, case=case, now=new_years_morning)

    assert case.certificate_number == "SJ0004-2027-000001"


def test_a_free_item_refuses_any_fee(county, spring_2026):
    case = sj0004_at_decision()
    services.case_decide(actor=user("market_chief"), case=case, approve=True, now=at(2026, 3, 6))
    audit_count = AuditEvent.objects.count()

    with refused("fee_not_allowed"):
        services.case_collect_fee(
            actor=user("county_clerk"), case=case, fee_rule_ids=[], amount=Decimal("10"), now=at(2026, 3, 9)
        )

    case.refresh_from_db()
    assert (case.fee_amount, case.fee_paid_at, case.fee_receipt_number) == (None, None, "")
    assert AuditEvent.objects.count() == audit_count


def test_a_fee_item_collects_exactly_the_published_standard_before_delivery(county, spring_2026):
    clerk = user("county_clerk")
    case = zr0003_approved()
    residential = FeeRule.objects.get(version=case.version, name="住宅类不动产登记费")
    assert residential.amount == Decimal("80.00")

    # Delivery before the certificate: refused
    with refused("certificate_missing"):
        services.case_deliver(actor=clerk, case=case, now=at(2026, 3, 6))
    with refused("certificate_missing"):
        services.case_mark_ready(actor=clerk, case=case, method=DeliveryMethod.WINDOW, now=at(2026, 3, 6))
    case = services.case_issue_certificate(actor=clerk, case=case, now=at(2026, 3, 6))
    assert case.certificate_number == "ZR0003-2026-000001"

    # Delivery before the fee: refused
    with refused("fee_missing"):
        services.case_deliver(actor=clerk, case=case, now=at(2026, 3, 6))

    # An amount off the standard is refused; nothing is recorded
    for amount in (Decimal("100"), Decimal("79.99"), Decimal("0")):
        with refused("fee_off_standard"):
            services.case_collect_fee(
                actor=clerk, case=case, fee_rule_ids=[residential.pk], amount=amount, now=at(2026, 3, 6)
            )
    with refused("fee_rule_invalid"):
        services.case_collect_fee(actor=clerk, case=case, fee_rule_ids=[], amount=Decimal("80"), now=at(2026, 3, 6))
    case.refresh_from_db()
    assert (case.fee_amount, case.fee_receipt_number) == (None, "")

    # The standard is accepted, with a numbered receipt and a fee-receipt notice
    notice = services.case_collect_fee(
        actor=clerk, case=case, fee_rule_ids=[residential.pk], amount=Decimal("80"), now=at(2026, 3, 6, 11)
    )
    case.refresh_from_db()
    assert (case.fee_amount, case.fee_paid_at, case.fee_receipt_number) == (
        Decimal("80.00"),
        at(2026, 3, 6, 11),
        "SF20260000001",
    )
    assert (notice.kind, notice.number, notice.content["receipt"], notice.content["amount"]) == (
        Notice.Kind.FEE_RECEIPT,
        "YX-SF-2026-00001",
        "SF20260000001",
        "80",
    )
    assert notice.content["rules"][0]["basis"].startswith("《国家发展改革委 财政部关于不动产登记收费标准")
    with refused("fee_collected"):
        services.case_collect_fee(
            actor=clerk, case=case, fee_rule_ids=[residential.pk], amount=Decimal("80"), now=at(2026, 3, 6, 12)
        )

    # Then it can be delivered
    case = services.case_deliver(actor=clerk, case=case, now=at(2026, 3, 9))
    assert case.status == Status.CLOSED


def test_a_fee_item_is_not_made_ready_before_the_fee(county, spring_2026):
    clerk = user("county_clerk")
    case = zr0003_approved()
    services.case_issue_certificate(actor=clerk, case=case, now=at(2026, 3, 6))
    with refused("fee_missing"):
        services.case_mark_ready(actor=clerk, case=case, method=DeliveryMethod.WINDOW, now=at(2026, 3, 6))
    case.refresh_from_db()
    assert (case.status, case.ready_at) == (Status.APPROVED, None)


# --- 10. Withdrawal ---------------------------------------------------------------------------------------------


def test_withdrawal_before_the_decision_closes_the_case_and_cancels_open_steps(county):
    clerk = user("county_clerk")
    case = accepted_sj0004()

    with refused("reasons_required"):
        services.case_withdraw(actor=clerk, case=case, reason=" ", now=at(2026, 3, 4))

    # When the clerk records the applicant's written request to withdraw
    case = services.case_withdraw(actor=clerk, case=case, reason="申请人书面申请撤回", now=at(2026, 3, 4))

    # Then the case is withdrawn and closed; the open and waiting steps are cancelled, the done one kept
    case.refresh_from_db()
    assert (case.status, case.withdrawn_at, case.closed_at) == (Status.WITHDRAWN, at(2026, 3, 4), at(2026, 3, 4))
    assert list(case.tasks.values_list("name", "state")) == [
        ("受理", "done"),
        ("材料审查", "cancelled"),
        ("现场核查", "cancelled"),
        ("许可决定并发证", "cancelled"),
    ]
    event = audit_events_for(case).get(action="case.withdraw")
    assert (event.actor, event.payload["reason"], event.payload["status"]) == (clerk, "申请人书面申请撤回", "withdrawn")
    # Nothing more can happen to it
    with refused("transition_not_allowed"):
        services.case_decide(actor=user("market_head"), case=case, approve=True, now=at(2026, 3, 5))


def test_the_online_applicant_withdraws_a_suspended_case(county):
    applicant = User.objects.create(username="zhangsan", full_name="张三")
    case = services.case_submit(actor=applicant, intake=intake("SJ-0004", "YX", channel="online"), now=at(2026, 3, 2))
    assert (case.applicant_user, case.received_by) == (applicant, None)
    case = services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3))
    services.case_suspend(
        actor=user("county_clerk"), case=case, kind="inspection", reason="现场核查", expected_days=3, now=at(2026, 3, 4)
    )

    # Another account cannot withdraw it
    with pytest.raises(PermissionDenied):
        services.case_withdraw(actor=User.objects.create(username="lisi"), case=case, reason="x", now=at(2026, 3, 5))

    case = services.case_withdraw(actor=applicant, case=case, reason="不再经营", now=at(2026, 3, 5))
    assert case.status == Status.WITHDRAWN
    assert case.suspensions.get().ended_on == datetime.date(2026, 3, 5)


def test_withdrawal_after_the_decision_is_refused(county, spring_2026):
    case = sj0004_at_decision()
    services.case_decide(actor=user("market_chief"), case=case, approve=True, now=at(2026, 3, 6))
    audit_count = AuditEvent.objects.count()

    with refused("transition_not_allowed"):
        services.case_withdraw(actor=user("county_clerk"), case=case, reason="申请人申请撤回", now=at(2026, 3, 9))

    case.refresh_from_db()
    assert (case.status, case.withdrawn_at, case.closed_at) == (Status.APPROVED, None, None)
    assert AuditEvent.objects.count() == audit_count


# --- Refusal to accept (ALL art. 32) ---------------------------------------------------------------------------


def test_refusal_states_reasons_rights_and_the_competent_organ(county):
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))

    with refused("reasons_required"):
        services.case_refuse(actor=clerk, case=case, reasons="", now=at(2026, 3, 3))
    notice = services.case_refuse(
        actor=clerk,
        case=case,
        reasons="仅销售预包装食品，实行备案管理",
        competent_organ="县市场监督管理局（备案）",
        now=at(2026, 3, 3),
    )

    case.refresh_from_db()
    assert (case.status, case.closed_at, case.accepted_on) == (Status.REFUSED, at(2026, 3, 3), None)
    assert (notice.kind, notice.number) == (Notice.Kind.REFUSAL, "YX-BY-2026-00001")
    assert notice.content == {
        "reasons": "仅销售预包装食品，实行备案管理",
        "competent_organ": "县市场监督管理局（备案）",
        "rights": APPEAL_RIGHTS,
    }
    with refused("transition_not_allowed"):
        services.case_accept(actor=clerk, case=case, now=at(2026, 3, 4))


def test_a_window_receives_only_the_items_accepted_at_its_level(county):
    """SJ-0004 is accepted at the county only. A town clerk receiving it at the town window (no relay) must be
    told so; silently registering it as received at the county loses the town's record of it."""
    baisha_clerk = user("baisha_clerk")

    with refused("wrong_site"):
        services.case_submit(actor=baisha_clerk, intake=intake("SJ-0004", "BS"), now=at(2026, 3, 2))

    assert not Case.objects.exists()
