"""The workbench's home says what the person sees: sites for site roles, departments for department roles."""

import re

from bianmin.core.testing import logged_in


def _scope_card(page: str) -> str:
    return re.sub(r"\s+", " ", page.split("<h2>What I can see</h2>")[1].split("</section>")[0])


def test_a_department_head_sees_their_department_at_every_site_not_zero_sites(county):
    # Given the head of market regulation, who holds a department and no site
    page = logged_in("market_head", language="en").get("/workbench/").content.decode()

    # Then the card names the department, and no "0 sites"
    card = _scope_card(page)
    assert re.findall(r'<p class="stat" id="scope-(\w+)">(\d+)</p>', card) == [("departments", "1")]
    assert "department whose cases I follow at every site: 县市场监督管理局" in card


def test_a_clerk_sees_their_sites(county):
    card = _scope_card(logged_in("baisha_clerk", language="en").get("/workbench/").content.decode())

    # The town's hall and its three village rooms
    assert re.findall(r'<p class="stat" id="scope-(\w+)">(\d+)</p>', card) == [("sites", "4")]


def test_the_sites_page_of_a_department_head_points_to_their_work_queue(county):
    page = logged_in("market_head", language="en").get("/workbench/sites/").content.decode()

    assert "Your roles are held for departments, not for sites" in page
    assert 'href="/workbench/cases/"' in page.split("<tbody>")[1]
