import datetime
import zoneinfo

import pytest
from django.db import transaction

from bianmin.accounts.models import User
from bianmin.cases.idnumbers import resident_id_check_character
from bianmin.cases.services import Applicant, Intake, MaterialCheck
from bianmin.catalog.models import ServiceItem
from bianmin.demo.loader import load_demo
from bianmin.org.models import Site

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID_NUMBER = "42022219900101123" + resident_id_check_character("42022219900101123")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    """A moment in Beijing time: the services take ``now`` so the tests own the clock."""
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def _demo_county(django_db_setup, django_db_blocker):
    """The demo county (75 items), loaded once per test module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def county(_demo_county, db):
    """The demo county; each test runs in its own savepoint inside the module's transaction and is rolled back."""


def user(username: str) -> User:
    return User.objects.get(username=username)


def intake(
    item_code: str,
    site_code: str,
    *,
    channel: str = "window",
    complete: bool = True,
    relay: str = "",
    authorisation: str = "",
) -> Intake:
    item = ServiceItem.objects.select_related("current_version").get(code=item_code)
    materials = [
        MaterialCheck(name=m.name, requirement_id=m.pk, original_seen=True, copy_kept=True)
        for m in item.current_version.materials.all()
    ]
    if not complete and materials:
        materials[0].state = "missing"
        materials[0].problem = "未提供"
    return Intake(
        item=item,
        applicant=Applicant(
            name="张三",
            id_type="resident_id",
            id_number=ID_NUMBER,
            phone="13800000000",
            address="阳新县白沙镇白沙村三组",
        ),
        channel=channel,
        receiving_site=Site.objects.get(code=site_code),
        materials=materials,
        relay_site=Site.objects.get(code=relay) if relay else None,
        agency_authorisation=authorisation,
    )
