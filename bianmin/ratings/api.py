"""好差评 over the API: the applicant submits a rating; staff list the ratings and rectification tasks in their scope.

The applicant is verified as on the pages: the session that verified the case on the tracking page (tracking
number plus query code, or plus the ID tail and an SMS code) may rate it; a visitor who has not is told to (401
``applicant_not_verified``), a signed-in person gets 404. The request
carries the CSRF token like every session write. Staff can never rate (``rating_submit`` refuses them: 403). The
lists read through the selectors (another town's records are not there) and are paged.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.utils import check_csrf

from bianmin.cases.public_views import session_case
from bianmin.core.api_contract import BoundedPagination, plain_text, responses
from bianmin.core.errors import DomainError, PermissionDenied

from .models import BAD_LEVELS, INDICATORS, Channel, Level
from .selectors import ratings_visible_to, rectifications_visible_to
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


@router.get(
    "/rectifications",
    response=responses(list[RectificationOut]),
    summary="Rectification tasks of bad reviews in the caller's scope",
)
@paginate(BoundedPagination)
def rectification_list(request):
    return rectifications_visible_to(request.user).order_by("-opened_at", "-pk")
