"""服务台帐: every case received at or relayed through the sites in the user's scope, as a page and as .xlsx."""

import io

import pytest
from openpyxl import load_workbook

from bianmin.cases import services
from bianmin.cases.ledger import ledger_cases
from bianmin.core.testing import ID_NUMBER, OTHER_ID_NUMBER, at, intake, logged_in, user
from bianmin.org.models import Site

PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def cases(county):
    """Cases at the county centre, at 白沙镇, relayed through 白沙村, at 浮屠镇, and one in February."""
    made = {
        "county": services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2)),
        "town": services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS"), now=at(2026, 3, 3)),
        "relayed": services.case_submit(
            actor=user("baishacun_agent"),
            intake=intake("ZR-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书"),
            now=at(2026, 3, 4),
        ),
        "other_town": services.case_submit(
            # a namesake's: the same applicant's open case of the item at 白沙镇 would make this a duplicate
            actor=user("futu_clerk"),
            intake=intake("MZ-0001", "FT", id_number=OTHER_ID_NUMBER),
            now=at(2026, 3, 4),
        ),
        "february": services.case_submit(
            actor=user("baisha_clerk"), intake=intake("MZ-0002", "BS"), now=at(2026, 2, 27)
        ),
    }
    return made


def numbers(response) -> list[str]:
    return [row[1] for row in response.context["rows"]]


def test_the_town_ledger_lists_its_cases_and_those_relayed_through_its_rooms(cases):
    response = logged_in("baisha_clerk", language="en").get(f"/workbench/cases/ledger/?{PERIOD}")

    assert response.status_code == 200
    assert numbers(response) == [cases["town"].tracking_number, cases["relayed"].tracking_number]
    body = response.content.decode()
    assert cases["other_town"].tracking_number not in body
    assert cases["february"].tracking_number not in body
    assert ID_NUMBER not in body  # the document number is masked
    assert "420222********" in body


def test_a_village_room_sees_what_it_relayed(cases):
    response = logged_in("baishacun_agent", language="en").get(f"/workbench/cases/ledger/?{PERIOD}")

    assert numbers(response) == [cases["relayed"].tracking_number]
    row = response.context["rows"][0]
    assert "白沙村便民服务室" in row and "Through an agent" in row


def test_the_site_filter_and_the_period(cases):
    client = logged_in("baisha_clerk", language="en")

    only_room = client.get(f"/workbench/cases/ledger/?site=BS01&{PERIOD}")
    february = client.get("/workbench/cases/ledger/?from=2026-02-01&to=2026-02-28")
    backwards = client.get("/workbench/cases/ledger/?from=2026-03-31&to=2026-03-01")

    assert numbers(only_room) == [cases["relayed"].tracking_number]
    assert numbers(february) == [cases["february"].tracking_number]
    assert "The end of the period is before its start." in backwards.content.decode()


def test_the_county_clerk_keeps_the_county_centres_ledger_only(cases):
    response = logged_in("county_clerk", language="en").get(f"/workbench/cases/ledger/?{PERIOD}")

    assert numbers(response) == [cases["county"].tracking_number]


def test_ledger_cases_goes_through_the_visibility_selector(cases):
    futu = Site.objects.get(code="FT")

    # Even when asked for another town's site, a clerk only gets what they may see.
    assert (
        list(ledger_cases(user("baisha_clerk"), sites=[futu], start=at(2026, 3, 1).date(), end=at(2026, 3, 31).date()))
        == []
    )


def test_the_ledger_downloads_as_excel(cases):
    response = logged_in("baisha_clerk", language="en").get(f"/workbench/cases/ledger/?{PERIOD}&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="ledger-2026-03-01-2026-03-31.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026-03-01" in rows[0][0]
    assert rows[1][:3] == ("No.", "Tracking number", "Received at")
    assert [row[1] for row in rows[2:]] == [cases["town"].tracking_number, cases["relayed"].tracking_number]
    assert rows[2][0] == 1 and rows[2][2].strftime("%Y-%m-%d %H:%M") == "2026-03-03 10:00"
    assert rows[3][9:11] == ("白沙镇便民服务厅", "白沙村便民服务室")  # received at the town, relayed by the room


def test_the_page_links_the_download_with_the_same_filters(cases):
    body = logged_in("baisha_clerk", language="en").get(f"/workbench/cases/ledger/?site=BS&{PERIOD}").content.decode()

    assert 'href="?site=BS&amp;from=2026-03-01&amp;to=2026-03-31&amp;format=xlsx"' in body


def test_someone_without_a_site_keeps_no_ledger(cases):
    response = logged_in("market_head", language="en").get(f"/workbench/cases/ledger/?{PERIOD}")

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No site is in your scope" in response.content.decode()
