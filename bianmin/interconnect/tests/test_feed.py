"""The event feed: case events in chain order, in the caller's scope, a bounded window per call, a cursor that always
advances, nothing of accounts or roles; the API's answer and its checks."""

from __future__ import annotations

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import OTHER_ID_NUMBER, accepted, at, logged_in, received, role_holder, user
from bianmin.interconnect import feed
from bianmin.interconnect.events import event_body
from bianmin.interconnect.feed import feed_page

pytestmark = pytest.mark.usefixtures("county")

NOW = at(2026, 3, 2)


def _last() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


@pytest.fixture
def two_towns():
    """After the cursor ``start``: a case received at 白沙镇 (BS) and accepted, a role assigned (not in the feed), a
    case received at 浮屠镇 (FT)."""
    start = _last()
    baisha = accepted("SF-0003", "BS", now=NOW)
    role_holder("someone_new", "clerk", site="BS")
    futu = received("SF-0003", "FT", now=NOW, id_number=OTHER_ID_NUMBER)
    return start, baisha, futu


def _seen(user_name: str, after: int, limit: int = 100) -> list[tuple[str, str, str]]:
    page = feed_page(user(user_name), after=after, limit=limit)
    return [(event.action, event.object_id, event.payload["status"]) for event in page.events]


def test_each_caller_sees_the_events_of_the_cases_in_their_scope_in_chain_order(two_towns):
    start, baisha, futu = two_towns
    bs, ft = str(baisha.pk), str(futu.pk)

    assert _seen("supervisor", start) == [
        ("case.submit", bs, "received"),
        ("case.accept", bs, "accepted"),
        ("case.submit", ft, "received"),
    ]
    assert _seen("baisha_clerk", start) == [("case.submit", bs, "received"), ("case.accept", bs, "accepted")]
    assert _seen("futu_clerk", start) == [("case.submit", ft, "received")]
    assert _seen("county_clerk", start) == []
    # The role's events are in the chain, never in the feed.
    assert AuditEvent.objects.filter(sequence__gt=start).exclude(object_type="cases.case").exists()


def test_a_full_page_ends_at_its_last_event_and_the_next_page_goes_on_from_there(two_towns):
    start, _baisha, futu = two_towns
    supervisor = user("supervisor")

    first = feed_page(supervisor, after=start, limit=2)
    second = feed_page(supervisor, after=first.next_cursor, limit=2)
    third = feed_page(supervisor, after=second.next_cursor, limit=2)

    assert [event.sequence for event in first.events] == [start + 1, first.next_cursor]
    assert first.next_cursor == first.events[-1].sequence
    assert [(event.action, event.object_id) for event in second.events] == [("case.submit", str(futu.pk))]
    assert second.next_cursor == _last()  # a short page ends at the end of the window it examined
    assert (third.events, third.next_cursor) == ([], _last())  # the end: the cursor stops moving


def test_a_call_examines_a_bounded_window_and_returns_the_cursor_reached(
    two_towns, monkeypatch, django_assert_num_queries
):
    start, _baisha, futu = two_towns
    monkeypatch.setattr(feed, "SCAN_WINDOW", 2)
    futu_clerk = user("futu_clerk")
    feed_page(futu_clerk, after=start, limit=1)  # the scope, loaded once per request

    with django_assert_num_queries(3):  # the head, the window's case events, which of their cases are visible
        page = feed_page(futu_clerk, after=start, limit=100)

    assert (page.events, page.next_cursor) == ([], start + 2)
    cursor, seen = start, []
    while (page := feed_page(futu_clerk, after=cursor, limit=100)).next_cursor != cursor:
        cursor = page.next_cursor
        seen += [(event.action, event.object_id) for event in page.events]
    assert seen == [("case.submit", str(futu.pk))]
    assert cursor == _last()


def test_a_page_is_four_queries_whatever_its_events(two_towns, django_assert_num_queries):
    start, _baisha, _futu = two_towns
    supervisor = user("supervisor")
    feed_page(supervisor, after=start, limit=1)
    for _ in range(3):
        received("SF-0003", "BS", now=NOW, by="baisha_clerk", duplicate_reason="又一件")

    with django_assert_num_queries(4):  # the head, the window, the visible cases, the events
        page = feed_page(supervisor, after=0, limit=500)

    assert [event.action for event in page.events] == ["case.submit", "case.accept", *["case.submit"] * 4]


def test_someone_without_a_role_sees_no_event_and_moves_on(two_towns):
    start, _baisha, _futu = two_towns
    former_clerk = role_holder("a_person", "clerk", site="BS")
    former_clerk.role_assignments.update(is_active=False)

    page = feed_page(user("a_person"), after=start, limit=100)

    assert (page.events, page.next_cursor) == ([], _last())


def test_the_api_answers_the_documented_shape(two_towns):
    start, baisha, _futu = two_towns
    client = logged_in("baisha_clerk")

    answer = client.get("/api/v1/events", {"after": str(start), "limit": 1})

    assert answer.status_code == 200
    event = AuditEvent.objects.get(sequence=start + 1)
    assert answer.json() == {
        "events": [
            {
                "id": start + 1,
                "type": "case.submit",
                "occurred_at": "2026-03-02T10:00:00+08:00",
                "object": {"type": "case", "id": str(baisha.pk)},
                "data": event.payload,
            }
        ],
        "next_cursor": str(start + 1),
    }
    assert event.payload["status"] == "received" and event.payload["site"] == "BS"


@pytest.mark.parametrize("query", [{"after": "abc"}, {"after": "-1"}, {"limit": 0}, {"limit": 501}])
def test_a_bad_cursor_or_limit_is_422(query):
    answer = logged_in("baisha_clerk").get("/api/v1/events", query)

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"


def test_anonymous_callers_are_401():
    from django.test import Client

    assert Client().get("/api/v1/events").status_code == 401


def test_a_licence_s_moves_are_in_the_feed_of_those_who_see_its_case():
    from bianmin.core.testing import decided
    from bianmin.licences import services as licences

    start = _last()
    case = decided("SJ-0004", "YX", now=at(2026, 3, 6))
    licence = licences.licence_issue(actor=user("market_chief"), case=case, now=at(2026, 3, 9))
    licences.licence_revoke(
        actor=user("market_head"), licence=licence, reason="以欺骗手段取得许可。", now=at(2026, 3, 10)
    )

    page = feed_page(user("market_head"), after=start, limit=100)

    assert [(event.action, event.object_type) for event in page.events][-2:] == [
        ("case.issue_certificate", "cases.case"),
        ("licence.revoke", "licences.licence"),
    ]
    body = event_body(page.events[-1])
    assert (body["type"], body["object"], body["data"]["case"], body["data"]["status"]) == (
        "licence.revoke",
        {"type": "licence", "id": str(licence.pk)},
        case.pk,
        "revoked",
    )
    assert [event.action for event in feed_page(user("futu_clerk"), after=start, limit=100).events] == []
