"""Roles and delegations cannot be taken (issue "Safe to deploy"): nobody grants themself a role, the supervisor and
centre-administrator roles are granted and revoked by a superuser only, and every grant is audited."""

import datetime

import pytest

from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import logged_in, role_holder, user
from bianmin.org import services
from bianmin.org.models import Delegation, Department, Role, RoleAssignment, Site

pytestmark = pytest.mark.usefixtures("county_organisation")


def assignment_form(username: str, role: str, site_code: str) -> dict:
    return {
        "user": user(username).pk,
        "role": role,
        "site": Site.objects.get(code=site_code).pk,
        "department": "",
        "window": "",
        "is_active": "on",
        "delegations-TOTAL_FORMS": "0",
        "delegations-INITIAL_FORMS": "0",
        "delegations-MIN_NUM_FORMS": "0",
        "delegations-MAX_NUM_FORMS": "1000",
    }


def test_a_centre_administrator_cannot_grant_themself_supervisor_through_the_admin_or_the_service():
    centre_admin = user("centre_admin")
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    through_admin = client.post(
        "/admin/org/roleassignment/add/", assignment_form("centre_admin", Role.SUPERVISOR, "YX")
    )
    with pytest.raises(PermissionDenied) as through_service:
        services.role_assign(
            actor=centre_admin, user=centre_admin, role=Role.SUPERVISOR, site=Site.objects.get(code="YX")
        )

    assert through_admin.status_code == 200  # the form is shown again: supervisor is not a choice for them
    assert "role" in through_admin.context["adminform"].form.errors
    assert through_service.value.message == "任何人都不能给自己授予岗位或修改自己的岗位。"
    assert list(RoleAssignment.objects.filter(user=centre_admin).values_list("role", flat=True)) == [Role.CENTRE_ADMIN]
    assert AuditEvent.objects.count() == events_before


def test_a_centre_administrator_cannot_grant_themself_any_role_in_the_admin():
    centre_admin = user("centre_admin")
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    response = client.post("/admin/org/roleassignment/add/", assignment_form("centre_admin", Role.CLERK, "YX"))

    assert (response.status_code, response["Location"]) == (302, "/admin/org/roleassignment/add/")
    assert [str(message) for message in response.wsgi_request._messages] == [
        "任何人都不能给自己授予岗位或修改自己的岗位。",
        "未保存任何内容。",
    ]
    assert list(RoleAssignment.objects.filter(user=centre_admin).values_list("role", flat=True)) == [Role.CENTRE_ADMIN]
    assert AuditEvent.objects.count() == events_before


def test_only_a_superuser_grants_the_supervisor_role_and_the_grant_is_audited():
    clerk = user("county_clerk")
    county = Site.objects.get(code="YX")

    with pytest.raises(PermissionDenied) as refused:
        services.role_assign(actor=user("centre_admin"), user=clerk, role=Role.SUPERVISOR, site=county)
    assert refused.value.message == "只有超级用户可以授予或撤销中心管理员、监察员岗位。"
    assert not RoleAssignment.objects.filter(user=clerk, role=Role.SUPERVISOR).exists()

    response = logged_in("admin").post(
        "/admin/org/roleassignment/add/", assignment_form("county_clerk", Role.SUPERVISOR, "YX")
    )

    assert response.status_code == 302
    granted = RoleAssignment.objects.get(user=clerk, role=Role.SUPERVISOR, is_active=True)
    event = AuditEvent.objects.get(action="role.assign", object_id=str(granted.pk))
    assert event.actor == user("admin")
    assert event.payload == {
        "user": "county_clerk",
        "role": "supervisor",
        "site": "YX",
        "department": None,
        "window": None,
        "badge_number": "",
    }


def test_a_centre_administrator_cannot_revoke_the_supervisor_or_another_centre_administrator():
    other_admin = role_holder("baisha_admin", Role.CENTRE_ADMIN, site="BS", is_staff=True)
    supervisor = RoleAssignment.objects.get(user__username="supervisor")
    other = RoleAssignment.objects.get(user=other_admin)
    client = logged_in("centre_admin")
    events_before = AuditEvent.objects.count()

    action = client.post(
        "/admin/org/roleassignment/",
        {"action": "revoke", "_selected_action": [supervisor.pk, other.pk], "index": "0"},
    )
    change = client.post(
        f"/admin/org/roleassignment/{other.pk}/change/", {**assignment_form("baisha_admin", Role.CLERK, "BS")}
    )

    assert action.status_code == 302
    assert change.status_code == 403
    assert RoleAssignment.objects.filter(pk__in=[supervisor.pk, other.pk], is_active=True).count() == 2
    assert AuditEvent.objects.count() == events_before


def test_a_centre_administrator_assigns_and_revokes_a_clerk_in_their_subtree():
    centre_admin = user("centre_admin")
    clerk = user("baisha_clerk")

    granted = services.role_assign(actor=centre_admin, user=clerk, role=Role.AGENT, site=Site.objects.get(code="BS01"))
    services.role_revoke(actor=centre_admin, assignment=granted)

    assert list(
        AuditEvent.objects.filter(object_id=str(granted.pk), object_type="org.roleassignment")
        .order_by("sequence")
        .values_list("action", "actor_label")
    ) == [("role.assign", "centre_admin"), ("role.revoke", "centre_admin")]
    # A town's administrator may not touch the county's clerk, nor give a department-wide role.
    futu_admin = role_holder("futu_admin", Role.CENTRE_ADMIN, site="FT", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=futu_admin, user=user("county_clerk"), role=Role.AGENT, site=Site.objects.get(code="FT01")
        )
    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=futu_admin,
            user=user("futu_clerk"),
            role=Role.DEPARTMENT_HEAD,
            department=Department.objects.get(code="ZR"),
        )
    assert not RoleAssignment.objects.filter(
        user__username__in=["county_clerk", "futu_clerk"], role__in=[Role.AGENT, Role.DEPARTMENT_HEAD]
    ).exists()


def test_nobody_grants_themself_a_delegation_nor_one_to_a_centre_administrator():
    centre_admin = user("centre_admin")
    land = Department.objects.get(code="ZR")
    own = services.role_assign(
        actor=None, user=centre_admin, role=Role.CHIEF_REPRESENTATIVE, site=Site.objects.get(code="YX"), department=land
    )
    events_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied) as by_themself:
        services.delegation_grant(
            actor=centre_admin, assignment=own, decisions=["approve"], valid_from=datetime.date(2026, 1, 1)
        )
    with pytest.raises(PermissionDenied) as by_the_head:
        services.delegation_grant(
            actor=user("land_head"), assignment=own, decisions=["approve"], valid_from=datetime.date(2026, 1, 1)
        )

    assert by_themself.value.message == "任何人都不能给自己授权。"
    assert by_the_head.value.message == "只有超级用户可以修改中心管理员或监察员的账号。"
    assert not Delegation.objects.filter(assignment=own).exists()
    assert AuditEvent.objects.count() == events_before
