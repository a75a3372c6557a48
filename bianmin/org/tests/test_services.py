import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from bianmin.accounts.models import User
from bianmin.core.audit import verify_chain
from bianmin.core.errors import PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.demo.loader import load_demo
from bianmin.org import services
from bianmin.org.models import Department, Role, RoleAssignment, Site, SiteLevel
from bianmin.org.selectors import delegation_covers


@pytest.mark.django_db
def test_demo_load_is_idempotent():
    first = load_demo()
    events_after_first = AuditEvent.objects.count()

    second = load_demo()

    assert first == {
        "sites": 27,
        "departments": 18,
        "windows": 51,
        "users": 63,
        "roles": 122,
        "delegations": 2,
        "topics": 14,
        "items": 75,
    }
    assert set(second.values()) == {0}
    assert AuditEvent.objects.count() == events_after_first
    assert verify_chain().ok


@pytest.mark.usefixtures("county_organisation")
def test_renaming_a_town_code_moves_its_villages_paths():
    town = Site.objects.get(code="BS")
    admin = User.objects.get(username="centre_admin")

    town.code = "BSZ"
    services.site_save(site=town, actor=admin)

    assert sorted(Site.objects.filter(path__startswith="/YX/BSZ/").values_list("code", flat=True)) == [
        "BS01",
        "BS02",
        "BS03",
        "BSZ",
    ]
    event = AuditEvent.objects.filter(action="site.update").latest("sequence")
    assert event.payload["path"] == "/YX/BSZ/" and event.actor == admin


@pytest.mark.usefixtures("county_organisation")
def test_a_clerk_cannot_change_the_organisation_and_nothing_is_written():
    clerk = User.objects.get(username="baisha_clerk")
    town = Site.objects.get(code="BS")
    events_before = AuditEvent.objects.count()

    town.name = "改名"
    with pytest.raises(PermissionDenied) as raised:
        services.site_save(site=town, actor=clerk)

    assert raised.value.code == "permission_denied"
    assert Site.objects.get(code="BS").name == "白沙镇便民服务厅"
    assert AuditEvent.objects.count() == events_before


@pytest.mark.usefixtures("county_organisation")
def test_a_village_cannot_sit_directly_under_the_county():
    county = Site.objects.get(code="YX")

    with pytest.raises(ValidationError) as raised:
        services.site_save(
            site=Site(
                code="XX01",
                name="某村便民服务室",
                level=SiteLevel.VILLAGE,
                kind=Site.Kind.ROOM,
                parent=county,
            ),
            actor=None,
        )

    assert "parent" in raised.value.message_dict
    assert not Site.objects.filter(code="XX01").exists()


@pytest.mark.usefixtures("county_organisation")
def test_a_clerk_role_needs_a_site():
    with pytest.raises(ValidationError) as raised:
        services.role_assign(actor=None, user=User.objects.create(username="new"), role=Role.CLERK)

    assert raised.value.message_dict == {"site": ["该岗位设在网点，请选择网点。"]}


@pytest.mark.usefixtures("county_organisation")
def test_revoking_a_role_removes_the_scope():
    assignment = RoleAssignment.objects.get(user__username="futu_clerk")

    services.role_revoke(actor=User.objects.get(username="centre_admin"), assignment=assignment)

    client = Client()
    client.force_login(User.objects.get(username="futu_clerk"))
    assert client.get("/workbench/").status_code == 403
    assert AuditEvent.objects.filter(action="role.revoke", object_id=str(assignment.pk)).count() == 1


@pytest.mark.usefixtures("county_organisation")
def test_delegation_covers_only_its_decisions_items_and_dates():
    chief = User.objects.get(username="land_chief")
    land = Department.objects.get(code="ZR")
    head = User.objects.get(username="land_head")
    assignment = RoleAssignment.objects.get(user=chief, role=Role.CHIEF_REPRESENTATIVE)
    services.delegation_grant(
        actor=head,
        assignment=assignment,
        decisions=["approve"],
        item_codes=["ZR-01"],
        valid_from=datetime.date(2026, 3, 1),
        valid_to=datetime.date(2026, 6, 30),
    )
    on = datetime.date(2026, 4, 1)

    assert delegation_covers(user=chief, department=land, decision="approve", item_code="ZR-0103", on=on)
    assert not delegation_covers(user=chief, department=land, decision="approve", item_code="ZR-0201", on=on)
    assert not delegation_covers(
        user=chief, department=land, decision="approve", item_code="ZR-0103", on=datetime.date(2026, 7, 1)
    )
    assert not delegation_covers(user=chief, department=land, decision="deny", item_code="ZR-0103", on=on)
    # The demo delegation (accept, supplement) still applies for every item.
    assert delegation_covers(user=chief, department=land, decision="accept", item_code="ZR-0201", on=on)


@pytest.mark.usefixtures("county_organisation")
def test_only_the_departments_head_or_an_administrator_grants_a_delegation():
    assignment = RoleAssignment.objects.get(user__username="land_chief")

    with pytest.raises(PermissionDenied):
        services.delegation_grant(
            actor=User.objects.get(username="market_head"),
            assignment=assignment,
            decisions=["approve"],
            valid_from=datetime.date(2026, 1, 1),
        )

    assert assignment.delegations.count() == 1


@pytest.mark.usefixtures("county_organisation")
def test_admin_is_open_to_centre_administrators_only():
    admin_client, clerk_client = Client(), Client()
    admin_client.force_login(User.objects.get(username="centre_admin"))
    clerk_client.force_login(User.objects.get(username="county_clerk"))

    assert admin_client.get("/admin/org/site/").status_code == 200
    assert clerk_client.get("/admin/org/site/").status_code == 302


@pytest.mark.usefixtures("county_organisation")
def test_admin_edit_of_a_site_is_audited():
    client = Client()
    admin = User.objects.get(username="centre_admin")
    client.force_login(admin)
    site = Site.objects.get(code="FT")

    response = client.post(
        f"/admin/org/site/{site.pk}/change/",
        {
            "name": "浮屠镇便民服务厅",
            "code": "FT",
            "level": "town",
            "kind": "hall",
            "parent": site.parent_id,
            "address": "浮屠镇新街 1 号",
            "opening_hours": site.opening_hours,
            "phone": site.phone,
            "latitude": "",
            "longitude": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).address == "浮屠镇新街 1 号"
    assert AuditEvent.objects.filter(action="site.update", object_id=str(site.pk), actor=admin).count() == 1


@pytest.mark.usefixtures("county_organisation")
@time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC))
def test_administrators_see_the_provisional_year_banner_and_clerks_do_not():
    admin_client, clerk_client = Client(), Client()
    admin_client.force_login(User.objects.get(username="centre_admin"))
    clerk_client.force_login(User.objects.get(username="county_clerk"))
    banner = "2027 年的工作日历为暂定"

    assert banner in admin_client.get("/workbench/").content.decode()
    assert banner in admin_client.get("/admin/").content.decode()
    assert banner not in clerk_client.get("/workbench/").content.decode()


@pytest.mark.usefixtures("county_organisation")
def test_centre_administrator_reads_the_audit_chain_and_the_outbox():
    client = Client()
    client.force_login(User.objects.get(username="centre_admin"))

    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/outboundmessage/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 200
