"""The demo's outside systems: registered once, with their roles, without a token."""

import pytest

from bianmin.demo.systems import load_demo_systems
from bianmin.org.models import ExternalSystem, RoleAssignment, SystemToken

pytestmark = pytest.mark.usefixtures("county_organisation")


def test_the_demo_systems_are_registered_once_without_a_token():
    first, second = load_demo_systems(), load_demo_systems()

    assert (first, second) == (3, 0)
    assert list(ExternalSystem.objects.values_list("code", "name")) == [
        ("city-platform", "市政务服务平台"),
        ("hotline-12345", "12345政务服务便民热线"),
        ("sj-approval", "县市场监管局审批系统"),
    ]
    assert sorted(
        RoleAssignment.objects.filter(user__is_system_account=True).values_list(
            "user__username", "role", "site__code", "department__code"
        )
    ) == [
        ("system-city-platform", "supervisor", "YX", None),
        ("system-hotline-12345", "supervisor", "YX", None),
        ("system-sj-approval", "chief_representative", None, "SJ"),
        ("system-sj-approval", "clerk", "YX", None),
        ("system-sj-approval", "department_head", None, "SJ"),
    ]
    assert not SystemToken.objects.exists()
