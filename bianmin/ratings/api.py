"""好差评 over the API: the applicant submits a rating; staff list the ratings and rectification tasks in their scope.

Everything the staff's ratings pages do is here too: one rectification task with its rating, appeals and the moves
the caller may make; each move (verify, rectify, call back, record the outcome, appeal with its evidence file,
uphold or reject the appeal) through its one service of ``services``; an appeal's evidence file; the appeals
waiting for a supervisor; the standard's figures for a month by site, department, window, staff member or item.
The windows' tablet links and the clerk's "ask for a rating" are the tablet's, a device's, not API operations.

The applicant is verified as on the pages: the session that verified the case on the tracking page (tracking
number plus query code, or plus the ID tail and an SMS code) may rate it; a visitor who has not is told to (401
``applicant_not_verified``), a signed-in person gets 404. The request
carries the CSRF token like every session write. Staff can never rate (``rating_submit`` refuses them: 403). The
lists read through the selectors (another town's records are not there) and are paged.
"""

import datetime
from decimal import Decimal

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.utils import check_csrf
from pydantic import ConfigDict

from bianmin.cases.public_views import session_case
from bianmin.cases.selectors import cases_visible_to
from bianmin.core.api_contract import BoundedPagination, ErrorOut, Id, choice, plain_text, responses
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.idempotency import OPENAPI_PARAMETER, idempotent
from bianmin.org.models import Role
from bianmin.org.selectors import user_scope

from . import services
from .models import BAD_LEVELS, INDICATORS, Appeal, Channel, Level, Rectification
from .selectors import (
    DIMENSIONS,
    appeals_pending_for,
    dimension_names,
    may_see_figures,
    month_bounds,
    rating_figures,
    ratings_visible_to,
    rectification_get_for_user,
    rectifications_visible_to,
    worst_indicators,
    worst_tags,
)
from .services import rating_submit

router = Router(tags=["ratings"])


class NotVerified(DomainError):
    """The caller has not verified this case on the tracking page (the applicant's way in): 401."""

    code = "applicant_not_verified"
    status = 401


class RatingIn(Schema):
    channel: str = Field(Channel.ONLINE, pattern="^(online|sms)$", description="online or sms (the text's link).")
    level: int = Field(..., ge=1, le=5, description="5 very satisfied … 1 very dissatisfied.")
    indicators: dict[str, int] = Field(
        default_factory=dict, description=f"The channel's national indicators, 1–5: {', '.join(INDICATORS)}."
    )
    tags: list[plain_text(20)] = Field(default_factory=list, max_length=10)
    comment: plain_text(500) = ""
    is_named: bool = True


class RatingOut(Schema):
    id: int
    case_id: int
    channel: str
    level: int
    level_label: str
    is_default: bool
    is_excluded: bool
    rated_on: datetime.date
    site_id: int
    department_id: int
    window_id: int | None
    item_id: int
    is_bad: bool

    @staticmethod
    def resolve_level_label(rating) -> str:
        return str(Level(rating.level).label)

    @staticmethod
    def resolve_is_bad(rating) -> bool:
        return rating.level in BAD_LEVELS


class RectificationOut(Schema):
    id: int
    case_id: int
    tracking_number: str
    state: str
    state_label: str
    site_id: int
    department_id: int
    handler_id: int | None
    opened_at: datetime.datetime
    due: datetime.date
    fix_level: int | None

    @staticmethod
    def resolve_tracking_number(task) -> str:
        return task.case.tracking_number or ""

    @staticmethod
    def resolve_state_label(task) -> str:
        return str(task.get_state_display())


@router.post(
    "/cases/{tracking_number}",
    response=responses(RatingOut, status=201, not_found=True, write=True),
    auth=None,
    summary="The applicant rates their case (session verified on the tracking page)",
)
def rating_create(request, tracking_number: plain_text(32, min_length=1), payload: RatingIn):
    # No authentication scheme runs here (the applicant has no account), so the session's CSRF check is made here.
    if check_csrf(request) is not None:
        raise PermissionDenied(_("The security token is missing or wrong: reload the page."), code="forbidden")
    case = session_case(request, tracking_number)
    if case is None and not request.user.is_authenticated:
        raise NotVerified(_("Find your case on the tracking page first, then rate it."))
    if case is None:
        raise Http404
    rating = rating_submit(
        actor=request.user,
        case=case,
        channel=payload.channel,
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
        is_named=payload.is_named,
    )
    return Status(201, rating)


@router.get("/", response=responses(list[RatingOut]), summary="Ratings of the caller's sites and departments")
@paginate(BoundedPagination)
def rating_list(request):
    return ratings_visible_to(request.user).order_by("-rated_at", "-pk")


class RectificationFilters(Schema):
    state: choice(Rectification.State) | None = None
    overdue: bool = Field(False, description="Only those awaiting a move past their due date.")


@router.get(
    "/rectifications",
    response=responses(list[RectificationOut]),
    summary="Rectification tasks of bad reviews in the caller's scope",
)
@paginate(BoundedPagination)
def rectification_list(request, filters: Query[RectificationFilters]):
    tasks = rectifications_visible_to(request.user)
    if filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.overdue:
        tasks = tasks.filter(state__in=Rectification.AWAITING, due__lt=timezone.localdate())
    return tasks.order_by("-opened_at", "-pk")


class AppealOut(Schema):
    id: int
    state: str
    reason: str
    has_evidence: bool
    evidence_name: str
    filed_by_id: int
    filed_at: datetime.datetime
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    decision_note: str

    @staticmethod
    def resolve_has_evidence(appeal: Appeal) -> bool:
        return bool(appeal.evidence)


class RectificationDetail(RectificationOut):
    """One task as its page shows it: the review, what was done, the appeals and the caller's moves."""

    level: int
    comment: str
    tags: list[str]
    is_named: bool
    is_founded: bool | None
    findings: str
    measures: str
    callback_note: str
    outcome: str
    is_overdue: bool
    appeals: list[AppealOut]
    actions: list[str] = Field(description="The moves the caller may make now: their paths under this task.")

    @staticmethod
    def resolve_level(task) -> int:
        return task.rating.level

    @staticmethod
    def resolve_comment(task) -> str:
        return task.rating.comment

    @staticmethod
    def resolve_is_named(task) -> bool:
        return task.rating.is_named

    @staticmethod
    def resolve_tags(task) -> list[str]:
        return sorted(tag.tag for tag in task.rating.tags.all())

    @staticmethod
    def resolve_is_overdue(task) -> bool:
        return task.state in Rectification.AWAITING and task.due < timezone.localdate()

    @staticmethod
    def resolve_appeals(task) -> list:
        return sorted(task.appeals.all(), key=lambda appeal: (appeal.filed_at, appeal.pk))

    @staticmethod
    def resolve_actions(task, context) -> list[str]:
        user = context["request"].auth
        return [action.replace("_", "-") for action in services.rectification_actions_for(user, task)]


def _task(request, rectification_id: int) -> Rectification:
    task = rectification_get_for_user(request.auth, rectification_id)
    if task is None:
        raise Http404
    return task


def _task_detail(request, rectification_id: int) -> RectificationDetail:
    task = (
        rectifications_visible_to(request.auth)
        .prefetch_related("rating__tags", "appeals")
        .filter(pk=rectification_id)
        .first()
    )
    if task is None:
        raise Http404
    return RectificationDetail.model_validate(task, context={"request": request})


@router.get(
    "/rectifications/{rectification_id}",
    response=responses(RectificationDetail, not_found=True),
    summary="One rectification task: the review, what was done, its appeals, the caller's moves",
)
def rectification_get(request, rectification_id: Id):
    return _task_detail(request, rectification_id)


@router.get(
    "/rectifications/{rectification_id}/appeals/{appeal_id}/evidence",
    response=responses(None, not_found=True),
    summary="An appeal's evidence file, for those who see the task",
    openapi_extra={"responses": {200: {"description": "The file", "content": {"application/octet-stream": {}}}}},
)
def appeal_evidence(request, rectification_id: Id, appeal_id: Id):
    task = _task(request, rectification_id)
    appeal = task.appeals.filter(pk=appeal_id).exclude(evidence="").first()
    if appeal is None:
        raise Http404
    return FileResponse(appeal.evidence.open("rb"), as_attachment=True, filename=appeal.evidence_name or "evidence")


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


MoveText = plain_text(5000, min_length=1)


class RectificationVerifyIn(Input):
    is_founded: bool
    findings: MoveText


class RectificationRectifyIn(Input):
    measures: MoveText


class RectificationNoteIn(Input):
    note: MoveText


class RectificationOutcomeIn(Input):
    outcome: MoveText


def _move(path: str, *, summary: str):
    def register(view):
        return router.post(
            f"/rectifications/{{rectification_id}}/{path}",
            response=responses(RectificationDetail, not_found=True, write=True),
            summary=summary,
            openapi_extra={"parameters": [OPENAPI_PARAMETER]},
        )(idempotent(view))

    return register


@_move("verify", summary="Verify the review: founded or not, and what the verification found")
def rectification_verify(request, rectification_id: Id, payload: RectificationVerifyIn):
    services.rectification_verify(
        actor=request.auth,
        rectification=_task(request, rectification_id),
        is_founded=payload.is_founded,
        findings=payload.findings,
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("rectify", summary="Record what was rectified")
def rectification_rectify(request, rectification_id: Id, payload: RectificationRectifyIn):
    services.rectification_rectify(
        actor=request.auth, rectification=_task(request, rectification_id), measures=payload.measures
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("call-back", summary="Record what the applicant said on the call back")
def rectification_call_back(request, rectification_id: Id, payload: RectificationNoteIn):
    services.rectification_call_back(
        actor=request.auth, rectification=_task(request, rectification_id), note=payload.note
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("record-outcome", summary="Record the outcome: the task is done")
def rectification_record_outcome(request, rectification_id: Id, payload: RectificationOutcomeIn):
    services.rectification_record_outcome(
        actor=request.auth, rectification=_task(request, rectification_id), outcome=payload.outcome
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("appeal", summary="Appeal the review (申诉), with the reasons and an optional evidence file (multipart)")
def rectification_appeal(
    request, rectification_id: Id, reason: Form[MoveText], evidence: File[UploadedFile | None] = None
):
    """The evidence is checked by its bytes as every upload (a PDF, JPEG or PNG; 400 ``upload_refused``)."""
    services.appeal_file(
        actor=request.auth, rectification=_task(request, rectification_id), reason=reason, evidence=evidence
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("uphold", summary="Uphold the appeal: the review leaves every figure (a supervisor of the jurisdiction)")
def appeal_uphold(request, rectification_id: Id, payload: RectificationNoteIn):
    services.appeal_decide(
        actor=request.auth, rectification=_task(request, rectification_id), uphold=True, note=payload.note
    )
    return Status(200, _task_detail(request, rectification_id))


@_move("reject", summary="Reject the appeal: the task goes on where it was (a supervisor of the jurisdiction)")
def appeal_reject(request, rectification_id: Id, payload: RectificationNoteIn):
    services.appeal_decide(
        actor=request.auth, rectification=_task(request, rectification_id), uphold=False, note=payload.note
    )
    return Status(200, _task_detail(request, rectification_id))


class PendingAppealOut(AppealOut):
    rectification_id: int
    tracking_number: str
    site_id: int
    department_id: int

    @staticmethod
    def resolve_tracking_number(appeal: Appeal) -> str:
        return appeal.rectification.case.tracking_number or ""

    @staticmethod
    def resolve_site_id(appeal: Appeal) -> int:
        return appeal.rectification.site_id

    @staticmethod
    def resolve_department_id(appeal: Appeal) -> int:
        return appeal.rectification.department_id


@router.get(
    "/appeals",
    response=responses(list[PendingAppealOut]) | {403: ErrorOut},
    summary="Appeals waiting for a supervisor of the caller's jurisdiction, oldest first",
)
@paginate(BoundedPagination)
def appeal_list(request):
    if not user_scope(request.auth).roles & {Role.SUPERVISOR} and not request.auth.is_superuser:
        raise PermissionDenied(_("Only supervisors decide appeals."))
    return appeals_pending_for(request.auth)


class RatingFiguresIn(Schema):
    month: str | None = Field(
        None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM (1900–2099); this month if absent."
    )
    by: str = Field("site", pattern=f"^({'|'.join(DIMENSIONS)})$", description="site, department, window, staff, item")


class RatingFiguresOut(Schema):
    key: int | None = Field(description="The site's, department's, window's, person's or item's id (none: total).")
    name: str
    total: int
    good: int
    active: int
    active_good: int
    default: int
    bad: int
    replied: int
    rectified: int
    fix_rated: int
    fix_good: int
    closed_cases: int | None
    unrated_cases: int | None
    good_rate: Decimal | None
    active_good_rate: Decimal | None
    unrated_rate: Decimal | None
    reply_rate: Decimal | None
    rectified_rate: Decimal | None
    fix_satisfaction_rate: Decimal | None


class RatingTagCountOut(Schema):
    code: str
    label: str
    count: int


class RatingIndicatorOut(RatingTagCountOut):
    average: Decimal


class RatingFiguresReport(Schema):
    start: datetime.date
    end: datetime.date
    by: str
    rows: list[RatingFiguresOut]
    total: RatingFiguresOut
    indicators: list[RatingIndicatorOut] = Field(description="The national indicators by their average, worst first.")
    tags: list[RatingTagCountOut] = Field(description="The tags most often ticked with bad reviews.")


def _figures(row, name: str) -> dict:
    fields = RatingFiguresOut.model_fields
    return {field: (name if field == "name" else getattr(row, field)) for field in fields}


@router.get(
    "/figures",
    response=responses(RatingFiguresReport) | {403: ErrorOut},
    summary="The standard's figures (GB/T 39735-2020) for a month, over the caller's scope",
)
def figures(request, filters: Query[RatingFiguresIn]):
    """Centre administrators, department heads and supervisors, as on the figures page."""
    if not may_see_figures(request.auth):
        raise PermissionDenied(_("Only centre administrators, department heads and supervisors see the figures."))
    today = timezone.localdate()
    year, month = (int(part) for part in filters.month.split("-")) if filters.month else (today.year, today.month)
    start, end = month_bounds(year, month)
    ratings = ratings_visible_to(request.auth)
    cases = cases_visible_to(request.auth)
    rows = rating_figures(start=start, end=end, by=filters.by, ratings=ratings, cases=cases)
    total = rating_figures(start=start, end=end, ratings=ratings, cases=cases)[0]
    names = dimension_names(filters.by, [row.key for row in rows])
    return {
        "start": start,
        "end": end,
        "by": filters.by,
        "rows": [_figures(row, names.get(row.key, "—")) for row in rows],
        "total": _figures(total, str(pgettext("figures", "Total"))),
        "indicators": [{**row, "label": str(row["label"])} for row in worst_indicators(ratings, start=start, end=end)],
        "tags": [{**row, "label": str(row["label"])} for row in worst_tags(ratings, start=start, end=end)],
    }
