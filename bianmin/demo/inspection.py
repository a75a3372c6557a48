"""Demo of the standardisation inspection (考核验收, 评比): the plan's sheets, two inspector groups of the five
inspecting bodies with an inspector each, June's round of the six towns and their village rooms scored with
evidence photos, closed and published (ranking, 示范点, rectification items), and an open re-check round around
today in which ``jiwei_inspector`` scores 白沙镇 and 浮屠镇 on the phone. All through the inspection's services."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.inspection import services
from bianmin.inspection.models import CheckMethod, InspectingBody, InspectorGroup, Round, RoundSite
from bianmin.org.models import Site, SiteLevel
from bianmin.org.services import user_save

from .cases import SHANGHAI
from .county import DEMO_PASSWORD

# (username, full name, group, body)
INSPECTORS = [
    ("jiwei_inspector", "纪检员", "第一考核组", InspectingBody.DISCIPLINE),
    ("zhengfuban_inspector", "政府办督查员", "第一考核组", InspectingBody.GOVERNMENT_OFFICE),
    ("jianchaju_inspector", "监察局督查员", "第一考核组", InspectingBody.SUPERVISION),
    ("fazhiban_inspector", "法制办督查员", "第二考核组", InspectingBody.LEGAL_AFFAIRS),
    ("zhongxin_inspector", "中心督查员", "第二考核组", InspectingBody.SERVICE_CENTRE),
]
GROUPS = {
    "第一考核组": [InspectingBody.DISCIPLINE, InspectingBody.GOVERNMENT_OFFICE, InspectingBody.SUPERVISION],
    "第二考核组": [InspectingBody.LEGAL_AFFAIRS, InspectingBody.SERVICE_CENTRE],
}
# The towns' points short of full, per indicator code; 白沙镇 on the exemplary sheet.
TOWN_SHORTFALLS = {
    "BS": {},
    "FT": {"3.1": 4},
    "SX": {"5.1": 5},
    "WY": {"1.1": 10, "4.3": 2},
    "FC": {"6.1": 10},
    "TZ": {"2.1": 15, "6.1": 10},
}
EXEMPLARY = {"BS"}
NOTES = {"1.1": "实测面积", "3.1": "电脑配备情况", "4.3": "工作人员挂牌情况", "6.1": "经费落实情况"}
COLOURS = [(46, 125, 50), (21, 101, 192), (198, 40, 40), (239, 108, 0), (106, 27, 154)]


def _photo(index: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), COLOURS[index % len(COLOURS)])
    ImageDraw.Draw(image).rectangle((40, 60, 280, 180), outline=(255, 255, 255), width=6)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return SimpleUploadedFile(f"现场照片{index + 1}.jpg", output.getvalue(), content_type="image/jpeg")


def _inspectors() -> dict[str, User]:
    groups = {name: services.group_save(actor=None, name=name, bodies=bodies) for name, bodies in GROUPS.items()}
    accounts = {}
    for username, full_name, group, body in INSPECTORS:
        account = User.objects.filter(username=username).first()
        if account is None:
            account = User(username=username, full_name=full_name, is_staff=False)
            account.set_password(DEMO_PASSWORD)
            account = user_save(user=account, actor=None, changed_fields=["username", "full_name", "password"])
        services.group_member_add(actor=None, group=groups[group], user=account, body=body)
        accounts[username] = account
    return accounts


def _score(inspector: User, round_site: RoundSite, shortfalls: dict[str, int], taken: datetime.datetime) -> None:
    indicators = round_site.sheet.indicators.filter(children__isnull=True).order_by("order")
    for number, indicator in enumerate(indicators):
        photos = [_photo(number)] if indicator.method == CheckMethod.PHOTO else []
        services.score_sync(
            actor=inspector,
            round_site=round_site,
            score=services.ScoreInput(
                client_id=uuid.uuid4(),
                indicator_id=indicator.pk,
                points=indicator.points - Decimal(shortfalls.get(indicator.code, 0)),
                taken_at=taken + datetime.timedelta(minutes=5 * number),
                note=NOTES.get(indicator.code, ""),
                latitude=(round_site.site.latitude or Decimal("29.85")).quantize(Decimal("0.000001")),
                longitude=(round_site.site.longitude or Decimal("115.21")).quantize(Decimal("0.000001")),
                accuracy=15,
            ),
            photos=photos,
            now=taken + datetime.timedelta(minutes=5 * number),
        )


def load_demo_inspection(*, today: datetime.date | None = None) -> int:
    """The inspection's demo (only when no round exists yet); returns the number of sites scored."""
    if Round.objects.exists():
        return 0
    today = today or timezone.localdate(timezone.now(), SHANGHAI)
    year = today.year if today >= datetime.date(today.year, 6, 21) else today.year - 1
    with transaction.atomic():
        services.sheets_seed(actor=None)
        inspectors = _inspectors()
        groups = {group.name: group for group in InspectorGroup.objects.all()}
        june = services.round_create(actor=None, name=f"{year}年便民服务中心（室）考核验收", year=year)
        towns = list(Site.objects.filter(level=SiteLevel.TOWN, code__in=TOWN_SHORTFALLS).order_by("path"))
        rooms = list(Site.objects.filter(level=SiteLevel.VILLAGE, parent__in=towns).order_by("path"))
        for site in towns:
            level = "exemplary" if site.code in EXEMPLARY else "standard"
            services.round_assign(actor=None, round_=june, site=site, group=groups["第一考核组"], level=level)
        for site in rooms:
            services.round_assign(actor=None, round_=june, site=site, group=groups["第二考核组"], level="standard")
        services.round_move(actor=None, round_=june, move="open")
        scored = 0
        for number, round_site in enumerate(june.sites.select_related("site", "sheet").order_by("site__path")):
            taken = datetime.datetime(year, 6, 2 + number % 15, 9, tzinfo=SHANGHAI)
            if round_site.site.level == SiteLevel.TOWN:
                shortfalls, inspector = TOWN_SHORTFALLS[round_site.site.code], inspectors["jiwei_inspector"]
            else:
                # The rooms: a few miss their ledger or funding, one its computer.
                shortfalls = {str(1 + number % 7): (number * 5) % 20} if number % 3 else {}
                inspector = inspectors["zhongxin_inspector"]
            _score(inspector, round_site, shortfalls, taken)
            scored += 1
        services.round_move(actor=None, round_=june, move="close", today=datetime.date(year, 6, 22))
        services.round_move(actor=None, round_=june, move="publish")
        recheck = services.round_create(
            actor=None,
            name=f"{today.year}年整改复查",
            year=today.year,
            preparation_start=today - datetime.timedelta(days=40),
            preparation_end=today - datetime.timedelta(days=31),
            implementation_start=today - datetime.timedelta(days=30),
            implementation_end=today - datetime.timedelta(days=8),
            inspection_start=today - datetime.timedelta(days=7),
            inspection_end=today + datetime.timedelta(days=14),
        )
        for site in [town for town in towns if town.code in ("BS", "FT")]:
            services.round_assign(actor=None, round_=recheck, site=site, group=groups["第一考核组"], level="standard")
        services.round_move(actor=None, round_=recheck, move="open")
    return scored
