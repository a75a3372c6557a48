"""The worker's periodic case sweeps (run by `manage.py scheduler` through the task queue)."""

from __future__ import annotations

import datetime
import logging

from django.core.files.storage import default_storage
from django.utils import timezone
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


DRAFT_FOLDER = "cases/drafts"
# Online drafts live in the applicant's session (2 weeks at most); their uploads are kept a little longer.
DRAFT_UPLOAD_AGE = datetime.timedelta(days=15)


@task()
def purge_abandoned_drafts(now: str | None = None) -> int:
    """Delete uploads of online drafts nobody submitted (their session has expired); returns how many."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    removed = 0
    try:
        folders, _files = default_storage.listdir(DRAFT_FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        path = f"{DRAFT_FOLDER}/{folder}"
        _subfolders, files = default_storage.listdir(path)
        for name in files:
            if moment - default_storage.get_modified_time(f"{path}/{name}") > DRAFT_UPLOAD_AGE:
                default_storage.delete(f"{path}/{name}")
                removed += 1
    return removed
