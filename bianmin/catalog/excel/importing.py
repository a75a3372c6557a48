"""Importing a catalogue workbook as drafts, all or nothing: nothing is written unless the whole file is valid,
and nothing is published."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError
from bianmin.org.models import Department

from ..models import CatalogImport, ServiceItem
from ..services import ContentInvalid, can_edit_catalog, draft_replace, item_create
from .parsing import CellError, ParsedItem, locate, parse_catalog, sorted_errors
from .sheets import ITEMS


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class CatalogImportError(DomainError):
    """The workbook cannot be imported; ``errors`` lists every problem, and nothing was changed."""

    code = "catalog_import_invalid"

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(
            ngettext(
                "The workbook has %(count)d error, so nothing was changed.",
                "The workbook has %(count)d errors, so nothing was changed.",
                len(errors),
            )
            % {"count": len(errors)}
        )


class JobProgress:
    """Saves a job's progress for the upload page: at most every ``every_rows`` rows or ``every_seconds``."""

    def __init__(self, job: CatalogImport, *, every_rows: int = 100, every_seconds: float = 0.5):
        self.job = job
        self.every_rows = every_rows
        self.every_seconds = every_seconds
        self.saved_rows = -every_rows
        self.saved_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        is_due = done - self.saved_rows >= self.every_rows or now - self.saved_at >= self.every_seconds
        if is_due or done == total:
            self.job.processed_rows, self.job.total_rows = done, total
            self.job.save(update_fields=["processed_rows", "total_rows"])
            self.saved_rows, self.saved_at = done, now


def _permission_errors(actor: User | None, items: list[ParsedItem]) -> list[CellError]:
    existing = ServiceItem.objects.filter(code__in={item.code for item in items if item.code})
    owners = {item.code: item.department for item in existing.select_related("department")}
    departments = {d.code: d for d in Department.objects.filter(code__in={item.department_code for item in items})}
    errors = []
    for item in items:
        department = owners.get(item.code) or departments.get(item.department_code)
        if department is not None and not can_edit_catalog(actor, department):
            reason = _("You may not change the items of %(department)s: only a centre administrator or its head may.")
            errors.append(
                CellError(
                    ITEMS.title, item.row, ITEMS.header_of("department_code"), reason % {"department": department}
                )
            )
    return errors


def catalog_import(*, actor: User | None, data: bytes, job: CatalogImport | None = None) -> ImportResult:
    """Import a catalogue workbook as drafts, all or nothing; raises CatalogImportError listing every problem.

    An existing code gets a new draft (draft_replace), any other row a new item (item_create); nothing is
    published. Given ``job``, the checking progress is saved on it for the upload page.
    """
    parsed = parse_catalog(data, progress=JobProgress(job) if job is not None else None)
    errors = sorted_errors([*parsed.errors, *_permission_errors(actor, parsed.items)])
    if errors:
        raise CatalogImportError(errors)
    created = updated = 0
    current: ParsedItem | None = None
    try:
        with transaction.atomic():
            existing = ServiceItem.objects.filter(code__in=[item.code for item in parsed.items if item.code])
            items_by_code = {item.code: item for item in existing}
            codes = {item.department_code for item in parsed.items}
            departments = {department.code: department for department in Department.objects.filter(code__in=codes)}
            for current in parsed.items:
                if current.code in items_by_code:
                    draft_replace(actor=actor, item=items_by_code[current.code], content=current.content)
                    updated += 1
                else:
                    department = departments[current.department_code]
                    item_create(actor=actor, department=department, content=current.content, code=current.code)
                    created += 1
            if job is not None:
                payload = {"file": job.filename, "created": created, "updated": updated}
                audit_record(actor=actor, action="catalog.import", obj=job, payload=payload)
    except ContentInvalid as invalid:
        # The catalogue changed between the check and the write (a co-department was deactivated, say).
        assert current is not None
        raise CatalogImportError(sorted_errors(locate(error, current) for error in invalid.errors)) from invalid
    except DomainError as refused:
        row = current.row if current is not None else None
        raise CatalogImportError([CellError(ITEMS.title, row, "", str(refused.message))]) from refused
    return ImportResult(created=created, updated=updated)
