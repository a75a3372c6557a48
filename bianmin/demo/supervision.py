"""Demo supervision: the first alert sweep over the demo cases, two supervision orders and an accountability record,
made through the supervision services (so they are audited like everything else)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Status
from bianmin.core.workdays import is_workday
from bianmin.org.models import Department
from bianmin.supervision.models import Alert, SupervisionOrder
from bianmin.supervision.services.accountability import accountability_record_create
from bianmin.supervision.services.orders import order_accept, order_issue, order_respond
from bianmin.supervision.sweep import sweep

from .cases import SHANGHAI, _Clock


def load_demo_supervision(*, today: datetime.date | None = None) -> int:
    """Sweep once, then create the demo orders and record (only when no order exists); returns orders created."""
    now = timezone.now() if today is None else datetime.datetime.combine(today, datetime.time(18), tzinfo=SHANGHAI)
    today = timezone.localdate(now)
    while not is_workday(today):
        today -= datetime.timedelta(days=1)
    clock = _Clock(today)
    sweep(now=now)
    if SupervisionOrder.objects.exists() or not Case.objects.exists():
        return 0
    supervisor = User.objects.get(username="supervisor")
    with transaction.atomic():
        # The most overdue open case: an order to finish it, now itself past its due date.
        late = Case.objects.filter(status=Status.ACCEPTED).order_by("promised_due", "pk").first()
        created = 0
        if late is not None:
            order_issue(
                actor=supervisor,
                case=late,
                due_days=2,
                instruction="该件已超过承诺时限，请立即办结并书面说明超时原因。",
                now=clock.at(clock.day(4), 9),
            )
            created += 1
        # A department-wide order, answered and accepted.
        order = order_issue(
            actor=supervisor,
            department=Department.objects.get(code="SJ"),
            due_days=5,
            instruction="请对本月补正告知不一次性的问题开展自查，报送整改情况。",
            now=clock.at(clock.day(8), 9),
        )
        order_respond(
            actor=User.objects.get(username="market_head"),
            order=order,
            text="已组织窗口人员学习一次性告知制度，补正清单模板已更新。",
            now=clock.at(clock.day(5), 16),
        )
        order_accept(actor=supervisor, order=order, note="整改措施可行，予以认可。", now=clock.at(clock.day(4), 10))
        created += 1
        repeated = Alert.objects.filter(rule="repeated_supplement").first()
        accountability_record_create(
            actor=supervisor,
            finding="受理窗口对同一申请两次发出补正告知，违反一次性告知制度。",
            measure="criticism",
            decided_on=clock.day(3),
            person=User.objects.get(username="county_clerk"),
            alerts=[repeated] if repeated else (),
            orders=[order],
            now=clock.at(clock.day(3), 11),
        )
    return created
