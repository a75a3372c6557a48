"""The alert feed, an alert's page and actions, the rule settings and the inbox, over HTTP."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bianmin.cases.models import Case
from bianmin.core.testing import OTHER_ID_NUMBER, at, logged_in, overdue, role_holder, user
from bianmin.org.models import Department, Role
from bianmin.supervision.models import Alert, AlertTally, InboxMessage, RuleSetting
from bianmin.supervision.services.alerts import alert_dismiss, alert_resolve, rule_setting_update
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_feed_lists_alerts_with_constant_queries(county, django_assert_max_num_queries):
    RuleSetting.objects.create(rule="duty_missing", mode="off", level="warning")  # only the cases' alerts here
    overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 11))
    client = logged_in("supervisor", language="en")
    url = reverse("supervision:alerts")
    with django_assert_max_num_queries(30) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-alert=") == 2

    for _ in range(5):
        overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 12))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("data-alert=") == 12
    # htmx asks for the table alone
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "data-alert=" in partial.content.decode()


def test_past_the_cap_the_feed_says_more_than_and_pages_up_to_it(county, monkeypatch):
    from bianmin.core import pagination

    RuleSetting.objects.create(rule="duty_missing", mode="off", level="warning")
    for _ in range(3):
        overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 11))
    assert Alert.objects.count() == 6
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    monkeypatch.setattr("bianmin.supervision.views.alerts.FEED_PAGE_SIZE", 3)
    client = logged_in("supervisor", language="en")
    url = reverse("supervision:alerts")

    first = client.get(url).content.decode()
    assert "More than 4: narrow the filters to count them all." in first and "6 alerts" not in first
    assert (first.count("data-alert="), "Page 1 of 2" in first) == (3, True)
    last = client.get(url, {"page": 9}).content.decode()  # a number past the cap's pages is its last page
    assert (last.count("data-alert="), "Page 2 of 2" in last) == (1, True)
    assert "超过 4 条：请缩小筛选范围以统计全部。" in logged_in("supervisor").get(url).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 6)
    exact = client.get(url).content.decode()
    assert "6 alerts" in exact and "More than" not in exact


def _level_chips(client) -> dict[str, int]:
    body = client.get(reverse("supervision:alerts")).content.decode()
    chips = re.findall(r'data-level="(\w+)">[^<]*<span class="count">(\d+)</span>', body)
    return {level: int(count) for level, count in chips if int(count)}


def _live_by(*key: str) -> dict:
    rows = Alert.objects.filter(state__in=Alert.LIVE_STATES).values_list(*key).annotate(count=Count("pk"))
    return {tuple(row[:-1]) if len(key) > 1 else row[0]: row[-1] for row in rows}


def test_the_feeds_counts_by_severity_are_the_tally_the_sweep_and_the_services_keep(county):
    RuleSetting.objects.create(rule="duty_missing", mode="off", level="warning")
    rule_setting_update(actor=user("supervisor"), rule="step_overdue", mode="manual", level="red")
    for _ in range(3):
        overdue("SJ-0004", "YX")
    overdue("CZ-0002", "BS")  # another department's, at a town
    sweep(now=at(2026, 3, 11))
    supervisor = logged_in("supervisor", language="en")
    tallied = ("site_id", "department_id", "level", "responsible_role")

    assert _level_chips(supervisor) == _live_by("level") and sum(_live_by("level").values()) == 8
    assert {tuple(row[:-1]): row[-1] for row in AlertTally.objects.values_list(*tallied, "live")} == _live_by(*tallied)
    with CaptureQueriesContext(connection) as statements:
        supervisor.get(reverse("supervision:alerts"))
    counted = [query["sql"] for query in statements if "GROUP BY" in query["sql"]]
    assert len(counted) == 1 and "supervision_alerttally" in counted[0] and 'supervision_alert"' not in counted[0]

    pending = Alert.objects.filter(state=Alert.State.PENDING_REVIEW).first()
    alert_dismiss(actor=user("supervisor"), alert=pending, reason="重复预警")
    opened = Alert.objects.filter(state=Alert.State.OPEN).first()
    alert_resolve(actor=user("supervisor"), alert=opened, note="已电话督促办结")
    assert sum(_live_by("level").values()) == 6
    assert _level_chips(supervisor) == _live_by("level")
    assert {tuple(row[:-1]): row[-1] for row in AlertTally.objects.values_list(*tallied, "live")} == {
        **{key: 0 for key in AlertTally.objects.values_list(*tallied)},
        **_live_by(*tallied),
    }
    sweep(now=at(2026, 3, 12))  # raises again what is still late, and writes the tally again
    assert _level_chips(supervisor) == _live_by("level")
    market = Alert.objects.filter(state__in=Alert.LIVE_STATES, department__code="SJ")
    assert 0 < market.count() < Alert.objects.filter(state__in=Alert.LIVE_STATES).count()
    assert _level_chips(logged_in("market_head", language="en")) == dict(
        market.values_list("level").annotate(count=Count("pk"))
    )


def test_a_feed_with_nothing_to_show_says_so(county):
    body = logged_in("supervisor", language="en").get(reverse("supervision:alerts")).content.decode()
    assert '<tbody><tr><td colspan="6">No alerts match.</td></tr></tbody>' in body
    chinese = logged_in("supervisor").get(reverse("supervision:alerts")).content.decode()
    assert '<tbody><tr><td colspan="6">没有符合条件的预警。</td></tr></tbody>' in chinese


def test_a_clerk_sees_no_alerts_and_changes_nothing(county):
    rule_setting_update(actor=user("supervisor"), rule="step_overdue", mode="manual", level="warning")
    overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 11))
    pending = Alert.objects.get(rule="step_overdue")
    client = logged_in("county_clerk", language="en")

    assert client.get(reverse("supervision:alerts")).status_code == 403
    assert client.get(reverse("supervision:alert_detail", args=[pending.pk])).status_code == 404
    assert client.post(reverse("supervision:alert_action", args=[pending.pk, "confirm"])).status_code == 404
    assert (
        client.post(reverse("supervision:rules"), {"rule": "step_overdue", "mode": "off", "level": "red"}).status_code
        == 403
    )
    assert client.post(reverse("supervision:alert_sweep")).status_code == 403

    pending.refresh_from_db()
    assert pending.state == "pending"
    assert RuleSetting.objects.get(rule="step_overdue").mode == "manual"


def test_a_department_head_reads_own_department_alerts_and_cannot_act(county):
    overdue("SJ-0004", "YX")
    other = overdue("SJ-0004", "YX")
    Case.objects.filter(pk=other.pk).update(department=Department.objects.get(code="ZR"))
    sweep(now=at(2026, 3, 11))
    zr_alert = Alert.objects.get(department__code="ZR", rule="case_overdue_promised")
    sj_alert = Alert.objects.get(department__code="SJ", rule="case_overdue_promised")
    client = logged_in("market_head", language="en")

    page = client.get(reverse("supervision:alerts"))
    assert page.status_code == 200
    assert f'data-alert="{sj_alert.pk}"' in page.content.decode()
    assert f'data-alert="{zr_alert.pk}"' not in page.content.decode()
    assert client.get(reverse("supervision:alert_detail", args=[zr_alert.pk])).status_code == 404
    detail = client.get(reverse("supervision:alert_detail", args=[sj_alert.pk]))
    assert detail.status_code == 200 and "data-action=" not in detail.content.decode()
    assert (
        client.post(
            reverse("supervision:alert_action", args=[sj_alert.pk, "resolve"]), {"resolve-note": "x"}
        ).status_code
        == 403
    )
    sj_alert.refresh_from_db()
    assert sj_alert.state == "open"
    rules = client.get(reverse("supervision:rules"))
    assert rules.status_code == 200 and 'select name="mode"' not in rules.content.decode()


def test_a_town_supervisor_sees_only_the_town(county):
    role_holder("baisha_supervisor", Role.SUPERVISOR, site="BS", is_staff=True)
    overdue("NY-0001", "BS")
    overdue("NY-0001", "FT", id_number=OTHER_ID_NUMBER)  # a namesake: one applicant's would be a duplicate
    sweep(now=at(2026, 3, 25))
    client = logged_in("baisha_supervisor")

    body = client.get(reverse("supervision:alerts") + "?state=").content.decode()

    baisha = Alert.objects.filter(site__code="BS")
    futu = Alert.objects.filter(site__code="FT")
    assert baisha.exists() and futu.exists()
    assert all(f'data-alert="{a.pk}"' in body for a in baisha)
    assert not any(f'data-alert="{a.pk}"' in body for a in futu)
    assert client.get(reverse("supervision:alert_detail", args=[futu.first().pk])).status_code == 404


def test_a_supervisor_confirms_dismisses_and_sets_rules_through_the_pages(county):
    rule_setting_update(actor=user("supervisor"), rule="case_overdue_promised", mode="manual", level="yellow")
    for _ in range(2):
        overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 11))
    first, second = Alert.objects.filter(rule="case_overdue_promised").order_by("pk")
    client = logged_in("supervisor", language="en")

    detail = client.get(reverse("supervision:alert_detail", args=[first.pk]))
    assert 'data-action="confirm"' in detail.content.decode()
    response = client.post(reverse("supervision:alert_action", args=[first.pk, "confirm"]))
    assert response.status_code == 302
    refused = client.post(reverse("supervision:alert_action", args=[second.pk, "dismiss"]), {"dismiss-reason": ""})
    assert refused.status_code == 400
    client.post(reverse("supervision:alert_action", args=[second.pk, "dismiss"]), {"dismiss-reason": "重复"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("open", "dismissed")
    assert InboxMessage.objects.filter(alert=first).count() == 2
    closed = client.post(reverse("supervision:alert_action", args=[second.pk, "dismiss"]), {"dismiss-reason": "重复"})
    assert closed.status_code == 409  # the state forbids it, as for a case or an order
    assert "This alert is already closed." in closed.content.decode()
    assert (
        'data-action="dismiss"'
        not in client.get(reverse("supervision:alert_detail", args=[second.pk])).content.decode()
    )

    response = client.post(reverse("supervision:rules"), {"rule": "fee_off_standard", "mode": "off", "level": "red"})
    assert response.status_code == 302
    assert RuleSetting.objects.filter(rule="fee_off_standard").values_list("mode", "level").get() == ("off", "red")
    bad = client.post(reverse("supervision:rules"), {"rule": "fee_off_standard", "mode": "never", "level": "red"})
    assert bad.status_code == 400
    page = client.get(reverse("supervision:rules")).content.decode()
    assert page.count("data-rule=") == 15  # duplicate_override and step_role_unheld are the 14th and 15th
    assert page.count("not available yet") == 0  # ratings, complaints and the duty roster feed their rules


def test_the_inbox_marks_read(county):
    for _ in range(2):
        overdue("SJ-0004", "YX")
    sweep(now=at(2026, 3, 11))
    client = logged_in("market_head", language="en")
    messages = InboxMessage.objects.filter(recipient__username="market_head").order_by("pk")
    assert messages.count() == 4

    page = client.get(reverse("supervision:inbox"))
    assert page.status_code == 200 and page.context["unread_inbox"] == 4
    response = client.post(reverse("supervision:inbox_read", args=[messages[0].pk]), {"open": "1"})
    assert response["Location"] == messages[0].url
    assert messages.filter(read_at__isnull=True).count() == 3
    # Someone else's message is not reachable
    other = InboxMessage.objects.filter(recipient__username="market_chief").first()
    assert client.post(reverse("supervision:inbox_read", args=[other.pk])).status_code == 404
    client.post(reverse("supervision:inbox_read_all"))
    assert messages.filter(read_at__isnull=True).count() == 0
    assert InboxMessage.objects.filter(recipient__username="market_chief", read_at__isnull=True).count() == 4
