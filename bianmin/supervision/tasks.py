from django_tasks import task


@task()
def sweep_alerts() -> dict:
    return {}
