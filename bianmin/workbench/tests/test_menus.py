"""The workbench's menus offer a role exactly the pages it may open: no link that ends in 403."""

import re

import pytest
from django.urls import reverse

from bianmin.core.testing import logged_in, role_holder
from bianmin.org.models import Role
from bianmin.workbench.menu import MAIN_MENU, SUPERVISION_MENU

DEMO_ACCOUNTS = [
    "admin",
    "centre_admin",
    "supervisor",
    "county_clerk",
    "market_chief",
    "market_head",
    "land_chief",
    "land_head",
    "baisha_clerk",
    "baisha_agent",
    "futu_clerk",
    "baishacun_agent",
    "futucun_agent",
    # Not in the demo: a town's centre administrator, who may not edit the county's catalogue.
    "baisha_centre_admin",
]


def _menu_links(html: str) -> set[str]:
    return {
        link
        for nav in re.findall(r"<nav[^>]*>.*?</nav>", html, re.S)
        for link in re.findall(r'href="(/[^"]*)"', nav)
        if link.startswith(("/workbench/", "/supervision/"))
    }


@pytest.mark.parametrize("username", DEMO_ACCOUNTS)
def test_every_menu_link_opens_and_every_page_that_opens_is_in_the_menu(county, username):
    # Given a demo role, signed in
    if username == "baisha_centre_admin":
        role_holder(username, Role.CENTRE_ADMIN, site="BS", is_staff=True)
    client = logged_in(username)

    # When its menus are read on the workbench and on a supervision page that every staff member may open
    shown = _menu_links(client.get(reverse("workbench:home")).content.decode())
    shown |= _menu_links(client.get(reverse("supervision:orders")).content.decode())

    # Then every link shown opens (200), and every page of the menus that would open is shown
    pages = {reverse(link.view_name) for link in MAIN_MENU + SUPERVISION_MENU}
    answers = {url: client.get(url).status_code for url in pages}
    assert {url: answers.get(url) or client.get(url).status_code for url in shown} == dict.fromkeys(shown, 200)
    assert shown >= {url for url, status in answers.items() if status == 200}


@pytest.mark.parametrize(
    ("username", "hidden"),
    [
        ("centre_admin", {"/workbench/cases/new/", "/supervision/alerts/", "/supervision/rules/"}),
        ("supervisor", {"/workbench/cases/new/", "/workbench/catalog/excel/"}),
        ("market_head", {"/workbench/cases/new/", "/supervision/audit/"}),
        ("baisha_centre_admin", {"/workbench/catalog/excel/", "/workbench/cases/new/"}),
    ],
)
def test_the_pages_a_role_is_refused_are_not_offered(county, username, hidden):
    # Given the roles whose menus used to offer pages that answered 403
    if username == "baisha_centre_admin":
        role_holder(username, Role.CENTRE_ADMIN, site="BS", is_staff=True)
    client = logged_in(username)

    # When the workbench and the supervision menus are shown
    shown = _menu_links(client.get(reverse("workbench:home")).content.decode())
    shown |= _menu_links(client.get(reverse("supervision:orders")).content.decode())

    # Then those pages are not linked, and they do refuse the role
    assert shown & hidden == set()
    assert {url: client.get(url).status_code for url in hidden} == dict.fromkeys(hidden, 403)


def test_the_current_page_is_marked_in_both_menus(county):
    page = logged_in("supervisor").get(reverse("supervision:alerts")).content.decode()

    assert re.findall(r'<a href="([^"]+)" aria-current="page"', page) == ["/supervision/", "/supervision/alerts/"]
