"""Yellow thresholds: who may set them, what is valid, one row per target, the audit chain, and the page."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from bianmin.cases.models import YellowThreshold
from bianmin.catalog.models import ServiceItem
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError
from bianmin.core.models import AuditEvent
from bianmin.core.testing import logged_in, user
from bianmin.org import services as org
from bianmin.org.models import Department, Role, Site
from bianmin.supervision.services.thresholds import yellow_threshold_delete, yellow_threshold_set

pytestmark = pytest.mark.usefixtures("english")


@contextmanager
def refused(code: str):
    events = AuditEvent.objects.count()
    rows = list(
        YellowThreshold.objects.values_list("pk", "department_id", "item_id", "days_left", "share_used_percent")
    )
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value}"
    assert AuditEvent.objects.count() == events
    assert (
        list(YellowThreshold.objects.values_list("pk", "department_id", "item_id", "days_left", "share_used_percent"))
        == rows
    )


def test_supervisor_sets_replaces_and_removes_thresholds_with_audit(county):
    supervisor = user("supervisor")
    market = Department.objects.get(code="SJ")

    first = yellow_threshold_set(actor=supervisor, department=market, days_left=2, share_used_percent=None)
    second = yellow_threshold_set(actor=user("centre_admin"), department=market, days_left=3, share_used_percent=75)
    glob = yellow_threshold_set(actor=supervisor, days_left=None, share_used_percent=90)

    assert second.pk == first.pk
    assert list(
        YellowThreshold.objects.order_by("pk").values_list("department__code", "days_left", "share_used_percent")
    ) == [
        ("SJ", 3, 75),
        (None, None, 90),
    ]
    events = list(audit_events_for(second).order_by("sequence").values_list("action", "payload"))
    assert events == [
        (
            "yellow_threshold.set",
            {"before": None, "after": {"target": "department:SJ", "days_left": 2, "share_used_percent": None}},
        ),
        (
            "yellow_threshold.set",
            {
                "before": {"target": "department:SJ", "days_left": 2, "share_used_percent": None},
                "after": {"target": "department:SJ", "days_left": 3, "share_used_percent": 75},
            },
        ),
    ]

    yellow_threshold_delete(actor=supervisor, threshold=glob)
    assert list(YellowThreshold.objects.values_list("department__code", flat=True)) == ["SJ"]
    assert AuditEvent.objects.filter(action="yellow_threshold.delete").count() == 1
    with refused("threshold_gone"):
        yellow_threshold_delete(actor=supervisor, threshold=glob)


def test_invalid_thresholds_are_refused_and_change_nothing(county):
    supervisor = user("supervisor")
    item = ServiceItem.objects.get(code="SJ-0004")
    yellow_threshold_set(actor=supervisor, item=item, days_left=1, share_used_percent=None)

    with refused("threshold_without_limit") as info:
        yellow_threshold_set(actor=supervisor, item=item, days_left=None, share_used_percent=None)
    assert (
        str(info.value) == "Give working days left, a share of the limit used, or both: a threshold needs at least one."
    )
    with refused("threshold_days_out_of_range"):
        yellow_threshold_set(actor=supervisor, item=item, days_left=31, share_used_percent=None)
    with refused("threshold_days_out_of_range"):
        yellow_threshold_set(actor=supervisor, item=item, days_left=-1, share_used_percent=None)
    with refused("threshold_percent_out_of_range"):
        yellow_threshold_set(actor=supervisor, item=item, days_left=None, share_used_percent=0)
    with refused("threshold_percent_out_of_range"):
        yellow_threshold_set(actor=supervisor, item=item, days_left=2, share_used_percent=101)
    with refused("threshold_two_targets"):
        yellow_threshold_set(
            actor=supervisor, item=item, department=item.department, days_left=2, share_used_percent=None
        )
    # the bounds themselves are valid
    yellow_threshold_set(actor=supervisor, item=item, days_left=30, share_used_percent=100)
    yellow_threshold_set(actor=supervisor, item=item, days_left=0, share_used_percent=1)


def test_only_county_wide_supervisors_and_centre_administrators_may_set_thresholds(county):
    town_supervisor = user("baisha_agent")
    org.role_assign(actor=None, user=town_supervisor, role=Role.SUPERVISOR, site=Site.objects.get(code="BS"))
    threshold = yellow_threshold_set(actor=user("supervisor"), days_left=2, share_used_percent=None)

    for username in ("county_clerk", "market_head", "market_chief", "baisha_agent"):
        with refused("permission_denied"):
            yellow_threshold_set(actor=user(username), days_left=5, share_used_percent=None)
        with refused("permission_denied"):
            yellow_threshold_delete(actor=user(username), threshold=threshold)
    with refused("permission_denied"):
        yellow_threshold_set(actor=None, days_left=5, share_used_percent=None)


def test_thresholds_page_shows_the_default_then_sets_and_removes(county):
    client = logged_in("supervisor", language="en")

    page = client.get("/supervision/thresholds/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Built-in default" in body and '<td data-label="Working days left">1</td>' in body

    market = Department.objects.get(code="SJ")
    saved = client.post("/supervision/thresholds/", {"department": market.pk, "days_left": "2"})
    assert saved.status_code == 302
    threshold = YellowThreshold.objects.get()
    assert (threshold.department, threshold.days_left, threshold.share_used_percent) == (market, 2, None)
    assert "Department: 县市场监督管理局" in client.get("/supervision/thresholds/").content.decode()

    invalid = client.post("/supervision/thresholds/", {"share_used_percent": "120"})
    assert invalid.status_code == 400
    assert "must be between 1 and 100 per cent" in invalid.content.decode()
    assert YellowThreshold.objects.count() == 1

    removed = client.post(f"/supervision/thresholds/{threshold.pk}/delete/")
    assert removed.status_code == 302 and not YellowThreshold.objects.exists()


def test_department_heads_read_the_thresholds_but_cannot_change_them(county):
    threshold = yellow_threshold_set(actor=user("supervisor"), days_left=2, share_used_percent=None)
    client = logged_in("market_head", language="en")

    body = client.get("/supervision/thresholds/").content.decode()
    refused_post = client.post("/supervision/thresholds/", {"days_left": "5"})
    refused_delete = client.post(f"/supervision/thresholds/{threshold.pk}/delete/")

    assert "Set a threshold" not in body and "Remove" not in body
    assert refused_post.status_code == 403 and refused_delete.status_code == 403
    threshold.refresh_from_db()
    assert threshold.days_left == 2
    assert logged_in("county_clerk", language="en").get("/supervision/thresholds/").status_code == 403
