"""Demo of the public's voice: ratings of the decided demo cases (one bad review waiting for its rectification),
complaints and 12345 work orders in each stage of their life, made through the ratings' and complaints' services
(so they are audited and their deadlines counted like any other)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Status
from bianmin.complaints.models import Channel, Complaint, ComplaintKind, ComplaintSubject
from bianmin.complaints.services import (
    Complainant,
    ComplaintIn,
    complaint_accept,
    complaint_assign,
    complaint_call_back,
    complaint_finish,
    complaint_handle,
    complaint_rate,
    complaint_receive,
    complaint_remind,
    complaint_reply,
)
from bianmin.core.workdays import is_workday
from bianmin.org.models import Department, Site
from bianmin.ratings.models import Channel as RatingChannel
from bianmin.ratings.models import Rating
from bianmin.ratings.services import rating_submit

from .cases import SHANGHAI, _Clock


def _complaints(clock: _Clock) -> int:
    supervisor = User.objects.get(username="supervisor")
    centre_admin = User.objects.get(username="centre_admin")
    market_head = User.objects.get(username="market_head")
    county = Site.objects.get(parent__isnull=True)
    baisha = Site.objects.get(code="BS")
    market = Department.objects.get(code="SJ")
    late_case = Case.objects.filter(status=Status.ACCEPTED).order_by("promised_due", "pk").first()

    # Finished, called back and rated: a fee charged twice at the market window, upheld.
    fee = complaint_receive(
        actor=None,
        channel=Channel.PORTAL,
        data=ComplaintIn(
            kind=ComplaintKind.COMPLAINT,
            subject=ComplaintSubject.FEE,
            text="办理个体工商户变更登记时窗口收取了两次工本费，请核实退还。",
            complainant=Complainant(name="李春华", phone="13972001234"),
            site=county,
        ),
        now=clock.at(clock.day(12), 10),
    )
    complaint_accept(actor=supervisor, complaint=fee, now=clock.at(clock.day(11), 9))
    complaint_assign(
        actor=supervisor, complaint=fee, handler=market_head, department=market, now=clock.at(clock.day(11), 10)
    )
    complaint_handle(actor=market_head, complaint=fee, now=clock.at(clock.day(10), 9))
    complaint_reply(
        actor=market_head,
        complaint=fee,
        reply="经核实，窗口重复收取工本费20元属实，已于当日退还并对窗口人员进行批评教育。",
        now=clock.at(clock.day(8), 15),
    )
    complaint_finish(
        actor=supervisor,
        complaint=fee,
        finding=Complaint.Finding.UPHELD,
        accountable_department=market,
        now=clock.at(clock.day(7), 10),
    )
    complaint_call_back(
        actor=supervisor, complaint=fee, note="电话回访，投诉人对处理结果表示满意。", now=clock.at(clock.day(6), 10)
    )
    complaint_rate(complaint=fee, rating=5, comment="处理及时。", now=clock.at(clock.day(6), 11))

    # A 12345 work order about a late case, assigned and late: reminded by the supervisor.
    late = complaint_receive(
        actor=centre_admin,
        channel=Channel.HOTLINE,
        data=ComplaintIn(
            kind=ComplaintKind.HELP,
            subject=ComplaintSubject.CASE if late_case else ComplaintSubject.OTHER,
            text="申请的许可已超过承诺时限仍未办结，请求督促办理。",
            complainant=Complainant(name="王建国", phone="13800271234"),
            tracking_number=late_case.tracking_number if late_case else "",
            site=county,
            hotline_number="12345-YX-2026-08812",
        ),
        now=clock.at(clock.day(9), 14),
    )
    complaint_accept(actor=supervisor, complaint=late, now=clock.at(clock.day(9), 16))
    complaint_assign(
        actor=supervisor, complaint=late, handler=market_head, department=market, now=clock.at(clock.day(8), 9)
    )
    complaint_remind(actor=supervisor, complaint=late, note="已超期，请于两日内答复。", now=clock.at(clock.day(3), 9))

    # A consultation by telephone at 白沙镇, received yesterday and waiting for acceptance.
    complaint_receive(
        actor=User.objects.get(username="baisha_clerk"),
        channel=Channel.PHONE,
        data=ComplaintIn(
            kind=ComplaintKind.CONSULTATION,
            subject=ComplaintSubject.WINDOW,
            text="咨询镇便民服务中心周六是否开放，能否办理低保申请。",
            complainant=Complainant(name="胡秀兰", phone="13597011234"),
            site=baisha,
        ),
        now=clock.at(clock.day(1), 9),
    )
    return Complaint.objects.count()


# The levels given to the decided demo cases, oldest first: mostly good, one bad review (不满意).
RATING_LEVELS = [5, 5, 4, 5, 3, 5, 4, 5, 2, 5, 4, 5]


def _ratings() -> int:
    decided = Case.objects.filter(decided_at__isnull=False).order_by("decided_at", "pk")[: len(RATING_LEVELS)]
    for index, (case, level) in enumerate(zip(decided, RATING_LEVELS, strict=False)):
        rating_submit(
            actor=None,
            case=case,
            channel=RatingChannel.SMS if index % 3 == 2 else RatingChannel.ONLINE,
            level=level,
            comment="窗口人员解释不清楚，跑了两趟才办好。" if level <= 2 else "",
            now=case.decided_at + datetime.timedelta(hours=3),
        )
    return Rating.objects.count()


def load_demo_public_voice(*, today: datetime.date | None = None) -> int:
    """Ratings, complaints and work orders (only when there are none yet); returns the ratings and complaints made."""
    now = timezone.now() if today is None else datetime.datetime.combine(today, datetime.time(18), tzinfo=SHANGHAI)
    today = timezone.localdate(now)
    while not is_workday(today):
        today -= datetime.timedelta(days=1)
    if Complaint.objects.exists() or Rating.objects.exists() or not Case.objects.exists():
        return 0
    with transaction.atomic():
        return _ratings() + _complaints(_Clock(today))
