"""The worker's periodic case sweeps (run by `manage.py scheduler` through the task queue)."""

from __future__ import annotations

import logging

from django_tasks import task

from .services import cases_apply_silence, cases_deem_accepted

logger = logging.getLogger(__name__)


@task()
def sweep_cases() -> dict[str, int]:
    """ALL art. 32 deemed acceptance, and joint items' consent by silence; both idempotent."""
    result = {"deemed_accepted": cases_deem_accepted(), "consent_by_silence": cases_apply_silence()}
    if any(result.values()):
        logger.info("Case sweep: %s", result)
    return result
