"""The law's clocks (ALL art. 32, 42, 44, 45, 82), exactly: working days from the seeded 2026 calendar.

Each expected date is counted by hand and written as a literal with the count in a comment. 2026 facts used:
02-14 (Sat) is a make-up working day, 02-16..20 and 02-23 are 春节; 04-06 is 清明; 05-01, 05-04..05 are 劳动节,
05-09 (Sat) a make-up day; 09-25 (Fri) is 中秋; 10-01..02 and 10-05..07 are 国庆, 10-10 (Sat) a make-up day.
2027 is provisional in the test database (weekends and fixed-date holidays only: 2027-01-01 is a holiday).
"""

from __future__ import annotations

import datetime

import pytest

from bianmin.cases import services
from bianmin.cases.models import Case, Extension, Notice, ReviewTask, Status
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent, OutboundMessage
from bianmin.core.testing import accepted, at, department_head, intake, refused, user
from bianmin.core.workdays import workdays_between

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def open_dues(case: Case) -> dict[str, datetime.date]:
    return dict(case.tasks.filter(state=ReviewTask.State.OPEN).values_list("name", "due"))


def frozen(case: Case) -> tuple:
    """What a refused action must leave untouched."""
    case.refresh_from_db()
    return (
        case.status,
        case.promised_due,
        case.statutory_due,
        case.suspended_days,
        case.extension_days,
        case.decided_at,
        AuditEvent.objects.count(),
        Notice.objects.filter(case=case).count(),
        list(case.tasks.order_by("pk").values_list("state", "due")),
    )


# --- The 5-working-day acceptance window (ALL art. 32) -------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Monday 03-02 → 03-03(1) 03-04(2) 03-05(3) 03-06(4) 03-09(5)
        (at(2026, 3, 2), D(2026, 3, 9)),
        # Sunday 03-08, online (the day of receipt is not counted) → 03-09(1) 10(2) 11(3) 12(4) 13(5)
        (at(2026, 3, 8), D(2026, 3, 13)),
        # Friday 02-13 → 02-14 Sat make-up(1) [02-15..23 春节 and weekends] 02-24(2) 25(3) 26(4) 27(5)
        (at(2026, 2, 13), D(2026, 2, 27)),
        # Monday 09-28 → 09-29(1) 09-30(2) [10-01..07 国庆] 10-08(3) 10-09(4) 10-10 Sat make-up(5)
        (at(2026, 9, 28), D(2026, 10, 10)),
        # Wednesday 09-30 → 10-08(1) 10-09(2) 10-10 Sat make-up(3) 10-12(4) 10-13(5)
        (at(2026, 9, 30), D(2026, 10, 13)),
        # Thursday 09-24 → 09-28(1) [09-25 中秋, 09-26..27 weekend] 09-29(2) 09-30(3) 10-08(4) 10-09(5)
        (at(2026, 9, 24), D(2026, 10, 9)),
    ],
)
def test_acceptance_window_counts_working_days_only(county, received, due):
    case = services.case_submit(actor=None, intake=intake("SJ-0004", "YX", channel="online"), now=received)

    assert (case.received_on, case.acceptance_due) == (received.date(), due)
    assert workdays_between(case.received_on, case.acceptance_due) == 5


def test_the_day_of_receipt_is_the_beijing_date(county):
    # 2026-03-01 23:30 UTC is Monday 2026-03-02 07:30 in Beijing (as timezone.now() gives it in production)
    case = services.case_submit(
        actor=None,
        intake=intake("SJ-0004", "YX", channel="online"),
        now=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC),
    )

    assert case.received_on == D(2026, 3, 2)
    assert case.tracking_number == "YX-20260302-0001"
    assert case.acceptance_due == D(2026, 3, 9)  # 03-03(1) 04(2) 05(3) 06(4) 09(5)


# --- Decision limits from acceptance (ALL art. 42, 82) -----------------------------------------------------------


def test_limits_run_from_the_acceptance_day_across_holidays(county):
    # SJ-0004: promised 5, statutory 10; accepted Tuesday 09-22
    case = accepted("SJ-0004", received_at=at(2026, 9, 21), now=at(2026, 9, 22))

    # 09-22 → 09-23(1) 09-24(2) [09-25 中秋] 09-28(3) 09-29(4) 09-30(5)
    assert case.promised_due == D(2026, 9, 30)
    # 09-30(5) → [10-01..07 国庆] 10-08(6) 10-09(7) 10-10 Sat make-up(8) 10-12(9) 10-13(10)
    assert case.statutory_due == D(2026, 10, 13)
    assert case.deadlines_provisional is False
    # The first review step (1 day): 09-23(1)
    assert open_dues(case) == {"材料审查": D(2026, 9, 23)}


def test_a_limit_reaching_into_a_provisional_year_says_so(county):
    # SJ-0004 accepted Monday 2026-12-28: 12-29(1) 12-30(2) 12-31(3) [2027-01-01 元旦, 01-02..03 weekend]
    # 2027-01-04(4) 01-05(5); 2027 is provisional
    case = accepted("SJ-0004", received_at=at(2026, 12, 28), now=at(2026, 12, 28, 15))

    assert case.promised_due == D(2027, 1, 5)
    assert case.deadlines_provisional is True
    assert Notice.objects.get(case=case, kind=Notice.Kind.ACCEPTANCE).content["promised_due"] == "2027-01-05"


def test_certificate_is_due_ten_working_days_after_the_approval(county):
    market_head, chief = user("market_head"), user("market_chief")
    case = accepted("SJ-0004", received_at=at(2026, 9, 21), now=at(2026, 9, 22))
    for day in (23, 24):
        task = case.tasks.get(state=ReviewTask.State.OPEN)
        services.case_complete_task(actor=chief, task=task, outcome="agree", now=at(2026, 9, day))

    services.case_decide(actor=market_head, case=case, approve=True, now=at(2026, 9, 29))

    case.refresh_from_db()
    # ALL art. 44: 09-29 → 09-30(1) [国庆] 10-08(2) 10-09(3) 10-10 Sat make-up(4) 10-12(5) 13(6) 14(7) 15(8)
    # 16(9) 10-19(10)
    assert case.certificate_due == D(2026, 10, 19)
    # Issued late: recorded as late in the timeline
    services.case_issue_certificate(actor=user("county_clerk"), case=case, now=at(2026, 10, 20))
    assert audit_events_for(case).get(action="case.issue_certificate").payload["late"] is True


# --- Suspension: outside every clock (ALL art. 45) ---------------------------------------------------------------


def test_suspension_is_outside_the_clock(county):
    clerk = user("county_clerk")
    # Given SJ-0004 accepted Tuesday 09-22: promised 09-30, statutory 10-13, 材料审查 due 09-23
    case = accepted("SJ-0004", received_at=at(2026, 9, 21), now=at(2026, 9, 22))
    assert (case.promised_due, case.statutory_due) == (D(2026, 9, 30), D(2026, 10, 13))

    # When an expert review starts on D1 = 09-23
    suspension = services.case_suspend(
        actor=clerk, case=case, kind="expert_review", reason="食品安全专家论证", expected_days=5, now=at(2026, 9, 23)
    )

    # Then the case is paused and the applicant is told in writing what and how long
    case.refresh_from_db()
    assert case.status == Status.SUSPENDED
    assert (suspension.started_on, suspension.ended_on, suspension.expected_days) == (D(2026, 9, 23), None, 5)
    notice = Notice.objects.get(case=case, kind=Notice.Kind.SUSPENSION)
    assert notice.content == {"kind": "expert_review", "reason": "食品安全专家论证", "expected_days": 5}
    assert notice.number == "YX-TB-2026-00001"
    assert OutboundMessage.objects.filter(object_id=str(case.pk), event="suspended").exists()

    # And nothing can be reviewed or decided while it is paused
    before = frozen(case)
    with refused("transition_not_allowed"):
        services.case_complete_task(
            actor=user("market_chief"), task=case.tasks.get(state="open"), outcome="agree", now=at(2026, 9, 24)
        )
    with refused("transition_not_allowed"):
        services.case_decide(actor=user("market_head"), case=case, approve=True, now=at(2026, 9, 24))
    with refused("transition_not_allowed"):
        services.case_suspend(
            actor=clerk, case=case, kind="inspection", reason="x", expected_days=1, now=at(2026, 9, 24)
        )
    assert frozen(case) == before

    # When it resumes on D2 = 10-09
    case = services.case_resume(actor=clerk, case=case, now=at(2026, 10, 9))

    # Then the working days in (D1, D2] are excluded: 09-24(1) 09-28(2) 09-29(3) 09-30(4) [国庆] 10-08(5) 10-09(6)
    suspension.refresh_from_db()
    assert (suspension.ended_on, suspension.working_days) == (D(2026, 10, 9), 6)
    assert workdays_between(D(2026, 9, 23), D(2026, 10, 9)) == 6
    assert (case.status, case.suspended_days) == (Status.ACCEPTED, 6)
    # promised 09-30 + 6: 10-08(1) 10-09(2) 10-10 Sat make-up(3) 10-12(4) 10-13(5) 10-14(6)
    assert case.promised_due == D(2026, 10, 14)
    # statutory 10-13 + 6: 10-14(1) 10-15(2) 10-16(3) 10-19(4) 10-20(5) 10-21(6)
    assert case.statutory_due == D(2026, 10, 21)
    assert workdays_between(D(2026, 9, 30), case.promised_due) == 6
    assert workdays_between(D(2026, 10, 13), case.statutory_due) == 6
    # The open step moves too: 09-23 + 6: 09-24(1) 09-28(2) 09-29(3) 09-30(4) 10-08(5) 10-09(6)
    assert open_dues(case) == {"材料审查": D(2026, 10, 9)}
    resume = audit_events_for(case).get(action="case.resume")
    assert (resume.payload["suspended_working_days"], resume.payload["promised_due"]) == (6, "2026-10-14")

    # And the review goes on
    services.case_complete_task(
        actor=user("market_chief"), task=case.tasks.get(state="open"), outcome="agree", now=at(2026, 10, 9)
    )


def test_suspensions_add_up_and_move_every_open_task(county):
    clerk = user("county_clerk")
    # Given FG-0003 (joint) accepted 03-03: promised 04-15, statutory 05-09 (Sat make-up); the lead's step due
    # 03-31 (20 days), each co-department's review due 04-13 (28 days)
    case = accepted("FG-0003", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    assert (case.promised_due, case.statutory_due) == (D(2026, 4, 15), D(2026, 5, 9))
    assert sorted(case.tasks.filter(state="open").values_list("due", flat=True)) == [
        D(2026, 3, 31),
        D(2026, 4, 13),
        D(2026, 4, 13),
        D(2026, 4, 13),
    ]

    # When an expert review runs 03-10 → 03-24: 03-11(1) 12(2) 13(3) 16(4) 17(5) 18(6) 19(7) 20(8) 23(9) 24(10)
    services.case_suspend(
        actor=clerk, case=case, kind="expert_review", reason="项目评估", expected_days=15, now=at(2026, 3, 10)
    )
    case = services.case_resume(actor=clerk, case=case, now=at(2026, 3, 24))

    # Then every clock moves by 10 working days
    assert case.suspended_days == 10
    # 04-15 + 10: 04-16(1) 17(2) 20(3) 21(4) 22(5) 23(6) 24(7) 27(8) 28(9) 29(10)
    assert case.promised_due == D(2026, 4, 29)
    # 05-09 + 10: 05-11(1) 12(2) 13(3) 14(4) 15(5) 18(6) 19(7) 20(8) 21(9) 22(10)
    assert case.statutory_due == D(2026, 5, 22)
    # 03-31 + 10: 04-01(1) 02(2) 03(3) [04-06 清明] 07(4) 08(5) 09(6) 10(7) 13(8) 14(9) 15(10)
    # 04-13 + 10: 04-14(1) 15(2) 16(3) 17(4) 20(5) 21(6) 22(7) 23(8) 24(9) 27(10)
    assert sorted(case.tasks.filter(state="open").values_list("due", flat=True)) == [
        D(2026, 4, 15),
        D(2026, 4, 27),
        D(2026, 4, 27),
        D(2026, 4, 27),
    ]

    # When a public notice follows, 04-01 → 04-08: 04-02(1) 04-03(2) [清明] 04-07(3) 04-08(4)
    services.case_suspend(
        actor=clerk, case=case, kind="public_notice", reason="环评拟审批公示", expected_days=5, now=at(2026, 4, 1)
    )
    case = services.case_resume(actor=clerk, case=case, now=at(2026, 4, 8))

    # Then the suspended days add up: 10 + 4
    assert case.suspended_days == 14
    assert list(case.suspensions.values_list("working_days", flat=True)) == [10, 4]
    # 04-29 + 4: 04-30(1) [05-01..05 劳动节] 05-06(2) 05-07(3) 05-08(4)
    assert case.promised_due == D(2026, 5, 8)
    # 05-22 + 4: 05-25(1) 26(2) 27(3) 28(4)
    assert case.statutory_due == D(2026, 5, 28)
    # 04-15 + 4: 16(1) 17(2) 20(3) 21(4); 04-27 + 4: 28(1) 29(2) 30(3) [劳动节] 05-06(4)
    assert sorted(case.tasks.filter(state="open").values_list("due", flat=True)) == [
        D(2026, 4, 21),
        D(2026, 5, 6),
        D(2026, 5, 6),
        D(2026, 5, 6),
    ]


def test_a_suspension_states_a_known_procedure_reason_and_duration(county):
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    before = frozen(case)

    for kind, reason, days in (
        ("coffee_break", "x", 3),
        ("inspection", "  ", 3),
        ("inspection", "现场核查", 0),
        ("inspection", "现场核查", 251),
    ):
        with refused("suspension_invalid"):
            services.case_suspend(
                actor=user("county_clerk"), case=case, kind=kind, reason=reason, expected_days=days, now=at(2026, 3, 4)
            )
    assert frozen(case) == before
    assert not case.suspensions.exists()


# --- Extension (ALL art. 42) -------------------------------------------------------------------------------------


def test_extension_approved_by_the_department_head_moves_the_deadlines(county):
    clerk, market_head = user("county_clerk"), user("market_head")
    # Given SJ-0004 accepted 03-03: promised 03-10, statutory 03-17
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    assert (case.promised_due, case.statutory_due) == (D(2026, 3, 10), D(2026, 3, 17))

    # When the clerk asks for 4 working days, with a reason, and the SJ head approves
    extension = services.case_request_extension(
        actor=clerk, case=case, days=4, reason="需补充现场核查", now=at(2026, 3, 4)
    )
    assert extension.state == Extension.State.REQUESTED
    with refused("extension_pending"):
        services.case_request_extension(actor=clerk, case=case, days=1, reason="再次", now=at(2026, 3, 4))
    extension = services.case_decide_extension(actor=market_head, extension=extension, approve=True, now=at(2026, 3, 5))

    # Then both deadlines move by exactly 4 working days, and the applicant gets the written reason
    case.refresh_from_db()
    assert (extension.state, extension.decided_by, case.extension_days) == ("approved", market_head, 4)
    # 03-10 + 4: 03-11(1) 12(2) 13(3) 16(4)
    assert case.promised_due == D(2026, 3, 16)
    # 03-17 + 4: 03-18(1) 19(2) 20(3) 23(4)
    assert case.statutory_due == D(2026, 3, 23)
    notice = Notice.objects.get(case=case, kind=Notice.Kind.EXTENSION)
    assert notice.content == {
        "days": 4,
        "reason": "需补充现场核查",
        "promised_due": "2026-03-16",
        "statutory_due": "2026-03-23",
    }

    # When more than 10 in all is asked: refused at once (4 + 7 = 11)
    with refused("extension_limit"):
        services.case_request_extension(actor=clerk, case=case, days=7, reason="专家论证", now=at(2026, 3, 9))

    # Up to 10 in all is allowed (4 + 6)
    second = services.case_request_extension(actor=clerk, case=case, days=6, reason="专家论证", now=at(2026, 3, 9))
    services.case_decide_extension(actor=market_head, extension=second, approve=True, now=at(2026, 3, 9))
    case.refresh_from_db()
    assert case.extension_days == 10
    # 03-16 + 6: 03-17(1) 18(2) 19(3) 20(4) 23(5) 24(6) (= 03-03 + 5 + 10)
    assert case.promised_due == D(2026, 3, 24)
    # 03-23 + 6: 03-24(1) 25(2) 26(3) 27(4) 30(5) 31(6) (= 03-03 + 10 + 10)
    assert case.statutory_due == D(2026, 3, 31)

    # And not one day more
    with refused("extension_limit"):
        services.case_request_extension(actor=clerk, case=case, days=1, reason="x", now=at(2026, 3, 10))
    assert list(
        audit_events_for(case).filter(action="case.decide_extension").values_list("payload__approved", "payload__days")
    ) == [(True, 4), (True, 6)]


def test_a_rejected_extension_moves_nothing(county):
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    extension = services.case_request_extension(
        actor=user("county_clerk"), case=case, days=3, reason="x", now=at(2026, 3, 4)
    )

    services.case_decide_extension(actor=user("market_head"), extension=extension, approve=False, now=at(2026, 3, 5))

    case.refresh_from_db()
    extension.refresh_from_db()
    assert (extension.state, case.extension_days) == ("rejected", 0)
    assert (case.promised_due, case.statutory_due) == (D(2026, 3, 10), D(2026, 3, 17))
    assert not Notice.objects.filter(case=case, kind=Notice.Kind.EXTENSION).exists()
    with refused("extension_decided"):
        services.case_decide_extension(actor=user("market_head"), extension=extension, approve=True, now=at(2026, 3, 5))


def test_a_joint_item_may_be_extended_by_fifteen(county):
    clerk, fg_head = user("county_clerk"), department_head("FG")
    # Given FG-0003 accepted 03-03: promised 04-15 (30), statutory 05-09 (45)
    case = accepted("FG-0003", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    with refused("extension_limit"):
        services.case_request_extension(actor=clerk, case=case, days=16, reason="x", now=at(2026, 3, 4))

    extension = services.case_request_extension(
        actor=clerk, case=case, days=15, reason="环评技术评估", now=at(2026, 3, 4)
    )
    services.case_decide_extension(actor=fg_head, extension=extension, approve=True, now=at(2026, 3, 5))

    case.refresh_from_db()
    assert case.extension_days == 15
    # 04-15 + 15: 04-16(1) 17(2) 20(3) 21(4) 22(5) 23(6) 24(7) 27(8) 28(9) 29(10) 30(11) [劳动节]
    # 05-06(12) 07(13) 08(14) 05-09 Sat make-up(15)
    assert case.promised_due == D(2026, 5, 9)
    # 05-09 + 15: 05-11(1) 12 13 14 15(5) 18 19 20 21 22(10) 25 26 27 28 29(15)
    assert case.statutory_due == D(2026, 5, 29)
    with refused("extension_limit"):
        services.case_request_extension(actor=clerk, case=case, days=1, reason="x", now=at(2026, 3, 6))


def test_only_the_department_head_approves_an_extension(county):
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    extension = services.case_request_extension(
        actor=user("county_clerk"), case=case, days=3, reason="x", now=at(2026, 3, 4)
    )
    before = frozen(case)

    for outsider in ("market_chief", "county_clerk", "land_head", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.case_decide_extension(actor=user(outsider), extension=extension, approve=True, now=at(2026, 3, 5))

    extension.refresh_from_db()
    assert (extension.state, extension.decided_by) == ("requested", None)
    assert frozen(case) == before


def test_an_extension_needs_days_and_a_reason(county):
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    for days, reason in ((0, "x"), (3, " ")):
        with refused("extension_invalid"):
            services.case_request_extension(
                actor=user("county_clerk"), case=case, days=days, reason=reason, now=at(2026, 3, 4)
            )
    # The chief representative has no "extend" delegation: he cannot ask for one
    with pytest.raises(PermissionDenied):
        services.case_request_extension(actor=user("market_chief"), case=case, days=3, reason="x", now=at(2026, 3, 4))
    assert not case.extensions.exists()
