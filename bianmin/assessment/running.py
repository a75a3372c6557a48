"""The worker's part of a run: compute every subject's score and freeze it (services.run_start queues it)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.audit import audit_record
from bianmin.core.dates import SHANGHAI
from bianmin.core.transitions import check_transition

from .compute import compute_outcomes, period_of, timer, write_results
from .models import AssessmentRun

logger = logging.getLogger(__name__)

RUN_MOVES = {
    "compute": (AssessmentRun.State.QUEUED,),
    "publish": (AssessmentRun.State.COMPUTED,),
}


def today_of(now: datetime.datetime) -> datetime.date:
    return now.astimezone(SHANGHAI).date()


def run_compute(run_id: int, *, now: datetime.datetime | None = None) -> AssessmentRun:
    """The worker's part: every subject's score in set-based SQL, written as frozen rows. The progress is saved
    between the metrics (outside the rows' transaction, so the page sees it move)."""
    with transaction.atomic():
        run = AssessmentRun.objects.select_for_update().select_related("scheme").get(pk=run_id)
        check_transition(RUN_MOVES, "compute", run.state, message=_("This run was already computed."))
        AssessmentRun.objects.filter(pk=run.pk).update(state=AssessmentRun.State.RUNNING, progress=5)
    elapsed = timer()
    now = now or timezone.now()
    period = period_of(run.scheme, run.period_start, min(today_of(now), run.period_end + datetime.timedelta(days=1)))

    def progress(percent: int) -> None:
        AssessmentRun.objects.filter(pk=run.pk).update(progress=percent)

    try:
        outcomes = compute_outcomes(run.scheme, period, progress=progress)
        with transaction.atomic():
            run = AssessmentRun.objects.select_for_update().get(pk=run_id)
            write_results(run, outcomes)
            run.state = AssessmentRun.State.COMPUTED
            run.progress = 100
            run.subjects = len(outcomes)
            run.computed_at = now
            run.duration_ms = elapsed()
            run.save(update_fields=["state", "progress", "subjects", "computed_at", "duration_ms"])
            audit_record(
                actor=None,
                action="assessment.run_compute",
                obj=run,
                payload={"subjects": run.subjects, "duration_ms": run.duration_ms},
            )
    except Exception as error:
        logger.exception("assessment run %s failed", run_id)
        AssessmentRun.objects.filter(pk=run_id).update(state=AssessmentRun.State.FAILED, error=str(error)[:2000])
        raise
    return run
