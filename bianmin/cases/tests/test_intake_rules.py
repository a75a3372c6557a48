"""Intake as its users live it (ALL art. 32; 禁止两头受理): missing materials come before acceptance, a material keeps
one row with its history, contradictory checks are refused, a successful POST redirects, and one application is
handled in one place. Through the services, the pages and the API.

Time is frozen on Wednesday 2026-03-04 (Beijing) unless a test passes its own ``now``; pages are read in English.
"""

from __future__ import annotations

import html
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases import services
from bianmin.cases.models import Case, CaseMaterial, Status
from bianmin.cases.services import MaterialCheck
from bianmin.cases.workflow import actions_available
from bianmin.core.audit import audit_events_for
from bianmin.core.models import AuditEvent
from bianmin.core.testing import ID_NUMBER, at, intake, logged_in, received, refused, sqlite_plan, user

from .test_workbench import intake_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = at(2026, 3, 4)
MONDAY = at(2026, 3, 2)
MISSING = "食品经营许可申请书"  # SJ-0004's first material, missing in intake(complete=False)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def offered_in_order(body: str) -> list[tuple[str, bool]]:
    """The case page's actions as (name, shown open), in the page's order."""
    return [
        (name, bool(is_open))
        for name, is_open in re.findall(r'<details class="action card" data-action="([a-z_]+)"( open)?>', body)
    ]


# --- Missing materials come first; acceptance waits for them ------------------------------------------------------


def test_acceptance_is_refused_while_a_material_is_missing_and_the_notice_comes_first(county):
    clerk = user("county_clerk")
    case = received(now=MONDAY, complete=False)
    events = AuditEvent.objects.count()

    # The service refuses with the reason, and nothing changes
    with refused("materials_incomplete") as info:
        services.case_accept(actor=clerk, case=case, now=TODAY)
    assert MISSING in str(info.value.message)
    case.refresh_from_db()
    assert (case.status, case.accepted_at, case.materials_outstanding) == (Status.RECEIVED, None, 1)
    assert AuditEvent.objects.count() == events

    # What may be done now: the notice (and the waiver, the refusal, the withdrawal), never acceptance
    assert actions_available(clerk, case) == ["request_supplement", "waive_material", "refuse", "withdraw"]

    # The page: the supplement notice is the first action and the one shown open, and it says why there is no "Accept"
    body = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode()
    assert offered_in_order(body) == [
        ("request_supplement", True),
        ("waive_material", False),
        ("refuse", False),
        ("withdraw", False),
    ]
    assert 'id="acceptance-waits"' in body
    assert f"Missing or defective: {MISSING}." in body

    # The API lists the same moves
    detail = logged_in("county_clerk").get(f"/api/v1/cases/{case.pk}").json()
    assert detail["allowed_actions"] == ["request_supplement", "waive_material", "refuse", "withdraw"]


def test_with_every_material_in_hand_accept_is_first_and_open(county):
    case = received(now=MONDAY)

    body = logged_in("county_clerk", language="en").get(f"/workbench/cases/{case.pk}/").content.decode()

    assert offered_in_order(body)[:2] == [("accept", True), ("request_supplement", False)]
    assert 'id="acceptance-waits"' not in body


def test_a_missing_material_recorded_as_not_needed_lets_the_case_be_accepted(county):
    clerk = user("county_clerk")
    case = received(now=MONDAY, complete=False)
    material = case.materials.get(name=MISSING)

    # A supervisor may not record it: refused, nothing written
    with refused("permission_denied"):
        services.case_waive_material(actor=user("supervisor"), case=case, material_id=material.pk, reason="不需要")
    material.refresh_from_db()
    assert material.state == CaseMaterial.State.MISSING
    # A reason is required
    with refused("reason_required"):
        services.case_waive_material(actor=clerk, case=case, material_id=material.pk, reason="  ")

    # Through the page, with the reason
    response = logged_in("county_clerk", language="en").post(
        f"/workbench/cases/{case.pk}/waive_material/",
        {"waive_material-material": material.pk, "waive_material-reason": "申请书已在网上填报，现场无需纸质件"},
    )

    assert response.status_code == 302 and response.url == f"/workbench/cases/{case.pk}/"
    material.refresh_from_db()
    assert material.state == CaseMaterial.State.WAIVED
    assert list(material.history.values_list("kind", "state", "note", "by__username", "at")) == [
        ("intake", "missing", "未提供", "county_clerk", MONDAY),
        ("waived", "waived", "申请书已在网上填报，现场无需纸质件", "county_clerk", TODAY),
    ]
    case = services.case_accept(actor=clerk, case=case, now=TODAY)
    assert (case.status, case.accepted_on, case.is_deemed_accepted) == (Status.ACCEPTED, TODAY.date(), False)


def test_the_law_accepts_a_case_with_missing_materials_when_no_notice_came_in_five_working_days(county):
    # Received Monday 03-02 with a material missing, and nobody acted: the window ended on 03-09
    clerk = user("county_clerk")
    swept = received(now=MONDAY, complete=False)
    late = received("SJ-0005", now=MONDAY, complete=False)

    # The worker's sweep on 03-10 deems the first accepted as of its receipt, whatever its materials
    assert services.cases_deem_accepted(today=at(2026, 3, 10).date(), now=at(2026, 3, 10, 0)) == 2
    swept.refresh_from_db()
    assert (swept.status, swept.accepted_on, swept.is_deemed_accepted) == (Status.ACCEPTED, MONDAY.date(), True)

    # And a clerk acting after the window does not meet the materials rule either: the law has already accepted
    late.refresh_from_db()
    assert late.is_deemed_accepted
    third = received("SJ-0003", now=MONDAY, complete=False)
    assert "accept" in actions_available(clerk, third, on=at(2026, 3, 10).date())
    third = services.case_accept(actor=clerk, case=third, now=at(2026, 3, 10))
    assert (third.accepted_on, third.is_deemed_accepted) == (MONDAY.date(), True)


# --- One row per material, with its history ----------------------------------------------------------------------


def test_after_the_supplement_each_material_has_one_row_whose_history_shows_missing_then_supplied(county):
    case = received(now=MONDAY, complete=False)
    client = logged_in("county_clerk", language="en")
    licence = case.materials.get(name="营业执照")

    # The notice lists the missing application form and the unreadable licence copy (both ticked on the page)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        notice = client.post(
            f"/workbench/cases/{case.pk}/request_supplement/",
            {
                f"request_supplement-pick_{case.materials.get(name=MISSING).pk}": "on",
                f"request_supplement-problem_{case.materials.get(name=MISSING).pk}": "未提供",
                f"request_supplement-pick_{licence.pk}": "on",
                f"request_supplement-problem_{licence.pk}": "复印件不清晰",
            },
        )
    assert notice.status_code == 302
    # A notice leaving out a material still missing is refused (one notice lists everything)
    with refused("supplement_incomplete"):
        services.case_request_supplement(
            actor=user("county_clerk"), case=received("SJ-0005", now=MONDAY, complete=False), problems=[("身份证", "x")]
        )

    # The applicant brings both back
    received_back = client.post(
        f"/workbench/cases/{case.pk}/receive_supplement/",
        {
            "receive_supplement-received_0": "on",
            "receive_supplement-original_0": "on",
            "receive_supplement-received_1": "on",
            "receive_supplement-copy_1": "on",
        },
    )

    assert received_back.status_code == 302
    rows = list(case.materials.order_by("position").values_list("name", "state"))
    assert len(rows) == 6 and len({name for name, _state in rows}) == 6
    assert all(state == CaseMaterial.State.PROVIDED for _name, state in rows)
    assert list(licence.history.values_list("kind", "state", "note", "at")) == [
        ("intake", "provided", "", MONDAY),
        ("notice", "defective", "复印件不清晰", at(2026, 3, 3)),
        ("supplied", "provided", "", TODAY),
    ]
    case.refresh_from_db()
    assert (case.status, case.materials_outstanding) == (Status.RECEIVED, 0)
    # The page shows the history by the row: missing, then supplied, who and when
    body = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    history = re.search(rf"{MISSING}</td>.*?</ol>", body, re.S).group()
    assert "Checked at intake: Missing (未提供)" in history
    assert "Supplied: Provided · 王晓燕 · <time" in history
    assert "2026-03-04 10:00" in history
    assert offered_in_order(body)[0] == ("accept", True)


# --- Contradictory checks are refused -----------------------------------------------------------------------------


def test_a_material_marked_missing_and_also_checked_is_refused(county):
    # The service: nothing registered
    application = intake("SJ-0004", "YX", complete=False)
    application.materials[0].original_seen = True
    with refused("intake_invalid") as info:
        services.case_submit(actor=user("county_clerk"), intake=application, now=MONDAY)
    assert "is marked missing but also checked" in str(info.value.message)

    # The page: the row says it, nothing saved
    response = logged_in("county_clerk", language="en").post(
        "/workbench/cases/new/?item=SJ-0004",
        intake_post("SJ-0004", **{"material-0-state": "missing", "material-0-problem": "未带"}),
    )

    assert response.status_code == 400
    assert "A missing material cannot also be checked, kept or scanned" in response.content.decode()
    assert Case.objects.count() == 0


# --- A successful POST always redirects ---------------------------------------------------------------------------


def test_a_successful_intake_redirects_to_the_case_so_a_reload_cannot_register_it_again(county):
    client = logged_in("county_clerk", language="en")

    response = client.post("/workbench/cases/new/?item=SJ-0004", intake_post("SJ-0004"), follow=True)

    case = Case.objects.get()
    assert response.redirect_chain == [(f"/workbench/cases/{case.pk}/", 302)]
    assert (
        response.request["REQUEST_METHOD"] == "GET" and response.request["PATH_INFO"] == f"/workbench/cases/{case.pk}/"
    )


# --- One application, one place (禁止两头受理) -----------------------------------------------------------------------


def test_an_open_case_elsewhere_is_shown_and_must_be_linked_or_overridden_with_a_reason(county):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=MONDAY)
    # The same site by the same channel is that site's own business (its queue shows both): not a duplicate
    again = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=MONDAY)
    assert again.duplicate_of is None
    agent = user("baishacun_agent")
    relayed = intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书")
    cases = Case.objects.count()

    # The same applicant through the village agent: refused, the open cases named
    with refused("duplicate_application") as info:
        services.case_submit(actor=agent, intake=relayed, now=TODAY)
    assert [case.pk for case in info.value.open_cases] == [town.pk, again.pk]
    assert town.tracking_number in str(info.value.message)
    assert Case.objects.count() == cases

    # Linked: nothing new, the open case records where the applicant asked again
    services.case_link_application(actor=agent, case=town, site=relayed.relay_site, channel="agency", now=TODAY)
    linked = audit_events_for(town).get(action="case.link_application")
    assert (linked.actor, linked.payload["site"], linked.payload["channel"]) == (agent, "BS01", "agency")
    assert Case.objects.count() == cases

    # Overridden with a reason: registered beside it, and the fact is on the case for supervision
    relayed.duplicate_reason = "申请人为另一处房屋申请"
    second = services.case_submit(actor=agent, intake=relayed, now=TODAY)
    assert (second.duplicate_of, second.duplicate_reason) == (town, "申请人为另一处房屋申请")
    submitted = audit_events_for(second).get(action="case.submit")
    assert submitted.payload["duplicate_of"] == town.tracking_number


def test_an_override_is_an_alert_for_supervision(county):
    from bianmin.supervision.models import Alert
    from bianmin.supervision.sweep import sweep

    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=MONDAY)
    online = intake("MZ-0001", "BS", channel="online", duplicate_reason="另一处房屋")
    second = services.case_submit(actor=None, intake=online, now=TODAY)

    sweep(now=at(2026, 3, 4, 11))

    alert = Alert.objects.get(rule="duplicate_override")
    assert (alert.case_id, alert.site.code, alert.responsible_role, alert.is_anomaly) == (
        second.pk,
        "BS",
        "clerk",
        True,
    )
    assert town.pk != second.pk


def test_the_intake_page_shows_the_open_case_and_links_or_registers_with_a_reason(county):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=MONDAY)
    client = logged_in("baishacun_agent", language="en")
    data = intake_post("MZ-0001", agency_authorisation="委托书", id_number=ID_NUMBER)

    # Shown: the open case, nothing saved
    response = client.post("/workbench/cases/new/?item=MZ-0001", data)
    assert response.status_code == 409
    body = response.content.decode()
    warning = re.search(r'<section class="card duplicate-warning".*?</section>', body, re.S).group()
    assert town.tracking_number in warning and "received at 白沙镇便民服务厅 (At a window) on 2026-03-02" in warning
    assert f'form="link-{town.pk}"' in warning and 'name="duplicate_reason"' in warning
    # The link buttons belong to forms of their own: Enter in the intake form still submits it
    assert body.index('id="submit-intake"') < body.index(f'id="link-{town.pk}"')
    assert Case.objects.count() == 1

    # Linked: redirected, nothing new registered, the open case's timeline says it
    linked = client.post("/workbench/cases/new/?item=MZ-0001", {"link_to": town.pk, "id_number": ID_NUMBER})
    assert linked.status_code == 302 and Case.objects.count() == 1
    assert audit_events_for(town).filter(action="case.link_application").count() == 1

    # With a reason: registered, and the page redirects to it
    registered = client.post("/workbench/cases/new/?item=MZ-0001", {**data, "duplicate_reason": "另一处房屋"})
    second = Case.objects.exclude(pk=town.pk).get()
    assert registered.status_code == 302 and registered.url == f"/workbench/cases/{second.pk}/"
    assert (second.duplicate_of, second.duplicate_reason) == (town, "另一处房屋")


def test_the_api_refuses_a_duplicate_with_409_and_takes_a_reason(county):
    services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX", channel="online"), now=MONDAY)
    client = logged_in("county_clerk")
    body = {
        "item": "SJ-0004",
        "channel": "window",
        "receiving_site": "YX",
        "applicant": {"name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": "13800000000"},
    }

    refused_answer = client.post("/api/v1/cases/", json.dumps(body), content_type="application/json")
    accepted_answer = client.post(
        "/api/v1/cases/", json.dumps({**body, "duplicate_reason": "另一家门店"}), content_type="application/json"
    )

    assert refused_answer.status_code == 409 and refused_answer.json()["code"] == "duplicate_application"
    assert accepted_answer.status_code == 201
    assert Case.objects.get(pk=accepted_answer.json()["id"]).duplicate_reason == "另一家门店"


def test_the_duplicate_lookup_reads_the_partial_index_of_open_cases(county):
    from bianmin.catalog.models import ServiceItem
    from bianmin.org.models import Site

    item, site = ServiceItem.objects.get(code="SJ-0004"), Site.objects.get(code="YX")

    def lookup():
        return services.open_applications(id_number=ID_NUMBER, item=item, site=site, channel="window")

    if connection.vendor == "sqlite":
        plan = sqlite_plan(lookup)
        assert plan[0].startswith("SEARCH cases_case USING INDEX case_open_applicant_idx"), plan
        return
    with CaptureQueriesContext(connection) as queries:
        lookup()
    (statement,) = queries.captured_queries
    with connection.cursor() as cursor:
        # The test database's few rows make a sequential scan cheapest; what is asked is whether the partial
        # index can serve the lookup at all (its predicate implied by the query's), as it must at 10^6 cases.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_open_applicant_idx" in plan, plan


def test_an_online_duplicate_is_refused_with_a_message_naming_no_case(county):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bianmin.catalog.models import ServiceItem
    from bianmin.core.testing import visitor
    from bianmin.org.models import Site

    from .test_public import PDF, verify_phone

    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0004", "BS"), now=MONDAY)
    citizen = visitor(language="en")
    verify_phone(citizen, "MZ-0004")
    requirements = ServiceItem.objects.get(code="MZ-0004").current_version.materials.all()
    files = {f"material_{m.pk}": SimpleUploadedFile("m.pdf", PDF) for m in requirements if m.is_required}
    data = {
        "name": "张三",
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "address": "阳新县白沙镇白沙村三组",
        "details": "申请残疾人两项补贴。",
        "receiving_site": Site.objects.get(code="BS").pk,
        "action": "submit",
        **files,
    }

    response = citizen.post("/cases/apply/MZ-0004/", data)

    body = response.content.decode()
    assert response.status_code == 200  # the form again, with the message
    assert "An application of yours for this item is still open." in html.unescape(body)
    assert town.tracking_number not in body
    assert Case.objects.count() == 1


def test_received_supplement_of_a_material_never_listed_gets_its_own_row(county):
    clerk = user("county_clerk")
    case = received(now=MONDAY)
    services.case_request_supplement(actor=clerk, case=case, problems=[("场地租赁合同", "未提供")], now=TODAY)
    services.case_receive_supplement(
        actor=clerk, case=case, materials=[MaterialCheck(name="场地租赁合同", original_seen=True)], now=TODAY
    )

    lease = case.materials.get(name="场地租赁合同")
    assert (lease.state, lease.position) == (CaseMaterial.State.PROVIDED, 7)
    assert list(lease.history.values_list("kind", flat=True)) == ["notice", "supplied"]


def test_the_inline_check_of_the_number_says_at_once_when_an_open_case_is_elsewhere(county):
    town = services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=MONDAY)
    agent = logged_in("baishacun_agent", language="en")
    params = {"id_type": "resident_id", "id_number": ID_NUMBER, "item": "MZ-0001"}

    form = agent.get("/workbench/cases/new/?item=MZ-0001").content.decode()
    hint = agent.get("/workbench/cases/new/check-id/", params).content.decode()
    # At the town's own window by the same channel it is that window's business: no hint
    same_place = logged_in("baisha_clerk", language="en").get("/workbench/cases/new/check-id/", params)

    assert 'hx-include="[name=id_type],[name=id_number],[name=item]"' in form
    assert '<input type="hidden" name="item" value="MZ-0001">' in form
    assert 'id="open-case-hint"' in hint
    assert f"{town.tracking_number} (白沙镇便民服务厅, At a window)" in hint
    assert 'id="open-case-hint"' not in same_place.content.decode()
