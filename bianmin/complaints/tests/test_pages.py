"""The complaint pages: the public form and tracking (the query code is needed), the staff's telephone entry, the
lists (scoped, filtered, a fixed number of queries), one complaint's page (identity masked unless the viewer may see
it, every view of it logged), another town's complaint not found, and moves through the page."""

from __future__ import annotations

import datetime

import pytest

from bianmin.complaints.models import Complaint, IdentityView
from bianmin.complaints.services import complaint_accept, complaint_assign, complaint_finish, complaint_reply
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, page_text, user, visitor
from bianmin.org.models import Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FORM = {
    "kind": "complaint",
    "subject": "fee",
    "tracking_number": "",
    "site": "",
    "text": "多收了工本费。",
    "name": "王小明",
    "phone": "13912345678",
    "id_number": "420222199203034567",
}


def at_baisha(make_complaint, **changes) -> Complaint:
    return make_complaint(site=Site.objects.get(code="BS"), **changes)


def assigned_to_the_baisha_clerk(make_complaint) -> Complaint:
    complaint = at_baisha(make_complaint)
    complaint = complaint_accept(actor=user("supervisor"), complaint=complaint, now=at(2026, 9, 30))
    return complaint_assign(
        actor=user("supervisor"), complaint=complaint, handler=user("baisha_clerk"), now=at(2026, 9, 30)
    )


def test_anyone_complains_on_the_portal_and_follows_it_with_the_query_code(county, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    browser = visitor(language="en")

    response = browser.post("/complaints/", {**FORM, "site": Site.objects.get(code="BS").pk})

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/submitted/{complaint.number}/"
    assert (complaint.channel, complaint.site.code, complaint.subject) == ("portal", "BS", "fee")
    shown = page_text(browser.get(response["Location"]))
    assert complaint.query_code in shown
    assert "王**" in shown and "139****5678" in shown and "王小明" not in shown

    # Another browser needs the number AND the query code
    other = visitor(language="en")
    assert other.get(f"/complaints/track/{complaint.number}/")["Location"] == "/complaints/track/"
    wrong = other.post("/complaints/track/", {"number": complaint.number, "query_code": "00000000"})
    assert (wrong.status_code, "No matching complaint was found" in page_text(wrong)) == (200, True)
    right = other.post("/complaints/track/", {"number": complaint.number, "query_code": complaint.query_code})
    assert right["Location"] == f"/complaints/track/{complaint.number}/"
    page = page_text(other.get(right["Location"]))
    assert "Received, awaiting acceptance" in page and "2026-10-12" in page and "王小明" not in page


def test_the_complainant_sees_the_reply_and_rates_the_handling(county, make_complaint):
    complaint = assigned_to_the_baisha_clerk(make_complaint)
    complaint = complaint_reply(
        actor=user("baisha_clerk"), complaint=complaint, reply="已退还多收费用。", now=at(2026, 10, 8)
    )
    complaint = complaint_finish(actor=user("supervisor"), complaint=complaint, finding="upheld", now=at(2026, 10, 9))
    browser = visitor(language="en")
    browser.post("/complaints/track/", {"number": complaint.number, "query_code": complaint.query_code})

    page = page_text(browser.get(f"/complaints/track/{complaint.number}/"))
    assert "已退还多收费用。" in page and "Rate the handling" in page
    response = browser.post(f"/complaints/track/{complaint.number}/rate/", {"rating": "4", "comment": "还行"})

    complaint.refresh_from_db()
    assert response.status_code == 302
    assert (complaint.state, complaint.rating, complaint.rating_comment) == ("rated", 4, "还行")
    # Once only
    again = browser.post(f"/complaints/track/{complaint.number}/rate/", {"rating": "1"})
    complaint.refresh_from_db()
    assert (again.status_code, complaint.rating) == (409, 4)


def test_staff_enter_a_complaint_taken_by_telephone(county, time_machine):
    time_machine.move_to(at(2026, 9, 29), tick=False)
    response = logged_in("baisha_clerk").post(
        "/workbench/complaints/new/", {**FORM, "site": Site.objects.get(code="BS").pk}
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/workbench/complaints/{complaint.pk}/"
    assert (complaint.channel, complaint.received_by.username) == ("phone", "baisha_clerk")


def test_a_bad_complaint_gets_a_clear_error_and_nothing_is_written(county):
    response = visitor(language="en").post("/complaints/", {**FORM, "tracking_number": "NO-SUCH-CASE"})
    assert response.status_code == 400
    assert "There is no case with the tracking number “NO-SUCH-CASE”." in page_text(response)
    assert Complaint.objects.count() == 0


def test_the_identity_is_masked_for_a_handler_not_assigned_and_logged_for_the_assigned_one(county, make_complaint):
    complaint = assigned_to_the_baisha_clerk(make_complaint)

    # The town's agent sees the complaint (it is at their town) but not who complained, and nothing is logged
    agent_page = page_text(logged_in("baisha_agent").get(f"/workbench/complaints/{complaint.pk}/"))
    assert "王** · 139****5678 · 420222********4567" in agent_page
    assert "王小明" not in agent_page and "13912345678" not in agent_page
    assert IdentityView.objects.count() == 0

    # The assigned handler sees it, and the view is logged
    handler_page = page_text(logged_in("baisha_clerk").get(f"/workbench/complaints/{complaint.pk}/"))
    assert "王小明 · 13912345678 · 420222199203034567" in handler_page
    assert list(IdentityView.objects.values_list("viewer__username", "complaint", "what")) == [
        ("baisha_clerk", complaint.pk, "complaint_page")
    ]

    # So does a supervisor
    logged_in("supervisor").get(f"/workbench/complaints/{complaint.pk}/")
    assert sorted(IdentityView.objects.values_list("viewer__username", flat=True)) == ["baisha_clerk", "supervisor"]


def test_another_towns_staff_do_not_find_the_complaint(county, make_complaint):
    complaint = assigned_to_the_baisha_clerk(make_complaint)
    futu = logged_in("futu_clerk")
    events = AuditEvent.objects.count()

    assert futu.get(f"/workbench/complaints/{complaint.pk}/").status_code == 404
    assert futu.post(f"/workbench/complaints/{complaint.pk}/reply/", {"reply-reply": "x"}).status_code == 404
    assert futu.get(f"/api/v1/complaints/{complaint.pk}").status_code == 404
    assert complaint.number not in page_text(futu.get("/workbench/complaints/"))
    assert (AuditEvent.objects.count(), Complaint.objects.get().state) == (events, "assigned")


def test_the_handler_replies_through_the_page(county, make_complaint):
    complaint = assigned_to_the_baisha_clerk(make_complaint)
    clerk = logged_in("baisha_clerk")
    assert complaint.number in page_text(clerk.get("/workbench/complaints/mine/"))
    assert complaint.number not in page_text(logged_in("futu_clerk").get("/workbench/complaints/mine/"))
    response = clerk.post(f"/workbench/complaints/{complaint.pk}/reply/", {"reply-reply": "已退费。"})
    complaint.refresh_from_db()
    assert (response.status_code, complaint.state, complaint.reply) == (302, "replied", "已退费。")


def test_a_move_refused_by_the_table_shows_why_and_changes_nothing(county, make_complaint):
    complaint = at_baisha(make_complaint)
    events = AuditEvent.objects.count()
    response = logged_in("supervisor", language="en").post(
        f"/workbench/complaints/{complaint.pk}/finish/", {"finish-finding": "upheld"}
    )
    assert response.status_code == 409
    assert "This cannot be done now" in page_text(response)
    assert (AuditEvent.objects.count(), Complaint.objects.get().state) == (events, "received")


@pytest.mark.parametrize("count", [3, 12])
def test_the_list_reads_one_page_in_a_fixed_number_of_queries(
    county, make_complaint, django_assert_num_queries, time_machine, count
):
    time_machine.move_to(at(2026, 10, 12), tick=False)  # the last day of the acceptance decision of 09-29's
    for number in range(count):
        make_complaint(site=Site.objects.get(code="BS" if number % 2 else "FT"))
    late = make_complaint(site=Site.objects.get(code="BS"), now=at(2026, 9, 1))
    supervisor = logged_in("supervisor")
    supervisor.get("/workbench/complaints/")  # the session and the scope once

    with django_assert_num_queries(7):
        response = supervisor.get("/workbench/complaints/", {"state": "received", "kind": "complaint", "late": "on"})
    with django_assert_num_queries(7):
        everything = supervisor.get("/workbench/complaints/")

    assert [row["complaint"] for row in response.context["rows"]] == [late]
    assert len(everything.context["rows"]) == count + 1

    town = logged_in("baisha_clerk").get("/workbench/complaints/")
    assert {row["complaint"].site.code for row in town.context["rows"]} == {"BS"}


def test_the_public_notices_are_listed_for_supervisors(county, make_complaint):
    from bianmin.complaints.services import complaint_remind, complaints_report_late

    complaint = at_baisha(make_complaint)
    complaint_remind(actor=user("supervisor"), complaint=complaint, now=at(2026, 10, 13))
    complaints_report_late(now=at(2026, 10, 20))
    page = page_text(logged_in("supervisor").get("/workbench/complaints/notices/"))
    assert complaint.number in page and "2026-10-12" in page
    assert logged_in("baisha_clerk").get("/workbench/complaints/notices/").status_code == 403
    assert datetime.date(2026, 10, 12) == complaint.due


def test_the_kiosk_has_the_same_form_and_a_window_names_the_site(county):
    from bianmin.org.models import Window

    window = Window.objects.filter(site__code="FT").order_by("number").first()
    response = visitor(language="en").post("/complaints/kiosk/", {**FORM, "subject": "window", "window": window.pk})
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert (complaint.channel, complaint.window, complaint.site.code) == ("kiosk", window, "FT")


def test_an_upheld_complaint_is_held_against_the_department_the_supervisor_names(county, make_complaint):
    from bianmin.org.models import Department

    complaint = assigned_to_the_baisha_clerk(make_complaint)
    complaint_reply(actor=user("baisha_clerk"), complaint=complaint, reply="已退费。", now=at(2026, 10, 8))
    land = Department.objects.get(code="ZR")
    response = logged_in("supervisor").post(
        f"/workbench/complaints/{complaint.pk}/finish/",
        {"finish-finding": "upheld", "finish-accountable_department": land.pk},
    )
    complaint.refresh_from_db()
    assert (response.status_code, complaint.state, complaint.finding) == (302, "finished", "upheld")
    assert complaint.accountable_department == land


def test_the_departments_other_handler_sees_the_identity_masked(county, make_complaint):
    from bianmin.org.models import Department

    complaint = complaint_accept(actor=user("supervisor"), complaint=make_complaint(), now=at(2026, 9, 30))
    complaint_assign(
        actor=user("supervisor"),
        complaint=complaint,
        department=Department.objects.get(code="SJ"),
        handler=user("market_chief"),
        now=at(2026, 9, 30),
    )

    head_page = page_text(logged_in("market_head").get(f"/workbench/complaints/{complaint.pk}/"))
    chief_page = page_text(logged_in("market_chief").get(f"/workbench/complaints/{complaint.pk}/"))

    assert "王** · 139****5678 · 420222********4567" in head_page and "王小明" not in head_page
    assert "王小明 · 13912345678 · 420222199203034567" in chief_page
    assert list(IdentityView.objects.values_list("viewer__username", flat=True)) == ["market_chief"]


def test_supervisors_read_the_log_of_identity_views_of_their_jurisdiction(county, make_complaint):
    complaint = assigned_to_the_baisha_clerk(make_complaint)
    logged_in("baisha_clerk").get(f"/workbench/complaints/{complaint.pk}/")
    other = make_complaint(site=Site.objects.get(code="FT"))
    logged_in("supervisor").get(f"/workbench/complaints/{other.pk}/")
    town_supervisor = user("supervisor").__class__.objects.create(username="baisha_supervisor")
    from bianmin.org import services as org
    from bianmin.org.models import Role

    org.role_assign(actor=None, user=town_supervisor, role=Role.SUPERVISOR, site=Site.objects.get(code="BS"))
    client = logged_in("baisha_supervisor")

    response = client.get("/workbench/complaints/identity-views/")

    assert [(view.viewer.username, view.complaint) for view in response.context["page"]] == [
        ("baisha_clerk", complaint)
    ]
    assert logged_in("baisha_clerk").get("/workbench/complaints/identity-views/").status_code == 403


def test_an_address_sends_at_most_ten_complaints_an_hour(county):
    browser = visitor(language="en")
    for _number in range(10):
        assert browser.post("/complaints/", FORM).status_code == 302
    refused_page = browser.post("/complaints/", FORM)
    assert refused_page.status_code == 429
    assert "Too many complaints were sent from here." in page_text(refused_page)
    assert Complaint.objects.count() == 10


def test_every_state_of_the_complaint_page_renders_with_the_moves_it_allows(county, make_complaint, time_machine):
    from bianmin.complaints.services import complaint_call_back, complaint_handle, complaint_rate

    time_machine.move_to(at(2026, 10, 8), tick=False)  # nothing is late yet: no reminder offered

    supervisor, clerk = logged_in("supervisor"), logged_in("baisha_clerk")

    def moves(client, complaint) -> list[str]:
        response = client.get(f"/workbench/complaints/{complaint.pk}/")
        assert response.status_code == 200
        return [move for move, _label, _form in response.context["moves"]]

    complaint = at_baisha(make_complaint)
    assert moves(supervisor, complaint) == ["accept", "refuse"]
    complaint = assigned_to_the_baisha_clerk(make_complaint)
    assert (moves(supervisor, complaint), moves(clerk, complaint)) == (["assign"], ["handle", "reply"])
    complaint = complaint_handle(actor=user("baisha_clerk"), complaint=complaint, now=at(2026, 10, 8))
    assert moves(clerk, complaint) == ["reply"]
    complaint = complaint_reply(actor=user("baisha_clerk"), complaint=complaint, reply="已处理。", now=at(2026, 10, 8))
    assert (moves(supervisor, complaint), moves(clerk, complaint)) == (["finish"], [])
    complaint = complaint_finish(
        actor=user("supervisor"), complaint=complaint, finding="not_upheld", now=at(2026, 10, 9)
    )
    assert moves(supervisor, complaint) == ["call_back"]
    complaint = complaint_call_back(
        actor=user("baisha_clerk"), complaint=complaint, note="已回访。", now=at(2026, 10, 9)
    )
    complaint = complaint_rate(complaint=complaint, rating=3, now=at(2026, 10, 10))
    assert moves(supervisor, complaint) == []
    late = at_baisha(make_complaint)
    time_machine.move_to(at(2026, 10, 13), tick=False)  # its acceptance decision was due on 10-12
    assert moves(supervisor, late) == ["accept", "refuse", "remind"]
