"""Sheets and inspector groups configured in the admin, through the services (audited)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import logged_in, refused, user
from bianmin.org.models import Role, Site
from bianmin.org.services import role_assign

from .. import services
from ..models import Indicator, InspectorGroup, InspectorMembership, Sheet

pytestmark = pytest.mark.django_db


def _inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def test_a_county_administrator_adds_a_sheet_with_its_indicators_in_the_admin(county):
    admin = logged_in("centre_admin")
    data = {"tier": "village", "level": "standard", "name": "村级服务室简易考核表", "pass_score": "60"}
    data["is_active"] = "on"
    data |= _inline(
        "indicators",
        [
            {"order": "1", "code": "1", "title": "有牌子", "points": "50", "method": "photo", "evidence": "门牌照片"},
            {"order": "2", "code": "2", "title": "有台帐", "points": "50", "method": "documents", "evidence": ""},
        ],
    )
    response = admin.post("/admin/inspection/sheet/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sheet = Sheet.objects.get(name="村级服务室简易考核表")
    assert list(sheet.indicators.order_by("order").values_list("code", "title", "points", "method")) == [
        ("1", "有牌子", Decimal("50.0"), "photo"),
        ("2", "有台帐", Decimal("50.0"), "documents"),
    ]
    actions = list(AuditEvent.objects.filter(action__startswith="inspection.").values_list("action", flat=True))
    assert actions == ["inspection.sheet_create", "inspection.indicator_create", "inspection.indicator_create"]


def test_a_town_s_administrator_cannot_change_a_sheet_and_nothing_is_saved(county):
    services.sheets_seed(actor=None)
    town_admin = user("baisha_agent")
    role_assign(actor=None, user=town_admin, role=Role.CENTRE_ADMIN, site=Site.objects.get(code="BS"))
    sheet = Sheet.objects.get(tier="village", level="standard")
    sheet.pass_score = Decimal("10")
    with refused("permission_denied"):
        services.sheet_save(actor=town_admin, sheet=sheet)
    with refused("permission_denied"):
        services.indicator_save(actor=town_admin, indicator=Indicator(sheet=sheet, code="9", title="x", points=1))
    sheet.refresh_from_db()
    assert sheet.pass_score == Decimal("80.0") and sheet.indicators.count() == 7


def test_an_inspector_group_and_its_members_are_kept_in_the_admin(county):
    admin = logged_in("centre_admin")
    data = {"name": "第三考核组", "bodies": ["discipline", "legal_affairs"]}
    data |= _inline("memberships", [{"user": str(user("baisha_agent").pk), "body": "legal_affairs", "is_active": "on"}])
    response = admin.post("/admin/inspection/inspectorgroup/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    group = InspectorGroup.objects.get()
    assert (group.name, group.bodies) == ("第三考核组", ["discipline", "legal_affairs"])
    membership = InspectorMembership.objects.get()
    assert (membership.user.username, membership.body, membership.is_active) == ("baisha_agent", "legal_affairs", True)
    # renamed in place, not a second group
    services.group_save(actor=user("centre_admin"), name="第三组", bodies=["discipline"], group=group)
    assert list(InspectorGroup.objects.values_list("name", flat=True)) == ["第三组"]
