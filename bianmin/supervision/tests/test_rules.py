"""Each rule fires exactly when it should on constructed cases, clears when it should, and never duplicates.

Dates are counted by hand on the seeded 2026 calendar: 09-25 is 中秋, 10-01..02 and 10-05..07 are 国庆, 10-10 (Sat)
is a make-up working day. SJ-0004 (market licence): promised 5, statutory 10 working days; its first review step
(材料审查) takes 1 working day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from bianmin.cases import services
from bianmin.cases.models import Case, Notice, ReviewTask
from bianmin.catalog.models import FeeRule
from bianmin.core.testing import accepted, at, intake, user
from bianmin.org.models import Department, Site
from bianmin.supervision.models import Alert, SupervisionOrder
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = datetime.date


def alerts(rule: str) -> list[tuple]:
    return list(Alert.objects.filter(rule=rule).order_by("pk").values_list("key", "state", "close_reason", "due"))


def finish_review(case: Case, on: datetime.datetime) -> None:
    for task in case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False):
        services.case_complete_task(actor=user("market_chief"), task=task, outcome="agree", now=on)


# --- 1, 2: case overdue, promised and statutory -----------------------------------------------------------------


def test_case_overdue_waits_out_the_national_day_holiday(county):
    # Accepted Tuesday 09-29: 09-30(1) [国庆] 10-08(2) 10-09(3) 10-10 Sat make-up(4) 10-12(5)
    case = accepted("SJ-0004", received_at=at(2026, 9, 28), now=at(2026, 9, 29))
    # statutory: 10-13(6) 14(7) 15(8) 16(9) 19(10)
    assert (case.promised_due, case.statutory_due) == (D(2026, 10, 12), D(2026, 10, 19))
    key = str(case.pk)

    for day in (D(2026, 10, 3), D(2026, 10, 7), D(2026, 10, 12)):
        sweep(now=at(day.year, day.month, day.day))
        assert alerts("case_overdue_promised") == [], day

    sweep(now=at(2026, 10, 13))
    assert alerts("case_overdue_promised") == [(key, "open", "", D(2026, 10, 12))]
    assert alerts("case_overdue_statutory") == []

    sweep(now=at(2026, 10, 20))
    assert alerts("case_overdue_promised") == [(key, "open", "", D(2026, 10, 12))]
    assert alerts("case_overdue_statutory") == [(key, "open", "", D(2026, 10, 19))]
    alert = Alert.objects.get(rule="case_overdue_statutory")
    assert (alert.level, alert.is_anomaly, alert.site.code, alert.department.code, alert.item.code) == (
        "red",
        False,
        "YX",
        "SJ",
        "SJ-0004",
    )
    assert (alert.raised_on, alert.responsible_role) == (D(2026, 10, 20), "chief_representative")


def test_a_suspended_case_raises_nothing_new_and_resuming_moves_the_deadline(county):
    clerk = user("county_clerk")
    # Accepted 03-03: promised 03-10
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    services.case_suspend(
        actor=clerk, case=case, kind="expert_review", reason="专家论证", expected_days=5, now=at(2026, 3, 9)
    )

    # While suspended the clock is paused: the old deadline passing raises nothing
    sweep(now=at(2026, 3, 12))
    assert alerts("case_overdue_promised") == []
    assert alerts("step_overdue") == []

    # Resumed 03-16: 03-10(1) 11 12 13 16(5) suspended working days, so promised 03-10 + 5 = 03-17
    services.case_resume(actor=clerk, case=case, now=at(2026, 3, 16))
    case.refresh_from_db()
    assert case.promised_due == D(2026, 3, 17)
    sweep(now=at(2026, 3, 17))
    assert alerts("case_overdue_promised") == []
    sweep(now=at(2026, 3, 18))
    assert alerts("case_overdue_promised") == [(str(case.pk), "open", "", D(2026, 3, 17))]


def test_an_alert_raised_before_a_suspension_stays_open(county):
    clerk = user("county_clerk")
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    sweep(now=at(2026, 3, 11))
    assert alerts("case_overdue_promised") == [(str(case.pk), "open", "", D(2026, 3, 10))]

    services.case_suspend(
        actor=clerk, case=case, kind="expert_review", reason="专家论证", expected_days=5, now=at(2026, 3, 11)
    )
    sweep(now=at(2026, 3, 12))
    assert alerts("case_overdue_promised") == [(str(case.pk), "open", "", D(2026, 3, 10))]

    # Resumed 03-13: 2 working days move the deadline to 03-12, still past
    services.case_resume(actor=clerk, case=case, now=at(2026, 3, 13))
    sweep(now=at(2026, 3, 13, 11))
    assert alerts("case_overdue_promised") == [(str(case.pk), "open", "", D(2026, 3, 10))]


def test_an_approved_extension_clears_the_alert_and_a_later_overdue_raises_a_new_one(county):
    clerk, market_head = user("county_clerk"), user("market_head")
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    sweep(now=at(2026, 3, 11))
    sweep(now=at(2026, 3, 11, 11))  # idempotent: nothing twice
    assert alerts("case_overdue_promised") == [(str(case.pk), "open", "", D(2026, 3, 10))]

    extension = services.case_request_extension(actor=clerk, case=case, days=4, reason="现场核查", now=at(2026, 3, 11))
    services.case_decide_extension(actor=market_head, extension=extension, approve=True, now=at(2026, 3, 11, 14))
    case.refresh_from_db()
    assert case.promised_due == D(2026, 3, 16)  # 03-10 + 4: 11(1) 12(2) 13(3) 16(4)

    result = sweep(now=at(2026, 3, 11, 15))
    assert result.closed["case_overdue_promised"] == 1
    assert alerts("case_overdue_promised") == [(str(case.pk), "closed", "cleared", D(2026, 3, 10))]
    assert Alert.objects.get(rule="case_overdue_promised").closed_at == at(2026, 3, 11, 15)

    sweep(now=at(2026, 3, 17))
    assert alerts("case_overdue_promised") == [
        (str(case.pk), "closed", "cleared", D(2026, 3, 10)),
        (str(case.pk), "open", "", D(2026, 3, 16)),
    ]


def test_finishing_the_case_clears_its_clock_alerts(county):
    case = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    sweep(now=at(2026, 3, 11))
    assert {alert.rule for alert in Alert.objects.filter(state="open").exclude(rule="duty_missing")} == {
        "case_overdue_promised",
        "step_overdue",
    }

    finish_review(case, at(2026, 3, 12))
    finish_review(case, at(2026, 3, 12))
    services.case_decide(actor=user("market_head"), case=case, approve=True, now=at(2026, 3, 12))
    result = sweep(now=at(2026, 3, 12, 15))

    assert result.closed["case_overdue_promised"] == 1
    cases_alerts = Alert.objects.exclude(rule="duty_missing")
    assert not cases_alerts.filter(state__in=Alert.LIVE_STATES).exists()
    assert cases_alerts.filter(close_reason="cleared").count() == 2


# --- 3: step overdue ----------------------------------------------------------------------------------------------


def test_a_late_step_fires_while_the_case_is_on_time_and_clears_when_done(county):
    # Accepted 09-22: promised 09-30, 材料审查 due 09-23
    case = accepted("SJ-0004", received_at=at(2026, 9, 21), now=at(2026, 9, 22))
    sweep(now=at(2026, 9, 23))
    assert alerts("step_overdue") == []

    sweep(now=at(2026, 9, 24))
    task = case.tasks.get(name="材料审查")
    assert alerts("step_overdue") == [(str(task.pk), "open", "", D(2026, 9, 23))]
    assert alerts("case_overdue_promised") == []
    alert = Alert.objects.get(rule="step_overdue")
    assert (alert.task, alert.case, alert.responsible_role, alert.level) == (task, case, task.role, "warning")

    finish_review(case, at(2026, 9, 28))
    sweep(now=at(2026, 9, 28, 15))
    assert alerts("step_overdue")[0][1:3] == ("closed", "cleared")


# --- 4, 5: notices ---------------------------------------------------------------------------------------------


def test_a_second_supplement_notice_is_an_anomaly_once(county):
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    services.case_request_supplement(actor=clerk, case=case, problems=[("营业执照", "不清晰")], now=at(2026, 3, 3))
    sweep(now=at(2026, 3, 4))
    assert alerts("repeated_supplement") == []

    services.case_receive_supplement(actor=clerk, case=case, materials=[], now=at(2026, 3, 5))
    second = services.case_request_supplement(
        actor=clerk,
        case=case,
        problems=[("营业执照", "经营范围不符")],
        repeat_reason="经营范围不符",
        now=at(2026, 3, 6),
    )
    # The same day's incremental sweep sees it (the case has a new audit event)
    sweep(now=at(2026, 3, 4, 11))
    sweep(now=at(2026, 3, 6, 11))
    sweep(now=at(2026, 3, 9), full=True)
    assert alerts("repeated_supplement") == [(str(second.pk), "open", "", None)]
    alert = Alert.objects.get(rule="repeated_supplement")
    assert (alert.is_anomaly, alert.level, alert.site.code, alert.responsible_role) == (True, "yellow", "YX", "clerk")


def _refusal(case: Case, number: str, content: dict) -> Notice:
    # An imported or hand-edited record: the service itself refuses a refusal without reasons.
    return Notice.objects.create(
        case=case,
        kind=Notice.Kind.REFUSAL,
        number=number,
        issued_at=at(2026, 3, 3),
        issuer_name="阳新县",
        content=content,
    )


def test_a_refusal_without_reasons_is_an_anomaly(county):
    clerk = user("county_clerk")
    cases = [services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2)) for _ in range(4)]
    blank = _refusal(cases[0], "IMPORT-1", {"reasons": "   "})
    missing = _refusal(cases[1], "IMPORT-2", {"rights": "..."})
    _refusal(cases[2], "IMPORT-3", {"reasons": "不属于本机关职权范围"})
    sweep(now=at(2026, 3, 4))
    # one arriving later the same day is seen by the incremental sweep (a notice newer than the cursor)
    null = _refusal(cases[3], "IMPORT-4", {"reasons": None})
    sweep(now=at(2026, 3, 4, 11))
    sweep(now=at(2026, 3, 5))

    assert alerts("refusal_without_reasons") == [
        (str(blank.pk), "open", "", None),
        (str(missing.pk), "open", "", None),
        (str(null.pk), "open", "", None),
    ]


# --- 6: fees -------------------------------------------------------------------------------------------------


def test_a_fee_off_the_published_standard_is_an_anomaly(county):
    clerk = user("county_clerk")
    # A version with fixed fees only (80 and 550 yuan), no formula fee
    with_formula = FeeRule.objects.filter(amount__isnull=True).values("version_id")
    fixed = (
        FeeRule.objects.filter(amount=Decimal("80"), version__item__current_version=F("version"))
        .exclude(version_id__in=with_formula)
        .first()
    )
    assert fixed is not None
    amounts = sorted(
        FeeRule.objects.filter(version=fixed.version, amount__isnull=False).values_list("amount", flat=True)
    )
    assert amounts == [Decimal("80"), Decimal("550")]
    fee_item = fixed.version.item

    free = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    paid = {
        amount: services.case_submit(actor=clerk, intake=intake(fee_item.code, "YX"), now=at(2026, 3, 2))
        for amount in ("80", "550", "630", "100", "80.01")
    }
    Case.objects.filter(pk=free.pk).update(fee_amount=Decimal("10"))
    for amount, case in paid.items():
        Case.objects.filter(pk=case.pk).update(fee_amount=Decimal(amount))

    sweep(now=at(2026, 3, 4))

    expected = sorted([str(free.pk), str(paid["100"].pk), str(paid["80.01"].pk)])
    assert sorted(key for key, *_rest in alerts("fee_off_standard")) == expected
    assert set(Alert.objects.filter(rule="fee_off_standard").values_list("level", flat=True)) == {"serious"}


# --- 7, 8, 9: the order of the case's life -----------------------------------------------------------------------


def test_a_decision_without_or_before_acceptance_is_an_anomaly(county):
    clerk = user("county_clerk")
    never = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    before = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    proper = accepted("SJ-0004", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    Case.objects.filter(pk=never.pk).update(status="approved", decided_at=at(2026, 3, 4))
    Case.objects.filter(pk=before.pk).update(status="approved", decided_at=at(2026, 3, 3, 9))
    Case.objects.filter(pk=proper.pk).update(status="approved", decided_at=at(2026, 3, 4))

    sweep(now=at(2026, 3, 5))

    assert [key for key, *_rest in alerts("decision_without_acceptance")] == [str(never.pk), str(before.pk)]


def test_acceptance_after_the_five_day_window_is_an_anomaly_deemed_acceptance_included(county):
    clerk = user("county_clerk")
    # Received Monday 03-02: accept or notify by 03-09
    in_time = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    late = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    silent = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    assert late.acceptance_due == D(2026, 3, 9)
    # 03-09 23:30 Beijing is still the last day of the window (15:30 UTC)
    services.case_accept(actor=clerk, case=in_time, now=at(2026, 3, 9, 23))
    sweep(now=at(2026, 3, 10, 9))
    assert alerts("late_acceptance") == []

    # The same day, through the services: the incremental sweep sees both
    services.case_accept(actor=clerk, case=late, now=at(2026, 3, 10, 10))
    assert services.cases_deem_accepted(now=at(2026, 3, 10, 10)) == 1
    silent.refresh_from_db()
    assert silent.is_deemed_accepted
    sweep(now=at(2026, 3, 10, 11))

    assert alerts("late_acceptance") == [
        (str(late.pk), "open", "", D(2026, 3, 9)),
        (str(silent.pk), "open", "", D(2026, 3, 9)),
    ]


def test_an_escalated_case_forwarded_after_the_town_steps_were_due_is_an_anomaly(county):
    agent, reviewer = user("baisha_agent"), user("baisha_leader")
    # NY-0001 accepted at 白沙镇 03-03; the town's on-site review is done 03-12, its review (镇级审核, 2 working days)
    # is then due 03-16, after which the case goes to the county
    on_time = accepted("NY-0001", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    late = accepted("NY-0001", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    for case, day in ((on_time, 16), (late, 17)):
        task = case.tasks.get(state="open")
        services.case_complete_task(actor=agent, task=task, outcome="agree", now=at(2026, 3, 12))
        task = case.tasks.get(state="open")
        services.case_complete_task(actor=reviewer, task=task, outcome="agree", now=at(2026, 3, day))

    sweep(now=at(2026, 3, 17, 15))

    assert alerts("forwarded_late") == [(str(late.pk), "open", "", D(2026, 3, 16))]
    alert = Alert.objects.get(rule="forwarded_late")
    assert (alert.site.code, alert.department.code) == ("BS", "NY")


# --- 10: supervision orders ----------------------------------------------------------------------------------


def test_an_unanswered_supervision_order_is_an_anomaly_until_answered(county):
    order = SupervisionOrder.objects.create(
        number="DB-2026-0001",
        department=Department.objects.get(code="SJ"),
        site=Site.objects.get(code="YX"),
        instruction="整改",
        due_days=3,
        due=D(2026, 3, 10),
        issued_by=user("supervisor"),
        issued_at=at(2026, 3, 5),
    )
    sweep(now=at(2026, 3, 10))
    assert alerts("order_overdue") == []
    sweep(now=at(2026, 3, 11))
    assert alerts("order_overdue") == [(str(order.pk), "open", "", D(2026, 3, 10))]
    assert Alert.objects.get(rule="order_overdue").order == order

    SupervisionOrder.objects.filter(pk=order.pk).update(state="responded")
    sweep(now=at(2026, 3, 11, 11))
    assert alerts("order_overdue") == [(str(order.pk), "closed", "cleared", D(2026, 3, 10))]


def test_the_ratings_and_complaints_rules_run_in_the_sweep(county):
    result = sweep(now=at(2026, 3, 11))
    # Ratings and complaints are the sources of these two (their tests: bianmin/ratings, bianmin/complaints).
    assert result.raised["bad_review_not_rectified"] == 0
    assert result.raised["complaint_overdue"] == 0
