"""服务台帐: a site's running record of every matter received at it or relayed through it, as a table on the
workbench and as an Excel workbook. One column list feeds both, so they cannot disagree."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bianmin.accounts.models import User
from bianmin.core.masking import mask_id_number
from bianmin.org.models import Site

from .models import Case
from .selectors import cases_visible_to


def ledger_cases(user: User, *, sites: Iterable[Site], start: datetime.date, end: datetime.date) -> QuerySet[Case]:
    """Cases received at, or relayed through, one of ``sites`` between ``start`` and ``end`` (both included),
    limited to what the user may see."""
    site_ids = [site.pk for site in sites]
    return (
        cases_visible_to(user)
        .filter(Q(receiving_site_id__in=site_ids) | Q(relay_site_id__in=site_ids))
        .filter(received_on__gte=start, received_on__lte=end)
        .select_related("relay_site")
        .order_by("received_at", "pk")
    )


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _on_time(case: Case) -> str:
    if case.decided_at is None or case.promised_due is None:
        return ""
    return _("Yes") if timezone.localdate(case.decided_at) <= case.promised_due else _("No")


@dataclass(frozen=True)
class Column:
    title: object  # a lazy translation
    width: int
    value: Callable[[Case], object]
    number_format: str = ""


COLUMNS = [
    Column(gettext_lazy("Tracking number"), 22, lambda c: c.tracking_number or ""),
    Column(gettext_lazy("Received at"), 17, lambda c: _local(c.received_at), "yyyy-mm-dd hh:mm"),
    Column(gettext_lazy("Applicant"), 12, lambda c: c.applicant_name),
    Column(gettext_lazy("Document number"), 21, lambda c: mask_id_number(c.applicant_id_number)),
    Column(gettext_lazy("Phone"), 14, lambda c: c.applicant_phone),
    Column(gettext_lazy("Item"), 34, lambda c: f"{c.item.code} {c.version.name}"),
    Column(gettext_lazy("Department"), 20, lambda c: c.department.name),
    Column(gettext_lazy("Channel"), 10, lambda c: c.get_channel_display()),
    Column(gettext_lazy("Receiving site"), 18, lambda c: c.receiving_site.name),
    Column(gettext_lazy("Relaying site"), 14, lambda c: c.relay_site.name if c.relay_site_id else ""),
    Column(gettext_lazy("Status"), 16, lambda c: c.get_status_display()),
    Column(gettext_lazy("Accepted on"), 12, lambda c: c.accepted_on, "yyyy-mm-dd"),
    Column(gettext_lazy("Promised deadline"), 12, lambda c: c.promised_due, "yyyy-mm-dd"),
    Column(gettext_lazy("Closed at"), 17, lambda c: _local(c.closed_at), "yyyy-mm-dd hh:mm"),
    Column(gettext_lazy("Decided on time"), 10, _on_time),
    Column(gettext_lazy("Certificate number"), 20, lambda c: c.certificate_number),
]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def ledger_table(cases: Iterable[Case], *, first_number: int = 1) -> list[list[str]]:
    """The ledger's rows as text for the page: the row number, then one cell per column."""
    return [
        [str(number), *(_text(column.value(case)) for column in COLUMNS)]
        for number, case in enumerate(cases, start=first_number)
    ]


def ledger_workbook(cases: Iterable[Case], *, title: str) -> bytes:
    """The ledger as an .xlsx workbook: a title row, a header row with filters, one row per case."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Site ledger")[:31]
    headers = [_("No."), *(str(column.title) for column in COLUMNS)]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F1F3F4")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    count = 0
    for count, case in enumerate(cases, start=1):
        sheet.append([count, *(column.value(case) for column in COLUMNS)])
        for column_index, column in enumerate(COLUMNS, start=2):
            if column.number_format:
                sheet.cell(row=count + 2, column=column_index).number_format = column.number_format
    sheet.column_dimensions["A"].width = 6
    for column_index, column in enumerate(COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(column_index)].width = column.width
    sheet.freeze_panes = "B3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{count + 2}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
