"""The numbered triplicate receipt (三联单管理制): one A4 page in three parts, for the applicant, the window and
the department."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepInFrame, Table, TableStyle

from bianmin.catalog.qr import draw_qr
from bianmin.core.masking import mask_address, mask_id_number, mask_phone
from bianmin.core.pdf import FontSet, draw_heading, draw_paragraph, paragraph_style

from ..models import Case, CaseMaterial, DeliveryMethod, Notice
from .layout import LABEL_BACKGROUND, MUTED, PAGE_HEIGHT, PAGE_WIDTH, RED, RULE, draw_seal
from .typesetting import Text
from .wording import date_time, list_separator, long_date, notice_title

RECEIPT_MARGIN_X = 14 * mm
RECEIPT_MARGIN_Y = 9 * mm
RECEIPT_QR = 27 * mm
RECEIPT_SEAL = 24 * mm
RECEIPT_SIZES = (9.5, 9, 8.5, 8, 7.5, 7)


def tracking_url(case: Case, base_url: str = "") -> str:
    """The public tracking page of the case (what the receipt's QR code holds)."""
    return f"{base_url.rstrip('/')}/cases/track/?{urlencode({'number': case.tracking_number})}"


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
    return list_separator().join(marks) or _("received")


def _received_materials(case: Case) -> list[str]:
    provided = [m for m in case.materials.all() if m.state == CaseMaterial.State.PROVIDED]
    return [
        _("%(number)d. %(material)s (%(marks)s)") % {"number": n, "material": m.name, "marks": _material_marks(m)}
        for n, m in enumerate(provided, start=1)
    ]


def _delivery_place(case: Case) -> str:
    if case.delivery_method == DeliveryMethod.POST:
        return _("By post to %(address)s") % {"address": mask_address(case.applicant_address)}
    if case.delivery_site_id:
        return _("Collected at %(site)s") % {"site": case.delivery_site.name}
    return ""


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
            (pgettext("notice", "Received by"), clerk, pgettext("notice", "Received at"), date_time(case.received_at)),
            (
                pgettext("notice", "Accepted on"),
                long_date(stated.get("accepted_on") or case.accepted_on),
                pgettext("notice", "Promised deadline"),
                long_date(stated.get("promised_due") or case.promised_due),
            ),
            # The applicant's choice of where the result goes back (结果反馈), recorded at intake.
            (
                pgettext("notice", "Result handed over"),
                _delivery_place(case),
                pgettext("notice", "Result"),
                version.result_name,
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
                    Text(first, label),
                    Text(first_value, strong if index == 0 else value),
                    Text(second, label),
                    Text(second_value, value),
                ]
            )
        materials = self.materials or [pgettext("notice", "None")]
        columns = 2 if len(materials) > 2 else 1
        per_column = -(-len(materials) // columns)
        cells = [
            [Text(text, value) for text in materials[column * per_column : (column + 1) * per_column]]
            for column in range(columns)
        ]
        data.append(
            [Text(pgettext("notice", "Materials received"), label), cells[0], cells[1] if columns > 1 else "", ""]
        )
        phones = _("Consultation phone: %(consultation)s  Complaint phone: %(complaint)s") % {
            "consultation": self.phones[0],
            "complaint": self.phones[1],
        }
        data.append([Text(pgettext("notice", "Contact"), label), Text(phones, value), "", ""])
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
    canvas.drawCentredString(centre_x, seal_y - 3.2 * mm, long_date(notice.issued_at))
    canvas.restoreState()
    draw_seal(canvas, centre_x, seal_y, diameter=RECEIPT_SEAL, fonts=fonts)


def render_receipt(notice: Notice, fonts: FontSet, base_url: str) -> bytes:
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
