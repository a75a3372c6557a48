"""The printable service card (服务明白卡): one page with an item's essentials and a QR code to its guide.

DOMAIN §2 (公开透明): the card is one of the channels that disclose an item. It summarises the guide, never
replaces it: whatever does not fit on one page is shortened with a pointer to the guide, and the card
always stays one page (smaller type first, then shorter lists).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Table, TableStyle

from bianmin.core.pdf import FontSet, draw_heading, draw_paragraph, paragraph, paragraph_style, register_fonts
from bianmin.org.models import Site

from .models import CaseType, MaterialRequirement, ServiceItemVersion
from .qr import draw_qr

ACCENT = colors.HexColor("#a31515")  # the red of official headings
LABEL_BACKGROUND = colors.HexColor("#f5ece8")
RULE = colors.HexColor("#8c8c8c")
MUTED = colors.HexColor("#555555")


@dataclass(frozen=True)
class _Page:
    size: tuple[float, float]
    margin: float
    title_size: float
    name_size: float
    meta_size: float
    qr_size: float
    label_width: float
    font_sizes: tuple[float, ...]  # body type, largest first; the smallest is still comfortable to read


PAGES = {
    "A4": _Page(A4, 15 * mm, 28, 17, 10, 34 * mm, 25 * mm, (12, 11.5, 11, 10.5, 10, 9.5, 9)),
    "A5": _Page(A5, 10 * mm, 20, 13, 8, 26 * mm, 18 * mm, (10, 9.5, 9, 8.5, 8, 7.5)),
}


@dataclass(frozen=True)
class _Limits:
    """How much of each list and text the card shows before pointing to the guide."""

    materials: int = 12
    steps: int = 8
    fees: int = 4
    conditions: int = 160
    material_condition: int = 40

    @classmethod
    def for_materials(cls, count: int) -> _Limits:
        """Shorter limits for every list and text, in step with the number of materials shown."""
        return cls(count, min(8, max(3, count)), min(4, max(1, count // 2)), 12 * count, max(10, 3 * count))


def _attempts(page: _Page) -> Iterator[tuple[float, _Limits]]:
    """Smaller type first, down to the smallest comfortable size; then one material fewer at a time."""
    for size in page.font_sizes:
        yield size, _Limits()
    for count in range(_Limits.materials - 1, 2, -1):
        yield page.font_sizes[-1], _Limits.for_materials(count)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shorten(text: str, limit: int, *, pointer: bool = True) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis and (if ``pointer``) a guide pointer."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + (_("… (see the service guide for the full text)") if pointer else "…")


def _working_days(days: int) -> str:
    if days == 0:
        return _("on the spot")
    return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}


def _separator() -> str:
    return pgettext("between the items of a list", ", ")


def _more(total: int) -> str:
    return _("… %(count)d items in all; see the service guide for details.") % {"count": total}


class _Card:
    """The content of one card at one type size and set of limits, as ReportLab flowables."""

    def __init__(self, version: ServiceItemVersion, fonts: FontSet, page: _Page, size: float, limits: _Limits):
        self.version = version
        self.page = page
        self.limits = limits
        self.size = size
        self.row_count = 0
        self.text = paragraph_style("card-text", fonts, size, leading=size * 1.4)
        self.small = paragraph_style("card-small", fonts, size * 0.85, textColor=MUTED)
        self.label = paragraph_style(
            "card-label", fonts, size, bold=True, alignment=TA_CENTER, textColor=ACCENT, leading=size * 1.25
        )
        self.strong = paragraph_style("card-strong", fonts, size * 1.15, textColor=ACCENT)

    def _text(self, text: str) -> Paragraph:
        return paragraph(text, self.text)

    def _label(self, text: str) -> Paragraph:
        # A label in a language that spaces its words (English) breaks between words, not inside them.
        style = self.label if " " not in text else ParagraphStyle("card-label-words", self.label, wordWrap=None)
        return paragraph(text, style)

    def conditions(self) -> list[Flowable]:
        return [self._text(_shorten(self.version.conditions, self.limits.conditions))]

    def materials(self) -> list[Flowable]:
        materials = list(self.version.materials.all())
        if not materials:
            return [self._text(_("No materials are required."))]
        rows = [self._material(number, material) for number, material in enumerate(materials, start=1)]
        if len(rows) > self.limits.materials:
            rows = [*rows[: self.limits.materials - 1], self._text(_more(len(materials)))]
        if any(not material.is_required for material in materials):
            rows.append(paragraph(_("※ marks a material needed only in the case stated."), self.small))
        return rows

    def _material(self, number: int, material: MaterialRequirement) -> Paragraph:
        mark = "" if material.is_required else "※"
        form = material.get_form_display()
        if material.copies:
            copies = ngettext("%(count)d copy", "%(count)d copies", material.copies) % {"count": material.copies}
            form = f"{form} {copies}"
        line = f"{number}. {mark}{_one_line(material.name)} {form}"
        if not material.is_required and material.condition:
            condition = _shorten(material.condition, self.limits.material_condition, pointer=False)
            line = _("%(material)s (%(condition)s)") % {"material": line, "condition": condition}
        return self._text(line)

    def steps(self) -> list[Flowable]:
        steps = list(self.version.steps.all())
        shown = [
            _("%(step)s (%(days)s)") % {"step": _one_line(step.name), "days": _working_days(step.days)}
            for step in steps[: self.limits.steps]
        ]
        chain = " → ".join(shown)
        if len(steps) > self.limits.steps:
            chain += " → " + _more(len(steps))
        return [self._text(chain)]

    def limit(self, days: int) -> Paragraph:
        return paragraph(_working_days(days), self.strong)

    def special_procedures(self) -> list[Flowable]:
        return [
            self._text(
                ngettext(
                    "%(procedure)s: about %(count)d working day, not counted in the time limit.",
                    "%(procedure)s: about %(count)d working days, not counted in the time limit.",
                    procedure.typical_days,
                )
                % {"procedure": procedure.get_kind_display(), "count": procedure.typical_days}
            )
            for procedure in self.version.special_procedures.all()
        ]

    def fees(self) -> list[Flowable]:
        fees = list(self.version.fees.all())
        if not self.version.has_fee or not fees:
            return [paragraph(_("Free of charge"), self.strong)]
        rows = []
        for fee in fees[: self.limits.fees]:
            if fee.amount is not None:
                charge = _("%(amount)s yuan") % {"amount": f"{fee.amount:.2f}"}
            else:
                charge = _shorten(fee.formula, 60)
            rows.append(
                self._text(
                    _("%(fee)s: %(charge)s (basis: %(basis)s)")
                    % {"fee": _one_line(fee.name), "charge": charge, "basis": _shorten(fee.basis, 40)}
                )
            )
        if len(fees) > self.limits.fees:
            rows.append(self._text(_more(len(fees))))
        return rows

    def result(self) -> list[Flowable]:
        version = self.version
        text = _one_line(version.result_name)
        if version.result_validity:
            text = _("%(result)s (valid: %(validity)s)") % {
                "result": text,
                "validity": _one_line(version.result_validity),
            }
        return [self._text(text)]

    def visits(self) -> list[Flowable]:
        version = self.version
        if version.visits_required == 0:
            rows = [paragraph(_("No visit needed"), self.strong)]
        else:
            count = version.visits_required
            rows = [
                paragraph(
                    ngettext("At most %(count)d visit", "At most %(count)d visits", count) % {"count": count},
                    self.strong,
                )
            ]
        services = []
        if version.online_application:
            services.append(_("Can be applied for online"))
        if version.agency_offered:
            services.append(_("Agency offered"))
        if services:
            rows.append(paragraph(_separator().join(services), self.small))
        return rows

    def place(self) -> list[Flowable]:
        windows = [str(window) for window in self.version.windows.all()[:3]]
        rows = [self._text(_one_line(self.version.place))]
        if windows:
            rows.append(paragraph(_separator().join(windows), self.small))
        return rows

    def hours(self) -> str:
        if self.version.hours:
            return _one_line(self.version.hours)
        for window in self.version.windows.all():
            if window.site.opening_hours:
                return _one_line(window.site.opening_hours)
        return ""

    def rows(self) -> tuple[list[list], list[int], list[str]]:
        """The body's rows (label, content, label, content), the rows whose content spans, and the labels."""
        rows: list[list] = []
        spans: list[int] = []
        titles: list[str] = []

        def wide(title: str, content) -> None:
            spans.append(len(rows))
            titles.append(title)
            rows.append([self._label(title), content, "", ""])

        def pair(first: str, first_content, second: str, second_content) -> None:
            titles.extend([first, second])
            rows.append([self._label(first), first_content, self._label(second), second_content])

        version = self.version
        wide(_("Conditions for applying"), self.conditions())
        wide(_("Materials to bring"), self.materials())
        wide(_("Handling process"), self.steps())
        pair(
            _("Statutory limit"),
            self.limit(version.statutory_days),
            _("Promised limit"),
            self.limit(version.promised_days),
        )
        if version.special_procedures.all():
            wide(_("Special procedures"), self.special_procedures())
        wide(_("Fees"), self.fees())
        pair(_("Result"), self.result(), _("Visits required"), self.visits())
        wide(_("Where to apply"), self.place())
        hours = self.hours()
        if hours:
            wide(_("Office hours"), [self._text(hours)])
        pair(
            _("Consultation phone"),
            paragraph(version.consultation_phone, self.strong),
            _("Complaint phone"),
            paragraph(version.complaint_phone, self.strong),
        )
        return rows, spans, titles

    def table(self, width: float, *, extra_padding: float = 0.0) -> Table:
        """The card's body: labels on the left, and pairs of short facts side by side.

        ``extra_padding`` is added above and below every row's content (never beside it, so no line rewraps).
        """
        rows, spans, titles = self.rows()
        self.row_count = len(rows)
        padding = self.size * 0.45
        side = padding * 1.3
        # The label column fits the longest label on one line, up to a fifth of the width (then labels wrap).
        widest = max(stringWidth(title, self.label.fontName, self.size) for title in titles)
        label = min(max(self.page.label_width, widest + 2 * side + 1), width / 5)
        value = (width - 2 * label) / 2
        style = [
            ("FONTNAME", (0, 0), (-1, -1), self.text.fontName),  # for the empty cells under spans
            ("GRID", (0, 0), (-1, -1), 0.6, RULE),
            ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_BACKGROUND),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), padding + extra_padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding + extra_padding),
            ("LEFTPADDING", (0, 0), (-1, -1), side),
            ("RIGHTPADDING", (0, 0), (-1, -1), side),
        ]
        for index in range(len(rows)):
            if index in spans:
                style.append(("SPAN", (1, index), (3, index)))
            else:
                style.append(("BACKGROUND", (2, index), (2, index), LABEL_BACKGROUND))
        return Table(rows, colWidths=[label, value, label, value], style=TableStyle(style))


def _type_line(version: ServiceItemVersion) -> str:
    return _("Item type: %(kind)s; %(case_type)s") % {
        "kind": version.get_kind_display(),
        "case_type": version.get_case_type_display(),
    }


def _department_lines(version: ServiceItemVersion) -> list[str]:
    lines = [
        _("Item code: %(code)s") % {"code": version.item.code},
        _("Responsible department: %(department)s") % {"department": version.item.department.name},
    ]
    if version.case_type == CaseType.JOINT:
        names = _separator().join(department.name for department in version.co_departments.all())
        lines.append(_("Joint departments: %(departments)s") % {"departments": names})
    lines.append(_type_line(version))
    return lines


def _edition(version: ServiceItemVersion) -> str:
    if version.published_at is None:
        return _("Draft, not yet published")
    return _("Version %(number)s · published on %(date)s") % {
        "number": version.number,
        "date": timezone.localtime(version.published_at).date().isoformat(),
    }


class _Sheet:
    """Draws the fixed parts of the page (heading, item, QR code, footer) around the body table."""

    def __init__(self, canvas: Canvas, page: _Page, fonts: FontSet):
        self.canvas = canvas
        self.page = page
        self.fonts = fonts
        self.width = page.size[0] - 2 * page.margin
        self.left = page.margin

    def heading(self, top: float) -> float:
        """The red title and its double rule; return the y below them."""
        page, canvas = self.page, self.canvas
        height = draw_heading(
            canvas,
            _("Service card"),
            x=self.left,
            top=top,
            width=self.width,
            fonts=self.fonts,
            size=page.title_size,
            color=ACCENT,
            centred=True,
        )
        rule = top - height - page.title_size * 0.45
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2)
        canvas.line(self.left, rule, self.left + self.width, rule)
        canvas.setLineWidth(0.6)
        canvas.line(self.left, rule - 3, self.left + self.width, rule - 3)
        canvas.restoreState()
        return rule - 3

    def item(self, version: ServiceItemVersion, top: float, guide_url: str) -> float:
        """The item's name and identity beside the QR code; return the y below the taller of the two."""
        page, canvas = self.page, self.canvas
        qr_left = self.left + self.width - page.qr_size
        text_width = self.width - page.qr_size - 4 * mm
        height = draw_heading(
            canvas,
            _one_line(version.name),
            x=self.left,
            top=top - page.name_size * 0.6,
            width=text_width,
            fonts=self.fonts,
            size=page.name_size,
        )
        y = top - page.name_size * 0.6 - height - page.meta_size * 0.8
        meta = paragraph_style("card-meta", self.fonts, page.meta_size, textColor=MUTED)
        for line in _department_lines(version):
            y -= draw_paragraph(canvas, line, x=self.left, top=y, width=text_width, style=meta)
        # The QR symbol carries its own white quiet zone, so it is drawn flush with the top.
        draw_qr(canvas, guide_url, x=qr_left, y=top - page.qr_size, size=page.qr_size)
        caption = paragraph_style("card-caption", self.fonts, page.meta_size, alignment=TA_CENTER)
        qr_bottom = top - page.qr_size
        qr_bottom -= draw_paragraph(
            canvas,
            _("Scan for the service guide"),
            x=qr_left - 3 * mm,
            top=qr_bottom,
            width=page.qr_size + 6 * mm,
            style=caption,
        )
        return min(y, qr_bottom) - 3 * mm

    def footer(self, version: ServiceItemVersion, centre: Site | None) -> float:
        """The centre, the note that the guide is authoritative, and the version; return the y above them."""
        page, canvas = self.page, self.canvas
        size = page.meta_size * 0.95
        baseline = page.margin
        canvas.saveState()
        canvas.setFont(self.fonts.body, size)
        canvas.setFillColor(MUTED)
        if centre is not None:
            canvas.drawString(self.left, baseline, centre.name)
        canvas.drawRightString(self.left + self.width, baseline, _edition(version))
        note = _("This card summarises the service guide; the guide is authoritative.")
        canvas.drawCentredString(self.left + self.width / 2, baseline + size * 1.6, note)
        rule = baseline + size * 3
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(self.left, rule, self.left + self.width, rule)
        canvas.restoreState()
        return rule + 4 * mm


def _body(version: ServiceItemVersion, fonts: FontSet, page: _Page, width: float, height: float) -> Flowable:
    """The largest readable body that fits ``height``; as a last resort the shortest one, scaled down."""
    card = None
    for size, limits in _attempts(page):
        card = _Card(version, fonts, page, size, limits)
        table = card.table(width)
        _width, needed = table.wrap(width, height)
        if needed <= height:
            # Spend some of the room left on air between the rows rather than a blank foot of the page.
            extra = min((height - needed) / (2 * card.row_count), size * 0.4)
            return card.table(width, extra_padding=extra)
    return KeepInFrame(width, height, [card.table(width)], mode="shrink")


def render_service_card(version: ServiceItemVersion, *, guide_url: str, page_size: str = "A4") -> bytes:
    """DOMAIN §2: the one-page printable service card of ``version``, in the active language."""
    if page_size not in PAGES:
        raise ValueError(f"page_size must be one of {', '.join(PAGES)}, not {page_size!r}")
    page = PAGES[page_size]
    fonts = register_fonts()
    centre = Site.objects.filter(parent__isnull=True).first()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page.size, pageCompression=1, initialFontName=fonts.body)
    canvas.setTitle(f"{_('Service card')} {version.item.code} {version.name}")
    canvas.setSubject(version.name)
    if centre is not None:
        canvas.setAuthor(centre.name)
    sheet = _Sheet(canvas, page, fonts)
    top = sheet.item(version, sheet.heading(page.size[1] - page.margin) - 3 * mm, guide_url)
    bottom = sheet.footer(version, centre)
    body = _body(version, fonts, page, sheet.width, top - bottom)
    _width, height = body.wrapOn(canvas, sheet.width, top - bottom)
    body.drawOn(canvas, sheet.left, top - height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
