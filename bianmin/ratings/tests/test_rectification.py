"""A bad review through its rectification (谁办理谁负责), its overdue alert across the National Day holiday, the appeal
(upheld: excluded from the figures), and the refusals: staff never rate, a wrong move or person changes nothing.

2026 calendar facts used: 10-01..10-07 is the National Day holiday and Saturday 10-10 a make-up working day, so 5
working days after Wednesday 09-30 are 10-08, 10-09, 10-10, 10-12, 10-13: the task is due 10-13, late from 10-14.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, delivered, picture, refused, role_holder, user
from bianmin.org.models import Role, Window
from bianmin.ratings.models import Appeal, Channel, Level, Rating, Rectification
from bianmin.ratings.selectors import rating_figures
from bianmin.ratings.services import (
    appeal_decide,
    appeal_file,
    rating_prompt_at_window,
    rating_submit,
    ratings_default_apply,
    rectification_call_back,
    rectification_rate_fix,
    rectification_record_outcome,
    rectification_rectify,
    rectification_verify,
)
from bianmin.supervision.models import Alert
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

State = Rectification.State
RATED = at(2026, 9, 30)


def bad_review(**options) -> Rating:
    case = delivered(now=at(2026, 9, 29))
    options.setdefault("level", Level.VERY_DISSATISFIED)
    options.setdefault("indicators", {"handling_efficiency": 1, "guide_accuracy": 2})
    options.setdefault("tags", ["slow"])
    return rating_submit(actor=None, case=case, channel=Channel.ONLINE, now=RATED, **options)


def alerts() -> list[tuple[str, str, datetime.date | None]]:
    return list(Alert.objects.filter(rule="bad_review_not_rectified").values_list("key", "state", "due").order_by("pk"))


def test_a_bad_review_is_rectified_called_back_and_its_fix_rated(county):
    # Given a bad review on Wednesday 09-30 of a case the county clerk received at window 1
    rating = bad_review()
    task = Rectification.objects.get(rating=rating)
    assert (task.state, task.due, task.due_days, task.handler.username) == (
        State.OPEN,
        datetime.date(2026, 10, 13),
        5,
        "county_clerk",
    )
    assert (rating.site.code, rating.department.code, rating.window.number, rating.staff.username) == (
        "YX",
        "SJ",
        "1",
        "county_clerk",
    )
    # When the handler verifies, rectifies and calls back, and the department head records the outcome
    handler = user("county_clerk")
    rectification_verify(
        actor=handler, rectification=task, is_founded=True, findings="等候时间过长属实。", now=at(2026, 10, 8)
    )
    rectification_rectify(actor=handler, rectification=task, measures="增设周末窗口。", now=at(2026, 10, 9))
    rectification_call_back(actor=handler, rectification=task, note="申请人表示认可。", now=at(2026, 10, 10))
    rectification_record_outcome(
        actor=user("market_head"), rectification=task, outcome="整改完成。", now=at(2026, 10, 12)
    )
    # and the applicant rates the fix
    rectification_rate_fix(actor=None, rectification=task, level=Level.SATISFIED, now=at(2026, 10, 12, 15))
    # Then the task is done, every move is in the audit chain, and the figures count it
    task.refresh_from_db()
    assert (task.state, task.fix_level, task.is_founded) == (State.DONE, Level.SATISFIED, True)
    actions = list(
        AuditEvent.objects.filter(object_type="ratings.rectification", object_id=str(task.pk))
        .values_list("action", flat=True)
        .order_by("sequence")
    )
    assert actions == [
        "rectification.verify",
        "rectification.rectify",
        "rectification.call_back",
        "rectification.record_outcome",
        "rectification.rate_fix",
    ]
    figures = rating_figures(start=datetime.date(2026, 9, 1), end=datetime.date(2026, 9, 30))[0]
    assert (figures.total, figures.bad, figures.reply_rate, figures.rectified_rate, figures.fix_satisfaction_rate) == (
        1,
        1,
        100,
        100,
        100,
    )
    # and no alert was ever raised (it was done within its 5 working days)
    sweep(now=at(2026, 10, 14))
    assert alerts() == []


def test_an_unrectified_bad_review_alerts_after_the_holiday_and_clears_when_done(county):
    # Given a bad review on 09-30 (due 10-13: the National Day holiday does not count)
    task = Rectification.objects.get(rating=bad_review())
    # When the sweeps run on the last day and the day after
    sweep(now=at(2026, 10, 13))
    assert alerts() == []
    sweep(now=at(2026, 10, 14))
    # Then the overdue task is an alert of its department at its site
    assert alerts() == [(str(task.pk), Alert.State.OPEN, datetime.date(2026, 10, 13))]
    alert = Alert.objects.get(rule="bad_review_not_rectified")
    assert (alert.site.code, alert.department.code, alert.case_id) == ("YX", "SJ", task.case_id)
    # And once the task is done the alert clears
    head = user("market_head")
    rectification_verify(
        actor=head, rectification=task, is_founded=False, findings="经核实系误解。", now=at(2026, 10, 14)
    )
    rectification_rectify(actor=head, rectification=task, measures="已向申请人解释。", now=at(2026, 10, 14))
    sweep(now=at(2026, 10, 15))
    assert alerts() == [(str(task.pk), Alert.State.OPEN, datetime.date(2026, 10, 13))]
    rectification_call_back(actor=head, rectification=task, note="申请人认可。", now=at(2026, 10, 15))
    rectification_record_outcome(actor=head, rectification=task, outcome="办结。", now=at(2026, 10, 15))
    sweep(now=at(2026, 10, 16))
    assert alerts() == [(str(task.pk), Alert.State.CLOSED, datetime.date(2026, 10, 13))]


def test_a_named_bad_review_is_called_back_before_its_outcome(county):
    task = Rectification.objects.get(rating=bad_review())
    head = user("market_head")
    rectification_verify(actor=head, rectification=task, is_founded=True, findings="属实。", now=at(2026, 10, 8))
    rectification_rectify(actor=head, rectification=task, measures="已整改。", now=at(2026, 10, 8))
    before = AuditEvent.objects.count()
    with refused("callback_required"):
        rectification_record_outcome(actor=head, rectification=task, outcome="办结。", now=at(2026, 10, 8))
    task.refresh_from_db()
    assert (task.state, task.outcome, AuditEvent.objects.count()) == (State.RECTIFIED, "", before)


def test_an_anonymous_bad_review_may_end_without_a_call_back(county):
    task = Rectification.objects.get(rating=bad_review(is_named=False))
    head = user("market_head")
    rectification_verify(actor=head, rectification=task, is_founded=True, findings="属实。", now=at(2026, 10, 8))
    rectification_rectify(actor=head, rectification=task, measures="已整改。", now=at(2026, 10, 8))
    rectification_record_outcome(actor=head, rectification=task, outcome="办结。", now=at(2026, 10, 8))
    task.refresh_from_db()
    assert (task.state, task.called_back_at) == (State.DONE, None)


def test_an_appeal_upheld_excludes_the_review_from_the_figures_and_keeps_it(county):
    # Given two ratings in September: a good one and a bad one
    good = rating_submit(actor=None, case=delivered(now=at(2026, 9, 29)), channel=Channel.ONLINE, level=5, now=RATED)
    task = Rectification.objects.get(rating=bad_review())
    september = {"start": datetime.date(2026, 9, 1), "end": datetime.date(2026, 9, 30)}
    assert rating_figures(**september)[0].good_rate == 50
    # When the department appeals with evidence and a supervisor upholds it
    evidence = SimpleUploadedFile("监控截图.png", picture("PNG"), content_type="image/png")
    appeal = appeal_file(
        actor=user("market_head"), rectification=task, reason="评价人误选。", evidence=evidence, now=at(2026, 10, 8)
    )
    assert (appeal.evidence_name, Rectification.objects.get(pk=task.pk).state) == ("监控截图.png", State.APPEALED)
    appeal_decide(actor=user("supervisor"), rectification=task, uphold=True, note="证据充分。", now=at(2026, 10, 9))
    # Then the bad review is excluded from every figure but kept in the record
    figures = rating_figures(**september)[0]
    assert (figures.total, figures.good, figures.bad, figures.good_rate, figures.reply_rate) == (1, 1, 0, 100, None)
    rating = Rating.objects.get(pk=task.rating_id)
    assert (rating.is_excluded, rating.level, Rectification.objects.get(pk=task.pk).state) == (True, 1, State.EXCLUDED)
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.UPHELD
    assert good.is_excluded is False
    # and an excluded task raises no alert
    sweep(now=at(2026, 10, 20))
    assert alerts() == []


def test_a_rejected_appeal_returns_the_task_to_where_it_was(county):
    task = Rectification.objects.get(rating=bad_review())
    head = user("market_head")
    rectification_verify(actor=head, rectification=task, is_founded=True, findings="属实。", now=at(2026, 10, 8))
    appeal_file(actor=head, rectification=task, reason="恶意差评。", now=at(2026, 10, 8))
    appeal_decide(actor=user("supervisor"), rectification=task, uphold=False, note="证据不足。", now=at(2026, 10, 9))
    task.refresh_from_db()
    assert (task.state, Rating.objects.get(pk=task.rating_id).is_excluded) == (State.VERIFIED, False)


def test_only_the_department_appeals_and_only_a_supervisor_decides(county):
    task = Rectification.objects.get(rating=bad_review())
    before = AuditEvent.objects.count()
    with refused("permission_denied"):
        appeal_file(actor=user("county_clerk"), rectification=task, reason="误评。", now=at(2026, 10, 8))
    appeal_file(actor=user("market_chief"), rectification=task, reason="误评。", now=at(2026, 10, 8))
    with refused("permission_denied"):
        appeal_decide(actor=user("centre_admin"), rectification=task, uphold=True, note="同意。", now=at(2026, 10, 9))
    task.refresh_from_db()
    assert (task.state, AuditEvent.objects.count()) == (State.APPEALED, before + 1)


def test_staff_can_never_rate_for_the_applicant(county):
    case = delivered(now=at(2026, 9, 29))
    for username in ("county_clerk", "market_head", "supervisor", "admin"):
        with refused("staff_cannot_rate"):
            rating_submit(actor=user(username), case=case, channel=Channel.ONLINE, level=5, now=RATED)
    # not at the window's tablet either, even with the clerk's own prompt
    window = Window.objects.get(site__code="YX", number="1")
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=case, window=window, now=RATED)
    with refused("staff_cannot_rate"):
        rating_submit(actor=user("county_clerk"), case=case, channel=Channel.WINDOW, level=5, prompt=prompt, now=RATED)
    assert Rating.objects.count() == 0


def test_one_rating_per_case_and_channel(county):
    case = delivered(now=at(2026, 9, 29))
    rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=4, now=RATED)
    with refused("already_rated"):
        rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=1, now=RATED)
    rating_submit(actor=None, case=case, channel=Channel.SMS, level=3, now=RATED)
    assert sorted(Rating.objects.values_list("channel", "level")) == [("online", 4), ("sms", 3)]
    assert Rectification.objects.count() == 0


def test_the_tablet_rates_the_prompted_case_once_and_counts_the_window(county):
    case = delivered(now=at(2026, 9, 29))
    window = Window.objects.get(site__code="YX", number="1")
    with refused("permission_denied"):
        rating_prompt_at_window(actor=user("baisha_clerk"), case=case, window=window, now=RATED)
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=case, window=window, now=RATED)
    rating = rating_submit(
        actor=None,
        case=case,
        channel=Channel.WINDOW,
        level=5,
        indicators={"service_efficiency": 5, "service_level": 4, "service_attitude": 5},
        prompt=prompt,
        now=RATED + datetime.timedelta(seconds=20),
    )
    assert (rating.window_id, rating.staff.username, rating.service_level) == (window.pk, "county_clerk", 4)
    with refused("prompt_expired"):
        rating_submit(actor=None, case=case, channel=Channel.WINDOW, level=1, prompt=prompt, now=RATED)


def test_an_expired_prompt_rates_nothing(county):
    case = delivered(now=at(2026, 9, 29))
    window = Window.objects.get(site__code="YX", number="1")
    prompt = rating_prompt_at_window(actor=user("county_clerk"), case=case, window=window, now=RATED)
    with refused("prompt_expired"):
        rating_submit(
            actor=None,
            case=case,
            channel=Channel.WINDOW,
            level=5,
            prompt=prompt,
            now=RATED + datetime.timedelta(minutes=4),
        )
    assert Rating.objects.count() == 0


def test_wrong_input_is_refused_with_nothing_changed(county):
    case = delivered(now=at(2026, 9, 29))
    with refused("level_invalid"):
        rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=6, now=RATED)
    with refused("indicator_invalid"):
        rating_submit(
            actor=None, case=case, channel=Channel.ONLINE, level=5, indicators={"service_attitude": 5}, now=RATED
        )
    with refused("tag_invalid"):
        rating_submit(actor=None, case=case, channel=Channel.ONLINE, level=5, tags=["nonsense"], now=RATED)
    assert Rating.objects.count() == 0


def test_the_default_rating_counts_apart_and_only_when_the_county_turns_it_on(county, settings):
    # Given two cases closed on 09-29, one rated
    rated, silent = delivered(now=at(2026, 9, 29)), delivered(now=at(2026, 9, 29))
    rating_submit(actor=None, case=rated, channel=Channel.ONLINE, level=Level.VERY_DISSATISFIED, now=RATED)
    # When the rule is off (the default), nothing happens
    assert ratings_default_apply(now=at(2026, 10, 8)) == 0
    # With 7 natural days: not yet on 10-05 (6 days), then once on 10-06
    settings.RATINGS_DEFAULT_AFTER_DAYS = 7
    assert ratings_default_apply(now=at(2026, 10, 5)) == 0
    assert ratings_default_apply(now=at(2026, 10, 6, 11)) == 1
    assert ratings_default_apply(now=at(2026, 10, 7)) == 0
    default = Rating.objects.get(case=silent)
    assert (default.channel, default.level, default.is_default, default.site.code, default.staff.username) == (
        "default",
        3,
        True,
        "YX",
        "county_clerk",
    )
    # Then it is good in 好评率 but not in 主动评价好评率, and the case still counts as not rated
    figures = rating_figures(start=datetime.date(2026, 9, 1), end=datetime.date(2026, 10, 31))[0]
    assert (figures.total, figures.good_rate, figures.active, figures.active_good_rate, figures.default) == (
        2,
        50,
        1,
        0,
        1,
    )
    assert (figures.closed_cases, figures.unrated_cases, figures.unrated_rate) == (2, 1, 50)


def test_another_towns_supervisor_decides_no_appeal_here(county):
    task = Rectification.objects.get(rating=bad_review())
    appeal_file(actor=user("market_head"), rectification=task, reason="误评。", now=at(2026, 10, 8))
    town = role_holder("supervisor_bs", Role.SUPERVISOR, site="BS")
    with refused("permission_denied"):
        appeal_decide(actor=town, rectification=task, uphold=True, note="同意。", now=at(2026, 10, 9))
    assert Rectification.objects.get(pk=task.pk).state == State.APPEALED


def test_the_daily_command_makes_the_default_ratings(county):
    from io import StringIO

    from django.core.management import call_command

    delivered(now=at(2026, 9, 29))
    out = StringIO()
    call_command("ratings_default", "--days", "0", stdout=out)
    assert (out.getvalue().strip(), Rating.objects.count()) == ("0", 0)
    call_command("ratings_default", "--days", "1", stdout=out)
    assert list(Rating.objects.values_list("channel", "is_default")) == [("default", True)]
