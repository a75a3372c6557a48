import datetime

from django_tasks import task

from .figures import figures_refresh


@task()
def refresh_daily_figures(
    *, days: list[datetime.date | str] | None = None, now: datetime.datetime | str | None = None
) -> dict:
    """Every minute (settings.PERIODIC_TASKS): today's and yesterday's figures and any day touched since the
    last refresh; or exactly ``days``. Dates and times may come as ISO strings (task arguments are JSON)."""
    if days is not None:
        days = [day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day) for day in days]
    if isinstance(now, str):
        now = datetime.datetime.fromisoformat(now)
    return figures_refresh(days=days, now=now)
