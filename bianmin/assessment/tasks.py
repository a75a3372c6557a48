from django_tasks import task


@task()
def compute_assessment_run(run_id: int) -> int:
    """Computes one queued assessment run in the background worker (running.run_compute)."""
    from .running import run_compute

    return run_compute(run_id).subjects
