"""The demo's outside systems: registered once, as supervisors of the county, without a token."""

import pytest

from bianmin.demo.systems import load_demo_systems
from bianmin.org.models import ExternalSystem, RoleAssignment, SystemToken

pytestmark = pytest.mark.usefixtures("county_organisation")


def test_the_demo_systems_are_registered_once_without_a_token():
    first, second = load_demo_systems(), load_demo_systems()

    assert (first, second) == (2, 0)
    assert list(ExternalSystem.objects.values_list("code", "name")) == [
        ("city-platform", "市政务服务平台"),
        ("hotline-12345", "12345政务服务便民热线"),
    ]
    assert sorted(
        RoleAssignment.objects.filter(user__is_system_account=True).values_list("user__username", "role", "site__code")
    ) == [("system-city-platform", "supervisor", "YX"), ("system-hotline-12345", "supervisor", "YX")]
    assert not SystemToken.objects.exists()
