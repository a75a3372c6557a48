"""The inspection tests' world: the plan's sheets, two inspector groups, a round of the six towns and two village
rooms, and scoring of a whole sheet with the points given per indicator code."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.accounts.models import User
from bianmin.core.testing import at, picture, user
from bianmin.org.models import Site

from .. import services
from ..models import CheckMethod, Indicator, InspectingBody, RoundSite

TOWNS = ["BS", "FT", "SX", "WY", "FC", "TZ"]
ROOMS = ["BS01", "FT01"]


def inspector(username: str, group, body: str) -> User:
    account = User.objects.create_user(username=username, password="inspect-pass-9", full_name=username)
    services.group_member_add(actor=None, group=group, user=account, body=body)
    return account


def round_of_towns(*, exemplary=("BS",), year: int = 2026):
    """A round of ``year`` with the six towns (group A: 纪委 + 政府办) and two rooms (group B: 中心), open."""
    services.sheets_seed(actor=None)
    group_a = services.group_save(
        actor=None, name="第一考核组", bodies=[InspectingBody.DISCIPLINE, InspectingBody.GOVERNMENT_OFFICE]
    )
    group_b = services.group_save(actor=None, name="第二考核组", bodies=[InspectingBody.SERVICE_CENTRE])
    admin = user("centre_admin")
    round_ = services.round_create(actor=admin, name=f"{year}年便民服务中心考核验收", year=year)
    for code in TOWNS:
        level = "exemplary" if code in exemplary else "standard"
        services.round_assign(actor=admin, round_=round_, site=Site.objects.get(code=code), group=group_a, level=level)
    for code in ROOMS:
        services.round_assign(
            actor=admin, round_=round_, site=Site.objects.get(code=code), group=group_b, level="standard"
        )
    services.round_move(actor=admin, round_=round_, move="open")
    return round_, group_a, group_b


def photo_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture("JPEG", size=(40, 30)), content_type="image/jpeg")


def leaves(round_site: RoundSite) -> list[Indicator]:
    return list(round_site.sheet.indicators.filter(children__isnull=True).order_by("order"))


def score_sheet(actor: User, round_site: RoundSite, given: dict[str, Decimal | int] | None = None, *, hour: int = 9):
    """Score every indicator of the site: full points unless ``given`` names its code; photos where required."""
    given = given or {}
    for indicator in leaves(round_site):
        points = Decimal(given.get(indicator.code, indicator.points))
        photos = [photo_upload()] if indicator.method == CheckMethod.PHOTO else []
        services.score_sync(
            actor=actor,
            round_site=round_site,
            score=services.ScoreInput(
                client_id=uuid.uuid4(),
                indicator_id=indicator.pk,
                points=points,
                taken_at=at(2026, 6, 10, hour),
                latitude=Decimal("29.853100"),
                longitude=Decimal("115.215400"),
            ),
            photos=photos,
            now=at(2026, 6, 10, hour),
        )


CLOSING_DAY = datetime.date(2026, 6, 22)
