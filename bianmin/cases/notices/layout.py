"""The shared layout of the letters (every notice but the triplicate receipt): the red head with the issuing
organ and the title, the number line, the addressee, tables of facts, the dated signature under the seal
placeholder, the footer with the contact phones and, on a notice that runs on, the running head and page numbers.

Each notice is one page: the body's type gets smaller until it fits. Only the supplement notice, which must list
every material (一次性告知), may run onto further pages; the other notices, if a text is very long, are scaled down
as a whole rather than cut.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bianmin.core.pdf import FontSet, draw_heading, paragraph_style, wrap_lines

from ..models import Notice
from .typesetting import Text
from .wording import long_date, notice_title

RED = colors.HexColor("#c8102e")  # the red of the issuing organ's name and rule (红头)
SEAL_RED = colors.HexColor("#d7262b")
RULE = colors.HexColor("#8c8c8c")
MUTED = colors.HexColor("#555555")
LABEL_BACKGROUND = colors.HexColor("#f3f3f3")

PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE_MARGIN = 24 * mm
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 20 * mm  # the footer (contact phones, page numbers) sits inside it
SEAL_DIAMETER = 42 * mm
BODY_SIZES = (14, 13, 12.5, 12, 11.5, 11, 10.5, 10)  # body type, largest first; 10 pt still reads well
RUN_ON_SIZE = 12  # a supplement notice too long for one page takes the pages it needs, in comfortable type
ORGAN_SIZE = 22
TITLE_SIZE = 19

# The text of one kind of notice, from what the notice stored when it was issued.
Body = Callable[["Letter", float], list[Flowable]]


# --- The seal placeholder ------------------------------------------------------------------------------------


def _star(canvas: Canvas, cx: float, cy: float, radius: float) -> None:
    """A filled five-pointed star centred on (cx, cy), one point up."""
    path = canvas.beginPath()
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.382
        angle = math.pi / 2 + index * math.pi / 5
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if index == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, fill=1, stroke=0)


def draw_seal(canvas: Canvas, cx: float, cy: float, *, diameter: float, fonts: FontSet) -> None:
    """Where the organ's seal goes: a red ring, a red star and "(seal)". Deliberately not a seal's likeness
    (no name along the ring): the real seal is stamped on the printed copy."""
    radius = diameter / 2
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(max(0.8, diameter / 90))
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    # The star high and the label low, so the organ and the date the seal is stamped over stay legible.
    _star(canvas, cx, cy + radius * 0.56, radius * 0.25)
    size = max(6.0, diameter / 12)
    canvas.setFont(fonts.body, size)
    canvas.drawCentredString(cx, cy - radius * 0.72, _("(seal)"))
    canvas.restoreState()


# --- The parts of the page -----------------------------------------------------------------------------------


class _Heading(Flowable):
    """Heavy centred text (the issuing organ, the title) through the shared ``draw_heading``."""

    def __init__(self, text: str, fonts: FontSet, size: float, color=colors.black):
        super().__init__()
        self.text = text
        self.fonts = fonts
        self.size = size
        self.color = color

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        lines = wrap_lines(self.text, self.fonts.bold, self.size, available_width) or [""]
        self.height = self.size + (len(lines) - 1) * self.size * 1.3
        return self.width, self.height

    def draw(self) -> None:
        draw_heading(
            self.canv,
            self.text,
            x=0,
            top=self.height,
            width=self.width,
            fonts=self.fonts,
            size=self.size,
            color=self.color,
            centred=True,
        )


class _RedRule(Flowable):
    """The red rule under the heading: a thick line over a thin one."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = 5
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(2)
        self.canv.line(0, 4, self.width, 4)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 0.5, self.width, 0.5)
        self.canv.restoreState()


class _Signature(Flowable):
    """The dated signature at the right (organ over date, two characters in from the right edge) under the seal
    placeholder, which overlaps both as a stamped seal does."""

    def __init__(self, organ: str, date: str, fonts: FontSet, size: float):
        super().__init__()
        self.organ = organ
        self.date = date
        self.fonts = fonts
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = SEAL_DIAMETER + 2 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas, size = self.canv, self.size
        organ_width = stringWidth(self.organ, self.fonts.body, size)
        date_width = stringWidth(self.date, self.fonts.body, size)
        block = min(max(organ_width, date_width), self.width * 0.6)
        right = self.width - 2 * size
        centre_x = right - block / 2
        centre_y = self.height / 2
        canvas.saveState()
        canvas.setFont(self.fonts.body, size)
        canvas.drawCentredString(centre_x, centre_y + size * 0.2, self.organ)
        canvas.drawCentredString(centre_x, centre_y - size * 1.3, self.date)
        canvas.restoreState()
        draw_seal(canvas, centre_x, centre_y, diameter=SEAL_DIAMETER, fonts=self.fonts)


# --- The letter ----------------------------------------------------------------------------------------------


class Letter:
    """The flowables of one notice at one body type size; ``body`` sets the kind's own text between the head
    and the signature (one function per kind, in the module of its family)."""

    def __init__(self, notice: Notice, fonts: FontSet, size: float, body: Body):
        self.notice = notice
        self.body = body
        self.case = notice.case
        self.fonts = fonts
        self.size = size
        self.text = paragraph_style(
            "notice-text", fonts, size, leading=size * 1.6, firstLineIndent=2 * size, alignment=TA_JUSTIFY
        )
        self.plain = paragraph_style("notice-plain", fonts, size, leading=size * 1.6)
        self.cell = paragraph_style("notice-cell", fonts, size * 0.92, leading=size * 1.3)
        self.cell_label = paragraph_style(
            "notice-cell-label", fonts, size * 0.92, leading=size * 1.3, alignment=TA_CENTER
        )
        self.number_style = paragraph_style("notice-number", fonts, size * 0.92, alignment=TA_CENTER)

    # Building blocks.

    def para(self, text: str) -> Flowable:
        return Text(text, self.text)

    def gap(self, lines: float = 0.5) -> Flowable:
        return Spacer(1, self.size * lines)

    def facts(self, rows: list[tuple[str, str]], width: float) -> Flowable:
        """A two-column table of labelled facts (dates, limits, reasons)."""
        widest = max(stringWidth(label, self.fonts.body, self.cell.fontSize) for label, _value in rows)
        label_width = min(max(widest + 14, 28 * mm), width / 3)
        data = [[Text(label, self.cell_label), Text(value, self.cell)] for label, value in rows]
        return Table(data, colWidths=[label_width, width - label_width], style=self.grid(), hAlign="CENTER")

    def grid(self, header: bool = False) -> TableStyle:
        labels = ((0, 0), (-1, 0)) if header else ((0, 0), (0, -1))  # the header row, or the label column
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.body),  # tables set a cell's font even for flowables
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", *labels, LABEL_BACKGROUND),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), self.size * 0.35),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.size * 0.45),
            ("LEFTPADDING", (0, 0), (-1, -1), self.size * 0.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), self.size * 0.5),
        ]
        return TableStyle(commands)

    # The parts of every letter.

    def head(self, width: float) -> list[Flowable]:
        notice = self.notice
        return [
            _Heading(notice.issuer_name, self.fonts, ORGAN_SIZE, RED),
            Spacer(1, 3 * mm),
            _Heading(notice_title(notice.kind), self.fonts, TITLE_SIZE),
            Spacer(1, 3 * mm),
            Text(
                _("No. %(number)s · tracking number %(tracking)s")
                % {"number": notice.number, "tracking": self.case.tracking_number or ""},
                self.number_style,
            ),
            Spacer(1, 1.5 * mm),
            _RedRule(),
            Spacer(1, 5 * mm),
        ]

    def addressee(self) -> Flowable:
        return Text(_("%(name)s:") % {"name": self.case.applicant_name}, self.plain)

    def signature(self) -> Flowable:
        return _Signature(self.notice.issuer_name, long_date(self.notice.issued_at), self.fonts, self.size)

    def story(self, width: float, *, keep_together: bool = True) -> list[Flowable]:
        body = self.body(self, width)
        # The closing paragraph stays with the signature, so a signature never stands alone on a page.
        closing = [body.pop(), self.gap(1), self.signature()]
        return [*self.head(width), *body, *([KeepTogether(closing)] if keep_together else closing)]


class _LetterDocument(BaseDocTemplate):
    """A4 with the footer (contact phones, page x of y) on every page and a running head after the first."""

    def __init__(self, buffer, notice: Notice, fonts: FontSet, total_pages: int | None):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=SIDE_MARGIN,
            rightMargin=SIDE_MARGIN,
            topMargin=TOP_MARGIN,
            bottomMargin=BOTTOM_MARGIN,
            title=f"{notice_title(notice.kind)} {notice.number}",
            author=notice.issuer_name,
            subject=notice.case.version.name,
            initialFontName=fonts.body,
        )
        self.notice = notice
        self.fonts = fonts
        self.total_pages = total_pages
        frame = Frame(SIDE_MARGIN, BOTTOM_MARGIN, self.width, self.height, 0, 0, 0, 0, id="body")
        later = Frame(SIDE_MARGIN, BOTTOM_MARGIN, self.width, self.height - 10 * mm, 0, 0, 0, 0, id="later")
        self.addPageTemplates(
            [
                PageTemplate("first", [frame], onPage=self._footer, autoNextPageTemplate="later"),
                PageTemplate("later", [later], onPage=self._running_head),
            ]
        )

    def _footer(self, canvas: Canvas, document) -> None:
        version = self.notice.case.version
        canvas.saveState()
        canvas.setFont(self.fonts.body, 8.5)
        canvas.setFillColor(MUTED)
        y = BOTTOM_MARGIN - 9 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(SIDE_MARGIN, y + 4 * mm, PAGE_WIDTH - SIDE_MARGIN, y + 4 * mm)
        phones = _("Consultation phone: %(consultation)s  Complaint phone: %(complaint)s") % {
            "consultation": version.consultation_phone,
            "complaint": version.complaint_phone,
        }
        canvas.drawString(SIDE_MARGIN, y, phones)
        if self.total_pages and self.total_pages > 1:
            page = _("Page %(page)d of %(pages)d") % {"page": canvas.getPageNumber(), "pages": self.total_pages}
            canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN, y, page)
        canvas.restoreState()

    def _running_head(self, canvas: Canvas, document) -> None:
        self._footer(canvas, document)
        canvas.saveState()
        canvas.setFont(self.fonts.body, 9)
        canvas.setFillColor(MUTED)
        y = PAGE_HEIGHT - TOP_MARGIN - 4 * mm
        title = _("%(title)s (continued)") % {"title": notice_title(self.notice.kind)}
        canvas.drawString(SIDE_MARGIN, y, f"{self.notice.issuer_name}  {title}")
        canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN, y, _("No. %(number)s") % {"number": self.notice.number})
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(SIDE_MARGIN, y - 2.5 * mm, PAGE_WIDTH - SIDE_MARGIN, y - 2.5 * mm)
        canvas.restoreState()


def _build(notice: Notice, fonts: FontSet, story: Callable[[float], list[Flowable]], total: int | None = None):
    buffer = io.BytesIO()
    document = _LetterDocument(buffer, notice, fonts, total)
    document.build(story(document.width))
    return buffer.getvalue(), document.page


def render_letter(notice: Notice, fonts: FontSet, body: Body) -> bytes:
    """The largest body type that keeps the notice on one page; then the supplement notice runs on (it must
    list everything) and any other notice is scaled down as a whole."""
    pdf = b""
    for size in BODY_SIZES:
        pdf, pages = _build(notice, fonts, Letter(notice, fonts, size, body).story)
        if pages == 1:
            return pdf
    if notice.kind == Notice.Kind.SUPPLEMENT:
        letter = Letter(notice, fonts, RUN_ON_SIZE, body)
        _pdf, pages = _build(notice, fonts, letter.story)
        return _build(notice, fonts, letter.story, total=pages)[0]
    letter = Letter(notice, fonts, BODY_SIZES[-1], body)
    height = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
    return _build(
        notice,
        fonts,
        lambda width: [KeepInFrame(width, height, letter.story(width, keep_together=False), mode="shrink")],
    )[0]
