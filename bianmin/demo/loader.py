"""Load the demo county idempotently: a second run finds everything in place and writes nothing."""

from __future__ import annotations

import datetime
import functools

from django.contrib.auth.hashers import make_password
from django.db import transaction

from bianmin.accounts.models import User
from bianmin.org import services as org
from bianmin.org.models import Delegation, Department, RoleAssignment, Site, SiteLevel, Window
from bianmin.org.services import user_save

from . import county
from .catalog_loader import load_demo_catalog
from .names import department_translations


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, field) != value for field, value in values.items())


def _site(code: str, parent: Site | None, level: str, kind: str, **values) -> tuple[Site, bool]:
    site = Site.objects.filter(code=code).first() or Site(code=code)
    wanted = {"parent": parent, "level": level, "kind": kind, **values}
    if site.pk and not _differs(site, wanted):
        return site, False
    for field, value in wanted.items():
        setattr(site, field, value)
    return org.site_save(site=site, actor=None), True


def _department(code: str, name: str, short_name: str, is_licensing: bool) -> tuple[Department, bool]:
    department = Department.objects.filter(code=code).first() or Department(code=code)
    wanted = {"name": name, "short_name": short_name, "is_licensing": is_licensing, **department_translations(code)}
    if department.pk and not _differs(department, wanted):
        return department, False
    for field, value in wanted.items():
        setattr(department, field, value)
    return org.department_save(department=department, actor=None), True


def _window(site: Site, number: str, name: str, departments: list[Department]) -> bool:
    window = Window.objects.filter(site=site, number=number).first()
    if window and window.name == name and set(window.departments.all()) == set(departments):
        return False
    window = window or Window(site=site, number=number)
    window.name = name
    org.window_save(window=window, departments=departments, actor=None)
    return True


@functools.cache
def _password_hash() -> str:
    # Every demo account has the same password: hashed once (Argon2 takes a tenth of a second a time).
    return make_password(county.DEMO_PASSWORD)


def _staff(username: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user:
        return user, False
    user = User(username=username, full_name=full_name, is_staff=True, password=_password_hash())
    return user_save(user=user, actor=None, changed_fields=["username", "full_name", "password"]), True


def _sites() -> tuple[dict[str, Site], int]:
    changed = 0
    root, was_changed = _site(
        "YX",
        None,
        SiteLevel.COUNTY,
        Site.Kind.MAIN,
        **{k: v for k, v in county.COUNTY.items() if k != "code"},
    )
    changed += was_changed
    sites = {"YX": root}
    for branch in county.BRANCHES:
        values = {k: v for k, v in branch.items() if k != "code"}
        sites[branch["code"]], was_changed = _site(
            branch["code"],
            root,
            SiteLevel.COUNTY,
            Site.Kind.BRANCH,
            opening_hours=county.COUNTY["opening_hours"],
            **values,
        )
        changed += was_changed
    for code, town_name, phone, villages in county.TOWNS:
        town, was_changed = _site(
            code,
            root,
            SiteLevel.TOWN,
            Site.Kind.HALL,
            name=f"{town_name}便民服务厅",
            address=f"阳新县{town_name}人民政府一楼",
            opening_hours="工作日 8:30–17:30",
            phone=phone,
        )
        changed += was_changed
        sites[code] = town
        for index, village in enumerate(villages, start=1):
            village_code = f"{code}{index:02d}"
            sites[village_code], was_changed = _site(
                village_code,
                town,
                SiteLevel.VILLAGE,
                Site.Kind.ROOM,
                name=f"{village}便民服务室",
                address=f"阳新县{town_name}{village}村民委员会",
                opening_hours="工作日 8:30–11:30, 14:30–17:00；代办员随时预约",
            )
            changed += was_changed
    return sites, changed


@transaction.atomic
def load_demo(*, with_catalog: bool = True) -> dict[str, int]:
    """Create or complete the demo county (and its catalogue). Returns how many records of each kind were written."""
    written = {"sites": 0, "departments": 0, "windows": 0, "users": 0, "roles": 0, "delegations": 0}
    sites, written["sites"] = _sites()
    departments = {}
    for code, name, short_name, is_licensing in county.DEPARTMENTS:
        departments[code], was_changed = _department(code, name, short_name, is_licensing)
        written["departments"] += was_changed
    for number, name, codes in county.COUNTY_WINDOWS:
        written["windows"] += _window(sites["YX"], number, name, [departments[c] for c in codes])
    for code, *_rest in county.TOWNS:
        for number, name, codes in county.TOWN_WINDOWS:
            written["windows"] += _window(sites[code], number, name, [departments[c] for c in codes])
        for index in range(1, len(_rest[2]) + 1):
            written["windows"] += _window(sites[f"{code}{index:02d}"], "1", "代办窗口", [])
    admin = _superuser(written)
    for username, full_name, role, site_code, department_code, window_number in county.STAFF:
        user, created = _staff(username, full_name)
        written["users"] += created
        site = sites[site_code] if site_code else None
        department = departments[department_code] if department_code else None
        window = Window.objects.get(site=site, number=window_number) if window_number else None
        exists = RoleAssignment.objects.filter(
            user=user, role=role, site=site, department=department, window=window, is_active=True
        ).exists()
        if not exists:
            org.role_assign(
                actor=None,
                user=user,
                role=role,
                site=site,
                department=department,
                window=window,
                badge_number=county.BADGES.get(username, ""),
            )
            written["roles"] += 1
    written["delegations"] = _delegations(admin)
    if with_catalog:
        written.update(load_demo_catalog())
    return written


def _delegations(admin: User) -> int:
    granted = 0
    for username, grant in county.DELEGATIONS.items():
        assignment = RoleAssignment.objects.get(user__username=username, role="chief_representative")
        if Delegation.objects.filter(assignment=assignment).exists():
            continue
        org.delegation_grant(
            actor=admin,
            assignment=assignment,
            decisions=grant["decisions"],
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2027, 12, 31),
            document_number=grant["document_number"],
        )
        granted += 1
    return granted


def _superuser(written: dict[str, int]) -> User:
    user = User.objects.filter(username="admin").first()
    if user:
        return user
    user = User(username="admin", full_name="系统管理员", is_staff=True, is_superuser=True)
    user.set_password(county.DEMO_PASSWORD)
    written["users"] += 1
    return user_save(user=user, actor=None, changed_fields=["username", "full_name", "password", "is_superuser"])


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, full name, what they do) for the README and the demo's start-up banner."""
    roles = dict(RoleAssignment._meta.get_field("role").choices)
    rows = {"admin": ("admin", "系统管理员", "superuser")}
    for username, full_name, role, site_code, department_code, _window in county.STAFF:
        if username in rows:  # a town's reviewer holds one head's role per department: listed once, at the town
            rows[username] = (username, full_name, f"{roles[role]} ({site_code})")
            continue
        where = " ".join(part for part in (site_code, department_code) if part)
        rows[username] = (username, full_name, f"{roles[role]} ({where})")
    return list(rows.values())
