"""The world the access matrix (tests/test_access_matrix.py) calls every endpoint in: the demo county, one person per
role, and for each role the objects of a site in its scope and of a site outside it.

Built once per test module on the demo county inside a transaction rolled back at its end; each test runs in its own
savepoint.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from bianmin.accounts.models import User
from bianmin.assessment import services as assessment
from bianmin.assessment.models import AssessmentRun, Objection, Scheme, SubjectResult
from bianmin.assessment.running import run_compute
from bianmin.cases import inquiries, services
from bianmin.cases.models import Case, CaseMaterial, Extension, Inquiry, Notice, ReviewTask, YellowThreshold
from bianmin.catalog.models import CatalogImport
from bianmin.complaints.models import Channel, Complaint
from bianmin.complaints.services import Complainant, ComplaintIn, complaint_receive
from bianmin.core.testing import OTHER_ID_NUMBER, at, intake, steps_done, user
from bianmin.duty import services as duty
from bianmin.duty.models import DutyShift, DutySwap
from bianmin.inspection import services as inspection
from bianmin.inspection.models import Rectification as InspectionItem
from bianmin.inspection.models import Round as InspectionRound
from bianmin.inspection.models import ScorePhoto
from bianmin.interconnect.models import UPWARD, Delivery, WebhookEndpoint
from bianmin.interconnect.webhooks import webhook_register
from bianmin.licences.models import Licence
from bianmin.org import services as org
from bianmin.org.models import ExternalSystem, Role, RoleAssignment, Site, SystemToken, TokenScope, Window
from bianmin.org.tokens import MAX_RATE_LIMIT, SystemRole, system_create, token_create
from bianmin.ratings.models import Rectification
from bianmin.ratings.services import rating_submit
from bianmin.supervision.models import AccountabilityRecord, Alert, InboxMessage, SupervisionOrder
from bianmin.supervision.services.accountability import accountability_record_create
from bianmin.supervision.services.orders import order_issue
from bianmin.supervision.services.thresholds import yellow_threshold_set

NOW = at(2026, 3, 3)  # inside the demo delegations' validity
RECEIVED = at(2026, 3, 2)
PASSWORD = "matrix-pass-9"


@dataclass(frozen=True)
class Role_:
    """A role of the matrix: who logs in, and which objects are in and out of their scope (world keys)."""

    username: str | None  # None: anonymous
    in_key: str
    out_key: str
    in_site: str
    out_site: str


# The roles, each with the place its objects come from: a world key (below) for cases and everything hanging on a
# case, and a site code for the site pages. A county-wide centre administrator or supervisor has no site outside
# their scope, so the matrix uses the town's (白沙镇) ones; the county's are covered by the superuser's row.
ROLES: dict[str, Role_] = {
    "anonymous": Role_(None, "BS", "FT", "BS", "FT"),
    "applicant": Role_("matrix_applicant", "ONLINE", "FT", "BS", "FT"),
    "town_clerk": Role_("baisha_clerk", "BS", "FT", "BS", "FT"),
    "village_agent": Role_("baishacun_agent", "BS", "FT", "BS01", "FT"),
    "county_clerk": Role_("county_clerk", "YX", "BS", "YX", "BS"),
    "chief_representative": Role_("market_chief", "YX", "FT", "YX", "FT"),
    "department_head": Role_("market_head", "YX", "FT", "YX", "FT"),
    "centre_admin": Role_("matrix_town_admin", "BS", "FT", "BS", "FT"),
    "supervisor": Role_("matrix_town_supervisor", "BS", "FT", "BS", "FT"),
    "superuser": Role_("matrix_superuser", "BS", "FT", "BS", "FT"),
    # Outside systems calling with a token (issue 13): each acts as a window clerk of 白沙镇, one with every scope,
    # one with the read scopes only. They sign in nowhere: on the pages they are anonymous.
    "token_clerk": Role_(None, "BS", "FT", "BS", "FT"),
    "token_reader": Role_(None, "BS", "FT", "BS", "FT"),
}
READ_SCOPES = tuple(scope for scope in TokenScope.values if scope.endswith(".read"))
# The token callers: the role whose permissions their system's account holds, and their token's scopes.
TOKEN_CALLERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "token_clerk": ("town_clerk", tuple(TokenScope.values)),
    "token_reader": ("town_clerk", READ_SCOPES),
}


@dataclass
class Place:
    """The objects of one world key: a case and everything hanging on it."""

    case: Case
    notice: Notice
    material: CaseMaterial
    task: ReviewTask
    extension: Extension | None = None
    inquiry: Inquiry | None = None
    alert: Alert | None = None
    order: SupervisionOrder | None = None
    record: AccountabilityRecord | None = None
    complaint: Complaint | None = None  # about the case, at its current site, awaiting acceptance
    rectification: Rectification | None = None  # of the applicant's bad review of the case
    # Cases of the same place in the status a move starts from (the main case is accepted): a move is checked
    # against the transition table before the permission, so the matrix asks each move where it is allowed.
    in_status: dict[str, Case] = field(default_factory=dict)
    licence: Licence | None = None  # of an approved case of the place, issued


@dataclass
class World:
    places: dict[str, Place] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    assignments: dict[str, RoleAssignment] = field(default_factory=dict)
    inbox: dict[str, InboxMessage] = field(default_factory=dict)  # username → a message to them
    threshold: YellowThreshold | None = None
    group: Group | None = None
    access: tuple = ()  # django-axes' records of a login attempt, a login and a failure
    catalog_import: CatalogImport | None = None
    delivery: Delivery | None = None
    webhook: WebhookEndpoint | None = None
    shifts: dict[str, DutyShift] = field(default_factory=dict)  # site code → a shift on its roster, swapped once
    swaps: dict[str, DutySwap] = field(default_factory=dict)
    # A published window assessment where every window failed (so the 监察建议书 exists): its scheme, run, the
    # result of each place's window 1 (world key → result) and an objection to BS's.
    assessment_scheme: Scheme | None = None
    assessment_run: AssessmentRun | None = None
    assessment_results: dict[str, SubjectResult] = field(default_factory=dict)
    assessment_objection: Objection | None = None
    # The inspection: a published round of YX, BS, BS01 and FT, a photo and a rectification item per site code.
    inspection_round: InspectionRound | None = None
    inspection_photos: dict[str, ScorePhoto] = field(default_factory=dict)
    inspection_items: dict[str, InspectionItem] = field(default_factory=dict)
    # The token callers' tokens (role → the token's text), their systems and tokens.
    tokens: dict[str, str] = field(default_factory=dict)
    systems: dict[str, ExternalSystem] = field(default_factory=dict)
    system_tokens: dict[str, SystemToken] = field(default_factory=dict)


def _in_status(submit: Callable[..., Case]) -> dict[str, Case]:
    """A new case of the place per status a move starts from, moved there by the system (actor None)."""
    cases = {"received": submit()}
    cases["supplement_requested"] = submit()
    services.case_request_supplement(
        actor=None, case=cases["supplement_requested"], problems=[("身份证", "未提供")], now=RECEIVED
    )
    # A material missing at intake: acceptance waits for the notice or the clerk's reason it is not needed.
    cases["material_missing"] = submit(complete=False)
    cases["suspended"] = submit()
    services.case_accept(actor=None, case=cases["suspended"], now=RECEIVED)
    services.case_suspend(
        actor=None, case=cases["suspended"], kind="hearing", reason="听证", expected_days=5, now=RECEIVED
    )
    cases["approved"] = approved = submit()
    services.case_accept(actor=None, case=approved, now=RECEIVED)
    steps_done(approved, now=RECEIVED)
    services.case_decide(actor=None, case=approved, approve=True, now=NOW)
    # The result marked ready (a relayed case's is sent back to the village room), and one handed over.
    for status in ("sent", "closed"):
        cases[status] = case = submit()
        services.case_accept(actor=None, case=case, now=RECEIVED)
        steps_done(case, now=RECEIVED)
        services.case_decide(actor=None, case=case, approve=True, now=NOW)
        services.case_issue_certificate(actor=None, case=case, now=NOW)
        case = services.case_mark_ready(actor=None, case=case, now=NOW)
    if case.result_arrived_at is None:
        case = services.case_receive_result(actor=None, case=case, now=NOW)
    services.case_deliver(actor=None, case=case, now=NOW)
    for case in cases.values():
        case.refresh_from_db()
    return cases


def _place(case: Case, submit: Callable[..., Case], *, inquiry_owner: str, department_head: User) -> Place:
    supervisor = user("supervisor")
    services.case_accept(actor=department_head if case.department.code == "SJ" else None, case=case, now=RECEIVED)
    case.refresh_from_db()
    material = case.materials.order_by("pk").first()
    material.file.save(f"m{case.pk}.pdf", ContentFile(b"%PDF-1.4\n%matrix\n"), save=True)
    extension = services.case_request_extension(actor=department_head, case=case, days=3, reason="专家评审", now=NOW)
    alert = Alert.objects.create(
        rule="case_overdue_promised",
        key=f"case:{case.pk}",
        level="warning",
        case=case,
        site=case.current_site,
        department=case.department,
        item=case.item,
        responsible_role=Role.CLERK,
        raised_at=NOW,
        raised_on=NOW.date(),
    )
    order = order_issue(actor=supervisor, instruction="请按时办结。", due_days=3, case=case, now=NOW)
    record = accountability_record_create(
        actor=supervisor,
        finding="超时办理。",
        measure=AccountabilityRecord.Measure.CRITICISM,
        decided_on=NOW.date(),
        department=case.department,
        site=case.current_site,
        now=NOW,
    )
    rating = rating_submit(actor=None, case=case, channel="online", level=1, now=NOW)
    inquiry = inquiries.inquiry_log(
        actor=user(inquiry_owner), asked_by="李四", question="怎么办理？", site=case.receiving_site, now=NOW
    )
    complaint = complaint_receive(
        actor=None,
        channel=Channel.PORTAL,
        data=ComplaintIn(
            kind="complaint",
            subject="case",
            text="办理太慢。",
            complainant=Complainant(name="王小明", phone="13912345678"),
            tracking_number=case.tracking_number,
        ),
        now=NOW,
    )
    return Place(
        case=case,
        complaint=complaint,
        notice=case.notices.order_by("pk").first(),
        material=material,
        task=case.tasks.order_by("pk").first(),
        extension=extension,
        inquiry=inquiry,
        alert=alert,
        order=order,
        record=record,
        rectification=Rectification.objects.get(rating=rating),
        in_status=_in_status(submit),
        licence=_licence(submit),
    )


def _licence(submit: Callable[[], Case]) -> Licence:
    """A licence of the place: a case approved and its certificate issued by the system."""
    case = submit()
    services.case_accept(actor=None, case=case, now=RECEIVED)
    steps_done(case, now=RECEIVED)
    services.case_decide(actor=None, case=case, approve=True, now=NOW)
    services.case_issue_certificate(actor=None, case=case, now=NOW)
    return Licence.objects.get(case=case)


def _token_callers(world: World) -> None:
    for role, (_acts_as, scopes) in TOKEN_CALLERS.items():
        system = system_create(
            actor=None,
            code=f"matrix-{role.replace('_', '-')}",
            name=role,
            roles=[SystemRole(Role.CLERK, site=world.sites["BS"])],
        )
        token, text = token_create(
            actor=None,
            system=system,
            name=role,
            scopes=list(scopes),
            expires_at=NOW + datetime.timedelta(days=30),
            rate_limit_per_minute=MAX_RATE_LIMIT,
        )
        world.systems[role], world.system_tokens[role], world.tokens[role] = system, token, text


def world_build() -> World:
    """The world on the demo county (loaded by the caller)."""
    world = World()
    User.objects.create_user(username="matrix_applicant", password=PASSWORD, full_name="张三")
    town_admin = User.objects.create_user(username="matrix_town_admin", password=PASSWORD)
    org.role_assign(actor=None, user=town_admin, role=Role.CENTRE_ADMIN, site=Site.objects.get(code="BS"))
    town_supervisor = User.objects.create_user(username="matrix_town_supervisor", password=PASSWORD)
    org.role_assign(actor=None, user=town_supervisor, role=Role.SUPERVISOR, site=Site.objects.get(code="BS"))
    User.objects.create_superuser(username="matrix_superuser", password=PASSWORD)

    # A case relayed from the village room BS01 and received at the town hall BS; one of another town (FT) — both
    # of an item the town decides (XF-0001), so they stay at the town; one of the market department (SJ) at the
    # county centre (YX); the applicant's own online application.
    def submitter(username: str, *args, **kwargs) -> Callable[..., Case]:
        return lambda **more: services.case_submit(
            actor=user(username), intake=intake(*args, **kwargs, **more), now=RECEIVED
        )

    submit = {
        "BS": submitter("baishacun_agent", "XF-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书"),
        # Another town's and the online case are a namesake's: one applicant's open case of the same item at
        # another site or by another channel would be a duplicate application (禁止两头受理).
        "FT": submitter("futu_clerk", "XF-0001", "FT", id_number=OTHER_ID_NUMBER),
        "YX": submitter("county_clerk", "SJ-0004", "YX"),
        "ONLINE": submitter("matrix_applicant", "SJ-0004", "YX", channel="online", id_number=OTHER_ID_NUMBER),
    }
    bs, ft, yx, online = (submit[key]() for key in ("BS", "FT", "YX", "ONLINE"))
    town_item_head = User.objects.create_user(username="matrix_xf_head", password=PASSWORD)
    org.role_assign(actor=None, user=town_item_head, role=Role.DEPARTMENT_HEAD, department=bs.department)
    market_head = user("market_head")
    world.places["BS"] = _place(bs, submit["BS"], inquiry_owner="baisha_clerk", department_head=town_item_head)
    world.places["FT"] = _place(ft, submit["FT"], inquiry_owner="futu_clerk", department_head=town_item_head)
    world.places["YX"] = _place(yx, submit["YX"], inquiry_owner="county_clerk", department_head=market_head)
    world.places["ONLINE"] = _place(online, submit["ONLINE"], inquiry_owner="county_clerk", department_head=market_head)

    world.sites = {site.code: site for site in Site.objects.filter(code__in=["YX", "BS", "BS01", "FT"])}
    _token_callers(world)
    world.windows = {
        code: Window.objects.filter(site__code=code).order_by("number").first() for code in ["YX", "BS", "FT"]
    }
    world.windows["BS01"] = world.windows["BS"]  # a village room has no window: its town's
    world.assignments = {
        code: RoleAssignment.objects.filter(site__code=code).order_by("pk").first()
        for code in ["YX", "BS", "BS01", "FT"]
    }
    for code, site in world.sites.items():
        shift = duty.shift_save(
            actor=None, site=site, date=NOW.date(), period="day", cadre_name="值班员", phone="13900000000"
        )
        world.swaps[code] = duty.shift_swap(
            actor=None,
            shift=shift,
            cadre_name="替班员",
            phone="13900000001",
            approved_by=user("centre_admin"),
            reason="出差",
            now=NOW,
        )
        world.shifts[code] = shift
    now = NOW
    for username in [r.username for r in ROLES.values() if r.username] + ["futu_clerk"]:
        world.inbox[username] = InboxMessage.objects.create(recipient=user(username), subject="提醒", created_at=now)
    world.threshold = yellow_threshold_set(
        actor=user("supervisor"), department=yx.department, days_left=2, share_used_percent=None
    )
    world.group = Group.objects.create(name="matrix")
    seen = {"ip_address": "10.0.0.9", "user_agent": "matrix", "username": "nobody", "http_accept": "*/*"}
    world.access = (
        AccessAttempt.objects.create(**seen, path_info="/accounts/login/", failures_since_start=1),
        AccessLog.objects.create(**seen, path_info="/accounts/login/"),
        AccessFailureLog.objects.create(**seen, path_info="/accounts/login/"),
    )
    world.catalog_import = CatalogImport.objects.create(
        created_by=user("centre_admin"), filename="目录.xlsx", file=ContentFile(b"x", name="matrix.xlsx")
    )
    world.webhook, _secret = webhook_register(
        actor=None, name="matrix", url="http://127.0.0.1:9/events", event_types=["case.submit"]
    )
    world.delivery = Delivery.objects.create(
        message_id="matrix-1",
        destination=UPWARD,
        message_type="case_basic",
        day=NOW.date(),
        body={"message_id": "matrix-1"},
        created_at=NOW,
        next_attempt_at=NOW,
    )
    _assessment(world)
    _inspection(world)
    return world


def _assessment(world: World) -> None:
    admin = user("centre_admin")
    scheme = assessment.scheme_create(
        actor=admin,
        name="矩阵考核",
        subject_kind="window",
        period_kind="month",
        pass_from=101,
        good_from=102,
        excellent_from=103,
        now=NOW,
    )
    assessment.scheme_item_add(
        actor=admin, scheme=scheme, name="超时", kind="points", metric="overdue_cases", per_event=-5, cap=15
    )
    world.assessment_scheme = assessment.scheme_activate(actor=admin, scheme=scheme)
    run = assessment.run_start(actor=admin, scheme=scheme, period_start=NOW.date().replace(day=1), now=NOW)
    run_compute(run.pk, now=NOW)
    world.assessment_run = assessment.run_publish(actor=admin, run=run, now=NOW)
    for key, code in (("BS", "BS"), ("FT", "FT"), ("YX", "YX"), ("ONLINE", "YX")):
        world.assessment_results[key] = run.results.get(subject_id=world.windows[code].pk)
    world.assessment_objection = assessment.objection_file(
        actor=user("baisha_clerk"), result=world.assessment_results["BS"], reason="有误", now=NOW
    )


def _inspection(world: World) -> None:
    """A published inspection round of YX, BS, BS01 and FT: each site's first indicator scored with a photo by the
    superuser (who may score any site), every other indicator failed, so each site has a photo and items to rectify."""
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from bianmin.core.testing import picture

    inspection.sheets_seed(actor=None)
    group = inspection.group_save(actor=None, name="考核组", bodies=["discipline"])
    round_ = inspection.round_create(actor=None, name="考核验收", year=2026)
    for code in ["YX", "BS", "BS01", "FT"]:
        inspection.round_assign(actor=None, round_=round_, site=world.sites[code], group=group, level="standard")
    inspection.round_move(actor=None, round_=round_, move="open")
    superuser = User.objects.get(username="matrix_superuser")
    for round_site in round_.sites.select_related("sheet", "site"):
        indicator = round_site.sheet.indicators.filter(children__isnull=True).order_by("order").first()
        photo = SimpleUploadedFile("p.jpg", picture("JPEG"), content_type="image/jpeg")
        entry, _created = inspection.score_sync(
            actor=superuser,
            round_site=round_site,
            score=inspection.ScoreInput(uuid.uuid4(), indicator.pk, indicator.points, NOW),
            photos=[photo],
            now=NOW,
        )
        world.inspection_photos[round_site.site.code] = entry.photos.get()
    inspection.round_move(actor=None, round_=round_, move="close", today=NOW.date())
    inspection.round_move(actor=None, round_=round_, move="publish")
    world.inspection_round = round_
    for item in InspectionItem.objects.select_related("round_site__site").order_by("pk"):
        world.inspection_items.setdefault(item.round_site.site.code, item)
