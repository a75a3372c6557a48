"""The inspection's pages and the phone's sync endpoint, through HTTP."""

from __future__ import annotations

import uuid

import pytest
import time_machine

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, logged_in, picture, user

from ..models import ScoreEntry, ScorePhoto
from .kit import inspector, leaves, round_of_towns

pytestmark = pytest.mark.django_db


def _client_of(account):
    from django.test import Client

    client = Client()
    client.force_login(account)
    return client


def _form(indicator, client_id, points="4", **extra):
    return {
        "client_id": str(client_id),
        "indicator": str(indicator.pk),
        "points": points,
        "note": "两台电脑，一台待修。",
        "taken_at": "2026-06-10T09:30:00+08:00",
        "latitude": "29.853100",
        "longitude": "115.215400",
        "accuracy": "12",
        **extra,
    }


def _photo(name="evidence.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, picture("JPEG", size=(40, 30)), content_type="image/jpeg")


@time_machine.travel(at(2026, 6, 10, 11), tick=False)
def test_a_second_sync_of_the_same_score_changes_nothing(county):
    # given an inspector of the group assigned to 白沙镇
    round_, group_a, _b = round_of_towns()
    jiwei = _client_of(inspector("jiwei", group_a, "discipline"))
    url = f"/workbench/inspection/rounds/{round_.pk}/sites/{round_.sites.get(site__code='BS').site_id}/sync/"
    computers = next(i for i in leaves(round_.sites.get(site__code="BS")) if i.code == "3.1")
    client_id = uuid.uuid4()
    # when the phone sends the score with a photo, then the same again (its answer was lost)
    first = jiwei.post(url, {**_form(computers, client_id), "photos": _photo()})
    second = jiwei.post(url, {**_form(computers, client_id, points="0"), "photos": _photo()})
    # then one score with one photo, the device's time and position, and one audit event
    assert first.status_code == 201 and first.json()["created"] is True
    assert second.status_code == 200 and second.json() == {**first.json(), "created": False}
    entry = ScoreEntry.objects.get()
    assert (str(entry.points), entry.note, str(entry.latitude), str(entry.longitude), entry.accuracy) == (
        "4.0",
        "两台电脑，一台待修。",
        "29.853100",
        "115.215400",
        12,
    )
    assert entry.taken_at == at(2026, 6, 10, 9).replace(minute=30)
    assert ScorePhoto.objects.count() == 1
    assert AuditEvent.objects.filter(action="inspection.score").count() == 1
    # and the stored photo is served only through the site's pages, re-encoded as a JPEG
    photo = ScorePhoto.objects.get()
    assert photo.file.name.startswith("inspection/")
    response = jiwei.get(f"/workbench/inspection/photos/{photo.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert logged_in("futu_clerk").get(f"/workbench/inspection/photos/{photo.pk}/").status_code == 404


@time_machine.travel(at(2026, 6, 10, 11), tick=False)
def test_sync_refusals_say_why_and_store_nothing(county):
    round_, group_a, group_b = round_of_towns()
    jiwei = _client_of(inspector("jiwei", group_a, "discipline"))
    centre = _client_of(inspector("zhongxin", group_b, "service_centre"))
    bs = round_.sites.get(site__code="BS")
    url = f"/workbench/inspection/rounds/{round_.pk}/sites/{bs.site_id}/sync/"
    computers = next(i for i in leaves(bs) if i.code == "3.1")
    # a photo indicator without a photo, points above the indicator's, a malformed time, another group's inspector
    # (the site is not in their sight), a town clerk of the site (reads its result once published), another town's
    answers = [
        jiwei.post(url, _form(computers, uuid.uuid4())),
        jiwei.post(url, {**_form(computers, uuid.uuid4(), points="5"), "photos": _photo()}),
        jiwei.post(url, {**_form(computers, uuid.uuid4(), taken_at="yesterday"), "photos": _photo()}),
        centre.post(url, {**_form(computers, uuid.uuid4()), "photos": _photo()}),
        logged_in("baisha_clerk").post(url, {**_form(computers, uuid.uuid4()), "photos": _photo()}),
        logged_in("futu_clerk").post(url, {**_form(computers, uuid.uuid4()), "photos": _photo()}),
    ]
    assert [(answer.status_code, answer.json()["code"]) for answer in answers] == [
        (422, "photo_required"),
        (422, "invalid_input"),
        (422, "invalid_input"),
        (404, "not_found"),
        (404, "not_found"),
        (404, "not_found"),
    ]
    assert ScoreEntry.objects.count() == 0 and ScorePhoto.objects.count() == 0
    assert not AuditEvent.objects.filter(action="inspection.score").exists()


@time_machine.travel(at(2026, 6, 10, 11), tick=False)
def test_the_phone_form_lists_the_site_s_indicators_for_its_inspectors_only(county):
    round_, group_a, group_b = round_of_towns()
    bs = round_.sites.get(site__code="BS")
    url = f"/workbench/inspection/rounds/{round_.pk}/sites/{bs.site_id}/score/"
    page = _client_of(inspector("jiwei", group_a, "discipline")).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="card score-card"') == 14
    assert "集中办公场所面积不少于150平方米" in text and "js/inspection.js" in text
    assert _client_of(inspector("zhongxin", group_b, "service_centre")).get(url).status_code == 404
    assert logged_in("baisha_clerk").get(url).status_code == 404  # its own result: once published
    assert logged_in("futu_clerk").get(url).status_code == 404


@time_machine.travel(at(2026, 2, 10, 11), tick=False)
def test_a_county_administrator_starts_a_round_and_assigns_sites(county):
    from bianmin.org.models import Site

    from .. import services
    from ..models import InspectorGroup, Round

    services.sheets_seed(actor=None)
    group = services.group_save(actor=None, name="第一考核组", bodies=["discipline"])
    admin = logged_in("centre_admin")
    # a supervisor may not: nothing is created
    refused = logged_in("supervisor").post("/workbench/inspection/rounds/new/", {"name": "x", "year": "2026"})
    assert refused.status_code == 403
    assert not Round.objects.exists()
    # when the county's centre administrator creates the round and assigns two towns on the standard sheet
    response = admin.post("/workbench/inspection/rounds/new/", {"name": "2026年考核验收", "year": "2026"})
    round_ = Round.objects.get()
    assert response["Location"] == f"/workbench/inspection/rounds/{round_.pk}/"
    sites = [Site.objects.get(code=code).pk for code in ("BS", "FT")]
    admin.post(
        f"/workbench/inspection/rounds/{round_.pk}/assign/",
        {"sites": sites, "group": group.pk, "level": "standard"},
    )
    # then the round has the plan's phases and the two towns, each on the town's standard sheet
    assert (round_.name, round_.state, str(round_.inspection_start)) == ("2026年考核验收", "draft", "2026-06-01")
    assigned = sorted(round_.sites.values_list("site__code", "group__name", "sheet__name"))
    assert assigned == [
        ("BS", "第一考核组", "乡镇便民服务中心标准型考核表"),
        ("FT", "第一考核组", "乡镇便民服务中心标准型考核表"),
    ]
    page = admin.get(f"/workbench/inspection/rounds/{round_.pk}/").content.decode()
    # the assigned towns leave the form's choices
    assert f'value="{sites[0]}"' not in page and f'value="{Site.objects.get(code="SX").pk}"' in page
    assert InspectorGroup.objects.count() == 1


def test_the_ranking_page_reads_a_fixed_number_of_queries(county, django_assert_num_queries):
    from ..tests.test_inspection import _scored_round

    round_, _group, _jiwei = _scored_round()
    supervisor = logged_in("supervisor")
    supervisor.get(f"/workbench/inspection/rounds/{round_.pk}/")  # the session and the menus' caches warmed
    # the same for 8 sites or 80: the round, the ranking in one query, the session, the user, the scope, the menus
    with django_assert_num_queries(QUERIES_OF_THE_RANKING):
        page = supervisor.get(f"/workbench/inspection/rounds/{round_.pk}/")
    assert page.status_code == 200 and page.content.decode().count('class="badge ok"') == 1


QUERIES_OF_THE_RANKING = 9


def test_a_site_s_staff_read_its_result_once_published(county):
    from .. import services
    from ..models import RoundState
    from .kit import CLOSING_DAY, score_sheet

    round_, group_a, _b = round_of_towns()
    score_sheet(inspector("jiwei", group_a, "discipline"), round_.sites.get(site__code="FT"), {"3.1": 0})
    services.round_move(actor=user("centre_admin"), round_=round_, move="close", today=CLOSING_DAY)
    ft = round_.sites.get(site__code="FT")
    url = f"/workbench/inspection/rounds/{round_.pk}/sites/{ft.site_id}/"
    clerk = logged_in("futu_clerk")
    # closed, not published: the site's clerk finds nothing yet, a supervisor reads it
    assert clerk.get(url).status_code == 404
    assert logged_in("supervisor").get(url).status_code == 200
    assert "3.1 电脑" not in clerk.get("/workbench/inspection/").content.decode()
    services.round_move(actor=user("centre_admin"), round_=round_, move="publish")
    assert round_.__class__.objects.get(pk=round_.pk).state == RoundState.PUBLISHED
    # published: the result with 96 points, and the item to rectify on the clerk's home
    page = clerk.get(url).content.decode()
    assert "96.0" in page and "3.1 电脑" in page
    assert "3.1 电脑" in clerk.get("/workbench/inspection/").content.decode()
    assert logged_in("baisha_clerk").get(url).status_code == 404


@time_machine.travel(at(2026, 11, 10, 11), tick=False)
def test_the_next_round_s_phone_form_shows_what_it_re_checks(county):
    import datetime

    from .. import services
    from ..tests.test_inspection import _scored_round

    round_, group_a, jiwei = _scored_round()
    item = round_.sites.get(site__code="FT").rectifications.get()
    services.rectification_rectify(actor=user("futu_clerk"), item=item, account="已新购电脑两台。")
    admin = user("centre_admin")
    later = services.round_create(
        actor=admin,
        name="整改复查",
        year=2026,
        inspection_start=datetime.date(2026, 11, 1),
        inspection_end=datetime.date(2026, 11, 20),
    )
    ft = services.round_assign(actor=admin, round_=later, site=item.round_site.site, group=group_a, level="standard")
    services.round_move(actor=admin, round_=later, move="open")
    page = _client_of(jiwei).get(f"/workbench/inspection/rounds/{later.pk}/sites/{ft.site_id}/score/").content.decode()
    assert page.count('class="recheck"') == 1
    assert f"{round_.name}：已整改，待复查 · 已新购电脑两台。" in page
