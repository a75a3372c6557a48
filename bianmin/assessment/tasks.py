from django_tasks import task


@task()
def compute_assessment_run(run_id: int) -> int:
    """Computes one queued assessment run in the background worker (running.run_compute). A run computed already
    (the demo computes its runs at once; a task can be delivered twice) is left as it is: nothing to do, no error."""
    from .models import AssessmentRun
    from .running import run_compute

    if not AssessmentRun.objects.filter(pk=run_id, state=AssessmentRun.State.QUEUED).exists():
        return 0
    return run_compute(run_id).subjects
