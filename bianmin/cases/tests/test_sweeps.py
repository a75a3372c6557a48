"""The worker's sweeps: acceptance by law after 5 working days (ALL art. 32) and a joint item's consent by
silence (超时默认). Both are idempotent and never act a day early.

Dates are counted by hand from the 2026 calendar: 09-25 (Fri) 中秋; 10-01..02 and 10-05..07 国庆 with 10-03..04
the weekend; Saturday 10-10 is a make-up working day; 04-06 is 清明.
"""

from __future__ import annotations

import datetime

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case, Notice, ReviewTask, Status
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, department_head, received, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def deem(day: datetime.date) -> int:
    """The sweep as the worker runs it on that day (its ``now`` in the morning of the same Beijing day)."""
    return services.cases_deem_accepted(today=day, now=at(day.year, day.month, day.day, 0))


def silence(day: datetime.date) -> int:
    return services.cases_apply_silence(now=at(day.year, day.month, day.day, 0))


# --- Acceptance by law (ALL art. 32) -----------------------------------------------------------------------------


def test_an_application_with_no_answer_in_five_working_days_is_accepted_on_receipt(county):
    # Given SJ-0004 received Monday 09-28 and left without acceptance, refusal or supplement notice
    case = received("SJ-0004", now=at(2026, 9, 28))
    # 09-28 → 09-29(1) 09-30(2) [10-01..07 国庆] 10-08(3) 10-09(4) 10-10 Sat make-up(5)
    assert case.acceptance_due == D(2026, 10, 10)

    # When the sweep runs on the last day of the window (the make-up Saturday) and on the Friday before it
    # Then nothing happens
    assert deem(D(2026, 10, 9)) == 0
    assert deem(D(2026, 10, 10)) == 0
    case.refresh_from_db()
    assert (case.status, case.accepted_on) == (Status.RECEIVED, None)

    # When it runs on Monday 10-12
    assert deem(D(2026, 10, 12)) == 1

    # Then the case is accepted by law as of the day it was received, and its clocks count from 09-28
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.accepted_on == case.received_on == D(2026, 9, 28)
    assert (case.is_deemed_accepted, case.accepted_by, case.accepted_at) == (True, None, at(2026, 10, 12, 0))
    # promised 5 from 09-28: 09-29(1) 09-30(2) 10-08(3) 10-09(4) 10-10 Sat make-up(5)
    assert case.promised_due == D(2026, 10, 10)
    # statutory 10: 10-12(6) 10-13(7) 10-14(8) 10-15(9) 10-16(10)
    assert case.statutory_due == D(2026, 10, 16)
    event = audit_events_for(case).get(action="case.accept_deemed")
    assert (event.actor, event.actor_label) == (None, "system")
    assert event.payload["accepted_on"] == "2026-09-28"
    assert event.payload["reason"].startswith("ALL art. 32")
    notices = {notice.kind: notice for notice in case.notices.all()}
    assert set(notices) == {Notice.Kind.RECEIPT, Notice.Kind.ACCEPTANCE}
    assert notices[Notice.Kind.ACCEPTANCE].content == {
        "accepted_on": "2026-09-28",
        "promised_due": "2026-10-10",
        "statutory_due": "2026-10-16",
        "deemed": True,
    }
    # The review steps open on the day of the sweep: 材料审查 (1 day) 10-12 → 10-13
    assert list(case.tasks.filter(state="open").values_list("name", "opened_on", "due")) == [
        ("材料审查", D(2026, 10, 12), D(2026, 10, 13))
    ]

    # And running the sweep again accepts nothing more
    audit_count = AuditEvent.objects.count()
    assert deem(D(2026, 10, 12)) == 0
    assert deem(D(2026, 10, 13)) == 0
    assert AuditEvent.objects.count() == audit_count
    assert case.notices.count() == 2


def test_the_window_ends_on_its_fifth_working_day_exactly(county):
    # Received Wednesday 09-30 → 10-08(1) 10-09(2) 10-10 Sat make-up(3) 10-12(4) 10-13(5)
    case = received("SJ-0004", now=at(2026, 9, 30))
    assert case.acceptance_due == D(2026, 10, 13)

    assert deem(D(2026, 10, 12)) == 0
    assert deem(D(2026, 10, 13)) == 0
    assert deem(D(2026, 10, 14)) == 1
    case.refresh_from_db()
    assert (case.accepted_on, case.is_deemed_accepted) == (D(2026, 9, 30), True)


def test_a_case_with_a_supplement_notice_is_never_accepted_by_law(county):
    clerk = user("county_clerk")
    # Given two cases received 09-28: one got its supplement notice in time, the other later had its
    # materials completed (waiting again for acceptance)
    problems = [("食品经营许可申请书", "未提供"), ("营业执照", "未提供")]
    waiting = received("SJ-0004", now=at(2026, 9, 28), complete=False)
    services.case_request_supplement(actor=clerk, case=waiting, problems=problems, now=at(2026, 9, 29))
    completed = received("SJ-0004", now=at(2026, 9, 28, 11), complete=False)
    services.case_request_supplement(actor=clerk, case=completed, problems=problems, now=at(2026, 9, 29))
    services.case_receive_supplement(actor=clerk, case=completed, materials=[], now=at(2026, 9, 30))

    # When the sweep runs weeks later
    assert deem(D(2026, 11, 30)) == 0

    # Then neither is accepted
    assert list(Case.objects.order_by("pk").values_list("status", "accepted_on", "is_deemed_accepted")) == [
        (Status.SUPPLEMENT_REQUESTED, None, False),
        (Status.RECEIVED, None, False),
    ]
    # And the service itself refuses to deem it accepted
    with pytest.raises(DomainError) as info:
        services.case_accept(actor=None, case=completed, deemed=True, now=at(2026, 11, 30))
    assert info.value.code == "not_deemed"


def test_the_sweep_leaves_answered_cases_alone(county):
    clerk = user("county_clerk")
    accepted = received("SJ-0004", now=at(2026, 9, 28))
    services.case_accept(actor=clerk, case=accepted, now=at(2026, 9, 29))
    refused = received("SJ-0004", now=at(2026, 9, 28, 11))
    services.case_refuse(actor=clerk, case=refused, reasons="不属于本机关职权范围", now=at(2026, 9, 29))
    withdrawn = received("SJ-0004", now=at(2026, 9, 28, 12))
    services.case_withdraw(actor=clerk, case=withdrawn, reason="申请人撤回", now=at(2026, 9, 29))

    assert deem(D(2026, 10, 12)) == 0

    assert list(Case.objects.order_by("pk").values_list("status", "accepted_on", "is_deemed_accepted")) == [
        (Status.ACCEPTED, D(2026, 9, 29), False),
        (Status.REFUSED, None, False),
        (Status.WITHDRAWN, None, False),
    ]


def test_only_the_system_accepts_by_law_and_only_after_the_window(county):
    case = received("SJ-0004", now=at(2026, 9, 28))

    with pytest.raises(PermissionDenied):
        services.case_accept(actor=user("county_clerk"), case=case, deemed=True, now=at(2026, 10, 12))
    with pytest.raises(DomainError) as info:
        services.case_accept(actor=None, case=case, deemed=True, now=at(2026, 10, 10, 23))
    assert info.value.code == "not_deemed"
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_once_the_window_has_passed_the_law_has_accepted_it_whoever_acts_first(county):
    """ALL art. 32 does not wait for the worker: after the 5th working day without a notice the application IS
    accepted as of its receipt. A clerk who gets to it before the sweep (the worker was down over the weekend)
    accepts it as of the day of receipt, and the clocks count from then."""
    case = received("SJ-0004", now=at(2026, 9, 28))  # window: 09-29(1) 09-30(2) 10-08(3) 10-09(4) 10-10 Sat(5)

    case = services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 10, 12, 9))

    assert (case.accepted_on, case.is_deemed_accepted, case.accepted_by) == (D(2026, 9, 28), True, user("county_clerk"))
    # promised 5 from 09-28: 10-10 (not 10-12 + 5 = 10-19); statutory 10: 10-16
    assert (case.promised_due, case.statutory_due) == (D(2026, 10, 10), D(2026, 10, 16))


def test_a_first_supplement_notice_after_the_window_is_too_late(county):
    """ALL art. 32: the one-time notice is given within 5 working days; after that the application counts as
    accepted on receipt, and a late notice cannot take the case back out of the clock."""
    case = received("SJ-0004", now=at(2026, 9, 28), complete=False)
    audit_count = AuditEvent.objects.count()

    with pytest.raises(DomainError) as info:
        services.case_request_supplement(
            actor=user("county_clerk"), case=case, problems=[("营业执照", "未提供")], now=at(2026, 10, 12, 9)
        )

    assert info.value.code == "acceptance_window_passed"
    case.refresh_from_db()
    assert (case.status, case.supplement_count, case.notices.count()) == (Status.RECEIVED, 0, 0)
    assert AuditEvent.objects.count() == audit_count
    # and the sweep then accepts it by law
    assert deem(D(2026, 10, 12)) == 1


# --- Consent by silence (超时默认) --------------------------------------------------------------------------------


def joint_accepted(item_code: str) -> Case:
    """A joint item received 03-02 and accepted Tuesday 03-03 at the county."""
    case = received(item_code, now=at(2026, 3, 2))
    return services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3))


def parallel(case: Case, department_code: str) -> ReviewTask:
    return case.tasks.get(is_parallel=True, department__code=department_code)


def test_a_silent_co_department_consents_the_day_after_its_limit(county):
    # Given FG-0003 (silence_is_consent) accepted 03-03; each co-department has 30 - 2 = 28 working days:
    # March 04..31 = 20; 04-01(21) 02(22) 03(23) [04-06 清明] 07(24) 08(25) 09(26) 10(27) 13(28)
    case = joint_accepted("FG-0003")
    assert {task.department.code: task.due for task in case.tasks.filter(is_parallel=True)} == {
        "HB": D(2026, 4, 13),
        "ZJ": D(2026, 4, 13),
        "ZR": D(2026, 4, 13),
    }

    # When HB and ZJ answer and ZR stays silent
    for code, head in (("HB", department_head("HB")), ("ZJ", department_head("ZJ"))):
        services.case_complete_task(actor=head, task=parallel(case, code), outcome="agree", now=at(2026, 3, 20))

    # Then nothing happens before the limit is over: not before, not on the due day itself
    assert silence(D(2026, 4, 10)) == 0
    assert silence(D(2026, 4, 13)) == 0
    assert parallel(case, "ZR").state == ReviewTask.State.OPEN
    assert not audit_events_for(case).filter(action="case.consent_by_silence").exists()

    # When the sweep runs on the day after
    assert silence(D(2026, 4, 14)) == 1

    # Then ZR's part is done as consent by silence, by the system, on the record
    zr = parallel(case, "ZR")
    assert (zr.state, zr.outcome, zr.completed_by, zr.completed_at) == (
        ReviewTask.State.DONE,
        ReviewTask.Outcome.CONSENT_BY_SILENCE,
        None,
        at(2026, 4, 14, 0),
    )
    event = audit_events_for(case).get(action="case.consent_by_silence")
    assert (event.actor, event.payload["department"], event.payload["due"]) == (None, "ZR", "2026-04-13")
    assert event.payload["task"] == "Joint review by 县自然资源和规划局"
    # The answered reviews keep their own outcomes
    assert (parallel(case, "HB").outcome, parallel(case, "ZJ").outcome) == ("agree", "agree")
    # And again: nothing more
    assert silence(D(2026, 4, 15)) == 0
    assert audit_events_for(case).filter(action="case.consent_by_silence").count() == 1
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_every_silent_co_department_of_a_silence_item_consents(county):
    # ZJ-0005 (silence_is_consent; co-departments SL, ZR): 15 - 2 = 13 working days from 03-03:
    # 03-04(1) 05(2) 06(3) 09(4) 10(5) 11(6) 12(7) 13(8) 16(9) 17(10) 18(11) 19(12) 20(13)
    case = joint_accepted("ZJ-0005")
    assert set(case.tasks.filter(is_parallel=True).values_list("department__code", "due")) == {
        ("SL", D(2026, 3, 20)),
        ("ZR", D(2026, 3, 20)),
    }

    assert silence(D(2026, 3, 20)) == 0
    # 03-21 is a Saturday (not a make-up day): the limit is over all the same
    assert silence(D(2026, 3, 21)) == 2

    assert set(case.tasks.filter(is_parallel=True).values_list("outcome", flat=True)) == {"consent_by_silence"}


def test_an_item_without_the_silence_rule_is_never_consented(county):
    # RS-0007 (joint, no silence rule; co-department CZ): 20 - 3 = 17 working days from 03-03:
    # 03-04(1) 05(2) 06(3) 09..13(8) 16..20(13) 23(14) 24(15) 25(16) 26(17)
    case = joint_accepted("RS-0007")
    cz = parallel(case, "CZ")
    assert cz.due == D(2026, 3, 26)

    assert silence(D(2026, 3, 27)) == 0
    assert silence(D(2026, 12, 31)) == 0

    cz.refresh_from_db()
    assert (cz.state, cz.outcome, cz.completed_at) == (ReviewTask.State.OPEN, "", None)
    assert not audit_events_for(case).filter(action="case.consent_by_silence").exists()


def test_silence_does_not_run_while_the_case_is_suspended(county):
    clerk = user("county_clerk")
    # Given FG-0003 accepted 03-03 (co-department reviews due 04-13), suspended from Friday 04-10
    case = joint_accepted("FG-0003")
    services.case_suspend(
        actor=clerk, case=case, kind="expert_review", reason="项目评估", expected_days=5, now=at(2026, 4, 10)
    )

    # When the sweep runs past the due date while it is suspended: nothing
    assert silence(D(2026, 4, 20)) == 0

    # When it resumes on 04-21: 04-13(1) 14(2) 15(3) 16(4) 17(5) 20(6) 21(7) suspended
    case = services.case_resume(actor=clerk, case=case, now=at(2026, 4, 21))
    assert case.suspended_days == 7
    # Then the reviews are due 04-13 + 7: 04-14(1) 15(2) 16(3) 17(4) 20(5) 21(6) 22(7)
    assert set(case.tasks.filter(is_parallel=True).values_list("due", flat=True)) == {D(2026, 4, 22)}
    assert silence(D(2026, 4, 22)) == 0
    assert silence(D(2026, 4, 23)) == 3


def test_silence_never_touches_sequential_steps_or_decided_cases(county):
    fg_head = department_head("FG")
    case = joint_accepted("FG-0003")
    # The lead's own 各部门并联审查 (20 days, due 03-31) is a sequential step: silence does not apply to it
    assert silence(D(2026, 4, 1)) == 0
    assert case.tasks.get(name="各部门并联审查").state == ReviewTask.State.OPEN

    # A case withdrawn before the limit: its reviews are cancelled and stay so
    services.case_withdraw(actor=fg_head, case=case, reason="企业撤回申请", now=at(2026, 4, 2))
    assert silence(D(2026, 4, 14)) == 0
    assert set(case.tasks.filter(is_parallel=True).values_list("state", flat=True)) == {"cancelled"}
