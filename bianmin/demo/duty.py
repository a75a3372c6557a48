"""Demo duty roster (干部值班): a cadre on duty each half working day at every town hall, from two weeks back to the end
of next week, set through the roster's services by the centre administrator (so they are audited)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.core.workdays import is_workday
from bianmin.duty.models import DutyShift, Period
from bianmin.duty.services import shift_save
from bianmin.org.models import Site, SiteLevel

from .cases import SHANGHAI

# Per town hall: the cadres taking turns, (name, title, phone).
CADRES = {
    "BS": [
        ("胡德明", "副镇长", "13971100101"),
        ("柯春燕", "党委委员", "13971100102"),
        ("石建华", "人大主席", "13971100103"),
    ],
    "FT": [("明志远", "副镇长", "13971100201"), ("刘秀芳", "纪委书记", "13971100202")],
    "SX": [("陈立新", "副镇长", "13971100301"), ("费丽萍", "组织委员", "13971100302")],
    "WY": [("王国庆", "副镇长", "13971100401"), ("吴海燕", "宣传委员", "13971100402")],
    "FC": [("朱文斌", "副镇长", "13971100501"), ("卫小红", "武装部长", "13971100502")],
    "TZ": [("程建军", "副镇长", "13971100601"), ("柯美玲", "党委委员", "13971100602")],
}
DAYS_BACK, DAYS_AHEAD = 14, 12


def load_demo_duty(*, today: datetime.date | None = None) -> int:
    """The roster of every town hall around today (only when no shift exists yet); returns the shifts set."""
    today = today or timezone.localdate(timezone.now(), SHANGHAI)
    if DutyShift.objects.exists():
        return 0
    keeper = User.objects.get(username="centre_admin")
    halls = {site.code: site for site in Site.objects.filter(level=SiteLevel.TOWN, code__in=CADRES)}
    created = 0
    with transaction.atomic():
        for offset in range(-DAYS_BACK, DAYS_AHEAD + 1):
            day = today + datetime.timedelta(days=offset)
            if not is_workday(day):
                continue
            for code, site in sorted(halls.items()):
                cadres = CADRES[code]
                for turn, period in enumerate((Period.MORNING, Period.AFTERNOON)):
                    name, title, phone = cadres[(day.toordinal() * 2 + turn) % len(cadres)]
                    shift_save(
                        actor=keeper, site=site, date=day, period=period, cadre_name=name, phone=phone, title=title
                    )
                    created += 1
    return created
