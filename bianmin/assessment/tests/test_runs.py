"""A run is frozen: later cases leave it as it was, a re-run is version 2 and says what changed. Publishing, an
objection within the working days allowed and its answer; who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bianmin.assessment.models import AssessmentRun, Objection
from bianmin.assessment.selectors import result_get, results_visible_to, run_changes
from bianmin.assessment.services import objection_answer, objection_file, run_publish, run_start
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import NotFound
from bianmin.core.testing import at, logged_in, overdue, refused, user
from bianmin.org.models import Window

from .conftest import APRIL_FIRST, MARCH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("county", "english")]

OVERDUE = [
    {"name": "超时办件", "kind": "points", "metric": "overdue_cases", "per_event": Decimal(-5), "cap": Decimal(30)}
]


def result_of(run: AssessmentRun, site: str = "YX", number: str = "1"):
    return run.results.get(subject_id=Window.objects.get(site__code=site, number=number).pk)


def test_a_computed_run_stays_as_it_was_and_a_rerun_says_what_changed(make_scheme, run_now):
    # given version 1 with 2 overdue cases at the county's window 1
    overdue(), overdue()
    scheme = make_scheme(OVERDUE)
    first = run_now(scheme)
    before = result_of(first)
    assert before.score == Decimal("90.00")
    # when a third overdue case of March is found later
    late_find = overdue()
    # then version 1 is unchanged, rows and evidence alike
    again = result_of(AssessmentRun.objects.get(pk=first.pk))
    assert again.score == Decimal("90.00")
    assert late_find.pk not in again.items.get().evidence["cases.case"]
    # and a re-run is version 2, with the change listed
    second = run_now(scheme)
    assert second.version == 2 and result_of(second).score == Decimal("85.00")
    changes = run_changes(second)
    assert [(c.before, c.after) for c in changes] == [(Decimal("90.00"), Decimal("85.00"))]
    assert run_changes(first) is None


def test_publishing_an_objection_and_its_answer(make_scheme, run_now):
    # given a published run (Wednesday 2026-04-01; 5 working days over 清明: until 04-09)
    overdue()
    run = run_now(make_scheme(OVERDUE))
    run = run_publish(actor=user("centre_admin"), run=run, now=APRIL_FIRST)
    assert (run.state, run.objections_due) == ("published", datetime.date(2026, 4, 9))
    mine = result_of(run)
    # when the window's clerk objects
    objection = objection_file(actor=user("county_clerk"), result=mine, reason="该件已办结。", now=at(2026, 4, 9))
    # then it waits for the assessor, who answers once
    with refused("objection_pending"):
        objection_file(actor=user("county_clerk"), result=mine, reason="再次申诉", now=at(2026, 4, 9))
    answered = objection_answer(actor=user("centre_admin"), objection=objection, upheld=False, answer="该件超期属实。")
    assert (answered.state, answered.answered_by) == ("rejected", user("centre_admin"))
    with refused("transition_not_allowed"):
        objection_answer(actor=user("centre_admin"), objection=objection, upheld=True, answer="改判")
    assert [e.action for e in audit_events_for(objection)] == [
        "assessment.objection_file",
        "assessment.objection_reject",
    ]
    assert [e.action for e in audit_events_for(run)][-1] == "assessment.run_publish"


def test_objections_are_the_subjects_own_and_in_time(make_scheme, run_now):
    run = run_now(make_scheme(OVERDUE))
    mine = result_of(run)
    # before publishing nobody objects
    with refused("run_not_published"):
        objection_file(actor=user("county_clerk"), result=mine, reason="错了", now=APRIL_FIRST)
    run = run_publish(actor=user("centre_admin"), run=run, now=APRIL_FIRST)
    # another window's clerk may not object to it, and does not see it
    with refused("permission_denied"):
        objection_file(actor=user("baisha_clerk"), result=mine, reason="错了", now=APRIL_FIRST)
    with pytest.raises(NotFound):
        result_get(user("baisha_clerk"), mine.pk)
    assert list(results_visible_to(user("baisha_clerk"), run)) == [result_of(run, "BS")]
    # after the last working day it is too late
    with refused("objection_late"):
        objection_file(actor=user("county_clerk"), result=mine, reason="错了", now=at(2026, 4, 10))
    assert not Objection.objects.exists()


def test_only_the_countys_centre_administrators_run_and_publish(make_scheme, run_now):
    scheme = make_scheme(OVERDUE)
    for name in ("supervisor", "county_clerk", "market_head"):
        with refused("permission_denied"):
            run_start(actor=user(name), scheme=scheme, period_start=MARCH, now=APRIL_FIRST)
    assert not AssessmentRun.objects.exists()
    run = run_now(scheme)
    with refused("permission_denied"):
        run_publish(actor=user("supervisor"), run=run, now=APRIL_FIRST)
    run.refresh_from_db()
    assert run.state == "computed" and run.published_at is None
    # the supervisor reads every result; a clerk sees none before publishing
    assert results_visible_to(user("supervisor"), run).count() == run.subjects
    assert not results_visible_to(user("county_clerk"), run).exists()


def test_a_failed_subject_gets_its_recommendation_among_the_accountability_records(make_scheme, run_now):
    # given a published month where the county's window 1 failed (3 overdue cases, a red card on one of them)
    from bianmin.assessment.recommendations import recommendation_issue
    from bianmin.supervision.models import AccountabilityRecord, Alert

    cases = [overdue() for _ in range(3)]
    red = Alert.objects.create(
        rule="case_overdue_statutory",
        key=str(cases[0].pk),
        level="red",
        case=cases[0],
        site=cases[0].receiving_site,
        department=cases[0].department,
        raised_at=at(2026, 3, 20),
        raised_on=datetime.date(2026, 3, 20),
    )
    items = [*OVERDUE, {"name": "红牌", "kind": "points", "metric": "red_cards", "per_event": Decimal(-5)}]
    scheme = make_scheme(items, pass_from=Decimal(90), good_from=Decimal(95), excellent_from=Decimal(99))
    run = run_publish(actor=user("centre_admin"), run=run_now(scheme), now=APRIL_FIRST)
    failed = result_of(run)
    assert (failed.score, failed.grade) == (Decimal("80.00"), "fail")
    # a centre administrator is no supervisor: nothing is recorded
    with refused("permission_denied"):
        recommendation_issue(actor=user("centre_admin"), result=failed, now=at(2026, 4, 2))
    assert not AccountabilityRecord.objects.exists()
    # when the county's supervisor issues it
    record = recommendation_issue(actor=user("supervisor"), result=failed, now=at(2026, 4, 2))
    # then it is an accountability record of the window's department at its site, with the red card linked
    window = Window.objects.get(site__code="YX", number="1")
    assert (record.department, record.site, record.measure) == (
        window.departments.order_by("pk").first(),
        window.site,
        "other",
    )
    assert "80.00" in record.finding and list(record.alerts.all()) == [red]
    failed.refresh_from_db()
    assert failed.recommendation == record
    with refused("recommendation_issued"):
        recommendation_issue(actor=user("supervisor"), result=failed, now=at(2026, 4, 2))
    # a passing subject gets none
    with refused("recommendation_not_due"):
        recommendation_issue(actor=user("supervisor"), result=result_of(run, "BS"), now=at(2026, 4, 2))


def test_results_over_the_api(make_scheme, run_now):
    # given a published run with 2 overdue cases at the county's window 1
    cases = [overdue() for _ in range(2)]
    run = run_publish(actor=user("centre_admin"), run=run_now(make_scheme(OVERDUE)), now=APRIL_FIRST)
    mine = result_of(run)
    # the window's clerk lists only their own result, and reads it with the records behind it
    clerk = logged_in("county_clerk")
    listed = clerk.get(f"/api/v1/assessment/runs/{run.pk}/results").json()
    assert (listed["count"], listed["items"][0]["id"], listed["items"][0]["score"]) == (1, mine.pk, "90.00")
    detail = clerk.get(f"/api/v1/assessment/results/{mine.pk}").json()
    assert (detail["base"], detail["version"], detail["run_state"]) == ("100.00", 1, "published")
    assert sorted(detail["items"][0]["evidence"]["cases.case"]) == sorted(case.pk for case in cases)
    # another town's clerk does not find it; the supervisor lists every window
    assert logged_in("baisha_clerk").get(f"/api/v1/assessment/results/{mine.pk}").status_code == 404
    everything = logged_in("supervisor").get(f"/api/v1/assessment/runs/{run.pk}/results?limit=5").json()
    assert everything["count"] == run.subjects and len(everything["items"]) == 5


def test_the_task_delivered_again_for_a_computed_run_leaves_it_as_it_was(make_scheme, run_now):
    from bianmin.assessment.tasks import compute_assessment_run

    overdue()
    run = run_now(make_scheme(OVERDUE))
    computed_at, score = run.computed_at, result_of(run).score

    assert compute_assessment_run.call(run.pk) == 0

    run.refresh_from_db()
    assert (run.state, run.computed_at, result_of(run).score) == ("computed", computed_at, score)
