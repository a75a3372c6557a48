from django_tasks import task


@task()
def send_outbound() -> dict:
    """Every minute in the worker (settings.PERIODIC_TASKS): collect the new upward messages and webhook events,
    then send what is due."""
    from .delivery import deliveries_send_due
    from .reporting import alerts_collect, report_collect
    from .webhooks import webhooks_collect

    queued = {"cases": report_collect(), "alerts": alerts_collect(), "webhooks": webhooks_collect()}
    return {"queued": queued, "sent": deliveries_send_due()}


@task()
def reconcile_upward() -> dict:
    """Daily: yesterday's upward report against the receiver's figures (reconciliation.py)."""
    from .reconciliation import reconcile_yesterday

    run = reconcile_yesterday()
    return {"day": run.day.isoformat(), "differences": len(run.differences), "error": run.error} if run else {}
