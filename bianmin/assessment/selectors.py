"""Every read of assessment a permission limits: the county's centre administrators and supervisors read every
scheme, run and result; anyone else only the published results of the subjects they answer for."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.errors import NotFound

from .models import AssessmentRun, Objection, Scheme, SubjectResult
from .periods import period_before
from .permissions import can_read_all_results, subject_ids_of

PUBLIC_STATES = (AssessmentRun.State.PUBLISHED, AssessmentRun.State.SUPERSEDED)


def schemes_visible_to(user: User) -> QuerySet[Scheme]:
    if can_read_all_results(user):
        return Scheme.objects.all()
    return Scheme.objects.filter(runs__state__in=PUBLIC_STATES).distinct()


def scheme_get(user: User, pk: int) -> Scheme:
    scheme = schemes_visible_to(user).filter(pk=pk).first()
    if scheme is None:
        raise NotFound(_not_found())
    return scheme


def runs_visible_to(user: User) -> QuerySet[AssessmentRun]:
    runs = AssessmentRun.objects.select_related("scheme")
    return runs if can_read_all_results(user) else runs.filter(state__in=PUBLIC_STATES)


def run_get(user: User, pk: int) -> AssessmentRun:
    run = runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise NotFound(_not_found())
    return run


def results_visible_to(user: User, run: AssessmentRun) -> QuerySet[SubjectResult]:
    """The run's results in rank order (the index ``result_rank_idx``): all of them, or the user's own."""
    results = SubjectResult.objects.filter(run=run).order_by("rank", "pk")
    if can_read_all_results(user):
        return results
    if run.state not in PUBLIC_STATES:
        return results.none()
    return results.filter(subject_id__in=subject_ids_of(user, run.scheme.subject_kind))


def result_get(user: User, pk: int) -> SubjectResult:
    result = SubjectResult.objects.select_related("run__scheme").filter(pk=pk).first()
    if result is None or not results_visible_to(user, result.run).filter(pk=pk).exists():
        raise NotFound(_not_found())
    return result


def objections_visible_to(user: User) -> QuerySet[Objection]:
    objections = Objection.objects.select_related("result__run__scheme", "filed_by")
    if can_read_all_results(user):
        return objections
    return objections.filter(filed_by=user)


@dataclass(frozen=True)
class Change:
    subject_id: int
    label: str
    before: Decimal | None
    after: Decimal | None
    grade_before: str
    grade_after: str


def run_changes(run: AssessmentRun) -> list[Change] | None:
    """What changed from the version before (None for a first version): the subjects whose score or grade moved."""
    previous = (
        AssessmentRun.objects.filter(
            scheme_id=run.scheme_id, period_start=run.period_start, version__lt=run.version, computed_at__isnull=False
        )
        .order_by("-version")
        .first()
    )
    if previous is None:
        return None
    before = {r.subject_id: r for r in SubjectResult.objects.filter(run=previous).only("subject_id", "score", "grade")}
    changes = []
    for result in (
        SubjectResult.objects.filter(run=run).order_by("rank", "pk").only("subject_id", "label", "score", "grade")
    ):
        old = before.pop(result.subject_id, None)
        if old is None or old.score != result.score or old.grade != result.grade:
            changes.append(
                Change(
                    result.subject_id,
                    result.label,
                    old.score if old else None,
                    result.score,
                    old.grade if old else "",
                    result.grade,
                )
            )
    for gone in before.values():
        changes.append(Change(gone.subject_id, str(gone.subject_id), gone.score, None, gone.grade, ""))
    return changes


def previous_period_run(run: AssessmentRun) -> AssessmentRun | None:
    """The run to compare with: the previous period's published version, else its latest computed one."""
    start = period_before(run.scheme.period_kind, run.period_start)
    runs = AssessmentRun.objects.filter(scheme_id=run.scheme_id, period_start=start, computed_at__isnull=False)
    return runs.filter(state=AssessmentRun.State.PUBLISHED).first() or runs.order_by("-version").first()


def previous_scores(run: AssessmentRun) -> dict[int, tuple[Decimal, int]]:
    """subject id → (score, rank) in the previous period's run (one query)."""
    previous = previous_period_run(run)
    if previous is None:
        return {}
    return {
        subject_id: (score, rank)
        for subject_id, score, rank in SubjectResult.objects.filter(run=previous).values_list(
            "subject_id", "score", "rank"
        )
    }


def _not_found() -> str:
    return _("No such assessment result in your view.")
