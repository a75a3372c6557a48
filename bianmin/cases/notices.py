"""The written notices the law requires, as printable A4 PDFs in the active language.

ALL art. 32 (acceptance, the one-time supplement notice, refusal), 38 (approval, denial), 42 (extension),
45 (special procedures), 58–59 (fee receipt), and the plan's numbered triplicate receipt (三联单管理制).
Reasons, dates and deadlines come from what the Notice stored when it was issued (its ``content``), so a
reprint says what the original said; the rest (applicant, item, tracking number, dates of receipt and
acceptance) are facts of the case that do not change once set.

Each notice is one page: the body's type gets smaller until it fits. Only the supplement notice, which must
list every material (一次性告知), may run onto further pages; the other notices, if a text is very long, are
scaled down as a whole rather than cut.
"""

from __future__ import annotations

import datetime
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
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

from bianmin.catalog.models import SpecialProcedure
from bianmin.catalog.qr import draw_qr
from bianmin.core.masking import mask_id_number, mask_phone
from bianmin.core.pdf import FontSet, draw_heading, draw_paragraph, paragraph_style, register_fonts, wrap_lines

from .models import Case, CaseMaterial, Notice

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


def tracking_url(case: Case, base_url: str = "") -> str:
    """The public tracking page of the case (what the receipt's QR code holds)."""
    return f"{base_url.rstrip('/')}/cases/track/?{urlencode({'number': case.tracking_number})}"


def render_notice(notice: Notice, *, base_url: str = "") -> bytes:
    """The A4 PDF of ``notice`` in the active language; ``base_url`` makes the tracking link absolute
    (``https://bianmin.example.gov.cn``). One page, except a very long supplement notice."""
    fonts = register_fonts()
    if notice.kind == Notice.Kind.RECEIPT:
        return _render_receipt(notice, fonts, base_url)
    return _render_letter(notice, fonts)


# --- Words shared by every notice --------------------------------------------------------------------------


def notice_title(kind: str) -> str:
    """The document's title as printed (受理通知书 …), not the kind's short label."""
    titles = {
        Notice.Kind.RECEIPT: pgettext("notice title", "Receipt of application"),
        Notice.Kind.ACCEPTANCE: pgettext("notice title", "Acceptance notice"),
        Notice.Kind.SUPPLEMENT: pgettext("notice title", "Notice to supplement materials (one-time notice)"),
        Notice.Kind.REFUSAL: pgettext("notice title", "Notice of refusal to accept"),
        Notice.Kind.SUSPENSION: pgettext("notice title", "Notice of a special procedure"),
        Notice.Kind.EXTENSION: pgettext("notice title", "Notice of extension"),
        Notice.Kind.APPROVAL: pgettext("notice title", "Decision to grant the administrative licence"),
        Notice.Kind.DENIAL: pgettext("notice title", "Decision not to grant the administrative licence"),
        Notice.Kind.FEE_RECEIPT: pgettext("notice title", "Fee receipt"),
    }
    return titles[kind]


def _date(value: datetime.date | datetime.datetime | str | None) -> str:
    """A date in the active language's long form: 2026年10月13日."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


def _date_time(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{_date(local)} {local:%H:%M}"


def _working_days(days: int) -> str:
    return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}


def _deadline(days: int, due: str | datetime.date | None) -> str:
    if not due:
        return _working_days(days)
    return _("%(days)s, by %(date)s") % {"days": _working_days(days), "date": _date(due)}


def _separator() -> str:
    return pgettext("between the items of a list", ", ")


def _yuan(amount: str | Decimal) -> str:
    try:
        shown = f"{Decimal(str(amount)):.2f}"
    except InvalidOperation:
        shown = str(amount)
    return _("%(amount)s yuan") % {"amount": shown}


def _procedure(kind: str) -> str:
    try:
        return str(SpecialProcedure.Kind(kind).label)
    except ValueError:
        return kind


def _application(case: Case) -> dict[str, str]:
    """The placeholders every notice's first sentence uses."""
    return {
        "item": case.version.name,
        "date": _date(case.received_on),
        "accepted": _date(case.accepted_on),
    }


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


# --- Flowables ------------------------------------------------------------------------------------------------

# Chinese line breaking (避头尾): these never start a line, those never end one. ReportLab's CJK wrapping only
# knows a few of them (not the full-width comma, semicolon, colon or closing 》), and hangs just one mark.
CANNOT_START = "，。、；：？！）》〉」』】〕］｝”’…—·%‰℃,.;:?!)]}"
CANNOT_END = "（《〈「『【〔［｛“‘([{"
JUSTIFY_LIMIT = 4  # a line short of the edge by up to this many characters is spread to it
# A run of Latin letters and digits (a tracking number, a phone, a masked ID number) is never broken.
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/_@:#*'’]*|\s+|.")


def _groups(text: str) -> list[str]:
    """The unbreakable pieces of ``text``: characters and Latin runs, each closing mark glued to what precedes it
    and each opening mark to what follows it."""
    groups: list[str] = []
    for token in TOKEN.findall(text):
        if groups and not token.isspace() and (token[0] in CANNOT_START or groups[-1][-1] in CANNOT_END):
            groups[-1] += token
        else:
            groups.append(token)
    return groups


@dataclass(frozen=True)
class _Line:
    pieces: tuple[str, ...]  # the unbreakable pieces; justification spreads the room between them
    indent: float
    last: bool  # the last line of a paragraph is not justified


def _break_lines(text: str, font: str, size: float, width: float, indent: float) -> list[_Line]:
    """Greedy lines no wider than ``width``; each line of ``text`` is a paragraph whose first line is indented."""
    lines: list[_Line] = []
    for paragraph_text in text.split("\n"):
        current: list[str] = []
        used, line_indent = 0.0, indent
        for group in _groups(paragraph_text.strip()):
            # A piece wider than a whole line (a long URL) is broken between its characters after all.
            pieces = list(group) if stringWidth(group, font, size) > width - line_indent else [group]
            for piece in pieces:
                piece_width = stringWidth(piece, font, size)
                if current and used + piece_width > width - line_indent:
                    lines.append(_Line(_trimmed(current), line_indent, last=False))
                    current, used, line_indent = [], 0.0, 0.0
                if not current and piece.isspace():
                    continue
                current.append(piece)
                used += piece_width
        lines.append(_Line(_trimmed(current), line_indent, last=True))
    return lines


def _trimmed(pieces: list[str]) -> tuple[str, ...]:
    while pieces and pieces[-1].isspace():
        pieces = pieces[:-1]
    return tuple(pieces)


class _Text(Flowable):
    """A paragraph of Chinese set as the notices need it: 避头尾 line breaking, justified lines (when the style
    says so), a first-line indent, and newlines as paragraph breaks. Font, size, leading, colour, alignment and
    indent come from a ``ParagraphStyle`` (see ``bianmin.core.pdf.paragraph_style``)."""

    def __init__(self, text: str, style: ParagraphStyle, lines: list[_Line] | None = None, width: float = 0.0):
        super().__init__()
        self.text = str(text or "")
        self.style = style
        self.lines = lines  # broken for ``width``; a part left from a split keeps its lines
        self.width = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        style = self.style
        if self.lines is None or available_width != self.width:
            self.lines = _break_lines(self.text, style.fontName, style.fontSize, available_width, style.firstLineIndent)
        self.width = available_width
        self.height = len(self.lines) * style.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        fits = int(available_height // self.style.leading)
        if fits <= 0:
            return []
        if fits >= len(self.lines):
            return [self]
        return [
            _Text(self.text, self.style, self.lines[:fits], self.width),
            _Text(self.text, self.style, self.lines[fits:], self.width),
        ]

    def draw(self) -> None:
        style, canvas = self.style, self.canv
        size, leading = style.fontSize, style.leading
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        for index, line in enumerate(self.lines):
            # The glyphs sit in the middle of their line's box.
            baseline = self.height - index * leading - (leading - size) / 2 - size * 0.88
            widths = [stringWidth(piece, style.fontName, size) for piece in line.pieces]
            room = self.width - line.indent - sum(widths)
            x, gap = line.indent, 0.0
            if style.alignment == TA_CENTER:
                x += room / 2
            elif style.alignment == TA_JUSTIFY and not line.last and len(widths) > 1 and room < size * JUSTIFY_LIMIT:
                gap = room / (len(widths) - 1)  # between pieces: a Latin run keeps its own spacing
            text = canvas.beginText()
            text.setFont(style.fontName, size)
            for piece, width in zip(line.pieces, widths, strict=True):
                text.setTextOrigin(x, baseline)
                text.textOut(piece)
                x += width + gap
            canvas.drawText(text)
        canvas.restoreState()


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


# --- The letters: acceptance, supplement, refusal, suspension, extension, decisions, fee receipt ---------------


class _Letter:
    """The flowables of one notice at one body type size."""

    def __init__(self, notice: Notice, fonts: FontSet, size: float):
        self.notice = notice
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
        return _Text(text, self.text)

    def gap(self, lines: float = 0.5) -> Flowable:
        return Spacer(1, self.size * lines)

    def facts(self, rows: list[tuple[str, str]], width: float) -> Flowable:
        """A two-column table of labelled facts (dates, limits, reasons)."""
        widest = max(stringWidth(label, self.fonts.body, self.cell.fontSize) for label, _value in rows)
        label_width = min(max(widest + 14, 28 * mm), width / 3)
        data = [[_Text(label, self.cell_label), _Text(value, self.cell)] for label, value in rows]
        return Table(data, colWidths=[label_width, width - label_width], style=self._grid(), hAlign="CENTER")

    def _grid(self, header: bool = False) -> TableStyle:
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
            _Text(
                _("No. %(number)s · tracking number %(tracking)s")
                % {"number": notice.number, "tracking": self.case.tracking_number or ""},
                self.number_style,
            ),
            Spacer(1, 1.5 * mm),
            _RedRule(),
            Spacer(1, 5 * mm),
        ]

    def addressee(self) -> Flowable:
        return _Text(_("%(name)s:") % {"name": self.case.applicant_name}, self.plain)

    def signature(self) -> Flowable:
        return _Signature(self.notice.issuer_name, _date(self.notice.issued_at), self.fonts, self.size)

    def story(self, width: float, *, keep_together: bool = True) -> list[Flowable]:
        body = getattr(self, f"body_{self.notice.kind}")(width)
        # The closing paragraph stays with the signature, so a signature never stands alone on a page.
        closing = [body.pop(), self.gap(1), self.signature()]
        return [*self.head(width), *body, *([KeepTogether(closing)] if keep_together else closing)]

    # One body per kind, from the notice's stored content.

    def body_acceptance(self, width: float) -> list[Flowable]:
        content, version = self.notice.content, self.case.version
        values = _application(self.case)
        if content.get("deemed"):
            opening = (
                _(
                    "Your application for %(item)s was received on %(date)s and you were "
                    "not told within five working days what to supplement. Under Article 32 of the Administrative "
                    "Licensing Law of the People's Republic of China, as no notice was given within five working "
                    "days, the application counts as accepted from the day it was received."
                )
                % values
            )
        else:
            opening = (
                _(
                    "Your application for %(item)s, submitted on %(date)s, has been "
                    "examined: the materials are complete and in the statutory form. Under Article 32 of the "
                    "Administrative Licensing Law of the People's Republic of China, this organ accepts the "
                    "application."
                )
                % values
            )
        rows = [
            (pgettext("notice", "Accepted on"), _date(content.get("accepted_on"))),
            (pgettext("notice", "Promised time limit"), _deadline(version.promised_days, content.get("promised_due"))),
            (
                pgettext("notice", "Statutory time limit"),
                _deadline(version.statutory_days, content.get("statutory_due")),
            ),
        ]
        return [
            self.addressee(),
            self.para(opening),
            self.gap(),
            self.facts(rows, width),
            self.gap(),
            self.para(
                _(
                    "Time limits count working days, not counting the day of acceptance. Time needed for a hearing, "
                    "inspection, testing, appraisal or expert review is not counted in the time limit. Quote the "
                    "tracking number to follow your case and to collect the result."
                )
            ),
        ]

    def body_supplement(self, width: float) -> list[Flowable]:
        content = self.notice.content
        problems = content.get("problems", [])
        opening = _(
            "Your application for %(item)s, submitted on %(date)s, has been "
            "examined: the materials are incomplete or not in the statutory form. Under Article 32 of the "
            "Administrative Licensing Law of the People's Republic of China, you are told at once everything "
            "that must be supplemented:"
        ) % _application(self.case)
        header = [
            pgettext("notice", "No."),
            pgettext("notice", "Material"),
            pgettext("notice", "What is missing or wrong, and what to bring"),
        ]
        data = [[_Text(text, self.cell_label) for text in header]]
        for number, problem in enumerate(problems, start=1):
            data.append(
                [
                    _Text(str(number), self.cell_label),
                    _Text(problem.get("material", ""), self.cell),
                    _Text(problem.get("problem", ""), self.cell),
                ]
            )
        number_width = max(12 * mm, self.size * 3)
        # The material column fits the longest name on one line, between a quarter and 45 % of the rest.
        longest = max([stringWidth(p.get("material", ""), self.fonts.body, self.cell.fontSize) for p in problems] + [0])
        material_width = min(
            max(longest + self.size * 1.2, (width - number_width) * 0.25), (width - number_width) * 0.45
        )
        table = Table(
            data,
            colWidths=[number_width, material_width, width - number_width - material_width],
            style=self._grid(header=True),
            repeatRows=1,
            hAlign="CENTER",
        )
        flowables = [self.addressee(), self.para(opening), self.gap(), table, self.gap()]
        count = ngettext(
            "This notice lists %(count)d material to supplement.",
            "This notice lists %(count)d materials to supplement.",
            len(problems),
        ) % {"count": len(problems)}
        if content.get("repeat_reason"):
            flowables.append(
                self.para(_("Reason for a further notice: %(reason)s") % {"reason": content["repeat_reason"]})
            )
        flowables.append(
            self.para(
                count
                + _(
                    "Please supplement all of the materials above at once and hand them in to this organ. Once the "
                    "materials are complete and in the statutory form, the application will be accepted."
                )
            )
        )
        return flowables

    def body_refusal(self, width: float) -> list[Flowable]:
        content = self.notice.content
        flowables = [
            self.addressee(),
            self.para(
                _(
                    "Your application for %(item)s, submitted on %(date)s, has been "
                    "examined. Under Article 32 of the Administrative Licensing Law of the People's Republic of "
                    "China, this organ does not accept the application, for the following reasons:"
                )
                % _application(self.case)
            ),
            self.para(content.get("reasons", "")),
        ]
        if content.get("competent_organ"):
            flowables.append(
                self.para(
                    _("The matter is not within this organ's powers. Please apply to %(organ)s.")
                    % {"organ": content["competent_organ"]}
                )
            )
        if content.get("rights"):
            flowables.append(self.para(content["rights"]))
        return flowables

    def body_suspension(self, width: float) -> list[Flowable]:
        content = self.notice.content
        rows = [
            (pgettext("notice", "Procedure"), _procedure(content.get("kind", ""))),
            (pgettext("notice", "Reason"), content.get("reason", "")),
            (pgettext("notice", "Expected time"), _working_days(int(content.get("expected_days") or 0))),
        ]
        return [
            self.addressee(),
            self.para(
                _(
                    "Your application for %(item)s was accepted on %(accepted)s. Under "
                    "Article 45 of the Administrative Licensing Law of the People's Republic of China, the following "
                    "special procedure is needed before a decision:"
                )
                % _application(self.case)
            ),
            self.gap(),
            self.facts(rows, width),
            self.gap(),
            self.para(
                _(
                    "The time needed is not counted in the time limit (Administrative Licensing Law, Article 45). "
                    "When the procedure ends, handling resumes and the deadlines move by the working days it took."
                )
            ),
        ]

    def body_extension(self, width: float) -> list[Flowable]:
        content = self.notice.content
        days = _working_days(int(content.get("days") or 0))
        rows = [
            (pgettext("notice", "Reason for the extension"), content.get("reason", "")),
            (pgettext("notice", "Extended by"), days),
            (pgettext("notice", "New promised deadline"), _date(content.get("promised_due"))),
            (pgettext("notice", "New statutory deadline"), _date(content.get("statutory_due"))),
        ]
        return [
            self.addressee(),
            self.para(
                _(
                    "Your application for %(item)s was accepted on %(accepted)s. It "
                    "cannot be decided within the time limit. With the approval of the head of this organ, and under "
                    "Article 42 of the Administrative Licensing Law of the People's Republic of China, the time "
                    "limit is extended by %(days)s."
                )
                % {**_application(self.case), "days": days}
            ),
            self.gap(),
            self.facts(rows, width),
            self.gap(),
            self.para(_("Quote the tracking number to follow your case and to collect the result.")),
        ]

    def body_approval(self, width: float) -> list[Flowable]:
        content = self.notice.content
        flowables = [
            self.addressee(),
            self.para(
                _(
                    "Your application for %(item)s was accepted on %(accepted)s and "
                    "has been examined: it meets the statutory conditions and standards. Under Article 38 of the "
                    "Administrative Licensing Law of the People's Republic of China, this organ grants the licence."
                )
                % _application(self.case)
            ),
        ]
        if content.get("reasons"):
            flowables.append(self.para(_("Opinion: %(reasons)s") % {"reasons": content["reasons"]}))
        flowables.append(
            self.para(
                _(
                    "This organ will issue and deliver the %(result)s to you within ten working days of this decision "
                    "(Administrative Licensing Law, Article 44)."
                )
                % {"result": content.get("result") or self.case.version.result_name}
            )
        )
        return flowables

    def body_denial(self, width: float) -> list[Flowable]:
        content = self.notice.content
        flowables = [
            self.addressee(),
            self.para(
                _(
                    "Your application for %(item)s was accepted on %(accepted)s and "
                    "has been examined. Under Article 38 of the Administrative Licensing Law of the People's "
                    "Republic of China, this organ does not grant the licence, for the following reasons:"
                )
                % _application(self.case)
            ),
            self.para(content.get("reasons", "")),
        ]
        if content.get("rights"):
            flowables.append(self.para(content["rights"]))
        return flowables

    def body_fee_receipt(self, width: float) -> list[Flowable]:
        content, case = self.notice.content, self.case
        facts = self.facts(
            [
                (pgettext("notice", "Payer"), case.applicant_name),
                (pgettext("notice", "Item"), case.version.name),
                (pgettext("notice", "Tracking number"), case.tracking_number or ""),
                (pgettext("notice", "Receipt number"), content.get("receipt", "")),
            ],
            width,
        )
        header = [
            pgettext("notice", "No."),
            pgettext("notice", "Fee"),
            pgettext("notice", "Standard"),
            pgettext("notice", "Basis"),
        ]
        data = [[_Text(text, self.cell_label) for text in header]]
        for number, rule in enumerate(content.get("rules", []), start=1):
            standard = _yuan(rule["amount"]) if rule.get("amount") else rule.get("formula", "")
            data.append(
                [
                    _Text(str(number), self.cell_label),
                    _Text(rule.get("name", ""), self.cell),
                    _Text(standard, self.cell),
                    _Text(rule.get("basis", ""), self.cell),
                ]
            )
        total = _Text(_yuan(content.get("amount", "")), ParagraphStyle("total", self.cell, fontSize=self.size))
        data.append([_Text(pgettext("notice", "Total"), self.cell_label), total, "", ""])
        number_width = max(12 * mm, self.size * 3)
        rest = width - number_width
        style = self._grid(header=True)
        style.add("SPAN", (1, -1), (3, -1))
        style.add("BACKGROUND", (0, -1), (0, -1), LABEL_BACKGROUND)
        table = Table(
            data,
            colWidths=[number_width, rest * 0.3, rest * 0.25, rest * 0.45],
            style=style,
            hAlign="CENTER",
        )
        return [
            facts,
            self.gap(),
            table,
            self.gap(),
            self.para(
                _(
                    "Fees are collected only where a law or administrative regulation provides for them, at the "
                    "published standard, and a receipt is given for every fee (Administrative Licensing Law, "
                    "Articles 58 and 59)."
                )
            ),
        ]


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


def _render_letter(notice: Notice, fonts: FontSet) -> bytes:
    """The largest body type that keeps the notice on one page; then the supplement notice runs on (it must
    list everything) and any other notice is scaled down as a whole."""
    pdf = b""
    for size in BODY_SIZES:
        pdf, pages = _build(notice, fonts, _Letter(notice, fonts, size).story)
        if pages == 1:
            return pdf
    if notice.kind == Notice.Kind.SUPPLEMENT:
        letter = _Letter(notice, fonts, RUN_ON_SIZE)
        _pdf, pages = _build(notice, fonts, letter.story)
        return _build(notice, fonts, letter.story, total=pages)[0]
    letter = _Letter(notice, fonts, BODY_SIZES[-1])
    height = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
    return _build(
        notice,
        fonts,
        lambda width: [KeepInFrame(width, height, letter.story(width, keep_together=False), mode="shrink")],
    )[0]


# --- The triplicate receipt (三联单) ---------------------------------------------------------------------------

RECEIPT_MARGIN_X = 14 * mm
RECEIPT_MARGIN_Y = 9 * mm
RECEIPT_QR = 27 * mm
RECEIPT_SEAL = 24 * mm
RECEIPT_SIZES = (9.5, 9, 8.5, 8, 7.5, 7)


def receipt_parts() -> list[tuple[str, str]]:
    """The three parts: (which part, who keeps it)."""
    return [
        (_("Part 1"), _("Kept by the applicant")),
        (_("Part 2"), _("Window stub")),
        (_("Part 3"), _("Kept by the department")),
    ]


def _material_marks(material: CaseMaterial) -> str:
    marks = []
    if material.original_seen:
        marks.append(_("original checked"))
    if material.copy_kept:
        marks.append(_("copy kept"))
    if material.file:
        marks.append(_("uploaded"))
    return _separator().join(marks) or _("received")


def _received_materials(case: Case) -> list[str]:
    provided = [m for m in case.materials.all() if m.state == CaseMaterial.State.PROVIDED]
    return [
        _("%(number)d. %(material)s (%(marks)s)") % {"number": n, "material": m.name, "marks": _material_marks(m)}
        for n, m in enumerate(provided, start=1)
    ]


class _Receipt:
    """The facts every part of the receipt shows, gathered once."""

    def __init__(self, notice: Notice, base_url: str):
        case = notice.case
        self.notice = notice
        self.case = case
        acceptance = case.notices.filter(kind=Notice.Kind.ACCEPTANCE).order_by("issued_at", "pk").first()
        stated = acceptance.content if acceptance is not None else {}
        site = case.receiving_site.name
        if case.relay_site_id and case.relay_site_id != case.receiving_site_id:
            site = _("%(site)s (relayed by %(relay)s)") % {"site": site, "relay": case.relay_site.name}
        elif case.relay_site_id:
            site = _("%(site)s (agency)") % {"site": site}
        clerk = case.received_by.get_full_name() if case.received_by_id else _("Applied online")
        version = case.version
        self.url = tracking_url(case, base_url)
        self.rows = [
            (pgettext("notice", "Tracking number"), notice.number, pgettext("notice", "Item"), version.name),
            (
                pgettext("notice", "Applicant"),
                case.applicant_name,
                pgettext("notice", "Document number"),
                mask_id_number(case.applicant_id_number),
            ),
            (
                pgettext("notice", "Mobile phone"),
                mask_phone(case.applicant_phone),
                pgettext("notice", "Receiving site"),
                site,
            ),
            (pgettext("notice", "Received by"), clerk, pgettext("notice", "Received at"), _date_time(case.received_at)),
            (
                pgettext("notice", "Accepted on"),
                _date(stated.get("accepted_on") or case.accepted_on),
                pgettext("notice", "Promised deadline"),
                _date(stated.get("promised_due") or case.promised_due),
            ),
        ]
        self.materials = _received_materials(case)
        self.phones = (version.consultation_phone, version.complaint_phone)

    def table(self, fonts: FontSet, size: float, width: float) -> Table:
        label = paragraph_style("receipt-label", fonts, size, alignment=TA_CENTER, leading=size * 1.25)
        value = paragraph_style("receipt-value", fonts, size, leading=size * 1.25)
        strong = paragraph_style("receipt-strong", fonts, size * 1.1, leading=size * 1.3, textColor=RED)
        labels = (
            [row[0] for row in self.rows] + [row[2] for row in self.rows] + [pgettext("notice", "Materials received")]
        )
        label_width = max(stringWidth(text, fonts.body, size) for text in labels) + size * 1.2
        value_width = (width - 2 * label_width) / 2
        data = []
        for index, (first, first_value, second, second_value) in enumerate(self.rows):
            data.append(
                [
                    _Text(first, label),
                    _Text(first_value, strong if index == 0 else value),
                    _Text(second, label),
                    _Text(second_value, value),
                ]
            )
        materials = self.materials or [pgettext("notice", "None")]
        columns = 2 if len(materials) > 2 else 1
        per_column = -(-len(materials) // columns)
        cells = [
            [_Text(text, value) for text in materials[column * per_column : (column + 1) * per_column]]
            for column in range(columns)
        ]
        data.append(
            [_Text(pgettext("notice", "Materials received"), label), cells[0], cells[1] if columns > 1 else "", ""]
        )
        phones = _("Consultation phone: %(consultation)s  Complaint phone: %(complaint)s") % {
            "consultation": self.phones[0],
            "complaint": self.phones[1],
        }
        data.append([_Text(pgettext("notice", "Contact"), label), _Text(phones, value), "", ""])
        style = [
            ("FONTNAME", (0, 0), (-1, -1), fonts.body),  # tables set a cell's font even for flowables
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_BACKGROUND),
            ("BACKGROUND", (2, 0), (2, len(self.rows) - 1), LABEL_BACKGROUND),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), size * 0.22),
            ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.32),
            ("LEFTPADDING", (0, 0), (-1, -1), size * 0.45),
            ("RIGHTPADDING", (0, 0), (-1, -1), size * 0.45),
            ("SPAN", (1, -1), (3, -1)),
        ]
        materials_row = len(self.rows)
        if columns > 1:
            style.append(("SPAN", (2, materials_row), (3, materials_row)))
            style.append(("LINEBEFORE", (2, materials_row), (2, materials_row), 0, colors.white))
            style.append(("LEFTPADDING", (2, materials_row), (2, materials_row), size * 1.2))
        else:
            style.append(("SPAN", (1, materials_row), (3, materials_row)))
        style.append(("VALIGN", (1, materials_row), (-1, materials_row), "TOP"))
        return Table(data, colWidths=[label_width, value_width, label_width, value_width], style=TableStyle(style))


def _notes() -> list[str]:
    return [
        _("Keep this part: quote the tracking number to follow the case and collect the result."),
        _("Filed at the window in the order of the numbers."),
        _("Goes with the materials to the department handling the case."),
    ]


def _scissors(canvas: Canvas, x: float, y: float, size: float) -> None:
    """A small pair of scissors drawn with lines (no font has to carry the glyph), blades pointing right."""
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.7)
    ring = size * 0.2
    canvas.circle(x + ring, y + size * 0.28, ring, stroke=1, fill=0)
    canvas.circle(x + ring, y - size * 0.28, ring, stroke=1, fill=0)
    canvas.line(x + ring * 1.8, y + size * 0.2, x + size * 1.1, y - size * 0.12)
    canvas.line(x + ring * 1.8, y - size * 0.2, x + size * 1.1, y + size * 0.12)
    canvas.restoreState()


def _cut_line(canvas: Canvas, y: float, fonts: FontSet) -> None:
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.6)
    canvas.setDash(4, 3)
    canvas.line(RECEIPT_MARGIN_X * 0.5 + 5 * mm, y, PAGE_WIDTH - RECEIPT_MARGIN_X * 0.5, y)
    canvas.restoreState()
    _scissors(canvas, RECEIPT_MARGIN_X * 0.5 - 2 * mm, y, 7 * mm)
    label = _("cut along the dashed line")
    canvas.saveState()
    canvas.setFont(fonts.body, 6.5)
    width = stringWidth(label, fonts.body, 6.5)
    canvas.setFillColor(colors.white)
    canvas.rect(PAGE_WIDTH / 2 - width / 2 - 2, y - 4, width + 4, 8, stroke=0, fill=1)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(PAGE_WIDTH / 2, y - 2.3, label)
    canvas.restoreState()


def _fitting_size(text: str, font: str, width: float, *, largest: float, smallest: float) -> float:
    """The largest type size, down to ``smallest``, that sets ``text`` on one line of ``width``."""
    natural = stringWidth(text, font, largest)
    return largest if natural <= width else max(smallest, largest * width / natural)


def _draw_query_code(canvas: Canvas, code: str, fonts: FontSet, *, centre_x: float, top: float) -> None:
    """The case's query code (查询码) under the QR code of the applicant's part: with the tracking number it opens
    the case on the tracking page, so it is printed on that part only."""
    label = pgettext("notice", "Query code")
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(fonts.body, _fitting_size(label, fonts.body, RECEIPT_QR + 4 * mm, largest=7.5, smallest=5))
    canvas.drawCentredString(centre_x, top - 3 * mm, label)
    canvas.setFillColor(RED)
    canvas.setFont(fonts.bold, 11)
    canvas.drawCentredString(centre_x, top - 7.5 * mm, code)
    canvas.restoreState()


def _draw_receipt_part(
    canvas: Canvas,
    receipt: _Receipt,
    fonts: FontSet,
    part: tuple[str, str],
    note: str,
    top: float,
    bottom: float,
    *,
    query_code: str = "",
) -> None:
    notice = receipt.notice
    left = RECEIPT_MARGIN_X
    width = PAGE_WIDTH - 2 * RECEIPT_MARGIN_X
    # The part's name in a red box at the top right; the organ and the title centred.
    part_text = f"{part[0]}  {part[1]}"
    part_size = 10
    part_width = stringWidth(part_text, fonts.body, part_size) + 4 * mm
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setFillColor(RED)
    canvas.setLineWidth(0.9)
    canvas.rect(left + width - part_width, top - 6.5 * mm, part_width, 6.5 * mm, stroke=1, fill=0)
    canvas.setFont(fonts.body, part_size)
    canvas.drawCentredString(left + width - part_width / 2, top - 4.6 * mm, part_text)
    canvas.restoreState()
    title = f"{notice.issuer_name}  {notice_title(notice.kind)}"
    title_width = width - 2 * part_width
    heading_height = draw_heading(
        canvas,
        title,
        x=left + part_width,
        top=top - 0.5 * mm,
        width=title_width,
        fonts=fonts,
        size=_fitting_size(title, fonts.bold, title_width, largest=14, smallest=10),
        centred=True,
    )
    y = top - max(heading_height, 6.5 * mm) - 3 * mm
    # The QR code at the right of the table, its caption under it; the seal placeholder below.
    table_width = width - RECEIPT_QR - 3 * mm
    qr_left = left + table_width + 3 * mm
    draw_qr(canvas, receipt.url, x=qr_left, y=y - RECEIPT_QR, size=RECEIPT_QR)
    caption = paragraph_style("receipt-caption", fonts, 7, alignment=TA_CENTER, leading=8.5)
    draw_paragraph(
        canvas,
        _("Scan to follow the case"),
        x=qr_left - 2 * mm,
        top=y - RECEIPT_QR,
        width=RECEIPT_QR + 4 * mm,
        style=caption,
    )
    if query_code:
        _draw_query_code(canvas, query_code, fonts, centre_x=qr_left + RECEIPT_QR / 2, top=y - RECEIPT_QR - 4 * mm)
    # The table, at the largest type that leaves room for the note line.
    note_height = 5 * mm
    available = y - bottom - note_height
    table = None
    for size in RECEIPT_SIZES:
        table = receipt.table(fonts, size, table_width)
        _width, height = table.wrapOn(canvas, table_width, available)
        if height <= available:
            break
    else:
        table = KeepInFrame(table_width, available, [table], mode="shrink")
        _width, height = table.wrapOn(canvas, table_width, available)
    table.drawOn(canvas, left, y - height)
    # The note at the foot of the table; the receiving organ and the date at the foot of the QR column, with the
    # seal placeholder over them.
    note_style = paragraph_style("receipt-note", fonts, 7.5, textColor=MUTED, leading=9)
    draw_paragraph(canvas, note, x=left, top=bottom + 3.5 * mm, width=table_width, style=note_style)
    centre_x = qr_left + RECEIPT_QR / 2
    seal_y = bottom + RECEIPT_SEAL / 2
    signed = pgettext("notice", "Receiving organ (seal)")
    canvas.saveState()
    canvas.setFont(fonts.body, _fitting_size(signed, fonts.body, RECEIPT_QR + 4 * mm, largest=7.5, smallest=5))
    canvas.drawCentredString(centre_x, seal_y + 0.5 * mm, signed)
    canvas.setFont(fonts.body, 7.5)
    canvas.drawCentredString(centre_x, seal_y - 3.2 * mm, _date(notice.issued_at))
    canvas.restoreState()
    draw_seal(canvas, centre_x, seal_y, diameter=RECEIPT_SEAL, fonts=fonts)


def _render_receipt(notice: Notice, fonts: FontSet, base_url: str) -> bytes:
    """One A4 page in three parts separated by cut lines; the applicant's document and phone are masked on
    every part, so the full numbers never leave the system on paper. The applicant's part carries the case's
    query code, the other parts do not (they stay at the window and with the department)."""
    receipt = _Receipt(notice, base_url)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=fonts.body)
    canvas.setTitle(f"{notice_title(notice.kind)} {notice.number}")
    canvas.setAuthor(notice.issuer_name)
    part_height = (PAGE_HEIGHT - 2 * RECEIPT_MARGIN_Y) / 3
    for index, (part, note) in enumerate(zip(receipt_parts(), _notes(), strict=True)):
        top = PAGE_HEIGHT - RECEIPT_MARGIN_Y - index * part_height
        if index:
            _cut_line(canvas, top, fonts)
            top -= 5 * mm
        bottom = PAGE_HEIGHT - RECEIPT_MARGIN_Y - (index + 1) * part_height + 4 * mm
        query_code = receipt.case.query_code if index == 0 else ""
        _draw_receipt_part(canvas, receipt, fonts, part, note, top, bottom, query_code=query_code)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
