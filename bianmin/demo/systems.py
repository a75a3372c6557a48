"""The demo county's outside systems (issue 13): the city's government-service platform, which reads the county's
cases, and the 12345 hotline, which sends work orders. Both act as supervisors of the county (they read everything
in it and change no case). No token is made here: ``manage.py system_token create city-platform --name … --scope …``
makes one when a demo needs it, and prints it once."""

from __future__ import annotations

from bianmin.org.models import ExternalSystem, Role, Site
from bianmin.org.tokens import SystemRole, system_create

# (code, name, contact, role, site code)
DEMO_SYSTEMS = [
    ("city-platform", "市政务服务平台", "市政务服务和大数据管理局 0714-6000000", Role.SUPERVISOR, "YX"),
    ("hotline-12345", "12345政务服务便民热线", "市12345热线中心 0714-12345", Role.SUPERVISOR, "YX"),
]


def load_demo_systems() -> int:
    """Register the demo systems that are not there yet; returns how many were registered."""
    registered = 0
    for code, name, contact, role, site_code in DEMO_SYSTEMS:
        if ExternalSystem.objects.filter(code=code).exists():
            continue
        system_create(
            actor=None,
            code=code,
            name=name,
            contact=contact,
            roles=[SystemRole(role, site=Site.objects.get(code=site_code))],
        )
        registered += 1
    return registered
