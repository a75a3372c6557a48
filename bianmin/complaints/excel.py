"""The 12345 hotline's work orders from a workbook: a template to fill, and the import (all rows or none).

Each row is one work order: the hotline's order number, its kind and subject (the codes or their Chinese names),
what happened, the complainant, and optionally the case's tracking number or the site's code. Every row is checked
first; one bad row and nothing is written, and every bad row is reported with its row number and the problem.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.errors import DomainError
from bianmin.core.spreadsheets import SpreadsheetLimits, open_workbook, sheet_rows
from bianmin.org.models import Site

from .models import Channel, Complaint, ComplaintKind, ComplaintSubject
from .services import Complainant, ComplaintIn, _check_receiver, _valid_input, complaint_receive

LIMITS = SpreadsheetLimits(max_rows=2001, max_columns=20, max_total_bytes=10_000_000, max_member_bytes=5_000_000)
# (header, what the column holds): the template's first row; the import finds the columns by these headers.
COLUMNS = (
    ("工单编号", "hotline_number"),
    ("类型", "kind"),
    ("事由", "subject"),
    ("内容", "text"),
    ("姓名", "name"),
    ("电话", "phone"),
    ("证件号码", "id_number"),
    ("办件编号", "tracking_number"),
    ("站点代码", "site"),
)
KIND_NAMES = {
    "紧急": ComplaintKind.URGENT,
    "咨询": ComplaintKind.CONSULTATION,
    "求助": ComplaintKind.HELP,
    "投诉": ComplaintKind.COMPLAINT,
}
SUBJECT_NAMES = {
    "办件": ComplaintSubject.CASE,
    "窗口": ComplaintSubject.WINDOW,
    "工作人员": ComplaintSubject.STAFF,
    "收费": ComplaintSubject.FEE,
    "作风": ComplaintSubject.CONDUCT,
    "其他": ComplaintSubject.OTHER,
}


class WorkOrderImportError(DomainError):
    """The workbook or some of its rows are wrong; ``errors`` lists each problem with its row."""

    code = "work_order_import_invalid"
    status = 422

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            _("Nothing was imported: %(count)d row(s) have problems.") % {"count": len(errors)} + " " + " ".join(errors)
        )


def template_workbook() -> bytes:
    """The template: the headers, and one example row."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "12345工单"
    sheet.append([header for header, _field in COLUMNS])
    sheet.append(["12345-2026-000001", "投诉", "窗口", "窗口工作人员态度差。", "张三", "13800000000", "", "", "YX"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True)
class _Row:
    number: int
    data: ComplaintIn


def _parse_row(number: int, cells: dict[str, str], sites: dict[str, Site], seen: dict[str, int]) -> ComplaintIn:
    hotline_number = cells["hotline_number"]
    if not hotline_number:
        raise DomainError(_("the hotline's order number is missing"))
    if hotline_number in seen:
        raise DomainError(
            _("the order number %(number)s is also on row %(row)d")
            % {"number": hotline_number, "row": seen[hotline_number]}
        )
    if Complaint.objects.filter(hotline_number=hotline_number).exists():
        raise DomainError(_("the order %(number)s was received already") % {"number": hotline_number})
    kind = KIND_NAMES.get(cells["kind"], cells["kind"])
    subject = SUBJECT_NAMES.get(cells["subject"], cells["subject"] or ComplaintSubject.OTHER)
    site = None
    if cells["site"]:
        site = sites.get(cells["site"])
        if site is None:
            raise DomainError(_("there is no site with the code “%(code)s”") % {"code": cells["site"]})
    data = ComplaintIn(
        kind=kind,
        subject=subject,
        text=cells["text"],
        complainant=Complainant(name=cells["name"], phone=cells["phone"], id_number=cells["id_number"]),
        tracking_number=cells["tracking_number"],
        site=site,
        hotline_number=hotline_number,
    )
    _valid_input(data)
    return data


def _rows(data: bytes) -> tuple[list[_Row], list[str]]:
    workbook = open_workbook(data, LIMITS)
    sheet = workbook.worksheets[0]
    rows, errors, columns = [], [], None
    sites = {site.code: site for site in Site.objects.filter(is_active=True)}
    seen: dict[str, int] = {}
    for number, values in sheet_rows(sheet, LIMITS):
        texts = [_text(value) for value in values]
        if columns is None:
            positions = {text: index for index, text in enumerate(texts)}
            missing = [header for header, _field in COLUMNS if header not in positions]
            if missing:
                raise WorkOrderImportError(
                    [_("The first row lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}]
                )
            columns = {field: positions[header] for header, field in COLUMNS}
            continue
        if not any(texts):
            continue
        cells = {field: texts[index] if index < len(texts) else "" for field, index in columns.items()}
        try:
            parsed = _parse_row(number, cells, sites, seen)
        except DomainError as error:
            errors.append(_("Row %(row)d: %(problem)s.") % {"row": number, "problem": str(error.message).rstrip("。.")})
            continue
        seen[parsed.hotline_number] = number
        rows.append(_Row(number, parsed))
    if columns is None:
        errors.append(_("The sheet is empty."))
    return rows, errors


def work_orders_import(*, actor: User, data: bytes, now: datetime.datetime | None = None) -> list[Complaint]:
    """Receive every work order of the hotline's workbook, or none: each row through ``complaint_receive``."""
    now = now or timezone.now()
    _check_receiver(actor, Channel.HOTLINE)
    rows, errors = _rows(data)
    if errors:
        raise WorkOrderImportError(errors)
    if not rows:
        raise WorkOrderImportError([_("The sheet has no work orders.")])
    with transaction.atomic():
        return [complaint_receive(actor=actor, channel=Channel.HOTLINE, data=row.data, now=now) for row in rows]
