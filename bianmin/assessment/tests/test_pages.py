"""The pages through HTTP: a scheme made and run from the workbench, the progress bar while the worker computes, the
ranking, a subject's explanation with links to the records behind it, the Excel ranking and the PDFs (the platform's
embedded font only), an objection; and the ranking's queries do not grow with the subjects."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from bianmin.assessment.models import AssessmentRun, Scheme
from bianmin.assessment.services import run_publish, run_start
from bianmin.core.testing import (
    assert_only_the_platform_font,
    at,
    logged_in,
    overdue,
    page_text,
    text_drawn_in_pdfs,
    user,
)
from bianmin.org.models import Window

from .conftest import APRIL_FIRST, MARCH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("county", "english")]

OVERDUE = {
    "name": "超时办件",
    "kind": "points",
    "metric": "overdue_cases",
    "per_event": Decimal(-5),
    "cap": Decimal(15),
}


def test_a_scheme_made_and_run_from_the_pages(django_capture_on_commit_callbacks):
    admin = logged_in("centre_admin")
    overdue()
    response = admin.post(
        reverse("assessment:scheme_new"),
        {
            "name": "窗口月度考核",
            "subject_kind": "window",
            "period_kind": "month",
            "base": "100",
            "cap": "110",
            "excellent_from": "95",
            "good_from": "85",
            "pass_from": "60",
            "awards": "1",
            "chief_representative_share": "0.5",
            "objection_days": "5",
        },
    )
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:scheme", args=[scheme.pk])
    admin.post(
        reverse("assessment:item_new", args=[scheme.pk]),
        {
            "position": "0",
            "name": "超时办件",
            "kind": "points",
            "metric": "overdue_cases",
            "per_event": "-5",
            "cap": "15",
            "weight": "0",
        },
    )
    admin.post(reverse("assessment:scheme_move", args=[scheme.pk, "activate"]))
    scheme.refresh_from_db()
    assert scheme.state == "active" and scheme.items.get().per_event == Decimal(-5)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("assessment:run_new", args=[scheme.pk]), {"period_start": "2026-03-01"})
    run = AssessmentRun.objects.get()
    assert response["Location"] == reverse("assessment:run", args=[run.pk])
    run.refresh_from_db()
    assert run.state == "computed"
    # the county's window 1 lost 5 points for its overdue case
    assert "95.00" in page_text(admin.get(response["Location"]))


def test_the_progress_bar_polls_until_the_run_is_computed(make_scheme):
    scheme = make_scheme([OVERDUE])
    run = run_start(actor=user("centre_admin"), scheme=scheme, period_start=MARCH, now=APRIL_FIRST)  # not run yet
    admin = logged_in("centre_admin")
    page = admin.get(reverse("assessment:run", args=[run.pk])).content.decode()
    assert f'hx-get="{reverse("assessment:run_progress", args=[run.pk])}"' in page and "<progress" in page
    AssessmentRun.objects.filter(pk=run.pk).update(state="computed", progress=100)
    done = admin.get(reverse("assessment:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")


def test_ranking_explanation_exports_and_objection(make_scheme, run_now, tmp_path):
    cases = [overdue() for _ in range(2)]
    run = run_now(make_scheme([OVERDUE]))
    window = Window.objects.get(site__code="YX", number="1")
    mine = run.results.get(subject_id=window.pk)
    admin = logged_in("centre_admin", language="en")
    ranking = page_text(admin.get(reverse("assessment:run", args=[run.pk])))
    assert mine.label in ranking and "90.00" in ranking
    explained = admin.get(reverse("assessment:result", args=[mine.pk])).content.decode()
    for case in cases:
        assert f'href="{reverse("cases:detail", args=[case.pk])}"' in explained
    workbook = load_workbook(io.BytesIO(admin.get(reverse("assessment:run_excel", args=[run.pk])).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][:5] == ("Rank", "Subject", "Score", "Grade", "Red flag")
    assert next(row for row in rows[2:] if row[1] == mine.label)[2:6] == (90.0, "Excellent", None, -10.0)
    for url in (
        reverse("assessment:result_pdf", args=[mine.pk]),
        reverse("assessment:run_pdf", args=[run.pk]),
    ):
        with text_drawn_in_pdfs() as drawn:
            response = admin.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert_only_the_platform_font(response.content, drawn, tmp_path)
    assert any("90.00" in text for text in drawn)
    # a passing subject has no recommendation
    assert admin.get(reverse("assessment:recommendation_pdf", args=[mine.pk])).status_code == 404
    # the clerk objects from the page once it is published
    run_publish(actor=user("centre_admin"), run=run, now=APRIL_FIRST)
    clerk = logged_in("county_clerk")
    with time_machine.travel(at(2026, 4, 2), tick=False):
        clerk.post(reverse("assessment:objection_new", args=[mine.pk]), {"reason": "第二件已于期内办结。"})
    assert mine.objections.get().reason == "第二件已于期内办结。"


def test_a_failed_subject_gets_a_supervision_recommendation(make_scheme, run_now, tmp_path):
    for _ in range(3):
        overdue()
    run = run_now(make_scheme([OVERDUE], pass_from=Decimal(90), good_from=Decimal(95), excellent_from=Decimal(99)))
    failed = run.results.get(subject_id=Window.objects.get(site__code="YX", number="1").pk)
    assert (failed.score, failed.grade) == (Decimal("85.00"), "fail")
    with text_drawn_in_pdfs() as drawn:
        response = logged_in("centre_admin").get(reverse("assessment:recommendation_pdf", args=[failed.pk]))
    assert_only_the_platform_font(response.content, drawn, tmp_path)
    assert any("85.00" in text for text in drawn)


def test_the_rankings_queries_do_not_grow_with_the_subjects(make_scheme, run_now, django_assert_num_queries):
    overdue()
    small = run_now(make_scheme([OVERDUE], name="部门", subject_kind="department"))
    large = run_now(make_scheme([OVERDUE], name="工作人员", subject_kind="staff"))
    assert small.subjects != large.subjects
    admin = logged_in("centre_admin")
    admin.get(reverse("assessment:run", args=[small.pk]))  # the session and the scope, once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for run in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(reverse("assessment:run", args=[run.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
