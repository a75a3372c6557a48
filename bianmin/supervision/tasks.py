from django_tasks import task


@task()
def sweep_alerts() -> dict:
    """The alert sweep, every minute in the background worker (settings.PERIODIC_TASKS)."""
    from .sweep import sweep

    return sweep().as_dict()
