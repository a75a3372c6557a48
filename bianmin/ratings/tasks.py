from django_tasks import task


@task()
def apply_default_ratings() -> int:
    """The county's optional default rating (RATINGS_DEFAULT_AFTER_DAYS), once a day in the background worker
    (settings.PERIODIC_TASKS); nothing while the setting is 0."""
    from .services import ratings_default_apply

    return ratings_default_apply()
