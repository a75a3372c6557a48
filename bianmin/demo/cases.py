"""Demo cases: a few weeks of the county's work, made through the real services with their dates injected.

Every case goes through ``cases.services`` exactly as a clerk would move it (so the timeline, the notices and
the audit chain are real); the dates are the last ~30 working days before today. The mix gives the
supervision pages something to show: cases finished on time and late, open cases that are green, yellow
and red, a late review step, a suspension, an approved extension, a repeated supplement notice, a refusal,
a withdrawal, and a case the law accepts after 5 working days without a notice.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from bianmin.accounts.models import User
from bianmin.cases import permissions, services
from bianmin.cases.idnumbers import resident_id_check_character
from bianmin.cases.models import Case, Extension, ReviewTask, Status
from bianmin.cases.workflow import actions_available
from bianmin.catalog.models import ServiceItem
from bianmin.core.models import CalendarDay
from bianmin.core.workdays import add_workdays, is_workday
from bianmin.org.models import Site

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 2026
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建华", "秀英", "志强", "丽娟", "国平", "海燕", "德胜", "春梅", "文军", "桂兰", "明", "芳", "伟", "静"]
# County items handled by the demo's county clerk and the SJ/ZR chief representatives and heads.
COUNTY_ITEMS = ["SJ-0003", "SJ-0004", "SJ-0005", "ZR-0002", "ZR-0003", "ZR-0004"]
STAFF = [
    "county_clerk",
    "market_chief",
    "land_chief",
    "market_head",
    "land_head",
    "baisha_clerk",
    "futu_clerk",
    "baishacun_agent",
    "baisha_agent",
    "baisha_leader",
    "mz_head",
]
# Town items (民政, received at the town halls) for the applications waiting at the towns: item, receiving town,
# the village room an agent relays from (None: at the town's window), working days ago.
TOWN_CASES = [
    ("MZ-0004", "BS", None, 1),
    ("MZ-0001", "BS", "BS01", 2),
    ("MZ-0003", "FT", None, 1),
]


# The moves that take an approved result to the applicant, and the hour of the day each is made.
HAND_OVER = [
    ("issue_certificate", 16),
    ("mark_ready", 16),
    ("receive_result", 16),
    ("deliver", 17),
    ("record_signature", 17),
]


class _Clock:
    """Working days counted back from today, as moments in Beijing time."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.ordinal = CalendarDay.objects.get(date=today).ordinal

    def day(self, working_days_ago: int) -> datetime.date:
        """The working day ``working_days_ago`` working days before today (today is a working day)."""
        return CalendarDay.objects.get(ordinal=self.ordinal - working_days_ago, is_workday=True).date

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)

    def next(self, day: datetime.date, days: int = 1) -> datetime.date:
        return add_workdays(day, days).date


class _Demo:
    def __init__(self, today: datetime.date) -> None:
        self.clock = _Clock(today)
        self.rng = random.Random(SEED)
        self.staff = {user.username: user for user in User.objects.filter(username__in=STAFF)}
        codes = COUNTY_ITEMS + [code for code, *_rest in TOWN_CASES]
        self.items = {item.code: item for item in ServiceItem.objects.filter(code__in=codes)}
        self.county = Site.objects.get(parent__isnull=True)
        self.serial = 0

    # --- Building blocks ------------------------------------------------------------------------------------

    def intake(self, code: str) -> services.Intake:
        self.serial += 1
        base = (
            f"4202221{self.rng.randrange(950, 999):03d}{self.rng.randrange(1, 13):02d}{self.rng.randrange(1, 28):02d}"
        )
        body = f"{base}{self.serial % 1000:03d}"
        item = self.items[code]
        return services.Intake(
            item=item,
            applicant=services.Applicant(
                name=self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                id_type="resident_id",
                id_number=body + resident_id_check_character(body),
                phone=f"139{self.rng.randrange(10**8):08d}",
                address="阳新县兴国镇",
            ),
            channel=self.rng.choice(["window", "window", "online"]),
            receiving_site=self.county,
            materials=[
                services.MaterialCheck(name=m.name, requirement_id=m.pk, original_seen=True, copy_kept=True)
                for m in item.current_version.materials.all()
            ],
        )

    def who(self, allowed: Callable[[User], bool]) -> User:
        return next(user for name, user in self.staff.items() if allowed(user))

    def submit(self, code: str, day: datetime.date) -> Case:
        return services.case_submit(
            actor=self.staff["county_clerk"], intake=self.intake(code), now=self.clock.at(day, 9)
        )

    def accept(self, case: Case, day: datetime.date) -> Case:
        return services.case_accept(actor=self.staff["county_clerk"], case=case, now=self.clock.at(day, 10))

    def step(self, case: Case, day: datetime.date) -> bool:
        """Complete the next open review step on ``day``; False when only the decision is left."""
        task = case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False).order_by("position").first()
        if task is None:
            return False
        actor = self.who(lambda user: permissions.can_complete_task(user, task))
        services.case_complete_task(
            actor=actor, task=task, outcome=ReviewTask.Outcome.AGREE, now=self.clock.at(day, 11)
        )
        return True

    def decide(self, case: Case, day: datetime.date, *, approve: bool = True) -> None:
        now = self.clock.at(day, 15)
        case.refresh_from_db()
        actor = self.who(lambda user: permissions.can(user, "decide", case, on=day))
        services.case_decide(
            actor=actor, case=case, approve=approve, reasons="" if approve else "材料不符合法定条件", now=now
        )

    def steps_until(self, case: Case, day: datetime.date, last: datetime.date) -> datetime.date:
        while day <= last and self.step(case, day):
            day = self.clock.next(day)
        return day

    # --- The mix --------------------------------------------------------------------------------------------

    def finished(self, code: str, received: int, *, late: bool = False, approve: bool = True) -> None:
        day = self.clock.day(received)
        case = self.accept(self.submit(code, day), day)
        due = case.promised_due
        day = self.steps_until(case, self.clock.next(day), self.clock.day(1))
        decide_on = self.clock.next(due, 2) if late else min(day, due)
        if decide_on > self.clock.day(1):
            decide_on = self.clock.day(1)
        while self.step(case, decide_on):
            pass
        decided_on = max(decide_on, day) if not late else decide_on
        self.decide(case, decided_on, approve=approve)
        if approve and received % 3 == 0:
            self.hand_over(case, decided_on, self.staff["county_clerk"])

    def hand_over(self, case: Case, day: datetime.date, clerk: User, *, last: str = "record_signature") -> None:
        """The result of an approved case to the applicant's hands, each move as the clerk's page offers it: the
        licence issued where the item issues one, the result marked ready (sent on where it goes back), received
        there, handed over with its delivery receipt, the signed receipt recorded; up to the move ``last``."""
        for action, hour in HAND_OVER:
            case.refresh_from_db()
            if action in actions_available(clerk, case, on=day):
                getattr(services, f"case_{action}")(actor=clerk, case=case, now=self.clock.at(day, hour))
            if action == last:
                return

    def open_case(self, code: str, received: int, steps: int) -> Case:
        day = self.clock.day(received)
        case = self.accept(self.submit(code, day), day)
        for _done in range(steps):
            day = self.clock.next(day)
            if day >= self.clock.today or not self.step(case, day):
                break
        return case

    def specials(self) -> None:
        clock = self.clock
        # Suspended for an on-site inspection (ALL art. 45): the clock is paused.
        case = self.open_case("SJ-0005", 6, 1)
        services.case_suspend(
            actor=self.staff["market_chief"],
            case=case,
            kind="inspection",
            reason="需现场核查经营场所",
            expected_days=5,
            now=clock.at(clock.day(3), 14),
        )
        # An approved extension moved the deadline (ALL art. 42).
        case = self.open_case("ZR-0002", 9, 1)
        extension = services.case_request_extension(
            actor=self.staff["county_clerk"],
            case=case,
            days=5,
            reason="涉及多户权属核实",
            now=clock.at(clock.day(2), 9),
        )
        services.case_decide_extension(
            actor=self.staff["land_head"],
            extension=Extension.objects.get(pk=extension.pk),
            approve=True,
            now=clock.at(clock.day(2), 16),
        )
        # A repeated supplement notice (an anomaly for supervision).
        day = clock.day(8)
        case = self.submit("SJ-0004", day)
        problems = [("营业执照复印件", "复印件不清晰")]
        clerk = self.staff["county_clerk"]
        services.case_request_supplement(actor=clerk, case=case, problems=problems, now=clock.at(day, 14))
        material = [services.MaterialCheck(name="营业执照复印件", original_seen=True, copy_kept=True)]
        services.case_receive_supplement(actor=clerk, case=case, materials=material, now=clock.at(clock.day(6), 10))
        services.case_request_supplement(
            actor=clerk,
            case=case,
            problems=[("食品安全管理制度", "缺少食品安全管理制度文本")],
            repeat_reason="首次告知遗漏",
            now=clock.at(clock.day(6), 15),
        )
        # Refused: outside this organ's jurisdiction.
        day = clock.day(12)
        case = self.submit("ZR-0004", day)
        services.case_refuse(
            actor=clerk,
            case=case,
            reasons="申请事项属于市级登记机构职权范围",
            competent_organ="黄石市不动产登记中心",
            now=clock.at(day, 11),
        )
        # Withdrawn by the applicant.
        case = self.open_case("SJ-0003", 4, 0)
        services.case_withdraw(actor=clerk, case=case, reason="申请人撤回申请", now=clock.at(clock.day(3), 10))
        # Received 7 working days ago and never acted on: the law accepts it as of receipt (ALL art. 32).
        self.submit("ZR-0003", clock.day(7))
        # Received today and yesterday: awaiting acceptance.
        self.submit("SJ-0004", clock.day(1))

    def town_cases(self) -> None:
        """Applications waiting at the town halls, so a town clerk's demo queue is not empty: at the town's window,
        and relayed by a village room's agent (plan 二(四): the room relays to the town that accepts the item)."""
        sites = {site.code: site for site in Site.objects.all()}
        for code, town, room, received in TOWN_CASES:
            intake = self.intake(code)
            intake.receiving_site = sites[town]
            if room is None:
                intake.channel = "window"
                actor = self.staff["baisha_clerk" if town == "BS" else "futu_clerk"]
            else:
                intake.channel = "agency"
                intake.relay_site = sites[room]
                intake.agency_authorisation = "村民委托代办书"
                actor = self.staff["baishacun_agent"]
            services.case_submit(actor=actor, intake=intake, now=self.clock.at(self.clock.day(received), 10))

    def town_results(self) -> None:
        """Two 白沙镇 applications decided by the county (结果反馈): the result of one is on its way back to the town,
        the other's has arrived there and waits to be handed over."""
        town = Site.objects.get(code="BS")
        for received, last in ((14, "mark_ready"), (12, "receive_result")):
            intake = self.intake("MZ-0001")
            intake.receiving_site, intake.channel = town, "window"
            day = self.clock.day(received)
            case = services.case_submit(actor=self.staff["baisha_clerk"], intake=intake, now=self.clock.at(day, 9))
            case = services.case_accept(actor=self.staff["baisha_clerk"], case=case, now=self.clock.at(day, 10))
            day = self.steps_until(case, self.clock.next(day), self.clock.day(3))
            self.decide(case, day)
            self.hand_over(case, day, self.staff["county_clerk"], last="mark_ready")
            if last == "receive_result":
                self.hand_over(case, self.clock.next(day), self.staff["baisha_clerk"], last=last)

    def run(self) -> int:
        codes = COUNTY_ITEMS
        for index in range(36):
            self.finished(codes[index % len(codes)], 28 - (index % 24), late=index % 9 == 4, approve=index % 11 != 7)
        for index in range(14):
            # Open, on time (green or yellow): received recently, some steps done.
            self.open_case(codes[index % len(codes)], index % 4, index % 3)
        for code, received in (("SJ-0005", 22), ("ZR-0002", 14), ("SJ-0004", 10), ("ZR-0003", 9)):
            # Open and overdue (red): accepted long ago, steps left undone.
            self.open_case(code, received, 1)
        self.specials()
        self.town_cases()
        self.town_results()
        return Case.objects.exclude(status=Status.DRAFT).count()


def load_demo_cases(*, today: datetime.date | None = None) -> int:
    """Create the demo cases once (nothing happens when the county already has cases); returns how many exist."""
    if Case.objects.exists():
        return 0
    today = today or timezone.localdate()
    while not is_workday(today):
        today -= datetime.timedelta(days=1)
    with transaction.atomic():
        return _Demo(today).run()
