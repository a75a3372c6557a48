"""The ranking as an Excel workbook (openpyxl, write-only: rows are streamed)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .models import AssessmentRun, SubjectResult
from .periods import period_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ranking_workbook(
    run: AssessmentRun, results: QuerySet[SubjectResult], previous: dict[int, tuple[Decimal, int]]
) -> bytes:
    """One row per subject in rank order, one column per item's points, then the previous period's score."""
    results = list(results.prefetch_related("items"))
    item_names = [item.name for item in results[0].items.all()] if results else []
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ranking")[:31])
    title = WriteOnlyCell(sheet, value=f"{run.scheme.name} {period_label(run.scheme.period_kind, run.period_start)}")
    title.font = Font(bold=True, size=14)
    sheet.append([title, _("version %(version)d") % {"version": run.version}, run.get_state_display()])
    headers = [_("Rank"), _("Subject"), _("Score"), _("Grade"), _("Red flag"), *item_names, _("Previous period")]
    sheet.append([_bold(sheet, header) for header in headers])
    for result in results:
        points = {item.name: float(item.points) for item in result.items.all()}
        before = previous.get(result.subject_id)
        sheet.append(
            [
                result.rank,
                result.label,
                float(result.score),
                result.get_grade_display(),
                _("Yes") if result.has_award else "",
                *[points.get(name, "") for name in item_names],
                float(before[0]) if before else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bold(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.font = Font(bold=True)
    return cell
