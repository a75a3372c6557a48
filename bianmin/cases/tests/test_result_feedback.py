"""Result feedback (结果反馈, plan 二(四)): a result goes back where the applicant came, and the delivery records who
handed what to whom."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from bianmin.cases import services
from bianmin.cases.access import cases_index_rebuild
from bianmin.cases.models import Case, CaseAccess, CaseCount, DeliveryMethod, Notice, ReviewTask, Status
from bianmin.cases.selectors import cases_in_work_queue, cases_visible_to, queue_counts
from bianmin.cases.workflow import actions_available
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import at, department_head, intake, refused, sqlite_plan, user
from bianmin.org.models import Site

pytestmark = pytest.mark.django_db


def _complete(case: Case, actor, on) -> None:
    task = case.tasks.get(state=ReviewTask.State.OPEN, is_parallel=False)
    services.case_complete_task(actor=actor, task=task, outcome=ReviewTask.Outcome.AGREE, now=on)


def town_case_decided_by_the_county(*, delivery: str = "where_applied") -> Case:
    """MZ-0001 (低保) received at the 白沙镇 window 2026-03-02, surveyed and reviewed by the town, decided and certified
    by the county's civil affairs (the case was forwarded to the county centre)."""
    clerk, head = user("baisha_clerk"), department_head("MZ", full_name="民政局长")
    case = services.case_submit(actor=clerk, intake=intake("MZ-0001", "BS", delivery=delivery), now=at(2026, 3, 2))
    case = services.case_accept(actor=clerk, case=case, now=at(2026, 3, 3))
    _complete(case, user("baisha_agent"), at(2026, 3, 10))  # 入户调查, at the town
    _complete(case, user("baisha_leader"), at(2026, 3, 11))  # 镇级审核并公示: the town's reviewer
    services.case_decide(actor=head, case=case, approve=True, now=at(2026, 3, 12))  # 县级审核确认, at the county
    case = services.case_issue_certificate(actor=user("county_clerk"), case=case, now=at(2026, 3, 13))
    assert case.current_site.code == "YX"
    return case


def messages(case: Case, event: str) -> list[str]:
    return list(OutboundMessage.objects.filter(object_id=str(case.pk), event=event).values_list("body", flat=True))


def test_a_town_received_county_decided_case_ends_at_the_town_counter_with_a_signed_delivery_record(county):
    town_clerk, county_clerk = user("baisha_clerk"), user("county_clerk")
    town = Site.objects.get(code="BS")
    # Given the applicant left the default at intake: the result goes back to 白沙镇, where they applied
    case = town_case_decided_by_the_county()
    assert (case.delivery_method, case.delivery_site) == (DeliveryMethod.WINDOW, town)
    receipt = case.notices.get(kind=Notice.Kind.RECEIPT)
    assert receipt.number == case.tracking_number
    # … and the county may not hand it over at its own window
    assert "deliver" not in actions_available(county_clerk, case, on=at(2026, 3, 16).date())
    with refused("result_elsewhere"):
        services.case_deliver(actor=county_clerk, case=case, now=at(2026, 3, 16))

    # When the county marks the result ready, it is sent to the town: the case moves there, the county keeps seeing it
    case = services.case_mark_ready(actor=county_clerk, case=case, now=at(2026, 3, 16, 10))
    assert (case.current_site, case.sent_from_site.code, case.ready_at, case.result_arrived_at) == (
        town,
        "YX",
        at(2026, 3, 16, 10),
        None,
    )
    assert cases_visible_to(county_clerk).filter(pk=case.pk).exists()
    assert not cases_in_work_queue(county_clerk).filter(case_id=case.pk).exists()
    # … the applicant hears it is on its way, and nobody is told to collect it anywhere yet
    [sent] = messages(case, "sent")
    assert town.name in sent and town.address not in sent
    assert messages(case, "ready") == []
    # … and the town clerk finds it among the results on their way, with nothing to hand over yet
    assert list(cases_in_work_queue(town_clerk, "incoming").values_list("case_id", flat=True)) == [case.pk]
    assert queue_counts(town_clerk)["incoming"] == 1
    assert queue_counts(town_clerk)["handover"] == 0
    assert queue_counts(town_clerk)["all"] == cases_in_work_queue(town_clerk).count()
    assert actions_available(town_clerk, case, on=at(2026, 3, 17).date()) == ["receive_result"]
    with refused("result_not_arrived"):
        services.case_deliver(actor=town_clerk, case=case, now=at(2026, 3, 17, 8))

    # When the town clerk records that it arrived
    case = services.case_receive_result(actor=town_clerk, case=case, now=at(2026, 3, 17, 9))
    assert (case.result_arrived_at, case.result_received_by) == (at(2026, 3, 17, 9), town_clerk)
    # Then the applicant is told to collect it at the town, with its address and hours
    [ready] = messages(case, "ready")
    assert town.name in ready and town.address in ready and town.opening_hours in ready
    # … and the town's queue shows it arrived, to hand over
    assert list(cases_in_work_queue(town_clerk, "handover").values_list("case_id", flat=True)) == [case.pk]
    assert (queue_counts(town_clerk)["incoming"], queue_counts(town_clerk)["handover"]) == (0, 1)
    assert queue_counts(town_clerk)["all"] == cases_in_work_queue(town_clerk).count()
    assert actions_available(town_clerk, case, on=at(2026, 3, 17).date()) == ["deliver"]

    # Someone else than the applicant collects it only with their own document recorded: refused, nothing changes
    with refused("recipient_document_required"):
        services.case_deliver(actor=town_clerk, case=case, recipient_name="张小三", now=at(2026, 3, 18, 9))
    case.refresh_from_db()
    assert (case.status, case.recipient_name, case.notices.filter(kind=Notice.Kind.DELIVERY).count()) == (
        Status.APPROVED,
        "",
        0,
    )

    # When the town clerk hands it to the applicant's son, who shows his identity card
    case = services.case_deliver(
        actor=town_clerk,
        case=case,
        recipient_name="张小三",
        recipient_id_number="420222201001011238",
        note="申请人之子代领，持委托书",
        now=at(2026, 3, 18, 10),
    )
    # Then the case is closed at the town counter with who handed what to whom
    case.refresh_from_db()
    assert (case.status, case.current_site, case.delivered_at, case.delivered_by) == (
        Status.CLOSED,
        town,
        at(2026, 3, 18, 10),
        town_clerk,
    )
    assert (case.recipient_name, case.recipient_id_number) == ("张小三", "420222201001011238")
    # … with the delivery receipt (送达回证) to sign, naming the documents, numbered at the town
    delivery = case.notices.get(kind=Notice.Kind.DELIVERY)
    approval = case.notices.get(kind=Notice.Kind.APPROVAL)
    assert delivery.number == "BS-SD-2026-00001"
    assert delivery.content["documents"] == [
        {"kind": "approval", "number": approval.number},
        {"name": case.version.result_name, "number": "MZ0001-2026-000001"},
    ]
    assert (delivery.content["recipient"], delivery.content["place"], delivery.content["is_applicant"]) == (
        "张小三",
        town.name,
        False,
    )
    assert delivery.content["handed_over_by"] == town_clerk.get_full_name()
    assert case.delivery_signed_at is None
    assert actions_available(town_clerk, case, on=at(2026, 3, 18).date()) == ["record_signature"]

    # When the signed receipt comes back over the counter
    case = services.case_record_signature(actor=town_clerk, case=case, now=at(2026, 3, 18, 11))
    # Then the record is complete, and every step is in the audit chain by who did it
    assert case.delivery_signed_at == at(2026, 3, 18, 11)
    events = {event.action: event for event in audit_events_for(case)}
    assert (events["case.mark_ready"].actor, events["case.mark_ready"].payload["sent_from"]) == (county_clerk, "YX")
    assert (events["case.receive_result"].actor, events["case.receive_result"].payload["site"]) == (town_clerk, "BS")
    assert (events["case.deliver"].actor, events["case.deliver"].payload["notice"]) == (town_clerk, delivery.number)
    assert events["case.record_signature"].actor == town_clerk
    assert actions_available(town_clerk, case, on=at(2026, 3, 18).date()) == []


def test_only_the_delivery_sites_staff_record_the_arrival_and_a_refusal_changes_nothing(county):
    case = town_case_decided_by_the_county()
    case = services.case_mark_ready(actor=user("county_clerk"), case=case, now=at(2026, 3, 16))
    events = audit_events_for(case).count()

    for outsider in ("county_clerk", "futu_clerk", "market_chief"):
        with pytest.raises(PermissionDenied):
            services.case_receive_result(actor=user(outsider), case=case, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert (case.result_arrived_at, audit_events_for(case).count(), messages(case, "ready")) == (None, events, [])


def test_the_applicant_may_choose_the_deciding_site_at_intake(county):
    # Given the applicant chose to collect the result at the county centre
    case = town_case_decided_by_the_county(delivery="deciding_site")
    assert case.delivery_site.code == "YX"

    # When the county marks it ready, it is there already: the applicant is told at once, and nothing is sent
    case = services.case_mark_ready(actor=user("county_clerk"), case=case, now=at(2026, 3, 16))
    assert (case.current_site.code, case.sent_from_site, case.result_arrived_at) == ("YX", None, at(2026, 3, 16))
    assert "阳新县" in messages(case, "ready")[0]
    # … and the county clerk hands it over; the town had nothing to receive
    assert not cases_in_work_queue(user("baisha_clerk"), "incoming").exists()
    case = services.case_deliver(actor=user("county_clerk"), case=case, now=at(2026, 3, 17))
    assert (case.status, case.recipient_name, case.recipient_id_number) == (
        Status.CLOSED,
        "张三",
        case.applicant_id_number,
    )


def test_a_result_by_post_is_delivered_with_its_tracking_number(county):
    case = town_case_decided_by_the_county(delivery="post")
    assert (case.delivery_method, case.delivery_site) == (DeliveryMethod.POST, None)
    case = services.case_mark_ready(actor=user("county_clerk"), case=case, now=at(2026, 3, 16))
    assert case.current_site.code == "YX"

    # Without the tracking number nothing changes
    with refused("tracking_number_required"):
        services.case_deliver(actor=user("county_clerk"), case=case, now=at(2026, 3, 17))
    case.refresh_from_db()
    assert case.status == Status.APPROVED

    case = services.case_deliver(
        actor=user("county_clerk"), case=case, post_tracking_number="1178123456789", now=at(2026, 3, 17)
    )
    assert (case.status, case.post_tracking_number) == (Status.CLOSED, "1178123456789")
    assert "1178123456789" in messages(case, "delivered")[0]
    assert not case.notices.filter(kind=Notice.Kind.DELIVERY).exists()
    assert "record_signature" not in actions_available(user("county_clerk"), case)


def test_a_result_by_post_needs_the_postal_address_at_intake(county):
    application = intake("MZ-0001", "BS", delivery="post")
    application.applicant.address = ""
    with refused("intake_invalid"):
        services.case_submit(actor=user("baisha_clerk"), intake=application, now=at(2026, 3, 2))
    assert Case.objects.count() == 0


def test_the_counted_results_at_the_counters_are_the_rows_of_their_groups_for_every_member_of_staff(county):
    from bianmin.accounts.models import User
    from bianmin.cases.access import RESULT_HANDOVER, RESULT_INCOMING, RESULT_NONE

    # Given a result on its way to 白沙镇, one arrived there, one ready at the county centre (chosen at intake) and
    # one not yet ready
    county_clerk = user("county_clerk")
    on_its_way = services.case_mark_ready(
        actor=county_clerk, case=town_case_decided_by_the_county(), now=at(2026, 3, 16)
    )
    arrived = services.case_mark_ready(actor=county_clerk, case=town_case_decided_by_the_county(), now=at(2026, 3, 16))
    arrived = services.case_receive_result(actor=user("baisha_clerk"), case=arrived, now=at(2026, 3, 17))
    at_the_county = town_case_decided_by_the_county(delivery="deciding_site")
    at_the_county = services.case_mark_ready(actor=county_clerk, case=at_the_county, now=at(2026, 3, 16))
    not_ready = town_case_decided_by_the_county()

    # Then every access row of each case carries its stage
    def stages(case: Case) -> set[int]:
        return set(case.access.values_list("result_stage", flat=True))

    assert [stages(case) for case in (on_its_way, arrived, at_the_county, not_ready)] == [
        {RESULT_INCOMING},
        {RESULT_HANDOVER},
        {RESULT_HANDOVER},
        {RESULT_NONE},
    ]
    # … the counters say what the rows of the groups are, for every member of staff (one key or several)
    expected = {
        "baisha_clerk": (1, 1),
        "county_clerk": (0, 1),
        "futu_clerk": (0, 0),
        "market_chief": (0, 0),
        "supervisor": (0, 0),
    }
    for account in User.objects.filter(role_assignments__is_active=True).distinct().order_by("username"):
        counts = queue_counts(account)
        for group in ("incoming", "handover", "all"):
            assert counts[group] == cases_in_work_queue(account, group).count(), (account.username, group)
        if account.username in expected:
            assert (counts["incoming"], counts["handover"]) == expected[account.username], account.username

    # … and they are what a rebuild computes, and what the migration that brought the stages computes from the
    # cases of before it
    def kept() -> tuple[list, list]:
        rows = list(CaseAccess.objects.order_by("case_id", "key").values_list("case_id", "key", "result_stage"))
        counts = CaseCount.objects.exclude(cases=0).order_by(
            "key", "status", "is_current", "open_steps", "result_stage"
        )
        return rows, list(counts.values_list("key", "status", "is_current", "open_steps", "result_stage", "cases"))

    before = kept()
    cases_index_rebuild(batch=2)
    assert kept() == before
    CaseAccess.objects.update(result_stage=RESULT_NONE)
    CaseCount.objects.all().delete()
    importlib.import_module("bianmin.cases.migrations.0020_result_stage").stage_the_results(
        apps, SimpleNamespace(connection=connection)
    )
    assert kept() == before


@pytest.mark.parametrize("group", ["incoming", "handover"])
def test_a_page_of_results_at_the_counters_is_read_from_their_index_in_the_queues_order(county, group):
    from django.test.utils import CaptureQueriesContext

    county_clerk = user("county_clerk")
    on_its_way = services.case_mark_ready(
        actor=county_clerk, case=town_case_decided_by_the_county(), now=at(2026, 3, 16)
    )
    services.case_receive_result(actor=user("baisha_clerk"), case=on_its_way, now=at(2026, 3, 17))
    services.case_mark_ready(actor=county_clerk, case=town_case_decided_by_the_county(), now=at(2026, 3, 16))
    rows = cases_in_work_queue(user("baisha_clerk"), group).order_by("sort_due", "-received_at", "-case_id")

    def page():
        return list(rows.values_list("case_id", flat=True)[:25])

    if connection.vendor == "sqlite":
        # Not the queue's index walked from its first open case: the results' own range, already in order.
        assert sqlite_plan(page) == [
            "SEARCH cases_caseaccess USING INDEX case_access_result_idx (key=? AND result_stage=?)"
        ]
        return
    with CaptureQueriesContext(connection) as queries:
        page()
    (statement,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test county's few rows: is the index usable at all
        cursor.execute("EXPLAIN " + statement["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using case_access_result_idx" in plan and "Sort" not in plan, plan
