"""The rating pages: the applicant's online page (verified as the tracking page verifies), the window's tablet, the
staff pages of rectification, appeals and figures (scoped: another town's task is 404), and the portal's monthly
figures (no personal data)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.core.testing import at, delivered, logged_in, page_text, role_holder, user, visitor
from bianmin.org.models import Role, Window
from bianmin.ratings.models import Channel, Level, Rating, Rectification, TabletPrompt
from bianmin.ratings.services import rating_prompt_at_window, rating_submit
from bianmin.ratings.tablet import tablet_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RATED = at(2026, 9, 30)


def verified_visitor(case):
    client = visitor(language="en")
    response = client.post(
        "/cases/track/", {"method": "code", "tracking_number": case.tracking_number, "query_code": case.query_code}
    )
    assert response.status_code == 302
    return client


def test_the_applicant_rates_online_after_the_tracking_check(county):
    case = delivered(now=at(2026, 9, 29))
    # An unverified visitor is sent to the tracking page, with the number filled in
    stranger = visitor(language="en")
    response = stranger.get(f"/rate/{case.tracking_number}/")
    assert (response.status_code, response["Location"]) == (302, f"/cases/track/?number={case.tracking_number}")
    assert stranger.post(f"/rate/{case.tracking_number}/", {"level": "1"}).status_code == 302
    assert Rating.objects.count() == 0
    # The verified applicant finds the link on the tracking page and rates
    client = verified_visitor(case)
    assert f"/rate/{case.tracking_number}/" in client.get(f"/cases/track/{case.tracking_number}/").content.decode()
    response = client.post(
        f"/rate/{case.tracking_number}/",
        {"level": "2", "handling_efficiency": "1", "tags": ["slow"], "comment": "等太久", "is_named": "on"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.level, rating.handling_efficiency, rating.comment, rating.is_named) == (
        "online",
        2,
        1,
        "等太久",
        True,
    )
    assert list(rating.tags.values_list("tag", flat=True)) == ["slow"]
    assert Rectification.objects.filter(rating=rating).exists()
    # and the page now shows the rating given instead of the form
    page = client.get(f"/rate/{case.tracking_number}/")
    assert "rating-form" not in page.content.decode() and "Dissatisfied" in page_text(page)


def test_the_sms_link_counts_as_its_own_channel(county):
    case = delivered(now=at(2026, 9, 29))
    client = verified_visitor(case)
    client.post(f"/rate/{case.tracking_number}/?via=sms", {"level": "5", "via": "sms"})
    assert list(Rating.objects.values_list("channel", "level")) == [("sms", 5)]


def test_a_signed_in_clerk_cannot_rate_on_the_public_page(county):
    case = delivered(now=at(2026, 9, 29))
    clerk = logged_in("county_clerk", language="en")
    clerk.post(
        "/cases/track/", {"method": "code", "tracking_number": case.tracking_number, "query_code": case.query_code}
    )
    page = clerk.get(f"/rate/{case.tracking_number}/")
    assert "staff-notice" in page.content.decode()
    response = clerk.post(f"/rate/{case.tracking_number}/", {"level": "5"})
    assert response.status_code == 403
    assert Rating.objects.count() == 0


def test_bad_input_on_the_public_page_is_refused_with_nothing_changed(county):
    case = delivered(now=at(2026, 9, 29))
    client = verified_visitor(case)
    response = client.post(f"/rate/{case.tracking_number}/", {"level": "9"})
    assert response.status_code == 400
    assert Rating.objects.count() == 0


def test_the_window_tablet_shows_the_prompted_case_and_goes_back_to_idle(county):
    case = delivered(now=at(2026, 9, 29))
    window = Window.objects.get(site__code="YX", number="1")
    tablet = visitor(language="en")
    key = tablet_key(window)
    with time_machine.travel(RATED, tick=False):
        idle = tablet.get(f"/rate/window/{key}/now/")
        assert "tablet-form" not in idle.content.decode()
        # The clerk asks for a rating from the case page
        clerk = logged_in("county_clerk", language="en")
        assert "ask-rating" in clerk.get(f"/workbench/cases/{case.pk}/").content.decode()
        assert clerk.post(f"/workbench/ratings/prompt/{case.pk}/").status_code == 302
        prompt = TabletPrompt.objects.get()
        shown = tablet.get(f"/rate/window/{key}/now/").content.decode()
        assert "tablet-form" in shown and "张*" in shown and "张三" not in shown
        done = tablet.post(
            f"/rate/window/{key}/submit/",
            {"prompt": prompt.pk, "level": "5", "service_attitude": "5", "is_named": "on"},
        )
    assert "tablet-thanks" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.window_id, rating.staff.username, rating.service_attitude) == (
        Channel.WINDOW,
        window.pk,
        "county_clerk",
        5,
    )
    with time_machine.travel(RATED, tick=False):
        assert "tablet-form" not in tablet.get(f"/rate/window/{key}/now/").content.decode()


def test_a_forged_tablet_key_is_not_found(county):
    assert visitor().get("/rate/window/1/").status_code == 404


def test_the_clerk_at_the_tablet_cannot_rate(county):
    case = delivered(now=at(2026, 9, 29))
    window = Window.objects.get(site__code="YX", number="1")
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=case, window=window)
    clerk = logged_in("county_clerk", language="en")
    response = clerk.post(f"/rate/window/{tablet_key(window)}/submit/", {"prompt": prompt.pk, "level": "5"})
    assert response.status_code == 403
    assert Rating.objects.count() == 0


# --- Staff pages -------------------------------------------------------------------------------------------------


def bad_review(site: str = "YX") -> Rectification:
    case = delivered(site=site, now=at(2026, 9, 29))
    rating = rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=Level.VERY_DISSATISFIED, now=RATED)
    return Rectification.objects.get(rating=rating)


def test_the_handler_works_the_task_on_its_page(county):
    task = bad_review()
    clerk = logged_in("county_clerk", language="en")
    page = clerk.get(f"/workbench/ratings/{task.pk}/")
    assert page.status_code == 200 and 'data-action="verify"' in page.content.decode()
    response = clerk.post(
        f"/workbench/ratings/{task.pk}/verify/", {"verify-is_founded": "1", "verify-findings": "属实。"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.findings) == (Rectification.State.VERIFIED, "属实。")
    # an empty text is refused and changes nothing
    response = clerk.post(f"/workbench/ratings/{task.pk}/rectify/", {"rectify-measures": ""})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.state == Rectification.State.VERIFIED


def test_another_towns_staff_get_404(county):
    task = bad_review("YX")
    for username in ("baisha_clerk", "futu_clerk"):
        client = logged_in(username, language="en")
        assert client.get(f"/workbench/ratings/{task.pk}/").status_code == 404
        assert client.post(f"/workbench/ratings/{task.pk}/verify/", {"verify-is_founded": "1"}).status_code == 404
    town_supervisor = role_holder("supervisor_bs", Role.SUPERVISOR, site="BS")
    client = logged_in("supervisor_bs", language="en")
    client.force_login(town_supervisor)
    assert client.get(f"/workbench/ratings/{task.pk}/").status_code == 404
    assert logged_in("baisha_clerk").get("/workbench/ratings/").context["page"].paginator.count == 0
    assert Rectification.objects.get(pk=task.pk).state == Rectification.State.OPEN


def test_the_task_list_reads_a_page_in_a_fixed_number_of_queries(county, django_assert_num_queries):
    client = logged_in("market_head", language="en")
    bad_review()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/workbench/ratings/").status_code == 200
    for _ in range(4):
        bad_review()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/workbench/ratings/")
    assert response.context["page"].paginator.count == 5


def test_the_figures_page_is_for_admins_heads_and_supervisors(county):
    bad_review()
    assert logged_in("county_clerk").get("/workbench/ratings/figures/").status_code == 403
    for username in ("centre_admin", "market_head", "supervisor"):
        response = logged_in(username, language="en").get("/workbench/ratings/figures/?month=2026-09&by=department")
        assert response.status_code == 200
        assert response.context["total"].bad == 1
    land = logged_in("land_head", language="en").get("/workbench/ratings/figures/?month=2026-09&by=department")
    assert land.context["total"].total == 0
    admin = logged_in("centre_admin", language="en")
    names = {
        by: [row["name"] for row in admin.get(f"/workbench/ratings/figures/?month=2026-09&by={by}").context["rows"]]
        for by in ("site", "window", "staff", "item")
    }
    assert names == {
        "site": ["阳新县行政服务中心"],
        "window": [str(Window.objects.get(site__code="YX", number="1"))],
        "staff": ["王晓燕"],
        "item": ["SJ-0004 食品经营许可"],
    }


def test_the_appeals_page_lists_waiting_appeals_for_supervisors(county):
    from bianmin.ratings.services import appeal_file

    task = bad_review()
    appeal_file(actor=user("market_head"), rectification=task, reason="误评。")
    assert logged_in("market_head").get("/workbench/ratings/appeals/").status_code == 403
    response = logged_in("supervisor", language="en").get("/workbench/ratings/appeals/")
    assert [appeal.rectification_id for appeal in response.context["page"]] == [task.pk]


def test_the_portal_publishes_the_months_rates_without_personal_data(county):
    good = delivered(now=at(2026, 9, 29))
    rating_submit(actor=None, case=good, channel=Channel.ONLINE, level=5, comment="王五很好", now=RATED)
    bad_review()
    with time_machine.travel(at(2026, 10, 20), tick=False):
        response = visitor(language="en").get("/ratings/?month=2026-09")
        running = visitor(language="en").get("/ratings/?month=2026-10")
    text = page_text(response)
    assert response.status_code == 200
    assert response.context["total"].good_rate == 50
    assert "王晓燕" not in text and "张三" not in text and "王五很好" not in text
    assert running.context["month"] == datetime.date(2026, 9, 1)
    # A published month is computed once for a few minutes: the next visitor's page reads no rating and no case.
    with time_machine.travel(at(2026, 10, 20), tick=False), CaptureQueriesContext(connection) as again:
        assert visitor(language="en").get("/ratings/?month=2026-09").context["total"].good_rate == 50
    assert not [q["sql"] for q in again.captured_queries if "ratings_rating" in q["sql"] or "cases_case" in q["sql"]]


# --- The API -----------------------------------------------------------------------------------------------------


def test_the_applicant_rates_through_the_api_in_the_verified_session(county):
    case = delivered(now=at(2026, 9, 29))
    url = f"/api/v1/ratings/cases/{case.tracking_number}"
    body = {"level": 2, "indicators": {"guide_accuracy": 1}, "tags": ["unclear_guide"], "comment": "指南不清"}
    # Not verified: told to find the case first; a signed-in clerk is refused whatever their session holds
    answer = visitor().post(url, body, content_type="application/json")
    assert (answer.status_code, answer.json()["code"]) == (401, "applicant_not_verified")
    clerk = logged_in("county_clerk")
    assert clerk.post(url, body, content_type="application/json").status_code == 404
    assert Rating.objects.count() == 0
    # Verified on the tracking page: rated, and a bad review opens its task
    answer = verified_visitor(case).post(url, body, content_type="application/json")
    assert answer.status_code == 201
    assert {key: answer.json()[key] for key in ("channel", "level", "is_bad")} == {
        "channel": "online",
        "level": 2,
        "is_bad": True,
    }
    assert Rectification.objects.filter(rating_id=answer.json()["id"]).exists()


def test_the_api_lists_are_scoped_and_paged(county, django_assert_num_queries):
    tasks = [bad_review() for _ in range(3)]
    head = logged_in("market_head")
    with django_assert_num_queries(5):  # the session, the user, their roles, the count, the page
        answer = head.get("/api/v1/ratings/rectifications")
    assert [row["id"] for row in answer.json()["items"]] == [task.pk for task in reversed(tasks)]
    assert logged_in("futu_clerk").get("/api/v1/ratings/rectifications").json() == {
        "items": [],
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
    }
    assert logged_in("futu_clerk").get("/api/v1/ratings/").json()["count"] == 0
    assert head.get("/api/v1/ratings/").json()["count"] == 3


def test_the_applicant_rates_the_fix_on_the_rating_page(county):
    from bianmin.ratings.services import (
        rectification_call_back,
        rectification_record_outcome,
        rectification_rectify,
        rectification_verify,
    )

    task = bad_review()
    head = user("market_head")
    client = verified_visitor(task.case)
    assert "fix-form" not in client.get(f"/rate/{task.case.tracking_number}/").content.decode()
    rectification_verify(actor=head, rectification=task, is_founded=True, findings="属实。")
    rectification_rectify(actor=head, rectification=task, measures="已整改。")
    rectification_call_back(actor=head, rectification=task, note="认可。")
    rectification_record_outcome(actor=head, rectification=task, outcome="已为申请人补办。")
    page = client.get(f"/rate/{task.case.tracking_number}/").content.decode()
    assert "fix-form" in page and "已为申请人补办。" in page
    assert client.post(f"/rate/{task.case.tracking_number}/fix/", {"level": "4"}).status_code == 302
    task.refresh_from_db()
    assert task.fix_level == 4
    assert "fix-form" not in client.get(f"/rate/{task.case.tracking_number}/").content.decode()


def test_the_tablet_ignores_a_malformed_or_foreign_prompt(county):
    case = delivered(now=at(2026, 9, 29))
    window = Window.objects.get(site__code="YX", number="1")
    other = Window.objects.get(site__code="BS", number="1")
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=case, window=window)
    tablet = visitor(language="en")
    for value in ("abc", "99999999999999999999", str(prompt.pk)):
        response = tablet.post(f"/rate/window/{tablet_key(other)}/submit/", {"prompt": value, "level": "1"})
        assert response.status_code == 200 and "tablet-form" not in response.content.decode()
    assert Rating.objects.count() == 0
