"""The catalogue's background work: importing an uploaded workbook while the upload page polls its progress."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record

from .excel import CatalogImportError, catalog_import
from .models import CatalogImport

logger = logging.getLogger(__name__)


@transaction.atomic
def catalog_import_start(*, actor: User, upload: UploadedFile) -> CatalogImport:
    """Store an uploaded workbook as an import job and queue it for the worker once the job is committed."""
    job = CatalogImport(created_by=actor, filename=(upload.name or "")[:200])
    job.file.save(upload.name or "catalog.xlsx", upload, save=False)
    job.save()
    audit_record(actor=actor, action="catalog.import_upload", obj=job, payload={"file": job.filename})
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: run_catalog_import.enqueue(job.pk, language))
    return job


def _finish(job: CatalogImport, status: str, **values) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    job.status = status
    job.finished_at = timezone.now()
    job.save()


@task()
def run_catalog_import(job_id: int, language: str | None = None) -> str:
    """Check and import one uploaded workbook; the job records the progress, then the counts or every error.

    ``language`` is the uploader's, so the reasons on the job page read in it.
    """
    job = CatalogImport.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != CatalogImport.Status.PENDING:
        # Deleted, or already handled by an earlier delivery of the same task.
        return job.status if job is not None else "missing"
    job.status = CatalogImport.Status.RUNNING
    job.save(update_fields=["status"])
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as stored:
                data = stored.read()
            result = catalog_import(actor=job.created_by, data=data, job=job)
        except CatalogImportError as invalid:
            _finish(job, CatalogImport.Status.FAILED, errors=[error.as_dict() for error in invalid.errors])
        except Exception:
            # Never leave the page polling a job nobody runs: record the failure, then let the worker log it.
            reason = _("The import stopped because of an unexpected error, so nothing was changed. Try again later.")
            _finish(
                job, CatalogImport.Status.FAILED, errors=[{"sheet": "", "row": None, "column": "", "reason": reason}]
            )
            logger.exception("Catalogue import %s failed unexpectedly.", job_id)
            raise
        else:
            _finish(
                job,
                CatalogImport.Status.SUCCEEDED,
                created_items=result.created,
                updated_items=result.updated,
                processed_rows=job.total_rows,
            )
    return job.status
