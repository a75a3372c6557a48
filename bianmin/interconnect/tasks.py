import time

from django_tasks import task

# A run stops starting new batches after this many seconds, so runs a minute apart do not pile up; a backlog (the
# history, when an upper platform is first configured, or a receiver back after a long outage) drains over several.
RUN_BUDGET_SECONDS = 45


@task()
def send_outbound() -> dict:
    """Every minute in the worker (settings.PERIODIC_TASKS): collect the new upward messages and webhook events,
    then send what is due, batch after batch within the run's budget."""
    from .delivery import deliveries_send_due
    from .reporting import alerts_collect, report_collect
    from .webhooks import webhooks_collect

    started = time.monotonic()
    queued = {"cases": 0, "alerts": 0, "webhooks": 0}
    sent: dict[str, int] = {}
    while True:
        batch = {"cases": report_collect(), "alerts": alerts_collect(), "webhooks": webhooks_collect()}
        outcome = deliveries_send_due()
        for key, count in batch.items():
            queued[key] += count
        for state, count in outcome.items():
            sent[state] = sent.get(state, 0) + count
        if not any(batch.values()) and not outcome.get("acknowledged") and not outcome.get("sent"):
            break
        if time.monotonic() - started > RUN_BUDGET_SECONDS:
            break
    return {"queued": queued, "sent": sent}


@task()
def reconcile_upward() -> dict:
    """Daily: yesterday's upward report, and the recent days that did not balance, against the receiver's figures
    (reconciliation.py)."""
    from .reconciliation import reconcile_recent

    return {
        run.day.isoformat(): {"differences": len(run.differences), "error": run.error} for run in reconcile_recent()
    }
