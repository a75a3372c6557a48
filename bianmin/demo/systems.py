"""The demo county's outside systems (issue 13): the city's government-service platform, which reads the county's
cases, and the 12345 hotline, which sends work orders. Both act as supervisors of the county (they read everything
in it and change no case); and the market supervision bureau's own approval system, which handles its items from the
county centre's window to the handover through the API (a clerk at the centre, the bureau's chief representative and
its head: ``examples/api_walkthrough.py`` drives a case with its token). No token is made here: ``manage.py
system_token create city-platform --name … --scope …`` makes one when a demo needs it, and prints it once."""

from __future__ import annotations

from bianmin.org.models import Department, ExternalSystem, Role, Site
from bianmin.org.tokens import SystemRole, system_create

# (code, name, contact, roles as (role, site code, department code))
DEMO_SYSTEMS = [
    ("city-platform", "市政务服务平台", "市政务服务和大数据管理局 0714-6000000", [(Role.SUPERVISOR, "YX", None)]),
    ("hotline-12345", "12345政务服务便民热线", "市12345热线中心 0714-12345", [(Role.SUPERVISOR, "YX", None)]),
    (
        "sj-approval",
        "县市场监管局审批系统",
        "县市场监督管理局信息中心 0714-6100000",
        [(Role.CLERK, "YX", None), (Role.CHIEF_REPRESENTATIVE, None, "SJ"), (Role.DEPARTMENT_HEAD, None, "SJ")],
    ),
]


def load_demo_systems() -> int:
    """Register the demo systems that are not there yet; returns how many were registered."""
    registered = 0
    for code, name, contact, roles in DEMO_SYSTEMS:
        if ExternalSystem.objects.filter(code=code).exists():
            continue
        system_create(
            actor=None,
            code=code,
            name=name,
            contact=contact,
            roles=[
                SystemRole(
                    role,
                    site=Site.objects.get(code=site_code) if site_code else None,
                    department=Department.objects.get(code=department_code) if department_code else None,
                )
                for role, site_code, department_code in roles
            ],
        )
        registered += 1
    return registered
