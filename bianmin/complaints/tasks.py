from django_tasks import task


@task()
def report_late_complaints() -> int:
    """通报: complaints still late 5 working days after a reminder, every hour in the background worker
    (settings.PERIODIC_TASKS)."""
    from .services import complaints_report_late

    return complaints_report_late()
