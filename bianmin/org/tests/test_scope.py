"""Who sees what: one selector per model, and no way around it by id, URL or API."""

import pytest
from django.test import Client

from bianmin.accounts.models import User
from bianmin.org.models import Department, Site
from bianmin.org.selectors import sites_visible_to, staff_visible_to, user_scope, windows_visible_to

pytestmark = pytest.mark.usefixtures("demo")


def codes(queryset) -> set[str]:
    return {site.code for site in queryset}


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_town_clerk_sees_the_town_and_its_villages_only():
    clerk = User.objects.get(username="baisha_clerk")

    assert codes(sites_visible_to(clerk)) == {"BS", "BS01", "BS02", "BS03"}


def test_village_agent_sees_only_the_village_room():
    agent = User.objects.get(username="baishacun_agent")

    assert codes(sites_visible_to(agent)) == {"BS01"}


def test_county_clerk_sees_the_county_centre_but_not_the_towns():
    clerk = User.objects.get(username="county_clerk")

    assert codes(sites_visible_to(clerk)) == {"YX"}


def test_supervisor_sees_the_whole_jurisdiction_read_only():
    supervisor = User.objects.get(username="supervisor")
    scope = user_scope(supervisor)

    assert scope.everything is True
    assert scope.can_write is False
    assert sites_visible_to(supervisor).count() == Site.objects.count() == 27


def test_department_head_sees_the_departments_staff_across_sites():
    head = User.objects.get(username="market_head")

    staff = {(a.user.username, a.role) for a in staff_visible_to(head)}

    assert staff == {("market_chief", "chief_representative"), ("market_head", "department_head")}
    assert user_scope(head).department_ids == {Department.objects.get(code="SJ").pk}


def test_user_without_roles_sees_nothing():
    nobody = User.objects.create(username="applicant")

    assert sites_visible_to(nobody).count() == 0
    assert windows_visible_to(nobody).count() == 0
    assert staff_visible_to(nobody).count() == 0


def test_other_towns_site_page_is_not_found_for_a_town_clerk():
    futu = Site.objects.get(code="FT")
    baisha = Site.objects.get(code="BS")
    client = login("baisha_clerk")

    assert client.get(f"/workbench/sites/{baisha.pk}/").status_code == 200
    assert client.get(f"/workbench/sites/{futu.pk}/").status_code == 404
    assert client.get(f"/workbench/sites/{Site.objects.get(code='FT01').pk}/").status_code == 404


def test_other_towns_site_is_not_found_in_the_api():
    futu = Site.objects.get(code="FT")
    client = login("baisha_clerk")

    response = client.get(f"/api/v1/org/sites/{futu.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = client.get("/api/v1/org/sites").json()
    assert {row["code"] for row in page["items"]} == {"BS", "BS01", "BS02", "BS03"}
    assert page["count"] == 4


def test_site_list_page_shows_only_the_scope():
    response = login("futu_clerk").get("/workbench/sites/")

    assert response.status_code == 200
    names = [site.name for site in response.context["sites"]]
    assert names == ["浮屠镇便民服务厅", "浮屠村便民服务室", "玉堍村便民服务室", "坳头村便民服务室"]


def test_site_detail_lists_windows_and_staff_without_n_plus_one(django_assert_max_num_queries):
    client = login("baisha_clerk")
    baisha = Site.objects.get(code="BS")

    with django_assert_max_num_queries(12):
        response = client.get(f"/workbench/sites/{baisha.pk}/")

    body = response.content.decode()
    assert "社会事务窗口" in body and "黄丽娟" in body and "胡德胜" in body


def test_api_requires_login():
    response = Client().get("/api/v1/org/sites")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_workbench_refuses_accounts_without_a_role():
    client = Client()
    client.force_login(User.objects.create(username="citizen"))

    assert client.get("/workbench/").status_code == 403
