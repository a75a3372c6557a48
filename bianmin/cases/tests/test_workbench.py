"""The staff pages of a case's life, through HTTP: my work queue, the case page and its actions, window intake.

Time is frozen on Wednesday 2026-03-04 (Beijing); cases are received on Monday 2026-03-02 unless a test says
otherwise. Pages are read in English (the language cookie), so the assertions name the English msgids.
"""

import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases import services
from bianmin.cases.clock import clock
from bianmin.cases.models import Case, CaseMaterial, Extension, Notice, ReviewTask, Status
from bianmin.cases.permissions import can_complete_task
from bianmin.core.models import AuditEvent
from bianmin.core.testing import (
    ID_NUMBER,
    OTHER_ID_NUMBER,
    accepted,
    at,
    intake,
    logged_in,
    page_text,
    picture,
    received,
    user,
)

TODAY = at(2026, 3, 4)
MONDAY = at(2026, 3, 2)  # cases are received then unless a test says otherwise


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def open_task(case: Case) -> ReviewTask:
    return case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False).order_by("position").first()


def action_forms(body: str, case: Case) -> set[str]:
    return set(re.findall(rf'action="/workbench/cases/{case.pk}/([a-z_]+)/"', body))


# --- My work -----------------------------------------------------------------------------------------------------


def test_queue_groups_a_clerks_work_with_counts(county):
    waiting = received(now=MONDAY)
    supplement = received(now=MONDAY)
    services.case_request_supplement(
        actor=user("county_clerk"), case=supplement, problems=[("营业执照", "已过期")], now=at(2026, 3, 3)
    )
    under_review = accepted(now=MONDAY)  # the chief representative's step, not the clerk's

    response = logged_in("county_clerk", language="en").get("/workbench/cases/")

    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["all"], counts["acceptance"], counts["supplement"], counts["steps"]) == (2, 1, 1, 0)
    listed = {case.pk for case, _clock in response.context["rows"]}
    assert listed == {waiting.pk, supplement.pk}
    assert under_review.pk not in listed
    body = response.content.decode()
    assert 'data-group="acceptance">Waiting for acceptance <span class="count">1</span>' in body


def test_queue_lists_the_steps_each_person_can_complete(county):
    case = accepted(now=MONDAY)
    town_case = accepted("MZ-0001", "BS", now=MONDAY)  # its open step is the town agent's investigation

    for username in ["county_clerk", "market_chief", "market_head", "baisha_agent", "baisha_clerk", "land_head"]:
        response = logged_in(username, language="en").get("/workbench/cases/?group=steps")
        listed = {row_case.pk for row_case, _clock in response.context["rows"]}
        expected = {
            c.pk
            for c in (case, town_case)
            if any(can_complete_task(user(username), t) for t in c.tasks.filter(state=ReviewTask.State.OPEN))
        }
        assert listed == expected, username
    assert {
        c.pk for c, _ in logged_in("market_chief", language="en").get("/workbench/cases/?group=steps").context["rows"]
    } == {case.pk}
    assert {
        c.pk for c, _ in logged_in("baisha_agent", language="en").get("/workbench/cases/?group=steps").context["rows"]
    } == {town_case.pk}


def test_department_roles_steps_are_read_from_the_rows_and_counted_by_the_counters(county):
    """A head completes the chief representative's steps too; their steps group and its count read the access rows'
    ``open_steps`` and the counters, never the review steps of every open case of the department."""
    food = accepted(now=MONDAY)  # 材料审查: SJ's chief representative's step
    joint = received("FG-0003", now=MONDAY)  # a co-department's review by the head of ZR
    services.case_accept(actor=user("county_clerk"), case=joint, now=at(2026, 3, 3))
    expected = {"market_chief": {food.pk}, "market_head": {food.pk}, "land_chief": set(), "land_head": {joint.pk}}

    for username, cases in expected.items():
        client = logged_in(username, language="en")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/workbench/cases/?group=steps")
        assert {case.pk for case, _clock in response.context["rows"]} == cases, username
        assert response.context["counts"]["steps"] == len(cases), username
        probing = [
            q["sql"]
            for q in queries.captured_queries
            if "cases_reviewtask" in q["sql"] and "cases_caseaccess" in q["sql"]
        ]
        assert probing == [], username


def test_queue_clock_matches_the_selector_clock(county):
    on_time = accepted(now=at(2026, 3, 2))
    due_soon = accepted(now=at(2026, 2, 26))
    overdue = accepted(now=at(2026, 2, 2))
    waiting = received(now=at(2026, 2, 24))
    paused = accepted(now=at(2026, 3, 2))
    services.case_suspend(
        actor=user("county_clerk"),
        case=paused,
        kind="inspection",
        reason="现场核查",
        expected_days=3,
        now=at(2026, 3, 3),
    )

    rows = logged_in("market_chief", language="en").get("/workbench/cases/").context["rows"]

    colours = {}
    for case, shown in rows:
        expected = clock(case, TODAY.date())
        assert {key: shown[key] for key in expected} == expected, case.tracking_number
        colours[case.pk] = shown["colour"]
    assert len(colours) == 5
    assert colours[on_time.pk] == "green"
    assert colours[due_soon.pk] == "yellow"
    assert colours[overdue.pk] == "red"
    assert colours[waiting.pk] == "red"
    assert colours[paused.pk] == "paused"


def test_queue_shows_the_badge_with_working_days_left_and_overdue(county):
    case = accepted(now=at(2026, 3, 2))
    late = accepted(now=at(2026, 2, 2))

    body = logged_in("market_chief", language="en").get("/workbench/cases/?group=steps").content.decode()

    left = clock(case, TODAY.date())["days_left"]
    overdue_by = -clock(late, TODAY.date())["days_left"]
    assert f'<span class="badge clock green">{left} working days left</span>' in body
    assert f'<span class="badge clock red">Overdue by {overdue_by} working days</span>' in body
    # Under the badge, the date the clock runs to.
    late.refresh_from_db()
    assert f'<br><span class="small muted">{late.promised_due:%Y-%m-%d}</span>' in body


def test_queue_filters_by_status_item_channel_and_overdue(county):
    food = received(now=MONDAY)
    company = received("SJ-0003", now=MONDAY)
    late = received(now=at(2026, 2, 24))
    client = logged_in("county_clerk", language="en")

    def listed(query: str) -> set[int]:
        return {case.pk for case, _clock in client.get(f"/workbench/cases/?{query}").context["rows"]}

    assert listed("item=SJ-0003") == {company.pk}
    assert listed("status=received") == {food.pk, company.pk, late.pk}
    assert listed("status=accepted") == set()
    assert listed("channel=online") == set()
    assert listed("channel=window") == {food.pk, company.pk, late.pk}
    assert listed("overdue=on") == {late.pk}


def test_queue_has_no_n_plus_one(county, django_assert_max_num_queries):
    def build(count: int) -> None:
        for index in range(count):
            case = received(now=MONDAY) if index % 3 == 0 else accepted(now=MONDAY)
            if index % 3 == 2:
                services.case_suspend(
                    actor=user("county_clerk"),
                    case=case,
                    kind="inspection",
                    reason="核查",
                    expected_days=2,
                    now=at(2026, 3, 3),
                )
        services.case_request_extension(actor=user("market_head"), case=accepted(now=MONDAY), days=2, reason="复杂")

    build(3)
    client = logged_in("market_chief", language="en")
    client.get("/workbench/cases/")  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/workbench/cases/").status_code == 200
    build(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/workbench/cases/")
    assert len(response.context["rows"]) == 17
    with django_assert_max_num_queries(20):
        client.get("/workbench/cases/?overdue=on&status=accepted")


def test_queue_reads_only_the_columns_its_rows_show(county):
    for _index in range(3):
        received(now=MONDAY)
    client = logged_in("county_clerk", language="en")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/workbench/cases/")

    assert len(response.context["rows"]) == 3
    page = [q["sql"] for q in queries.captured_queries if '"cases_case"."tracking_number"' in q["sql"]]
    assert len(page) == 1
    # Neither the applicant's document number nor the item version's guide (its conditions, legal bases …).
    assert '"applicant_id_number"' not in page[0]
    assert '"catalog_serviceitemversion"."conditions"' not in page[0]
    assert '"catalog_serviceitemversion"."name"' in page[0]


def test_queue_paginates(county):
    for _index in range(27):
        received(now=MONDAY)

    client = logged_in("county_clerk", language="en")
    first = client.get("/workbench/cases/")
    second = client.get("/workbench/cases/?page=2")

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_home_loads_the_queue_counts(county):
    received(now=MONDAY)
    client = logged_in("county_clerk", language="en")

    home = client.get("/workbench/").content.decode()
    counts = client.get("/workbench/cases/counts/")

    assert 'hx-get="/workbench/cases/counts/"' in home
    for label in ["Cases", "Window intake", "First-inquiry log", "Site ledger"]:
        assert f">{label}</a>" in home
    assert counts.context["counts"]["acceptance"] == 1
    assert 'href="/workbench/cases/?group=acceptance">Waiting for acceptance</a> <span class="count">1</span>' in (
        counts.content.decode()
    )


# --- Who sees what -----------------------------------------------------------------------------------------------


def test_staff_of_another_town_never_see_the_case(county):
    case = received("MZ-0001", "BS", now=MONDAY)
    client = logged_in("futu_clerk", language="en")

    assert client.get(f"/workbench/cases/{case.pk}/").status_code == 404
    assert client.post(f"/workbench/cases/{case.pk}/accept/").status_code == 404
    notice = services.case_request_supplement(actor=user("baisha_clerk"), case=case, problems=[("申请书", "未签字")])
    assert client.get(f"/workbench/cases/{case.pk}/notices/{notice.pk}.pdf").status_code == 404
    assert case.pk not in {c.pk for c, _ in client.get("/workbench/cases/").context["rows"]}
    assert logged_in("baisha_clerk", language="en").get(f"/workbench/cases/{case.pk}/").status_code == 200
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT_REQUESTED


def test_supervisor_reads_the_case_but_gets_no_action(county):
    case = received(now=MONDAY)
    client = logged_in("supervisor", language="en")

    page = client.get(f"/workbench/cases/{case.pk}/")
    refused = client.post(f"/workbench/cases/{case.pk}/accept/")

    assert page.status_code == 200
    body = page.content.decode()
    assert case.tracking_number in body
    assert action_forms(body, case) == set()
    assert "You have read-only access" in body
    assert refused.status_code == 403
    assert "You may not do this on this case." in refused.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert logged_in("supervisor", language="en").get("/workbench/cases/").context["counts"]["all"] == 0


# --- The case page -----------------------------------------------------------------------------------------------


def test_case_page_shows_header_materials_tasks_notices_and_timeline(county):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # events carry the time the service was given
        case = accepted(now=MONDAY)

    response = logged_in("market_chief", language="en").get(f"/workbench/cases/{case.pk}/")

    body = response.content.decode()
    assert case.tracking_number in body
    assert "SJ-0004 食品经营许可" in body and "version 1" in body
    assert "张三" in body and ID_NUMBER in body
    assert "阳新县行政服务中心" in body
    assert "营业执照" in body  # a material
    assert "材料审查" in body and "2026-03-03" in body  # the open step and its due date
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)
    assert f'href="/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf"' in body
    timeline = response.context["timeline"]
    assert [event["label"] for event in timeline] == ["Application received", "Accepted"]
    assert timeline[0]["at"].strftime("%Y-%m-%d %H:%M") == "2026-03-02 10:00"
    assert timeline[0]["actor"] == "王晓燕"
    assert ("Promised deadline", f"{case.promised_due:%Y-%m-%d}") in timeline[1]["details"]
    assert "2026-03-02 10:00</time> · <strong>Application received</strong> · 王晓燕" in body


def test_case_page_warns_when_the_deadlines_are_provisional(county):
    case = accepted(now=MONDAY)
    Case.objects.filter(pk=case.pk).update(deadlines_provisional=True)

    body = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode()

    assert "working-day calendar is still provisional" in body


def test_the_page_offers_only_the_actions_allowed_now_and_permitted(county):
    case = received(now=MONDAY)

    assert action_forms(
        logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode(), case
    ) == {
        "accept",
        "request_supplement",
        "refuse",
        "withdraw",
    }
    services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3))
    assert action_forms(
        logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode(), case
    ) == {
        "suspend",
        "request_extension",
        "withdraw",
    }
    chief = logged_in("market_chief", language="en").get(f"/workbench/cases/{case.pk}/").content.decode()
    assert action_forms(chief, case) == {"complete_task", "suspend", "withdraw"}
    assert "Complete a review step: 材料审查" in chief


def test_the_page_offers_the_result_and_the_decision_only_when_the_services_take_them(county):
    """The page offered "ready" and "deliver" before the certificate, and "decide" while a co-department's review
    was open; the services refuse both (certificate_missing, review_pending). Now the page and the API agree with
    them (cases.workflow.actions_available)."""
    clerk, chief = logged_in("county_clerk", language="en"), logged_in("market_chief", language="en")
    approved = accepted(now=MONDAY)
    for _step in range(2):
        services.case_complete_task(actor=user("market_chief"), task=open_task(approved), outcome="agree")
    services.case_decide(actor=user("market_chief"), case=approved, approve=True)
    joint = accepted("SJ-0006", now=MONDAY)  # reviewed in parallel by HB and ZJ
    while step := joint.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False, is_parallel=False).first():
        services.case_complete_task(actor=user("market_chief"), task=step, outcome="agree")

    def offered(client, case: Case) -> tuple[set[str], set[str]]:
        page = action_forms(client.get(f"/workbench/cases/{case.pk}/").content.decode(), case)
        return page, set(client.get(f"/api/v1/cases/{case.pk}").json()["allowed_actions"])

    assert offered(clerk, approved) == ({"issue_certificate"},) * 2
    services.case_issue_certificate(actor=user("county_clerk"), case=approved)
    assert offered(clerk, approved) == ({"mark_ready", "deliver"},) * 2
    services.case_mark_ready(actor=user("county_clerk"), case=approved, method="window")
    page = clerk.get(f"/workbench/cases/{approved.pk}/").content.decode()
    assert offered(clerk, approved) == ({"deliver"},) * 2  # ready once: a result sent elsewhere cannot come back
    assert '<details class="action card" data-action="deliver" open>' in page
    assert joint.tasks.get(is_decision=True).state == ReviewTask.State.OPEN
    assert offered(chief, joint) == ({"suspend", "withdraw"},) * 2


def test_accept_then_print_the_triplicate_receipt(county):
    case = received(now=MONDAY)
    client = logged_in("county_clerk", language="en")

    response = client.post(f"/workbench/cases/{case.pk}/accept/")

    assert response.status_code == 302 and response.url == f"/workbench/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.accepted_by == user("county_clerk")
    page = client.get(response.url).content.decode()
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)
    assert f'id="receipt-link" href="/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf"' in page
    assert "The case was accepted; the clock has started." in page


def test_a_domain_error_is_shown_and_nothing_changes(county):
    case = accepted(now=MONDAY)
    events = AuditEvent.objects.count()

    response = logged_in("market_head", language="en").post(
        f"/workbench/cases/{case.pk}/request_extension/",
        {"request_extension-days": "12", "request_extension-reason": "需专家评审"},
    )

    assert response.status_code == 400
    assert response.context["action_error"] == (
        "The time limit can be extended by at most 10 working days in all; 0 are used."
    )
    assert "Nothing was changed." in page_text(response)
    assert not case.extensions.exists()
    assert AuditEvent.objects.count() == events


def test_a_missing_reason_is_shown_by_its_field(county):
    case = received(now=MONDAY)

    response = logged_in("county_clerk", language="en").post(
        f"/workbench/cases/{case.pk}/refuse/", {"refuse-reasons": " "}
    )

    assert response.status_code == 400
    assert response.context["offered"][2]["form"].errors == {"reasons": ["This field is required."]}
    assert '<details class="action card" data-action="refuse" open>' in page_text(response)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_an_action_not_allowed_in_this_status_is_refused(county):
    case = accepted(now=MONDAY)

    response = logged_in("county_clerk", language="en").post(f"/workbench/cases/{case.pk}/accept/")

    assert response.status_code == 409  # the state forbids it, as over the API
    assert "already accepted" in response.content.decode()


def test_request_supplement_lists_the_materials_and_asks_a_reason_the_second_time(county):
    case = received(now=MONDAY)
    client = logged_in("county_clerk", language="en")
    licence = case.materials.get(name="营业执照")
    form = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert f'name="request_supplement-pick_{licence.pk}"' in form
    assert "request_supplement-repeat_reason" not in form

    client.post(
        f"/workbench/cases/{case.pk}/request_supplement/",
        {
            f"request_supplement-pick_{licence.pk}": "on",
            f"request_supplement-problem_{licence.pk}": "已过期",
            "request_supplement-extra_name_0": "租赁合同",
            "request_supplement-extra_problem_0": "未提供",
        },
    )

    notice = case.notices.get(kind=Notice.Kind.SUPPLEMENT)
    assert notice.content["problems"] == [
        {"material": "营业执照", "problem": "已过期"},
        {"material": "租赁合同", "problem": "未提供"},
    ]
    client.post(
        f"/workbench/cases/{case.pk}/receive_supplement/",
        {
            "receive_supplement-received_0": "on",
            "receive_supplement-original_0": "on",
            "receive_supplement-received_1": "on",
        },
    )
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    # The licence keeps its row (provided again, its original seen); the lease, never recorded before, gets one
    assert case.materials.get(name="营业执照").original_seen is True
    assert list(case.materials.filter(position__gt=6).values_list("name", "state", "original_seen")) == [
        ("租赁合同", CaseMaterial.State.PROVIDED, False),
    ]
    second = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "request_supplement-repeat_reason" in second
    refused = client.post(
        f"/workbench/cases/{case.pk}/request_supplement/",
        {
            f"request_supplement-pick_{licence.pk}": "on",
            f"request_supplement-problem_{licence.pk}": "复印件不清",
        },
    )
    assert refused.status_code == 400
    assert "a second one needs a reason" in refused.content.decode()
    assert case.notices.filter(kind=Notice.Kind.SUPPLEMENT).count() == 1


def test_a_ticked_material_needs_its_problem(county):
    case = received(now=MONDAY)
    licence = case.materials.get(name="营业执照")

    response = logged_in("county_clerk", language="en").post(
        f"/workbench/cases/{case.pk}/request_supplement/", {f"request_supplement-pick_{licence.pk}": "on"}
    )

    assert response.status_code == 400
    assert "Say what is missing or wrong." in response.content.decode()
    assert not case.notices.exists()


def test_review_decision_certificate_ready_and_delivery_through_the_page(county):
    case = accepted(now=MONDAY)
    chief = logged_in("market_chief", language="en")

    for _step in range(2):
        task = open_task(case)
        response = chief.post(
            f"/workbench/cases/{case.pk}/complete_task/",
            {"complete_task-task": task.pk, "complete_task-outcome": "agree", "complete_task-comment": "符合"},
        )
        assert response.status_code == 302
    disagree = chief.post(f"/workbench/cases/{case.pk}/decide/", {"decide-decision": "deny", "decide-reasons": ""})
    assert "A denial must state its reasons." in disagree.content.decode()
    chief.post(f"/workbench/cases/{case.pk}/decide/", {"decide-decision": "approve", "decide-reasons": ""})
    chief.post(f"/workbench/cases/{case.pk}/issue_certificate/")
    clerk = logged_in("county_clerk", language="en")
    clerk.post(f"/workbench/cases/{case.pk}/mark_ready/", {"mark_ready-method": "window"})
    clerk.post(f"/workbench/cases/{case.pk}/deliver/", {"deliver-method": "", "deliver-note": "本人领取"})

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.certificate_number.startswith("SJ0004-2026-")
    assert case.delivery_note == "本人领取"
    labels = [
        event["label"]
        for event in logged_in("supervisor", language="en").get(f"/workbench/cases/{case.pk}/").context["timeline"]
    ]
    assert labels == [
        "Application received",
        "Accepted",
        "Review step completed",
        "Review step completed",
        "Approved",
        "Certificate issued",
        "Result ready",
        "Result delivered, case closed",
    ]


def test_suspend_and_resume(county):
    case = accepted(now=MONDAY)
    client = logged_in("county_clerk", language="en")
    form = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert '<option value="inspection" selected>' in form  # the item's planned special procedure

    client.post(
        f"/workbench/cases/{case.pk}/suspend/",
        {"suspend-kind": "inspection", "suspend-reason": "现场核查", "suspend-expected_days": "3"},
    )
    case.refresh_from_db()
    assert case.status == Status.SUSPENDED
    assert (
        logged_in("county_clerk", language="en").get("/workbench/cases/?group=suspended").context["counts"]["suspended"]
        == 1
    )
    client.post(f"/workbench/cases/{case.pk}/resume/")

    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.notices.filter(kind=Notice.Kind.SUSPENSION).exists()


def test_extension_is_requested_and_the_head_decides_it_from_the_queue(county):
    case = accepted(now=MONDAY)
    logged_in("county_clerk", language="en").post(
        f"/workbench/cases/{case.pk}/request_extension/",
        {"request_extension-days": "3", "request_extension-reason": "需补充现场核查"},
    )
    head = logged_in("market_head", language="en")

    queue = head.get("/workbench/cases/?group=extensions")
    assert [c.pk for c, _ in queue.context["rows"]] == [case.pk]
    page = head.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "asks for 3 more working days" in page
    extension = case.extensions.get()
    head.post(
        f"/workbench/cases/{case.pk}/decide_extension/",
        {"decide_extension-extension": extension.pk, "decide_extension-decision": "approve"},
    )

    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.state == Extension.State.APPROVED
    assert case.extension_days == 3
    assert logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").status_code == 200
    assert "decide_extension" not in action_forms(head.get(f"/workbench/cases/{case.pk}/").content.decode(), case)


def test_collect_the_fee_of_an_item_handled_on_the_spot(county):
    client = logged_in("county_clerk", language="en")
    response = client.post("/workbench/cases/new/?item=GA-0004", intake_post("GA-0004", handle_now=True))
    case = Case.objects.get()
    assert response.url == f"/workbench/cases/{case.pk}/"
    assert case.status == Status.APPROVED and case.certificate_issued_at is not None
    rule = case.version.fees.get()
    page = client.get(response.url).content.decode()
    assert 'name="collect_fee-amount" value="10.00"' in page

    wrong = client.post(
        f"/workbench/cases/{case.pk}/collect_fee/", {"collect_fee-fee_rules": [rule.pk], "collect_fee-amount": "15"}
    )
    assert wrong.status_code == 400 and "is not the published standard" in wrong.content.decode()
    client.post(
        f"/workbench/cases/{case.pk}/collect_fee/", {"collect_fee-fee_rules": [rule.pk], "collect_fee-amount": "10.00"}
    )
    client.post(f"/workbench/cases/{case.pk}/deliver/", {"deliver-method": "window"})

    case.refresh_from_db()
    assert case.fee_receipt_number and case.status == Status.CLOSED


def test_withdrawal_is_recorded_with_the_reason(county):
    case = received(now=MONDAY)

    logged_in("county_clerk", language="en").post(
        f"/workbench/cases/{case.pk}/withdraw/", {"withdraw-reason": "申请人决定暂不开业"}
    )

    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert list(AuditEvent.objects.filter(action="case.withdraw").values_list("payload__reason", flat=True)) == [
        "申请人决定暂不开业"
    ]


def test_a_relayed_result_goes_back_to_the_village_room_whose_agent_receives_and_delivers_it(county):
    """结果反馈: the result of a case relayed by a village room goes back there; the room's agent records its arrival
    (then the applicant is told to come) and hands it over."""
    case = services.case_submit(
        actor=user("baishacun_agent"),
        intake=intake("ZR-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书"),
        now=at(2026, 2, 2),
    )
    case = services.case_accept(actor=user("baisha_clerk"), case=case, now=at(2026, 2, 2))
    services.case_complete_task(actor=user("baisha_agent"), task=open_task(case), outcome="agree", now=at(2026, 2, 3))
    services.case_decide(actor=user("land_head"), case=case, approve=True, now=at(2026, 2, 4))
    services.case_issue_certificate(actor=user("land_head"), case=case, now=at(2026, 2, 4))
    services.case_mark_ready(actor=user("land_head"), case=case, now=at(2026, 2, 5))
    agent = logged_in("baishacun_agent", language="en")

    incoming = agent.get("/workbench/cases/?group=incoming")
    page = agent.get(f"/workbench/cases/{case.pk}/").content.decode()
    agent.post(f"/workbench/cases/{case.pk}/receive_result/", {})
    handover = agent.get("/workbench/cases/?group=handover")
    after = agent.get(f"/workbench/cases/{case.pk}/").content.decode()
    agent.post(f"/workbench/cases/{case.pk}/deliver/", {"deliver-note": "本人签收"})

    assert [c.pk for c, _ in incoming.context["rows"]] == [case.pk]
    assert "Result sent from 阳新县行政服务中心: record its arrival" in str(incoming.context["rows_html"])
    assert action_forms(page, case) == {"receive_result"}
    assert [c.pk for c, _ in handover.context["rows"]] == [case.pk]
    assert "Result arrived: hand it over" in handover.content.decode()
    assert action_forms(after, case) == {"deliver"}
    case.refresh_from_db()
    assert (case.status, case.delivery_method, case.current_site.code) == (Status.CLOSED, "window", "BS01")
    assert (case.recipient_name, case.delivered_by) == ("张三", user("baishacun_agent"))

    # The delivery receipt is printed from the page, and its signed return recorded there
    closed = agent.get(f"/workbench/cases/{case.pk}/").content.decode()
    receipt = case.notices.get(kind=Notice.Kind.DELIVERY)
    assert action_forms(closed, case) == {"record_signature"}
    assert f'href="/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf" id="delivery-receipt-link"' in closed
    assert agent.get(f"/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf")["Content-Type"] == "application/pdf"
    agent.post(f"/workbench/cases/{case.pk}/record_signature/", {})
    case.refresh_from_db()
    assert case.delivery_signed_at is not None


def test_notice_pdf(county):
    case = accepted(now=MONDAY)
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)

    response = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/notices/{receipt.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other = accepted(now=MONDAY)
    foreign = other.notices.get(kind=Notice.Kind.RECEIPT)
    assert (
        logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/notices/{foreign.pk}.pdf").status_code
        == 404
    )


# --- Window intake ------------------------------------------------------------------------------------------------


def intake_post(code: str, *, handle_now: bool = False, **changes) -> dict:
    from bianmin.catalog.models import ServiceItem

    data = {
        "applicant_name": "李四",
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "address": "阳新县兴国镇",
        "details": "阳新县李四小吃店",
    }
    requirements = ServiceItem.objects.get(code=code).current_version.materials.all()
    for index, requirement in enumerate(requirements):
        if requirement.is_required:
            data[f"material-{index}-original_seen"] = "on"
            data[f"material-{index}-copy_kept"] = "on"
        data[f"material-{index}-state"] = "provided"
    if handle_now:
        data["handle_now"] = "1"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_intake_chooses_an_item_by_search(county):
    client = logged_in("county_clerk", language="en")

    page = client.get("/workbench/cases/new/?q=食品经营")
    partial = client.get("/workbench/cases/new/?q=spjy", headers={"HX-Request": "true"})

    assert 'href="/workbench/cases/new/?item=SJ-0004"' in page.content.decode()
    assert partial.content.decode().startswith('<div id="item-results"')
    assert 'href="/workbench/cases/new/?item=SJ-0004"' in partial.content.decode()


def test_intake_form_is_keyboard_ready(county):
    body = logged_in("county_clerk", language="en").get("/workbench/cases/new/?item=SJ-0004").content.decode()

    assert re.search(r'<input type="text" name="applicant_name"[^>]*autofocus', body)
    assert '<option value="resident_id" selected>' in body
    assert body.count('name="material-') == 6 * 5  # six materials, five inputs each
    assert body.index('id="submit-intake"') < body.index("Cancel")
    assert 'id="handle-now"' not in body  # a committed item is not decided on the spot
    assert 'hx-get="/workbench/cases/new/check-id/"' in body


def test_window_intake_registers_the_case(county):
    client = logged_in("county_clerk", language="en")

    scan = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    changes = {"material-5-state": "missing", "material-5-problem": "尚未提供", "material-1-file": scan}

    response = client.post("/workbench/cases/new/?item=SJ-0004", intake_post("SJ-0004", **changes))

    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/workbench/cases/{case.pk}/"
    assert (case.status, case.channel, case.receiving_site.code) == (Status.RECEIVED, "window", "YX")
    assert case.applicant_name == "李四" and case.details == "阳新县李四小吃店"
    materials = list(case.materials.values_list("name", "state", "original_seen", "copy_kept", "problem"))
    assert len(materials) == 6
    assert materials[0] == ("食品经营许可申请书", CaseMaterial.State.PROVIDED, True, True, "")
    assert materials[5] == ("专间、集体用餐配送等设施说明", CaseMaterial.State.MISSING, False, False, "尚未提供")
    assert case.materials.get(name="营业执照").file.read() == b"%PDF-1.4 scan"
    assert f"Case {case.tracking_number} was registered." in client.get(response.url).content.decode()


def test_intake_errors_are_shown_by_the_fields_and_nothing_is_saved(county):
    bad_number = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")

    response = logged_in("county_clerk", language="en").post(
        "/workbench/cases/new/?item=SJ-0004",
        intake_post(
            "SJ-0004",
            **{
                "id_number": bad_number,
                "phone": "123",
                "material-0-original_seen": None,
                "material-0-copy_kept": None,
                "material-1-state": "defective",
            },
        ),
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved." in body
    assert "The identity number's last character does not match" in html.unescape(body)
    assert "Enter a mobile number of 11 digits" in body
    assert "Tick what you checked, or mark the material missing or defective." in body
    assert "Say what is missing or wrong." in body
    assert re.search(rf'name="id_number" value="{bad_number}"[^>]*autofocus', body)
    assert Case.objects.count() == 0


def test_the_check_digit_is_checked_inline(county):
    client = logged_in("county_clerk", language="en")

    wrong = client.get("/workbench/cases/new/check-id/", {"id_type": "resident_id", "id_number": "420222199001011230"})
    right = client.get("/workbench/cases/new/check-id/", {"id_type": "resident_id", "id_number": ID_NUMBER})

    assert "last character does not match" in wrong.content.decode()
    assert 'class="id-check bad"' in wrong.content.decode()
    assert 'class="id-check good"' in right.content.decode()


def test_handle_now_decides_an_immediate_item_on_the_spot(county):
    response = logged_in("county_clerk", language="en").post(
        "/workbench/cases/new/?item=GA-0003", intake_post("GA-0003", handle_now=True)
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == Status.CLOSED and case.certificate_number


def test_an_agent_applies_as_agency_from_their_room(county):
    client = logged_in("baishacun_agent", language="en")

    form = client.get("/workbench/cases/new/?item=ZR-0001").content.decode()
    missing = client.post("/workbench/cases/new/?item=ZR-0001", intake_post("ZR-0001"))
    client.post("/workbench/cases/new/?item=ZR-0001", intake_post("ZR-0001", agency_authorisation="委托书已签"))

    assert 'name="agency_authorisation"' in form
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    case = Case.objects.get()
    assert (case.channel, case.relay_site.code, case.receiving_site.code, case.agent) == (
        "agency",
        "BS01",
        "BS",
        user("baishacun_agent"),
    )
    assert case.agency_authorisation == "委托书已签"


def test_a_service_refusal_at_intake_saves_nothing(county):
    data = intake_post(
        "GA-0003",
        handle_now=True,
        **{
            "material-0-original_seen": None,
            "material-0-copy_kept": None,
            "material-0-state": "missing",
            "material-0-problem": "未带出生医学证明",
        },
    )

    response = logged_in("county_clerk", language="en").post("/workbench/cases/new/?item=GA-0003", data)

    assert response.status_code == 400
    assert "Materials are incomplete: issue the supplement notice instead." in page_text(response)
    assert Case.objects.count() == 0


def test_intake_is_for_people_who_receive_applications(county):
    assert logged_in("supervisor", language="en").get("/workbench/cases/new/").status_code == 403
    assert logged_in("county_clerk", language="en").get("/workbench/cases/new/?item=XX-9999").status_code == 404


def test_a_scan_is_served_only_to_staff_who_see_the_case(county):
    case = received(now=MONDAY)
    material = case.materials.first()
    material.file.save("licence.pdf", SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan"), save=True)
    url = f"/workbench/cases/{case.pk}/materials/{material.pk}/"

    allowed = logged_in("county_clerk", language="en").get(url)

    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == b"%PDF-1.4 scan"
    assert allowed["Content-Type"] == "application/pdf"
    assert allowed["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in allowed["Cache-Control"]
    assert logged_in("futu_clerk", language="en").get(url).status_code == 404
    assert (
        f'href="{url}"' in logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode()
    )


def test_intake_stores_a_picture_re_encoded_under_a_random_name_and_serves_it_under_its_own(county):
    # Given a photo with camera metadata and a script appended after its end, named with capitals
    photo = picture("JPEG", size=(40, 30), trailer=b"<script>alert(1)</script>", description="secret")
    scan = SimpleUploadedFile("营业执照.JPG", photo, content_type="text/html")

    # When the clerk registers the case with it
    client = logged_in("county_clerk", language="en")
    response = client.post("/workbench/cases/new/?item=SJ-0004", intake_post("SJ-0004", **{"material-1-file": scan}))

    # Then the file is stored under a random name as a JPEG without the payload or the metadata
    material = Case.objects.get().materials.get(name="营业执照")
    assert response.status_code == 302
    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.jpg", material.file.name)
    assert material.file_name == "营业执照.jpg"
    stored = material.file.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"<script>" not in stored and b"secret" not in stored
    # … and is served typed from its bytes, inline, under the name it came with
    served = client.get(f"/workbench/cases/{material.case_id}/materials/{material.pk}/")
    assert b"".join(served.streaming_content) == stored
    assert served["Content-Type"] == "image/jpeg"
    assert served["Content-Disposition"] == "inline; filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.jpg"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_intake_refuses_an_svg_renamed_as_a_picture_and_saves_nothing(county):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    scan = SimpleUploadedFile("licence.png", svg, content_type="image/png")

    response = logged_in("county_clerk", language="en").post(
        "/workbench/cases/new/?item=SJ-0004", intake_post("SJ-0004", **{"material-1-file": scan})
    )

    assert response.status_code == 400
    assert (
        "This file is not one of the accepted kinds (PDF/JPG/PNG). Other files are refused, even when renamed."
        in response.content.decode()
    )
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_a_file_stored_before_is_typed_from_its_bytes_not_its_name(county):
    # Given a file stored with an HTML page's bytes under a .pdf name (as a rename once could)
    case = received(now=MONDAY)
    material = case.materials.first()
    material.file.save("scan.pdf", SimpleUploadedFile("scan.pdf", b"<html><script>alert(1)</script></html>"))
    material.file_name = "scan.pdf"
    material.save()

    served = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/materials/{material.pk}/")

    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == 'attachment; filename="scan.bin"'
    assert served["X-Content-Type-Options"] == "nosniff"


def test_the_case_page_shows_the_query_code_for_a_reprint_and_is_never_cached(county):
    case = received(now=MONDAY)

    response = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/")

    assert f'<span class="tracking" id="query-code">{case.query_code}</span>' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_each_groups_count_is_the_number_of_cases_it_lists(county):
    """The counts come from the counters (the "here" groups) and from small sets (steps, extensions, relayed
    results); every case a group lists is counted, for each kind of user."""
    clerk = user("county_clerk")
    received(now=MONDAY)
    services.case_request_supplement(actor=clerk, case=received(now=MONDAY), problems=[("申请书", "未签字")])
    for _ in range(2):
        accepted(now=MONDAY)
    decided = accepted(now=MONDAY)
    services.case_complete_task(
        actor=user("market_chief"), task=open_task(decided), outcome="agree", now=at(2026, 3, 3)
    )
    extended = accepted(now=MONDAY)
    services.case_request_extension(actor=clerk, case=extended, days=5, reason="需要现场核查")
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 3, 2))
    services.case_accept(actor=user("baisha_clerk"), case=town, now=at(2026, 3, 2))
    services.case_submit(
        actor=user("baishacun_agent"),
        intake=intake(
            "MZ-0001", "BS", channel="agency", relay="BS01", authorisation="委托书", id_number=OTHER_ID_NUMBER
        ),
        now=at(2026, 3, 2),
    )

    for username in ("county_clerk", "baisha_clerk", "baishacun_agent", "market_chief", "market_head", "land_head"):
        client = logged_in(username, language="en")
        counts = client.get("/workbench/cases/").context["counts"]
        for group in (
            "all",
            "acceptance",
            "supplement",
            "steps",
            "extensions",
            "suspended",
            "results",
            "incoming",
            "handover",
        ):
            listed = client.get(f"/workbench/cases/?group={group}").context["rows"]
            assert len(listed) == counts[group], (username, group)
    assert logged_in("market_head", language="en").get("/workbench/cases/").context["counts"]["extensions"] == 1
    assert logged_in("county_clerk", language="en").get("/workbench/cases/").context["counts"]["all"] == 2
