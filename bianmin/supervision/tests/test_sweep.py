"""The sweep as a whole: modes, notifications exactly once, bounded queries, the task and the command."""

from __future__ import annotations

import datetime
import io
import math

import pytest
from django.core.management import call_command
from django.db.models import Max

from bianmin.accounts.models import User
from bianmin.cases import services
from bianmin.cases.models import Case
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.models import AuditEvent, OutboundMessage
from bianmin.core.testing import at, intake, overdue, user
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.supervision.models import Alert, InboxMessage, RuleSetting, SweepRun
from bianmin.supervision.services.alerts import alert_confirm, alert_dismiss, alert_resolve, rule_setting_update
from bianmin.supervision.sweep import sweep
from bianmin.supervision.tasks import sweep_alerts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def only_promised_rule() -> None:
    supervisor = user("supervisor")
    for code in ("step_overdue",):
        rule_setting_update(actor=supervisor, rule=code, mode="off", level="warning")


def test_new_alerts_reach_the_department_leads_once_in_the_inbox_and_by_sms(county):
    User.objects.filter(username="market_head").update(phone="13900000001")
    only_promised_rule()
    case = overdue()

    result = sweep(now=at(2026, 3, 11))
    sweep(now=at(2026, 3, 11, 11))  # nothing twice

    alert = Alert.objects.get(rule="case_overdue_promised")
    assert result.raised["case_overdue_promised"] == 1
    assert sorted(InboxMessage.objects.values_list("recipient__username", "alert", "url")) == [
        ("market_chief", alert.pk, f"/supervision/alerts/{alert.pk}/"),
        ("market_head", alert.pk, f"/supervision/alerts/{alert.pk}/"),
    ]
    assert set(InboxMessage.objects.values_list("subject", flat=True)) == {
        f"【Yellow card】Case past its promised deadline {case.tracking_number}"
    }
    texts = OutboundMessage.objects.filter(event="supervision_alert")
    assert list(texts.values_list("recipient", "channel")) == [("13900000001", "sms")]
    # Supervisors see the feed, not an inbox message per alert
    assert not InboxMessage.objects.filter(recipient__username="supervisor").exists()


def test_one_text_per_person_however_many_new_alerts(county):
    User.objects.filter(username="market_head").update(phone="13900000001")
    only_promised_rule()
    for _ in range(3):
        overdue()

    sweep(now=at(2026, 3, 11))

    assert InboxMessage.objects.filter(recipient__username="market_head").count() == 3
    assert list(OutboundMessage.objects.filter(event="supervision_alert").values_list("subject", flat=True)) == [
        "3 new supervision alerts"
    ]


def test_manual_mode_waits_for_a_supervisor_who_confirms_and_notifies(county):
    supervisor = user("supervisor")
    only_promised_rule()
    rule_setting_update(actor=supervisor, rule="case_overdue_promised", mode="manual", level="red")
    overdue()

    sweep(now=at(2026, 3, 11))
    alert = Alert.objects.get(rule="case_overdue_promised")
    assert (alert.state, alert.level) == ("pending", "red")
    assert not InboxMessage.objects.exists()

    alert_confirm(actor=supervisor, alert=alert, now=at(2026, 3, 11, 11))
    alert.refresh_from_db()
    assert alert.state == "open"
    assert sorted(InboxMessage.objects.values_list("recipient__username", flat=True)) == ["market_chief", "market_head"]
    assert AuditEvent.objects.filter(action="alert.confirm", object_id=str(alert.pk)).count() == 1
    sweep(now=at(2026, 3, 11, 12))
    assert InboxMessage.objects.count() == 2  # exactly once


def test_a_dismissed_pending_alert_is_history_and_not_raised_again_while_the_cause_lasts(county):
    supervisor = user("supervisor")
    rule_setting_update(actor=supervisor, rule="case_overdue_promised", mode="manual", level="yellow")
    overdue()
    sweep(now=at(2026, 3, 11))
    alert = Alert.objects.get(rule="case_overdue_promised")

    with pytest.raises(DomainError) as info:
        alert_dismiss(actor=supervisor, alert=alert, reason="  ")
    assert info.value.code == "reason_required"
    alert_dismiss(actor=supervisor, alert=alert, reason="已核实为系统录入错误", now=at(2026, 3, 11, 11))

    alert.refresh_from_db()
    assert (alert.state, alert.close_reason, alert.closed_by, alert.note) == (
        "dismissed",
        "dismissed",
        supervisor,
        "已核实为系统录入错误",
    )
    # The dismissal holds for this cause and this missed deadline: the next sweeps raise nothing new.
    sweep(now=at(2026, 3, 12))
    assert list(Alert.objects.filter(rule="case_overdue_promised").values_list("state", flat=True)) == ["dismissed"]

    # When an approved extension moves the deadline and the new one is missed too, that is a new cause.
    case = Case.objects.get()
    extension = services.case_request_extension(
        actor=user("county_clerk"), case=case, days=2, reason="需补充核查", now=at(2026, 3, 12, 9)
    )
    services.case_decide_extension(
        actor=user("market_head"), extension=extension, approve=True, now=at(2026, 3, 12, 10)
    )
    sweep(now=at(2026, 3, 13))
    alerts = Alert.objects.filter(rule="case_overdue_promised").order_by("pk").values_list("state", "due")
    assert list(alerts) == [("dismissed", datetime.date(2026, 3, 10)), ("pending", datetime.date(2026, 3, 12))]


def test_off_raises_nothing_and_leaves_live_alerts_alone(county):
    supervisor = user("supervisor")
    overdue()
    sweep(now=at(2026, 3, 11))
    rule_setting_update(actor=supervisor, rule="case_overdue_promised", mode="off", level="yellow")
    rule_setting_update(actor=supervisor, rule="step_overdue", mode="off", level="warning")
    Case.objects.update(status="withdrawn")

    result = sweep(now=at(2026, 3, 12))

    assert "case_overdue_promised" not in result.raised
    assert Alert.objects.filter(state="open").exclude(rule="duty_missing").count() == 2


def test_resolving_an_event_anomaly(county):
    supervisor = user("supervisor")
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    Case.objects.filter(pk=case.pk).update(fee_amount=10)
    sweep(now=at(2026, 3, 3))
    alert = Alert.objects.get(rule="fee_off_standard")

    alert_resolve(actor=supervisor, alert=alert, note="已退还多收费用", now=at(2026, 3, 4))
    sweep(now=at(2026, 3, 5))

    alert.refresh_from_db()
    assert (alert.state, alert.close_reason, alert.note) == ("closed", "resolved", "已退还多收费用")
    assert Alert.objects.filter(rule="fee_off_standard").count() == 1  # an event is raised once, ever


def test_a_move_the_alerts_state_forbids_is_refused_by_the_one_transition_check(county):
    """Alerts move by their table (ALERT_MOVES), like cases and orders: the same error, code and status."""
    supervisor = user("supervisor")
    rule_setting_update(actor=supervisor, rule="case_overdue_promised", mode="manual", level="yellow")
    overdue()
    sweep(now=at(2026, 3, 11))
    alert = Alert.objects.get(rule="case_overdue_promised")

    with pytest.raises(TransitionNotAllowed) as pending:
        alert_resolve(actor=supervisor, alert=alert, note="已处理")
    alert_dismiss(actor=supervisor, alert=alert, reason="系统录入错误", now=at(2026, 3, 11, 11))
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionNotAllowed) as closed:
        alert_dismiss(actor=supervisor, alert=alert, reason="再次驳回")
    with pytest.raises(TransitionNotAllowed) as confirmed:
        alert_confirm(actor=supervisor, alert=alert)

    refusals = [(info.value.code, info.value.status, str(info.value.message)) for info in (pending, closed, confirmed)]
    assert refusals == [
        ("transition_not_allowed", 409, "Only an open alert can be resolved."),
        ("transition_not_allowed", 409, "This alert is already closed."),
        ("transition_not_allowed", 409, "Only an alert awaiting review can be confirmed."),
    ]
    alert.refresh_from_db()
    assert alert.state == "dismissed"
    assert AuditEvent.objects.count() == events


def test_only_supervisors_write(county):
    clerk, head = user("county_clerk"), user("market_head")
    overdue()
    sweep(now=at(2026, 3, 11))
    alert = Alert.objects.get(rule="case_overdue_promised")
    events = AuditEvent.objects.count()

    for actor in (clerk, head):
        with pytest.raises(PermissionDenied):
            alert_resolve(actor=actor, alert=alert, note="x")
        with pytest.raises(PermissionDenied):
            alert_dismiss(actor=actor, alert=alert, reason="x")
        with pytest.raises(PermissionDenied):
            rule_setting_update(actor=actor, rule="case_overdue_promised", mode="off", level="red")

    alert.refresh_from_db()
    assert alert.state == "open"
    assert not RuleSetting.objects.exists()
    assert AuditEvent.objects.count() == events


def test_bad_rule_settings_are_refused(county):
    supervisor = user("supervisor")
    for rule, mode, level, code in (
        ("no_such_rule", "off", "red", "unknown_rule"),
        ("step_overdue", "sometimes", "red", "invalid_mode"),
        ("step_overdue", "off", "purple", "invalid_level"),
    ):
        with pytest.raises(DomainError) as info:
            rule_setting_update(actor=supervisor, rule=rule, mode=mode, level=level)
        assert info.value.code == code
    assert not RuleSetting.objects.exists()


def test_the_sweep_runs_a_bounded_number_of_queries_whatever_the_number_of_cases(county, django_assert_max_num_queries):
    overdue()  # 48: the rules (one of them reads its groups first), the cursors, the inbox, the tally
    with django_assert_max_num_queries(48) as one:
        sweep(now=at(2026, 3, 11))
    for _ in range(6):
        overdue()
    with django_assert_max_num_queries(len(one.captured_queries)):
        sweep(now=at(2026, 3, 12), full=True)
    assert Alert.objects.filter(rule="case_overdue_promised").count() == 7


def test_the_task_and_the_command_run_the_sweep(county):
    overdue()
    assert sweep_alerts.enqueue().return_value["is_full"] is True  # immediate backend in tests

    out = io.StringIO()
    call_command("supervision", "sweep", "--today", "2026-03-11", "--full", stdout=out)
    assert "case_overdue_promised" in out.getvalue()
    assert SweepRun.objects.get().review_after == Case.objects.aggregate(last=Max("pk"))["last"]
    assert Alert.objects.filter(rule="case_overdue_promised", state="open").count() == 1


def test_the_rolling_review_sees_a_case_edited_by_hand_within_a_day_a_share_at_each_sweep(county):
    """The event rules look again at every case once a day, a share at each sweep: as many case ids as the time
    since the last sweep is of a day, after the last one reached."""
    cases = [overdue() for _ in range(4)]
    first = sweep(now=at(2026, 3, 11))
    last = Case.objects.aggregate(last=Max("pk"))["last"]
    assert (first.is_full, first.reviewed) == (True, (0, last))
    # Accepted a week after its window ended, written without the services: no audit event tells the sweep.
    edited = cases[2]
    Case.objects.filter(pk=edited.pk).update(accepted_at=at(2026, 3, 20))

    quarter = math.ceil(last / 4)  # a sweep every 6 hours looks at a quarter of the case ids
    expected_ranges = [(0, quarter), (quarter, 2 * quarter), (2 * quarter, 3 * quarter), (3 * quarter, last)]
    moments = [at(2026, 3, 11, 16), at(2026, 3, 11, 22), at(2026, 3, 12, 4), at(2026, 3, 12, 10)]
    results = [sweep(now=moment) for moment in moments]

    assert [(result.is_full, result.reviewed) for result in results] == [(False, r) for r in expected_ranges]
    seen_in = next(index for index, (after, upto) in enumerate(expected_ranges) if after < edited.pk <= upto)
    assert [result.raised.get("late_acceptance", 0) for result in results] == [
        1 if index == seen_in else 0 for index in range(4)
    ]
    assert list(Alert.objects.filter(rule="late_acceptance").values_list("case_id", flat=True)) == [edited.pk]
    # The next share starts again from the first case.
    assert sweep(now=at(2026, 3, 12, 16)).reviewed == (0, quarter)


def test_a_sweep_a_minute_after_the_last_reviews_a_1440th_and_one_a_day_after_reviews_everything(county):
    overdue()
    sweep(now=at(2026, 3, 11))
    last = Case.objects.aggregate(last=Max("pk"))["last"]

    minute = sweep(now=at(2026, 3, 11) + datetime.timedelta(minutes=1))
    day = sweep(now=at(2026, 3, 12, 11))

    assert (minute.is_full, minute.reviewed) == (False, (0, math.ceil(last / 1440)))
    assert (day.is_full, day.reviewed) == (True, (0, last))
    assert SweepRun.objects.get().review_after == last
