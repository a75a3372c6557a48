"""Who sees what: one selector per model, and no way around it by id, URL or API."""

import pytest
from django.test import Client

from bianmin.accounts.models import User
from bianmin.core.testing import logged_in, role_holder
from bianmin.org import services
from bianmin.org.models import Department, Role, RoleAssignment, Site, Window
from bianmin.org.selectors import (
    assignments_of,
    department_role_holders,
    sites_visible_to,
    staff_visible_to,
    user_scope,
    window_staff_ids,
    windows_visible_to,
)

pytestmark = pytest.mark.usefixtures("county_organisation")


def codes(queryset) -> set[str]:
    return {site.code for site in queryset}


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

    # the county's head and chief representative, and each town's reviewer of the department (held at the town)
    towns = {"baisha", "futu", "sanxi", "wangying", "fuchi", "taizi"}
    assert staff == {("market_chief", "chief_representative"), ("market_head", "department_head")} | {
        (f"{town}_leader", "department_head") for town in towns
    }
    assert user_scope(head).department_ids == {Department.objects.get(code="SJ").pk}


def test_user_without_roles_sees_nothing():
    nobody = User.objects.create(username="applicant")

    assert sites_visible_to(nobody).count() == 0
    assert windows_visible_to(nobody).count() == 0
    assert staff_visible_to(nobody).count() == 0


def test_other_towns_site_page_is_not_found_for_a_town_clerk():
    futu = Site.objects.get(code="FT")
    baisha = Site.objects.get(code="BS")
    client = logged_in("baisha_clerk")

    assert client.get(f"/workbench/sites/{baisha.pk}/").status_code == 200
    assert client.get(f"/workbench/sites/{futu.pk}/").status_code == 404
    assert client.get(f"/workbench/sites/{Site.objects.get(code='FT01').pk}/").status_code == 404


def test_other_towns_site_is_not_found_in_the_api():
    futu = Site.objects.get(code="FT")
    client = logged_in("baisha_clerk")

    response = client.get(f"/api/v1/org/sites/{futu.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = client.get("/api/v1/org/sites").json()
    assert {row["code"] for row in page["items"]} == {"BS", "BS01", "BS02", "BS03"}
    assert page["count"] == 4


def test_site_list_page_shows_only_the_scope():
    response = logged_in("futu_clerk").get("/workbench/sites/")

    assert response.status_code == 200
    names = [site.name for site in response.context["sites"]]
    assert names == ["浮屠镇便民服务厅", "浮屠村便民服务室", "玉堍村便民服务室", "坳头村便民服务室"]


def test_site_detail_lists_windows_and_staff_without_n_plus_one(django_assert_max_num_queries):
    client = logged_in("baisha_clerk")
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


# --- The role facts on the Scope -----------------------------------------------------------------------------------


def site(code: str) -> Site:
    return Site.objects.get(code=code)


def test_scope_reads_the_role_assignments_once_and_answers_every_role_question_from_memory(
    django_assert_num_queries,
):
    chief = User.objects.get(username="market_chief")
    market = Department.objects.get(code="SJ")
    county, baisha = site("YX"), site("BS")
    market_window = Window.objects.get(site__code="YX", number="6")

    with django_assert_num_queries(1):
        scope = user_scope(chief)
        answers = (
            scope.holds(Role.CHIEF_REPRESENTATIVE),
            scope.holds(Role.CHIEF_REPRESENTATIVE, department_id=market.pk),
            scope.holds(Role.CHIEF_REPRESENTATIVE, department_id=market.pk + 1000),
            scope.holds(Role.CHIEF_REPRESENTATIVE, site=county),
            scope.holds(Role.CHIEF_REPRESENTATIVE, site=baisha),
            scope.holds(Role.DEPARTMENT_HEAD),
            scope.departments_of(Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD),
            scope.departments_of(Role.DEPARTMENT_HEAD),
            [s.code for s in scope.sites_of(Role.CHIEF_REPRESENTATIVE)],
            scope.is_window_clerk(market_window),
        )

    assert answers == (True, True, False, True, False, False, frozenset({market.pk}), frozenset(), ["YX"], False)
    assert user_scope(chief) is scope  # computed once per request (cached on the user)


def test_holds_within_asks_about_the_subtree_of_a_site():
    agent = user_scope(User.objects.get(username="baishacun_agent"))  # agent at the village room BS01

    assert agent.holds_within(Role.AGENT, site("BS01")) is True
    assert agent.holds_within(Role.AGENT, site("BS")) is True
    assert agent.holds_within(Role.AGENT, site("YX")) is True
    assert agent.holds_within(Role.AGENT, site("BS02")) is False
    assert agent.holds_within(Role.AGENT, site("FT")) is False
    assert agent.holds_within(Role.CLERK, site("BS")) is False


def test_holds_at_root_needs_the_active_county_root():
    admin = User.objects.get(username="centre_admin")
    town_admin = role_holder("baisha_admin", Role.CENTRE_ADMIN, site="BS")

    assert user_scope(admin).holds_at_root(Role.CENTRE_ADMIN) is True
    assert user_scope(admin).holds_at_root(Role.SUPERVISOR) is False
    assert user_scope(town_admin).holds_at_root(Role.CENTRE_ADMIN) is False


def test_is_window_clerk_names_the_clerks_own_window_only():
    clerk = user_scope(User.objects.get(username="baisha_clerk"))

    assert clerk.is_window_clerk(Window.objects.get(site__code="BS", number="1")) is True
    assert clerk.is_window_clerk(Window.objects.get(site__code="BS", number="2")) is False
    assert clerk.is_window_clerk(Window.objects.get(site__code="FT", number="1")) is False


def test_covers_site_matches_site_filter_for_every_site():
    for username in ("baisha_clerk", "baishacun_agent", "county_clerk", "market_head", "supervisor"):
        scope = user_scope(User.objects.get(username=username))
        in_sql = (
            set(Site.objects.filter(scope.site_filter()).values_list("code", flat=True))
            if not scope.is_empty
            else set()
        )
        in_memory = {s.code for s in Site.objects.all() if scope.covers_site(s)}
        assert in_memory == in_sql, username


def test_sites_of_lists_active_sites_in_the_order_the_roles_were_given_and_skips_excluded_roles():
    person = User.objects.create(username="two_hats")
    services.role_assign(actor=None, user=person, role=Role.SUPERVISOR, site=site("FT"))
    services.role_assign(actor=None, user=person, role=Role.AGENT, site=site("BS02"))
    services.role_assign(actor=None, user=person, role=Role.CLERK, site=site("BS"))

    scope = user_scope(person)

    assert [s.code for s in scope.sites_of()] == ["FT", "BS02", "BS"]
    assert [s.code for s in scope.sites_of(exclude=[Role.SUPERVISOR])] == ["BS02", "BS"]
    assert [s.code for s in scope.sites_of(Role.CLERK, Role.AGENT)] == ["BS02", "BS"]
    assert [a.role for a in assignments_of(person)] == ["agent", "clerk", "supervisor"]


def test_a_revoked_role_is_no_fact_of_the_scope():
    head = User.objects.get(username="market_head")
    services.role_revoke(actor=None, assignment=RoleAssignment.objects.get(user=head, role=Role.DEPARTMENT_HEAD))

    scope = user_scope(User.objects.get(username="market_head"))

    assert scope.holds(Role.DEPARTMENT_HEAD) is False
    assert scope.departments_of(Role.DEPARTMENT_HEAD) == frozenset()
    assert scope.assignments == ()


def test_candidate_selectors_ask_about_other_people():
    market = Department.objects.get(code="SJ")
    land = Department.objects.get(code="ZR")
    ids = dict(
        User.objects.filter(username__in=["market_chief", "market_head", "land_head"]).values_list("username", "pk")
    )

    holders = department_role_holders([market.pk, land.pk], roles=[Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE])
    heads = department_role_holders([market.pk], roles=[Role.DEPARTMENT_HEAD])

    assert holders[market.pk] == {ids["market_chief"], ids["market_head"]}
    assert ids["land_head"] in holders[land.pk]
    assert heads == {market.pk: {ids["market_head"]}}
    window = Window.objects.get(site__code="BS", number="1")
    assert set(window_staff_ids(window).values_list("user_id", flat=True)) == {
        User.objects.get(username="baisha_clerk").pk
    }
