"""Publication refuses an item whose steps nobody could take where they happen (catalogue step tiers)."""

from __future__ import annotations

import pytest

from bianmin.catalog import services
from bianmin.catalog.models import ServiceItem
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.testing import user
from bianmin.org import services as org
from bianmin.org.models import Department, RoleAssignment

from .factories import item_content

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_item_is_published_when_every_step_has_a_holder_where_it_happens(county):
    # Given 宅基地审批 of ZR: 受理 at the receiving site, 镇级审核 at the town, 县级审批 at the county
    item = services.item_create(actor=None, department=Department.objects.get(code="ZR"), content=item_content())

    version = services.item_publish(actor=None, item=item)

    assert (version.number, [step.tier for step in version.steps.all()]) == (1, ["receiving", "town", "county"])


def test_a_town_step_without_the_towns_reviewer_is_refused_naming_the_role_and_the_site(county):
    # Given 浮屠镇's reviewer no longer holds the ZR role
    assignment = RoleAssignment.objects.get(user__username="futu_leader", department__code="ZR")
    org.role_revoke(actor=user("admin"), assignment=assignment)
    item = services.item_create(actor=None, department=Department.objects.get(code="ZR"), content=item_content())

    # When the item is published, then it is refused with the step, the role and the site
    with pytest.raises(DomainError) as refused:
        services.item_publish(actor=None, item=item)

    assert refused.value.code == "step_role_unheld"
    assert "Step 2 “镇级审核”" in str(refused.value)
    assert "Department head" in str(refused.value)
    assert "浮屠镇便民服务厅" in str(refused.value)
    assert "白沙镇便民服务厅" not in str(refused.value)
    # and nothing was published
    item.refresh_from_db()
    assert (item.status, item.current_version) == (ServiceItem.Status.DRAFT, None)


def test_a_county_step_of_a_department_without_a_head_is_refused(county):
    org.role_revoke(
        actor=user("admin"), assignment=RoleAssignment.objects.get(user__username="ny_head", role="department_head")
    )
    item = services.item_create(actor=None, department=Department.objects.get(code="NY"), content=item_content())

    with pytest.raises(DomainError) as refused:
        services.item_publish(actor=None, item=item)

    assert "Step 3 “县级审批”" in str(refused.value) and "县农业农村局" in str(refused.value)
    assert "Step 2" not in str(refused.value)


def test_a_towns_reviewer_takes_steps_at_the_town_but_does_not_edit_the_catalogue(county):
    # Given 白沙镇's reviewer, who holds the head's role of 自然资源 (among others) at the town only
    leader = user("baisha_leader")
    land = Department.objects.get(code="ZR")
    assert RoleAssignment.objects.filter(user=leader, department=land, site__code="BS").exists()

    items = ServiceItem.objects.count()

    # Then the catalogue is the department-wide head's: the reviewer may create no item and sees no catalogue tools
    with pytest.raises(PermissionDenied):
        services.item_create(actor=leader, department=land, content=item_content())
    assert ServiceItem.objects.count() == items
    assert (services.can_edit_catalog(leader, land), services.can_edit_some_catalog(leader)) == (False, False)
    assert (services.can_edit_catalog(user("land_head"), land), services.can_edit_some_catalog(user("land_head"))) == (
        True,
        True,
    )
