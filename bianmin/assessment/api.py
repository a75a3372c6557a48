"""Assessment results over the API, read-only: a run's results in rank order (paged) and one result item by item
with the ids of the records behind each figure; the same selectors as the pages (every result for the county's
centre administrators and supervisors, a subject's own published ones for anyone else on the staff)."""

import datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from bianmin.core.api_contract import BoundedPagination, Id, responses
from bianmin.core.errors import NotFound, PermissionDenied
from bianmin.org.selectors import user_scope

from . import selectors
from .models import AssessmentRun, SubjectResult

router = Router(tags=["assessment"])


class ResultOut(Schema):
    id: int
    run_id: int
    subject_id: int
    subject: str
    score: Decimal
    grade: str
    rank: int
    is_grade_lowered: bool
    is_quota_limited: bool
    has_award: bool

    @staticmethod
    def resolve_subject(result) -> str:
        return result.label


class ItemOut(Schema):
    name: str
    kind: str
    metric: str
    count: Decimal | None
    rate: Decimal | None
    numerator: int | None
    denominator: int | None
    points: Decimal
    is_capped: bool
    note: str
    evidence: dict[str, list[int]]


class ResultDetailOut(ResultOut):
    scheme: str
    subject_kind: str
    period_start: datetime.date
    period_end: datetime.date
    version: int
    run_state: str
    base: Decimal
    items: list[ItemOut]

    @staticmethod
    def resolve_scheme(result) -> str:
        return result.run.scheme.name

    @staticmethod
    def resolve_subject_kind(result) -> str:
        return result.run.scheme.subject_kind

    @staticmethod
    def resolve_period_start(result) -> datetime.date:
        return result.run.period_start

    @staticmethod
    def resolve_period_end(result) -> datetime.date:
        return result.run.period_end

    @staticmethod
    def resolve_version(result) -> int:
        return result.run.version

    @staticmethod
    def resolve_run_state(result) -> str:
        return result.run.state

    @staticmethod
    def resolve_base(result) -> Decimal:
        return result.run.scheme.base

    @staticmethod
    def resolve_items(result) -> list:
        return list(result.items.all())


def _staff(request) -> None:
    if not (request.auth.is_superuser or user_scope(request.auth).roles):
        raise PermissionDenied(_("Assessment results are for staff."))


def _run(request, run_id: int) -> AssessmentRun:
    try:
        return selectors.run_get(request.auth, run_id)
    except NotFound as error:
        raise Http404 from error


@router.get(
    "/runs/{run_id}/results",
    response=responses(list[ResultOut], not_found=True),
    summary="A run's results in rank order (all of them, or the caller's own)",
)
@paginate(BoundedPagination)
def run_results(request, run_id: Id):
    _staff(request)
    return selectors.results_visible_to(request.auth, _run(request, run_id))


@router.get(
    "/results/{result_id}",
    response=responses(ResultDetailOut, not_found=True),
    summary="One result, item by item, with the ids of the records behind each figure",
)
def result_detail(request, result_id: Id) -> SubjectResult:
    _staff(request)
    try:
        return selectors.result_get(request.auth, result_id)
    except NotFound as error:
        raise Http404 from error
