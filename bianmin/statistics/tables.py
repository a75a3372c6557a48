"""The dashboard's tables: one list of cells feeds the page (each number a link to the cases behind it), the
chart beside it (its data, read by ``static/js/statistics.js``) and its Excel export, so they cannot disagree."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bianmin.cases.models import Channel
from bianmin.catalog.models import ServiceItem
from bianmin.org.models import Department
from bianmin.supervision.models import Level
from bianmin.supervision.rules import RULES

from .models import Tier
from .selectors import DashboardFigures, FigureFilters

TOP = 10


@dataclass
class Cell:
    value: object
    link: str = ""

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: dict | None = None
    note: str = ""


def dashboard_params(filters: FigureFilters) -> dict[str, object]:
    """The filters as the query string's words (the dashboard's and the drill-down's), empty ones left out."""
    params = {
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
        "site": filters.site.pk if filters.site else "",
        "tier": filters.tier,
        "department": filters.department_id or "",
        "item": filters.item_id or "",
        "channel": filters.channel,
    }
    return {key: value for key, value in params.items() if value not in ("", None)}


class Links:
    """Drill-down URLs: the current filters plus what a cell adds (a metric, a channel, a bucket's dates …)."""

    def __init__(self, filters: FigureFilters):
        self.base = dashboard_params(filters)
        self.url = reverse("statistics:cases")

    def __call__(self, metric: str, **extra) -> str:
        params = {**self.base, **{key: value for key, value in extra.items()}, "metric": metric}
        return f"{self.url}?{urlencode({key: value for key, value in params.items() if value not in ('', None)})}"


def rate(part: int, whole: int) -> float | str:
    return round(100 * part / whole, 1) if whole else "—"


def average(total: int, count: int) -> float | str:
    return round(total / count, 1) if count else "—"


SUMMARY = [
    ("received", gettext_lazy("Received")),
    ("accepted", gettext_lazy("Accepted")),
    ("deemed_accepted", gettext_lazy("Accepted by law after 5 working days")),
    ("finished", gettext_lazy("Finished (decided)")),
    ("approved", gettext_lazy("Approved")),
    ("denied", gettext_lazy("Denied")),
    ("refused", gettext_lazy("Not accepted")),
    ("withdrawn", gettext_lazy("Withdrawn by the applicant")),
    ("finished_late_promised", gettext_lazy("Finished after the promised deadline")),
    ("finished_late_statutory", gettext_lazy("Finished after the statutory deadline")),
    ("suspensions_started", gettext_lazy("Suspensions started")),
    ("extensions_approved", gettext_lazy("Extensions approved")),
]


def headline(figures: DashboardFigures, links: Links) -> list[dict]:
    """The headline tiles: a label, a number, and the link to its cases where it counts cases."""
    totals = figures.totals
    values = {
        **totals,
        "finished_late_promised": totals["finished"] - totals["finished_on_time_promised"],
        "finished_late_statutory": totals["finished"] - totals["finished_on_time_statutory"],
    }
    tiles = [{"key": key, "label": str(label), "value": values[key], "link": links(key)} for key, label in SUMMARY]
    finished = totals["finished"]
    tiles[4:4] = [
        {
            "key": "on_time_rate_promised",
            "label": _("On-time rate against the promised limit (%)"),
            "value": rate(totals["finished_on_time_promised"], finished),
            "link": links("finished_on_time_promised"),
        },
        {
            "key": "on_time_rate_statutory",
            "label": _("On-time rate against the statutory limit (%)"),
            "value": rate(totals["finished_on_time_statutory"], finished),
            "link": links("finished_on_time_statutory"),
        },
        {
            "key": "average_days_used",
            "label": _("Average working days used"),
            "value": average(totals["working_days_used"], finished),
            "link": links("finished"),
        },
        {
            "key": "average_days_promised",
            "label": _("Average working days promised"),
            "value": average(totals["working_days_promised"], finished),
            "link": links("finished"),
        },
    ]
    alerts_total = sum(figures.alerts.values())
    tiles.append({"key": "alerts", "label": _("Alerts raised"), "value": alerts_total, "link": links("alerts")})
    for level, label in Level.choices:
        count = sum(count for (_rule, alert_level), count in figures.alerts.items() if alert_level == level)
        tiles.append(
            {
                "key": f"alerts_{level}",
                "label": str(label),
                "value": count,
                "link": links("alerts", level=level),
                "small": True,
            }
        )
    return tiles


def summary_table(tiles: list[dict]) -> Table:
    table = Table("summary", _("Headline figures"), [_("Figure"), _("Value")])
    table.rows = [[Cell(tile["label"]), Cell(tile["value"], tile["link"])] for tile in tiles]
    return table


def _bar_chart(table: Table, *, label_column: int = 0, columns: list[int], kind: str = "bar", horizontal=False):
    table.chart = {
        "kind": kind,
        "horizontal": horizontal,
        "categories": [str(row[label_column].value) for row in table.rows],
        "series": [
            {
                "name": table.headers[column],
                "data": [row[column].value if row[column].is_number else 0 for row in table.rows],
                "links": [row[column].link for row in table.rows],
            }
            for column in columns
        ],
    }


def trend_table(figures: DashboardFigures, links: Links, group: str) -> Table:
    table = Table(
        "trend",
        _("Received and finished by week") if group == "week" else _("Received and finished by month"),
        [_("Period"), _("Received"), _("Finished")],
    )
    for bucket in figures.trend:
        label = f"{bucket.start:%m-%d}" if group == "week" else f"{bucket.start:%Y-%m}"
        dates = {"from": bucket.start.isoformat(), "to": bucket.end.isoformat()}
        table.rows.append(
            [
                Cell(label),
                Cell(bucket.received, links("received", **dates)),
                Cell(bucket.finished, links("finished", **dates)),
            ]
        )
    _bar_chart(table, columns=[1, 2], kind="line")
    return table


def _breakdown_row(label: str, numbers: dict[str, int], links: Links, **dimension) -> list[Cell]:
    late = numbers["finished"] - numbers["finished_on_time_promised"]
    return [
        Cell(label),
        Cell(numbers["received"], links("received", **dimension)),
        Cell(numbers["accepted"], links("accepted", **dimension)),
        Cell(numbers["finished"], links("finished", **dimension)),
        Cell(late, links("finished_late_promised", **dimension)),
        Cell(rate(numbers["finished_on_time_promised"], numbers["finished"])),
    ]


def _breakdown_headers(first: str) -> list[str]:
    return [
        first,
        _("Received"),
        _("Accepted"),
        _("Finished"),
        _("Finished late"),
        _("On-time rate (%)"),
    ]


def channel_table(figures: DashboardFigures, links: Links) -> Table:
    table = Table("channel", _("By channel"), _breakdown_headers(_("Channel")))
    for channel, label in Channel.choices:
        if channel in figures.by_channel:
            table.rows.append(_breakdown_row(str(label), figures.by_channel[channel], links, channel=channel))
    _bar_chart(table, columns=[1], kind="pie")
    return table


def tier_table(figures: DashboardFigures, links: Links) -> Table:
    table = Table("tier", _("By tier of the receiving site"), _breakdown_headers(_("Tier")))
    for tier, label in Tier.choices:
        if tier in figures.by_tier:
            table.rows.append(_breakdown_row(str(label), figures.by_tier[tier], links, tier=tier))
    _bar_chart(table, columns=[1, 3])
    return table


def _late(numbers: dict[str, int]) -> int:
    return numbers["finished"] - numbers["finished_on_time_promised"]


def _top(by: dict[int, dict[str, int]]) -> list[tuple[int, dict[str, int]]]:
    ranked = sorted(
        ((key, numbers) for key, numbers in by.items() if _late(numbers)), key=lambda p: (-_late(p[1]), p[0])
    )
    return ranked[:TOP]


def items_table(figures: DashboardFigures, links: Links) -> Table:
    top = _top(figures.by_item)
    items = ServiceItem.objects.select_related("current_version").in_bulk([key for key, _numbers in top])
    table = Table(
        "items",
        _("Top 10 items by cases finished after the promised deadline"),
        [_("Item"), _("Finished"), _("Finished late"), _("On-time rate (%)")],
    )
    for item_id, numbers in top:
        table.rows.append(
            [
                Cell(str(items[item_id])),
                Cell(numbers["finished"], links("finished", item=item_id)),
                Cell(_late(numbers), links("finished_late_promised", item=item_id)),
                Cell(rate(numbers["finished_on_time_promised"], numbers["finished"])),
            ]
        )
    _bar_chart(table, columns=[2], horizontal=True)
    return table


def departments_table(figures: DashboardFigures, links: Links) -> Table:
    top = _top(figures.by_department)
    names = dict(Department.objects.filter(pk__in=[key for key, _n in top]).values_list("pk", "name"))
    table = Table(
        "departments",
        _("Top 10 departments by cases finished after the promised deadline"),
        [_("Department"), _("Finished"), _("Finished late"), _("On-time rate (%)")],
    )
    for department_id, numbers in top:
        table.rows.append(
            [
                Cell(names.get(department_id, "")),
                Cell(numbers["finished"], links("finished", department=department_id)),
                Cell(_late(numbers), links("finished_late_promised", department=department_id)),
                Cell(rate(numbers["finished_on_time_promised"], numbers["finished"])),
            ]
        )
    _bar_chart(table, columns=[2], horizontal=True)
    return table


def open_overdue_table(figures: DashboardFigures, links: Links, today: datetime.date) -> Table:
    names = dict(Department.objects.filter(pk__in=list(figures.open_overdue)).values_list("pk", "name"))
    table = Table(
        "open_overdue",
        _("Open cases past their promised deadline today, by department"),
        [_("Department"), _("Open overdue cases")],
        note=_("Today's open cases, whatever the period: %(date)s.") % {"date": f"{today:%Y-%m-%d}"},
    )
    ranked = sorted(figures.open_overdue.items(), key=lambda pair: (-pair[1], names.get(pair[0], "")))
    for department_id, count in ranked:
        table.rows.append(
            [Cell(names.get(department_id, "")), Cell(count, links("open_overdue", department=department_id))]
        )
    return table


def alerts_table(figures: DashboardFigures, links: Links, filters: FigureFilters) -> Table:
    levels = Level.choices
    table = Table("alerts", _("Alerts raised by rule and severity"), [_("Rule"), *(str(label) for _l, label in levels)])
    if filters.item_id or filters.channel:
        table.note = _("Alerts are counted by site and department; the item and channel filters do not apply.")
    rules = sorted({rule for rule, _level in figures.alerts})
    for rule in rules:
        name = str(RULES[rule].name) if rule in RULES else rule
        table.rows.append(
            [
                Cell(name),
                *(
                    Cell(figures.alerts.get((rule, level), 0), links("alerts", rule=rule, level=level))
                    for level, _label in levels
                ),
            ]
        )
    _bar_chart(table, columns=list(range(1, len(levels) + 1)), horizontal=True)
    if table.chart:
        table.chart["stacked"] = True
    return table


def dashboard_tables(
    figures: DashboardFigures, filters: FigureFilters, *, group: str, today: datetime.date
) -> tuple[list[dict], list[Table]]:
    links = Links(filters)
    tiles = headline(figures, links)
    tables = [
        summary_table(tiles),
        trend_table(figures, links, group),
        channel_table(figures, links),
        tier_table(figures, links),
        alerts_table(figures, links, filters),
        items_table(figures, links),
        departments_table(figures, links),
        open_overdue_table(figures, links, today),
    ]
    return tiles, tables


def workbook(*, title: str, headers: list[str], rows: list[list[object]], sheet_title: str) -> bytes:
    """One table as an .xlsx workbook: a title row, a header row with filters, then the rows.

    Written in openpyxl's write-only mode (rows are streamed to the file, not kept as cell objects), so a year of
    cases exports in seconds."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(row[index - 1])) for row in rows if index <= len(row)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width * 2))
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(max(1, len(headers)))}{len(rows) + 2}"
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F1F3F4")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_workbook(table: Table, *, subtitle: str) -> bytes:
    return workbook(
        title=f"{table.title} ({subtitle})",
        headers=table.headers,
        rows=[[cell.value for cell in row] for row in table.rows],
        sheet_title=table.title,
    )
