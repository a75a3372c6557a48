"""The demo's assessment (绩效考核): a monthly window scheme after the county's local rules (../shared/DOMAIN.md §8),
computed for last month (published) and this month so far, through the services (audited like any other)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.assessment import services
from bianmin.assessment.models import Scheme
from bianmin.assessment.periods import period_before
from bianmin.assessment.running import run_compute
from bianmin.org.models import Window

from .cases import SHANGHAI

SCHEME_NAME = "窗口单位月度考核"

ITEMS = [
    {"name": "承诺时限（超时办件）", "kind": "points", "metric": "overdue_cases", "per_event": -5, "cap": 15},
    {"name": "收费（未按标准收费）", "kind": "points", "metric": "fees_off_standard", "per_event": -5, "cap": 10},
    {"name": "差评属实", "kind": "points", "metric": "bad_reviews_upheld", "per_event": -2, "cap": 10},
    {"name": "投诉属实", "kind": "points", "metric": "complaints_upheld", "per_event": -2, "cap": 10},
    {"name": "黄牌", "kind": "points", "metric": "yellow_cards", "per_event": -2, "cap": 10},
    {"name": "红牌", "kind": "points", "metric": "red_cards", "per_event": -5, "cap": 10, "lowers_grade": True},
    {"name": "按时办结率（承诺时限）", "kind": "rate", "metric": "on_time_promised", "weight": 10},
    {"name": "好评率", "kind": "rate", "metric": "good_rate", "weight": 10},
    {"name": "督办件按时回复率", "kind": "rate", "metric": "orders_answered_on_time", "weight": 5},
    {"name": "表扬、大厅纪律", "kind": "manual", "cap": 5},
]


def load_demo_assessment(*, now: datetime.datetime | None = None) -> int:
    """The scheme (once), last month's run published and this month's computed; returns the runs made."""
    if Scheme.objects.filter(name=SCHEME_NAME).exists():
        return 0
    now = now or timezone.now()
    admin = User.objects.get(username="centre_admin")
    scheme = services.scheme_create(
        actor=admin,
        name=SCHEME_NAME,
        subject_kind="window",
        period_kind="month",
        excellent_quota_percent=20,
        awards=5,
        now=now,
    )
    for position, item in enumerate(ITEMS):
        values = {key: Decimal(value) if isinstance(value, int) else value for key, value in item.items()}
        services.scheme_item_add(actor=admin, scheme=scheme, position=position, **values)
    services.scheme_activate(actor=admin, scheme=scheme)
    this_month = now.astimezone(SHANGHAI).date().replace(day=1)
    last_month = period_before("month", this_month)
    commended = Window.objects.filter(site__code="BS", number="1").first()
    if commended is not None:
        services.manual_score_enter(
            actor=admin,
            item=scheme.items.get(kind="manual"),
            period_start=last_month,
            subject_id=commended.pk,
            points=3,
            reason="群众送来锦旗，表扬窗口耐心细致。",
            evidence="锦旗照片、来信登记",
            now=now,
        )
    made = 0
    for start in (last_month, this_month):
        run = services.run_start(actor=admin, scheme=scheme, period_start=start, now=now)
        run_compute(run.pk, now=now)
        made += 1
        if start == last_month:
            run.refresh_from_db()
            services.run_publish(actor=admin, run=run, now=now)
    return made
