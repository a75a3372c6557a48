"""Windows are listed by number in natural order (1, 2, … 10, 11), not as text (1, 10, 11, 2)."""

import re

from bianmin.core.testing import logged_in
from bianmin.org.models import Site, Window

COUNTY_CENTRE_WINDOWS = [str(number) for number in range(1, 16)]


def test_the_county_centre_s_fifteen_windows_are_in_number_order_wherever_they_are_listed(county):
    # Given the county centre's windows 1 to 15 (numbers stored as text)
    site = Site.objects.get(code="YX")
    assert sorted(Window.objects.filter(site=site).values_list("number", flat=True)) != COUNTY_CENTRE_WINDOWS

    # When the model lists them, the workbench's site page shows them and the monitor offers them as a filter
    listed = list(Window.objects.filter(site=site).values_list("number", flat=True))
    site_page = logged_in("centre_admin").get(f"/workbench/sites/{site.pk}/").content.decode()
    monitor = logged_in("supervisor").get("/supervision/").context["filter_form"].fields["window"].queryset

    # Then each is in natural order
    assert listed == COUNTY_CENTRE_WINDOWS
    assert re.findall(r"<tr><td>(\d+)</td>", site_page.split("<tbody>")[1].split("</tbody>")[0]) == listed
    assert [window.number for window in monitor if window.site_id == site.pk] == COUNTY_CENTRE_WINDOWS


def test_the_public_site_page_lists_the_windows_in_number_order(county):
    page = logged_in("centre_admin").get("/sites/YX/").content.decode()

    assert re.findall(r"<strong>(\d+) 号窗口", page) == COUNTY_CENTRE_WINDOWS
