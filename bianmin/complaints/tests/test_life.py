"""A complaint's whole life with its deadlines across the National Day holiday, a reminder (催办) and the public
notice (通报), the supervision rule ``complaint_overdue``, and refused moves that change nothing.

2026 calendar facts used: 10-01..10-07 is the National Day holiday and Saturday 10-10 a make-up working day. So
5 working days after Tuesday 09-29 are 09-30, 10-08, 10-09, 10-10, 10-12; 13 after Wednesday 09-30 end on 10-23;
5 after Monday 10-26 end on 11-02.
"""

from __future__ import annotations

import datetime

import pytest

from bianmin.complaints.models import Complaint, ComplaintKind, PublicNotice, Reminder
from bianmin.complaints.services import (
    complaint_accept,
    complaint_assign,
    complaint_call_back,
    complaint_finish,
    complaint_handle,
    complaint_rate,
    complaint_refuse,
    complaint_remind,
    complaint_reply,
    complaints_report_late,
)
from bianmin.core.audit import audit_events_for
from bianmin.core.models import AuditEvent, OutboundMessage
from bianmin.core.testing import at, received, refused, user
from bianmin.org.models import Department
from bianmin.supervision.models import Alert
from bianmin.supervision.sweep import sweep

pytestmark = pytest.mark.django_db
D = datetime.date
State = Complaint.State


def alerts() -> list[tuple]:
    return list(Alert.objects.filter(rule="complaint_overdue").values_list("key", "state", "close_reason", "due"))


def test_a_complaint_goes_through_its_whole_life_across_the_holiday(county, make_complaint):
    supervisor, handler = user("supervisor"), user("market_chief")
    case = received("SJ-0004", "YX")

    # Given a complaint about a case, received on the portal on Tuesday 09-29
    complaint = make_complaint(tracking_number=case.tracking_number, subject="case")
    assert (complaint.number, complaint.state, complaint.site.code, complaint.case) == (
        "TS-2026-00001",
        State.RECEIVED,
        "YX",
        case,
    )
    assert (complaint.acceptance_due, complaint.due) == (D(2026, 10, 12), D(2026, 10, 12))
    sms = OutboundMessage.objects.get(event="complaint_received")
    assert (sms.recipient, complaint.query_code in sms.body) == ("13912345678", True)

    # When it is accepted on Wednesday 09-30: a complaint has 13 working days, the holiday not counted
    complaint = complaint_accept(actor=supervisor, complaint=complaint, now=at(2026, 9, 30))
    assert (complaint.state, complaint.handling_days, complaint.due) == (State.ACCEPTED, 13, D(2026, 10, 23))

    # 派单 to the market department's chief representative, who takes it up
    complaint = complaint_assign(
        actor=supervisor,
        complaint=complaint,
        department=Department.objects.get(code="SJ"),
        handler=handler,
        now=at(2026, 10, 8),
    )
    complaint = complaint_handle(actor=handler, complaint=complaint, now=at(2026, 10, 9))
    assert (complaint.state, complaint.department.code, complaint.handler) == (State.HANDLING, "SJ", handler)

    # Not late on its last day; late the working day after: the supervision rule fires
    sweep(now=at(2026, 10, 23, 18))
    assert alerts() == []
    sweep(now=at(2026, 10, 24))
    assert alerts() == [(str(complaint.pk), "open", "", D(2026, 10, 23))]
    alert = Alert.objects.get(rule="complaint_overdue")
    assert (alert.site.code, alert.department.code, alert.case, alert.level) == ("YX", "SJ", case, "red")

    # 催办 on Monday 10-26: reported if still late 5 working days later, on 11-02
    reminder = complaint_remind(actor=supervisor, complaint=complaint, note="请尽快办理。", now=at(2026, 10, 26))
    assert reminder.report_on == D(2026, 11, 2)
    assert complaints_report_late(now=at(2026, 10, 30, 23)) == 0
    assert complaints_report_late(now=at(2026, 11, 2, 9)) == 1
    assert complaints_report_late(now=at(2026, 11, 3, 9)) == 0  # once per reminder
    notice = PublicNotice.objects.get()
    assert (notice.complaint, notice.reminder, notice.due, notice.site.code, notice.department.code) == (
        complaint,
        reminder,
        D(2026, 10, 23),
        "YX",
        "SJ",
    )

    # 回复 clears the alert
    complaint = complaint_reply(actor=handler, complaint=complaint, reply="已核实并致歉，已整改。", now=at(2026, 11, 3))
    sweep(now=at(2026, 11, 3, 11))
    assert alerts() == [(str(complaint.pk), "closed", "cleared", D(2026, 10, 23))]

    # 办结 upheld: held against the case's department; 回访; 评价 by the complainant
    complaint = complaint_finish(actor=supervisor, complaint=complaint, finding="upheld", now=at(2026, 11, 4))
    assert (complaint.is_upheld, complaint.accountable_department.code, complaint.case) == (True, "SJ", case)
    complaint = complaint_call_back(actor=supervisor, complaint=complaint, note="满意。", now=at(2026, 11, 5))
    complaint = complaint_rate(complaint=complaint, rating=5, comment="谢谢", now=at(2026, 11, 6))
    assert (complaint.state, complaint.rating) == (State.RATED, 5)

    assert list(audit_events_for(complaint).order_by("sequence").values_list("action", flat=True)) == [
        "complaint.receive",
        "complaint.accept",
        "complaint.assign",
        "complaint.handle",
        "complaint.remind",
        "complaint.report",
        "complaint.reply",
        "complaint.finish",
        "complaint.call_back",
        "complaint.rate",
    ]
    # The chain never holds the complainant's identity.
    payloads = str(list(audit_events_for(complaint).values_list("payload", flat=True)))
    assert ("王小明" in payloads, "13912345678" in payloads) == (False, False)


@pytest.mark.parametrize(
    ("kind", "accepted_on", "due"),
    [
        (ComplaintKind.URGENT, at(2026, 9, 30), D(2026, 9, 30)),  # the same day
        (ComplaintKind.URGENT, at(2026, 10, 3), D(2026, 10, 8)),  # on a holiday: the next working day
        (ComplaintKind.URGENT, at(2026, 10, 10), D(2026, 10, 10)),  # a make-up Saturday is a working day
        (ComplaintKind.CONSULTATION, at(2026, 9, 30), D(2026, 10, 10)),
        (ComplaintKind.HELP, at(2026, 9, 30), D(2026, 10, 10)),
        (ComplaintKind.COMPLAINT, at(2026, 9, 30), D(2026, 10, 23)),
    ],
)
def test_the_handling_deadline_depends_on_the_kind(county, make_complaint, kind, accepted_on, due):
    complaint = make_complaint(kind=kind)
    complaint = complaint_accept(actor=user("supervisor"), complaint=complaint, now=accepted_on)
    assert complaint.due == due


def test_the_deadlines_follow_the_settings(county, make_complaint, settings):
    settings.COMPLAINT_HANDLING_DAYS = {**settings.COMPLAINT_HANDLING_DAYS, "complaint": 10}
    settings.COMPLAINT_ACCEPTANCE_DAYS = 3
    complaint = make_complaint()
    assert complaint.acceptance_due == D(2026, 10, 9)
    complaint = complaint_accept(actor=user("supervisor"), complaint=complaint, now=at(2026, 9, 30))
    assert complaint.due == D(2026, 10, 20)


def test_an_acceptance_decision_not_made_in_time_is_late_until_decided(county, make_complaint):
    complaint = make_complaint()
    sweep(now=at(2026, 10, 13))
    assert alerts() == [(str(complaint.pk), "open", "", D(2026, 10, 12))]
    complaint_refuse(actor=user("supervisor"), complaint=complaint, reason="不属于受理范围。", now=at(2026, 10, 13))
    sweep(now=at(2026, 10, 13, 11))
    assert alerts() == [(str(complaint.pk), "closed", "cleared", D(2026, 10, 12))]


def test_a_reminder_needs_a_late_complaint_and_a_supervisor(county, make_complaint):
    complaint = make_complaint()
    events = AuditEvent.objects.count()
    with refused("not_late"):
        complaint_remind(actor=user("supervisor"), complaint=complaint, now=at(2026, 10, 12))
    with refused("permission_denied"):
        complaint_remind(actor=user("county_clerk"), complaint=complaint, now=at(2026, 10, 13))
    assert (Reminder.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_a_complaint_answered_after_its_reminder_is_not_reported(county, make_complaint):
    complaint = make_complaint()
    complaint_remind(actor=user("supervisor"), complaint=complaint, now=at(2026, 10, 13))
    complaint_refuse(actor=user("supervisor"), complaint=complaint, reason="重复投诉。", now=at(2026, 10, 14))
    assert complaints_report_late(now=at(2026, 10, 30)) == 0
    assert PublicNotice.objects.count() == 0


def test_refused_moves_and_refused_people_change_nothing(county, make_complaint):
    complaint = make_complaint()
    before = (AuditEvent.objects.count(), Complaint.objects.values_list("state", "due").get())
    with refused("transition_not_allowed"):
        complaint_reply(actor=user("market_chief"), complaint=complaint, reply="已处理。", now=at(2026, 9, 30))
    with refused("permission_denied"):
        complaint_accept(actor=user("county_clerk"), complaint=complaint, now=at(2026, 9, 30))
    with refused("permission_denied"):
        complaint_accept(actor=user("market_chief"), complaint=complaint, now=at(2026, 9, 30))
    with refused("transition_not_allowed"):
        complaint_rate(complaint=complaint, rating=5, now=at(2026, 9, 30))
    accepted = complaint_accept(actor=user("supervisor"), complaint=complaint, now=at(2026, 9, 30))
    with refused("handler_unfit"):
        complaint_assign(
            actor=user("supervisor"),
            complaint=accepted,
            department=Department.objects.get(code="SJ"),
            handler=user("land_chief"),
            now=at(2026, 9, 30),
        )
    assigned = complaint_assign(
        actor=user("supervisor"),
        complaint=accepted,
        department=Department.objects.get(code="SJ"),
        handler=user("market_chief"),
        now=at(2026, 9, 30),
    )
    with refused("permission_denied"):
        complaint_handle(actor=user("market_head"), complaint=assigned, now=at(2026, 9, 30))
    with refused("permission_denied"):
        complaint_reply(actor=user("supervisor"), complaint=assigned, reply="已处理。", now=at(2026, 9, 30))
    after = (AuditEvent.objects.count(), Complaint.objects.values_list("state", "due", "handler__username").get())
    assert after == (before[0] + 2, ("assigned", D(2026, 10, 23), "market_chief"))
