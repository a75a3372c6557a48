"""The dashboard opens on a period that holds a trend, and its controls say what the figures and the chart show."""

from __future__ import annotations

import re

import pytest
import time_machine

from bianmin.core.testing import at, logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _controls(response) -> dict:
    page = response.content.decode()
    selected = re.search(r'<select name="group"[^>]*>.*?<option value="(\w+)" selected>', page, re.S)
    return {
        "from": re.search(r'name="from" value="([\d-]+)"', page).group(1),
        "to": re.search(r'name="to" value="([\d-]+)"', page).group(1),
        "group": selected.group(1),
        "quick": re.findall(r'href="\?quick=(\w+)" aria-current="true"', page),
        "trend": [row[0].value for row in response.context["tables"][1].rows],
    }


def test_the_page_opens_on_the_last_30_days_by_week_on_the_second_of_a_month(county):
    # Given the 2nd of March, when "this month" would hold two days
    client = logged_in("supervisor", language="en")

    # When the dashboard is opened without a choice
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        response = client.get("/supervision/statistics/")

    # Then it shows the 30 days to today, a trend of five weeks, and says so in its controls
    assert _controls(response) == {
        "from": "2026-02-01",
        "to": "2026-03-02",
        "group": "week",
        "quick": ["last_30_days"],
        "trend": ["02-01", "02-02", "02-09", "02-16", "02-23", "03-02"],
    }
    assert response.context["tables"][1].title == "Received and finished by week"


def test_a_year_is_drawn_by_month_and_the_trend_control_says_by_month(county):
    client = logged_in("supervisor", language="en")

    with time_machine.travel(at(2026, 5, 20, 9), tick=False):
        response = client.get("/supervision/statistics/", {"quick": "this_year"})

    assert _controls(response) == {
        "from": "2026-01-01",
        "to": "2026-05-20",
        "group": "month",
        "quick": ["this_year"],
        "trend": ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"],
    }
    assert response.context["tables"][1].title == "Received and finished by month"


def test_a_chosen_grouping_is_kept_and_shown(county):
    client = logged_in("supervisor", language="en")

    with time_machine.travel(at(2026, 5, 20, 9), tick=False):
        response = client.get("/supervision/statistics/", {"from": "2026-04-01", "to": "2026-05-20", "group": "month"})

    assert _controls(response) == {
        "from": "2026-04-01",
        "to": "2026-05-20",
        "group": "month",
        "quick": [],
        "trend": ["2026-04", "2026-05"],
    }
