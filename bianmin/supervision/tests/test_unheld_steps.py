"""The rule step_role_unheld: an open step nobody can take where it is raises an alert until someone can."""

from __future__ import annotations

import datetime

import pytest

from bianmin.cases import services
from bianmin.core.testing import OTHER_ID_NUMBER, accepted, at, user
from bianmin.org import services as org
from bianmin.org.models import RoleAssignment
from bianmin.supervision.models import Alert
from bianmin.supervision.selectors.alerts import alert_get_for_user
from bianmin.supervision.sweep import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def alerts() -> list[tuple]:
    rows = Alert.objects.filter(rule="step_role_unheld").order_by("pk")
    return list(rows.values_list("task__name", "site__code", "department__code", "state", "close_reason"))


def test_a_town_step_whose_reviewer_left_is_an_alert_until_the_role_is_held_again(county):
    # Given MZ-0004 accepted at 白沙镇 and 浮屠镇: its 镇级审核 opens at each town (the first step is the intake)
    baisha = accepted("MZ-0004", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    futu = accepted("MZ-0004", "FT", received_at=at(2026, 3, 2), now=at(2026, 3, 3), id_number=OTHER_ID_NUMBER)
    assert [(t.name, t.site.code) for t in baisha.tasks.filter(state="open")] == [("镇级审核", "BS")]
    sweep(now=at(2026, 3, 3, 11))
    assert alerts() == []

    # When 白沙镇's reviewer no longer holds the civil affairs role
    assignment = RoleAssignment.objects.get(user__username="baisha_leader", department__code="MZ")
    org.role_revoke(actor=user("admin"), assignment=assignment)
    sweep(now=at(2026, 3, 3, 12))

    # Then 白沙镇's step is an alert for its centre administrator; 浮屠镇's is not (its reviewer is there)
    assert alerts() == [("镇级审核", "BS", "MZ", "open", "")]
    alert = Alert.objects.get(rule="step_role_unheld")
    assert (alert.case_id, alert.responsible_role) == (baisha.pk, "centre_admin")
    assert futu.tasks.get(state="open").site.code == "FT"

    # When the role is held again, the alert closes itself
    org.role_assign(
        actor=user("admin"),
        user=user("baisha_leader"),
        role="department_head",
        site=assignment.site,
        department=assignment.department,
    )
    sweep(now=at(2026, 3, 3, 13))
    assert alerts() == [("镇级审核", "BS", "MZ", "closed", "cleared")]


def test_a_county_step_without_a_department_wide_holder_is_an_alert(county):
    # Given NY-0001 at 白沙镇 whose town steps are done: the county's decision is open at YX
    case = accepted("NY-0001", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 3))
    for actor in ("baisha_agent", "baisha_leader"):
        task = case.tasks.get(state="open")
        services.case_complete_task(actor=user(actor), task=task, outcome="agree", now=at(2026, 3, 4))
    decision = case.tasks.get(state="open")
    assert (decision.is_decision, decision.site.code) == (True, "YX")

    # When the county's NY head leaves (the towns' reviewers of NY cannot decide)
    org.role_revoke(
        actor=user("admin"), assignment=RoleAssignment.objects.get(user__username="ny_head", role="department_head")
    )
    sweep(now=at(2026, 3, 4, 12))

    # Then the decision is an alert at the county
    assert alerts() == [("县级审批", "YX", "NY", "open", "")]
    assert Alert.objects.get(rule="step_role_unheld").due == datetime.date(2026, 3, 11)


def test_a_late_town_step_reaches_that_towns_reviewer_who_sees_its_alert(county):
    # Given MZ-0004 accepted at 白沙镇 on 03-03: its 镇级审核 (3 working days) is due 03-06
    case = accepted("MZ-0004", "BS", received_at=at(2026, 3, 2), now=at(2026, 3, 3))

    # When the sweep runs on 03-09 (the step is late)
    sweep(now=at(2026, 3, 9, 10))

    # Then the step's alert (a department head's step) reaches the county's civil affairs head and 白沙镇's reviewer,
    # not 浮屠镇's
    alert = Alert.objects.get(rule="step_overdue", case=case)
    recipients = set(alert.messages.values_list("recipient__username", flat=True))
    assert recipients == {"mz_head", "baisha_leader"}
    # and 白沙镇's reviewer may open it (the inbox links there); 浮屠镇's may not
    assert alert_get_for_user(user("baisha_leader"), alert.pk) == alert
    assert alert_get_for_user(user("futu_leader"), alert.pk) is None
