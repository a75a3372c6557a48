from django_tasks import task


@task()
def remind_expiring_licences() -> int:
    """The reminder before a licence expires (LICENCE_EXPIRY_REMINDER_DAYS), once a day in the background worker
    (settings.PERIODIC_TASKS)."""
    from .services import licences_remind_expiring

    return licences_remind_expiring()
