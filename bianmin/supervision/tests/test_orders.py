"""Supervision orders (督办) through their life: issue, respond, return with a new due date, respond, accept;
withdraw; refused moves and refused people change nothing; numbers are gap-free; the right people are told.

2026 calendar facts used: 10-01..10-07 is the National Day holiday and Saturday 10-10 a make-up working day, so
5 working days after Wednesday 09-30 are 10-08, 10-09, 10-10, 10-12, 10-13.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import translation

from bianmin.accounts.models import User
from bianmin.core.audit import audit_events_for
from bianmin.core.models import AuditEvent, OutboundMessage
from bianmin.core.testing import at, logged_in, page_text, received, refused, role_holder, user
from bianmin.org.models import Department, Role, Window
from bianmin.supervision.models import Alert, InboxMessage, Level, OrderResponse, SupervisionOrder
from bianmin.supervision.selectors.orders import orders_visible_to
from bianmin.supervision.services.orders import (
    order_accept,
    order_issue,
    order_respond,
    order_return,
    order_withdraw,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

State = SupervisionOrder.State
RECEIVED = at(2026, 9, 28)  # the cases' day of receipt


def issue(**options) -> SupervisionOrder:
    options.setdefault("actor", user("supervisor"))
    options.setdefault("instruction", "请核查超期原因并整改。")
    options.setdefault("due_days", 5)
    options.setdefault("now", at(2026, 9, 30))
    return order_issue(**options)


def inbox_of(order: SupervisionOrder) -> list[tuple[str, str]]:
    return sorted(InboxMessage.objects.filter(order=order).values_list("recipient__username", "subject").order_by("pk"))


def snapshot(order: SupervisionOrder) -> tuple:
    order.refresh_from_db()
    return (
        order.state,
        order.due,
        order.closed_at,
        list(order.responses.values_list("text", "verdict")),
        AuditEvent.objects.count(),
        InboxMessage.objects.count(),
    )


def town_supervisor(site_code: str = "BS") -> User:
    return role_holder(f"supervisor_{site_code.lower()}", Role.SUPERVISOR, site=site_code, full_name="镇纪委")


# --- The whole life ---------------------------------------------------------------------------------------------


def test_an_order_goes_through_its_life(county):
    case = received(now=RECEIVED)

    order = issue(case=case)

    # Issued on Wednesday 2026-09-30 with 5 working days: the National Day week does not count.
    assert (order.number, order.state, order.due, order.due_days) == (
        "DB-2026-00001",
        State.ISSUED,
        datetime.date(2026, 10, 13),
        5,
    )
    assert (order.department.code, order.site.code, order.case_id, order.issued_by.username) == (
        "SJ",
        "YX",
        case.pk,
        "supervisor",
    )
    assert inbox_of(order) == [
        ("market_chief", "Supervision order DB-2026-00001: respond by 2026-10-13"),
        ("market_head", "Supervision order DB-2026-00001: respond by 2026-10-13"),
    ]

    order_respond(actor=user("market_chief"), order=order, text="已核查，窗口人员已整改。", now=at(2026, 10, 8))
    order.refresh_from_db()
    assert order.state == State.RESPONDED
    assert InboxMessage.objects.filter(order=order, recipient=user("supervisor")).count() == 1

    # Returned on Friday 10-09 with 5 new working days: Sat 10-10 (make-up), 10-12, 10-13, 10-14, 10-15.
    order_return(actor=user("supervisor"), order=order, note="未说明超期原因。", due_days=5, now=at(2026, 10, 9))
    order.refresh_from_db()
    assert (order.state, order.due, order.due_days) == (State.RETURNED, datetime.date(2026, 10, 15), 5)

    order_respond(
        actor=user("market_head"), order=order, text="超期原因：材料流转延误，已建立台账。", now=at(2026, 10, 14)
    )
    order_accept(actor=user("supervisor"), order=order, note="同意。", now=at(2026, 10, 15))

    order.refresh_from_db()
    assert (order.state, order.closed_at) == (State.ACCEPTED, at(2026, 10, 15))
    assert list(order.responses.values_list("responded_by__username", "verdict", "verdict_note")) == [
        ("market_chief", OrderResponse.Verdict.RETURNED, "未说明超期原因。"),
        ("market_head", OrderResponse.Verdict.ACCEPTED, "同意。"),
    ]
    assert list(audit_events_for(order).values_list("action", "actor__username")) == [
        ("order.issue", "supervisor"),
        ("order.respond", "market_chief"),
        ("order.return", "supervisor"),
        ("order.respond", "market_head"),
        ("order.accept", "supervisor"),
    ]
    # The leads heard of the issue, the return and the acceptance; the supervisor of both responses.
    assert InboxMessage.objects.filter(order=order, recipient=user("market_head")).count() == 3
    assert InboxMessage.objects.filter(order=order, recipient=user("supervisor")).count() == 2
    assert sorted(set(InboxMessage.objects.filter(order=order).values_list("recipient__username", flat=True))) == [
        "market_chief",
        "market_head",
        "supervisor",
    ]


def test_a_return_without_a_new_due_date_keeps_the_old_one(county):
    order = issue(case=received(now=RECEIVED))
    order_respond(actor=user("market_chief"), order=order, text="已整改。", now=at(2026, 10, 8))

    order_return(actor=user("supervisor"), order=order, note="请补充整改材料。", now=at(2026, 10, 9))

    order.refresh_from_db()
    assert (order.state, order.due) == (State.RETURNED, datetime.date(2026, 10, 13))


def test_withdrawing_an_order_closes_it_and_tells_the_department(county):
    order = issue(department=Department.objects.get(code="ZR"))
    assert (order.department.code, order.site.code) == ("ZR", "YX")

    order_withdraw(actor=user("supervisor"), order=order, reason="误发。", now=at(2026, 10, 8))

    order.refresh_from_db()
    assert (order.state, order.closed_at) == (State.WITHDRAWN, at(2026, 10, 8))
    assert audit_events_for(order).last().payload == {"number": order.number, "state": "withdrawn", "reason": "误发。"}
    assert InboxMessage.objects.filter(order=order, subject=f"Order {order.number} was withdrawn").count() == 2
    assert sorted(inbox_of(order)) == [
        ("land_chief", "Order DB-2026-00001 was withdrawn"),
        ("land_chief", "Supervision order DB-2026-00001: respond by 2026-10-13"),
        ("land_head", "Order DB-2026-00001 was withdrawn"),
        ("land_head", "Supervision order DB-2026-00001: respond by 2026-10-13"),
    ]


# --- Moves that are not allowed change nothing -----------------------------------------------------------------


def test_moves_not_allowed_from_the_state_raise_and_change_nothing(county):
    order = issue(case=received(now=RECEIVED))
    before = snapshot(order)

    with refused("transition_not_allowed"):
        order_accept(actor=user("supervisor"), order=order, now=at(2026, 10, 8))
    with refused("transition_not_allowed"):
        order_return(actor=user("supervisor"), order=order, note="x", now=at(2026, 10, 8))
    assert snapshot(order) == before

    order_respond(actor=user("market_chief"), order=order, text="已整改。", now=at(2026, 10, 8))
    order_accept(actor=user("supervisor"), order=order, now=at(2026, 10, 9))
    after_accept = snapshot(order)
    with refused("transition_not_allowed"):
        order_respond(actor=user("market_chief"), order=order, text="再次答复", now=at(2026, 10, 9))
    with refused("transition_not_allowed"):
        order_withdraw(actor=user("supervisor"), order=order, reason="x", now=at(2026, 10, 9))
    with refused("transition_not_allowed"):
        order_accept(actor=user("supervisor"), order=order, now=at(2026, 10, 9))
    assert snapshot(order) == after_accept


def test_a_withdrawn_order_cannot_be_answered(county):
    order = issue(case=received(now=RECEIVED))
    order_withdraw(actor=user("supervisor"), order=order, reason="误发。", now=at(2026, 10, 8))
    before = snapshot(order)

    with refused("transition_not_allowed"):
        order_respond(actor=user("market_head"), order=order, text="已整改。", now=at(2026, 10, 9))

    assert snapshot(order) == before


def test_missing_texts_are_refused_and_change_nothing(county):
    order = issue(case=received(now=RECEIVED))
    before = snapshot(order)
    with refused("response_required"):
        order_respond(actor=user("market_head"), order=order, text="  ", now=at(2026, 10, 8))
    assert snapshot(order) == before

    order_respond(actor=user("market_head"), order=order, text="已整改。", now=at(2026, 10, 8))
    before = snapshot(order)
    with refused("note_required"):
        order_return(actor=user("supervisor"), order=order, note="", now=at(2026, 10, 9))
    with refused("due_days_invalid"):
        order_return(actor=user("supervisor"), order=order, note="再改", due_days=31, now=at(2026, 10, 9))
    with refused("reason_required"):
        order_withdraw(actor=user("supervisor"), order=order, reason="", now=at(2026, 10, 9))
    assert snapshot(order) == before


# --- Who may do what ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["county_clerk", "land_head", "land_chief", "supervisor", "centre_admin"])
def test_only_the_departments_head_or_chief_representative_responds(county, outsider):
    order = issue(case=received(now=RECEIVED))
    before = snapshot(order)

    with refused("permission_denied"):
        order_respond(actor=user(outsider), order=order, text="代为答复", now=at(2026, 10, 8))

    assert snapshot(order) == before


@pytest.mark.parametrize("outsider", ["market_head", "market_chief", "county_clerk"])
def test_only_supervisors_accept_return_or_withdraw(county, outsider):
    order = issue(case=received(now=RECEIVED))
    order_respond(actor=user("market_head"), order=order, text="已整改。", now=at(2026, 10, 8))
    before = snapshot(order)

    with refused("permission_denied"):
        order_accept(actor=user(outsider), order=order, now=at(2026, 10, 9))
    with refused("permission_denied"):
        order_return(actor=user(outsider), order=order, note="x", now=at(2026, 10, 9))
    with refused("permission_denied"):
        order_withdraw(actor=user(outsider), order=order, reason="x", now=at(2026, 10, 9))

    assert snapshot(order) == before


def test_a_town_supervisor_does_not_review_a_county_order(county):
    supervisor = town_supervisor()
    order = issue(case=received(now=RECEIVED))
    order_respond(actor=user("market_head"), order=order, text="已整改。", now=at(2026, 10, 8))
    before = snapshot(order)

    with refused("permission_denied"):
        order_accept(actor=supervisor, order=order, now=at(2026, 10, 9))

    assert snapshot(order) == before


@pytest.mark.parametrize("outsider", ["market_head", "county_clerk", "centre_admin"])
def test_a_non_supervisor_cannot_issue(county, outsider):
    with refused("permission_denied"):
        issue(actor=user(outsider), case=received(now=RECEIVED))

    assert SupervisionOrder.objects.count() == 0
    assert issue(case=received(now=RECEIVED)).number == "DB-2026-00001"  # no number was used up


# --- Targets ----------------------------------------------------------------------------------------------------------


def test_exactly_one_target_is_required(county):
    case = received(now=RECEIVED)
    window = Window.objects.get(site__code="YX", number="6")
    with refused("order_target_invalid"):
        issue()
    with refused("order_target_invalid"):
        issue(case=case, window=window)
    with refused("order_department_mismatch"):
        issue(case=case, department=Department.objects.get(code="ZR"))
    assert SupervisionOrder.objects.count() == 0


def test_the_instruction_and_the_due_days_are_checked(county):
    case = received(now=RECEIVED)
    with refused("instruction_required"):
        issue(case=case, instruction=" ")
    for days in (0, 31, "five"):
        with refused("due_days_invalid"):
            issue(case=case, due_days=days)
    assert issue(case=case, due_days=30).due_days == 30
    assert issue(case=case, due_days=1).due == datetime.date(2026, 10, 8)


def test_an_order_on_a_window_goes_to_its_department_or_the_one_chosen(county):
    market_window = Window.objects.get(site__code="YX", number="6")  # 市场监管窗口: SJ only
    general_window = Window.objects.get(site__code="YX", number="1")  # 综合受理窗口: MZ, CZ, XF, SF

    order = issue(window=market_window)
    assert (order.department.code, order.site.code, order.window_id) == ("SJ", "YX", market_window.pk)

    with refused("order_department_required"):
        issue(window=general_window)
    with refused("order_department_not_at_window"):
        issue(window=general_window, department=Department.objects.get(code="SJ"))
    order = issue(window=general_window, department=Department.objects.get(code="MZ"))
    assert (order.department.code, order.site.code) == ("MZ", "YX")


def test_an_order_on_an_alert_takes_its_department_and_site(county):
    case = received("MZ-0001", "BS", now=RECEIVED)
    alert = Alert.objects.create(
        rule="case_overdue",
        key=f"case:{case.pk}",
        level=Level.RED,
        case=case,
        site=case.current_site,
        department=case.department,
        raised_at=at(2026, 9, 29),
        raised_on=datetime.date(2026, 9, 29),
    )

    order = issue(alert=alert)

    assert (order.department.code, order.site.code, order.alert_id) == ("MZ", "BS", alert.pk)


def test_a_town_supervisor_orders_only_within_the_town(county):
    supervisor = town_supervisor("BS")
    county_case = received(now=RECEIVED)
    town_case = received("MZ-0001", "BS", now=RECEIVED)

    with refused("order_target_out_of_scope"):
        issue(actor=supervisor, case=county_case)
    with refused("order_target_out_of_scope"):
        issue(actor=supervisor, window=Window.objects.get(site__code="FT", number="3"))

    order = issue(actor=supervisor, case=town_case)
    assert order.site.code == "BS"
    assert issue(actor=supervisor, department=Department.objects.get(code="MZ")).site.code == "BS"
    assert list(orders_visible_to(supervisor)) == list(SupervisionOrder.objects.filter(site__code="BS"))


# --- Numbers, notifications, visibility -------------------------------------------------------------------------


def test_numbers_are_gap_free_per_year(county):
    case = received(now=RECEIVED)
    first = issue(case=case)
    with refused("due_days_invalid"):
        issue(case=case, due_days=0)
    second = issue(case=case)
    next_year = issue(case=case, now=at(2027, 1, 4))

    assert [first.number, second.number, next_year.number] == ["DB-2026-00001", "DB-2026-00002", "DB-2027-00001"]


def test_the_leads_get_a_text_message_through_the_outbox(county):
    User.objects.filter(username="market_head").update(phone="13900000001")

    order = issue(case=received(now=RECEIVED))

    assert list(
        OutboundMessage.objects.filter(object_type="supervision.supervisionorder").values_list("recipient", "object_id")
    ) == [("13900000001", str(order.pk))]


def test_who_sees_which_orders(county):
    market = issue(case=received(now=RECEIVED))
    land = issue(department=Department.objects.get(code="ZR"))

    assert set(orders_visible_to(user("supervisor"))) == {market, land}
    assert set(orders_visible_to(user("market_head"))) == {market}
    assert set(orders_visible_to(user("market_chief"))) == {market}
    assert set(orders_visible_to(user("land_head"))) == {land}
    assert set(orders_visible_to(user("county_clerk"))) == set()
    assert set(orders_visible_to(user("centre_admin"))) == set()


# --- Pages ------------------------------------------------------------------------------------------------------------


def test_the_order_list_counts_by_state_and_highlights_overdue_orders(county, django_assert_max_num_queries):
    import time_machine

    issue(case=received(now=RECEIVED))
    responded = issue(department=Department.objects.get(code="ZR"))
    order_respond(actor=user("land_head"), order=responded, text="已整改。", now=at(2026, 10, 8))
    client = logged_in("supervisor", language="en")

    with time_machine.travel(at(2026, 10, 14), tick=False):
        response = client.get("/supervision/orders/")
        page = page_text(response)
        counts = response.context["counts"]
        assert (counts["all"], counts["issued"], counts["responded"], counts["overdue"]) == (2, 1, 1, 1)
        assert "1 working day overdue" in page
        assert client.get("/supervision/orders/?overdue=on").context["page"].paginator.count == 1
        for _ in range(5):
            issue(case=received(now=RECEIVED), now=at(2026, 10, 14))
        with django_assert_max_num_queries(12):
            assert client.get("/supervision/orders/").status_code == 200

    assert logged_in("market_head", language="en").get("/supervision/orders/").context["page"].paginator.count == 6
    assert logged_in("county_clerk", language="en").get("/supervision/orders/").context["page"].paginator.count == 0


def test_the_list_query_count_does_not_grow_with_the_orders(county, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in("supervisor", language="en")
    window = Window.objects.get(site__code="YX", number="6")
    issue(case=received(now=RECEIVED))
    issue(window=window)  # each kind of target is one query for the page (its cases, its windows and their sites)
    with CaptureQueriesContext(connection) as few:
        client.get("/supervision/orders/")
    for index in range(6):
        issue(window=window) if index % 2 else issue(case=received(now=RECEIVED))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/supervision/orders/")


def test_a_supervisor_issues_from_a_case_link_and_the_department_responds_on_the_page(county):
    case = received(now=RECEIVED)
    supervisor = logged_in("supervisor", language="en")

    form = supervisor.get(f"/supervision/orders/new/?case={case.pk}")
    assert form.status_code == 200
    assert case.tracking_number in page_text(form)
    response = supervisor.post(
        f"/supervision/orders/new/?case={case.pk}", {"instruction": "请说明受理延误原因。", "due_days": "3"}
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/orders/{order.pk}/"
    assert order.case_id == case.pk

    head = logged_in("market_head", language="en")
    detail = head.get(f"/supervision/orders/{order.pk}/")
    assert [entry["name"] for entry in detail.context["offered"]] == ["respond"]
    assert head.post(f"/supervision/orders/{order.pk}/respond/", {"respond-text": "已说明。"}).status_code == 302
    order.refresh_from_db()
    assert order.state == State.RESPONDED
    assert [entry["name"] for entry in supervisor.get(f"/supervision/orders/{order.pk}/").context["offered"]] == [
        "accept",
        "return",
        "withdraw",
    ]
    assert supervisor.post(f"/supervision/orders/{order.pk}/accept/", {"accept-note": "同意。"}).status_code == 302
    page = supervisor.get(f"/supervision/orders/{order.pk}/")
    assert "已说明。" in page_text(page) and "同意。" in page_text(page)
    assert page.context["offered"] == []
    # Another department's head neither sees the order nor answers it.
    other_head = logged_in("land_head", language="en")
    assert other_head.get(f"/supervision/orders/{order.pk}/").status_code == 404
    assert other_head.post(f"/supervision/orders/{order.pk}/respond/", {"respond-text": "x"}).status_code == 404


def test_a_refused_move_on_the_page_shows_why_and_changes_nothing(county):
    order = issue(case=received(now=RECEIVED))
    client = logged_in("market_head", language="en")
    before = snapshot(order)

    response = client.post(f"/supervision/orders/{order.pk}/respond/", {"respond-text": "   "})

    assert response.status_code == 400
    assert snapshot(order) == before


def test_non_supervisors_get_no_order_form(county):
    assert logged_in("market_head", language="en").get("/supervision/orders/new/").status_code == 403
    assert logged_in("supervisor", language="en").get("/supervision/orders/new/?case=999999").status_code == 404


def test_pages_are_in_chinese_by_default(county):
    order = issue(case=received(now=RECEIVED))
    client = Client()
    client.force_login(user("supervisor"))

    with translation.override(None):
        response = client.get(f"/supervision/orders/{order.pk}/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
