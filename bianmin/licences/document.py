"""The licence as a PDF: its own layout (a framed certificate, not a letter) drawn with the notices' font, colours
and seal, the QR code of its verification page, and the signed content embedded for offline checking.

The PDF's keywords carry ``bianmin-licence:<content>.<signature>`` (both base64url), so a copy can be checked
without the platform: ``document_check`` (and ``POST /api/v1/licences/verify``) takes the content and signature
from the file and checks them with the published public key. A copy whose embedded content was altered fails; a
copy whose visible text was altered shows other words than the verification page and the signed content.
"""

from __future__ import annotations

import base64
import io
import math
import re

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from bianmin.cases.notices.layout import RED, SEAL_RED, _star
from bianmin.catalog.qr import draw_qr
from bianmin.core.pdf import FontSet, draw_heading, draw_paragraph, paragraph_style, register_fonts

from . import signing
from .models import Licence
from .verification import verification_url

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 14 * mm
KEYWORDS_PREFIX = "bianmin-licence:"
MUTED = colors.HexColor("#555555")
FRAME_GOLD = colors.HexColor("#b8860b")
_EMBEDDED = re.compile(rb"bianmin-licence:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _validity(licence: Licence) -> str:
    if licence.valid_until is None:
        return _("From %(start)s, without limit") % {"start": _date(licence.valid_from)}
    return _("%(start)s to %(end)s") % {"start": _date(licence.valid_from), "end": _date(licence.valid_until)}


def draw_organ_seal(canvas: Canvas, cx: float, cy: float, *, diameter: float, organ: str, fonts: FontSet) -> None:
    """The organ's seal drawn in vectors: a red ring, the organ's name along its upper arc, a star in the middle.
    Used when the licence type has no seal image."""
    radius = diameter / 2
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(diameter / 45)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    _star(canvas, cx, cy, radius * 0.3)
    characters = list(organ)[:18]
    size = min(diameter / 8, 2 * math.pi * radius * 0.75 / max(len(characters), 1) * 0.9)
    span = min(math.radians(250), len(characters) * (size * 1.05) / (radius * 0.78))
    canvas.setFont(fonts.body, size)
    for index, character in enumerate(characters):
        step = span / max(len(characters) - 1, 1)
        angle = math.pi / 2 + span / 2 - index * step
        canvas.saveState()
        canvas.translate(cx + radius * 0.78 * math.cos(angle), cy + radius * 0.78 * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, -size / 2, character)
        canvas.restoreState()
    canvas.restoreState()


def _seal(canvas: Canvas, licence: Licence, cx: float, cy: float, diameter: float, fonts: FontSet) -> None:
    image = licence.type.seal_image
    if image:
        with image.open("rb") as handle:
            reader = ImageReader(io.BytesIO(handle.read()))
        canvas.drawImage(
            reader, cx - diameter / 2, cy - diameter / 2, diameter, diameter, mask="auto", preserveAspectRatio=True
        )
        return
    draw_organ_seal(canvas, cx, cy, diameter=diameter, organ=licence.organ_name, fonts=fonts)


def _facts(licence: Licence) -> list[tuple[str, str]]:
    return [
        (_("Holder"), licence.holder_name),
        (_("Identity document"), licence.get_holder_id_type_display()),
        (_("Document number"), licence.holder_id_number),
        (_("What is permitted"), licence.scope),
        (_("Valid"), _validity(licence)),
        (_("Issuing organ"), licence.organ_name),
        (_("Issuing organ's code"), licence.organ_code),
        (_("Date of issue"), _date(licence.issued_on)),
        (_("Licence type code"), licence.type.code),
    ]


def _frame(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(FRAME_GOLD)
    canvas.setLineWidth(2.2)
    canvas.rect(MARGIN - 4 * mm, MARGIN - 4 * mm, PAGE_WIDTH - 2 * MARGIN + 8 * mm, PAGE_HEIGHT - 2 * MARGIN + 8 * mm)
    canvas.setLineWidth(0.7)
    canvas.rect(MARGIN - 2 * mm, MARGIN - 2 * mm, PAGE_WIDTH - 2 * MARGIN + 4 * mm, PAGE_HEIGHT - 2 * MARGIN + 4 * mm)
    canvas.restoreState()


def _table(canvas: Canvas, licence: Licence, fonts: FontSet, top: float) -> float:
    label_width = 42 * mm
    left = MARGIN + 8 * mm
    width = PAGE_WIDTH - 2 * MARGIN - 16 * mm
    label_style = paragraph_style("licence-label", fonts, 12.5, textColor=MUTED)
    value_style = paragraph_style("licence-value", fonts, 14, leading=19)
    for label, value in _facts(licence):
        height = draw_paragraph(
            canvas, value, x=left + label_width, top=top, width=width - label_width, style=value_style
        )
        label_height = draw_paragraph(
            canvas, label, x=left, top=top - 1.5, width=label_width - 4 * mm, style=label_style
        )
        top -= max(height, label_height + 1.5, 18) + 3.5 * mm
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#dddddd"))
        canvas.setLineWidth(0.4)
        canvas.line(left, top + 1.8 * mm, left + width, top + 1.8 * mm)
        canvas.restoreState()
    return top


def _status_mark(canvas: Canvas, licence: Licence, fonts: FontSet) -> None:
    """A copy printed after the licence ended says so across the page."""
    if licence.status == "valid":
        return
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.78, 0.06, 0.18, alpha=0.28))
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(30)
    canvas.setFont(fonts.body, 56)
    canvas.drawCentredString(0, 0, licence.get_status_display())
    canvas.restoreState()


def render_licence(licence: Licence) -> bytes:
    """The licence's PDF, from what it stored when issued."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{licence.type.name} {licence.number}")
    canvas.setAuthor(licence.organ_name)
    canvas.setSubject(_("Electronic licence"))
    canvas.setKeywords(f"{KEYWORDS_PREFIX}{_b64(licence.content)}.{licence.signature}")
    _frame(canvas)
    top = PAGE_HEIGHT - MARGIN - 14 * mm
    top -= draw_heading(
        canvas,
        licence.type.name,
        x=MARGIN,
        top=top,
        width=PAGE_WIDTH - 2 * MARGIN,
        fonts=fonts,
        size=28,
        color=RED,
        centred=True,
    )
    canvas.setFont(fonts.body, 12)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 8 * mm, _("Electronic licence"))
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.body, 13)
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN - 8 * mm, top - 18 * mm, _("No. %(number)s") % {"number": licence.number}
    )
    _table(canvas, licence, fonts, top - 28 * mm)
    # The seal over the organ and the date, bottom right; the QR code bottom left.
    bottom = MARGIN + 30 * mm
    canvas.setFont(fonts.body, 13)
    right = PAGE_WIDTH - MARGIN - 40 * mm
    canvas.drawCentredString(right, bottom + 8 * mm, licence.organ_name)
    canvas.drawCentredString(right, bottom, _date(licence.issued_on))
    _seal(canvas, licence, right, bottom + 6 * mm, 40 * mm, fonts)
    qr_size = 36 * mm
    draw_qr(canvas, verification_url(licence), x=MARGIN + 6 * mm, y=bottom - 10 * mm, size=qr_size)
    canvas.setFont(fonts.body, 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(
        MARGIN + 8 * mm, bottom - 14 * mm, _("Scan to verify · check code %(code)s") % {"code": licence.check_code}
    )
    _signature_lines(canvas, licence, fonts)
    _status_mark(canvas, licence, fonts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _signature_lines(canvas: Canvas, licence: Licence, fonts: FontSet) -> None:
    canvas.setFont(fonts.body, 7)
    canvas.setFillColor(MUTED)
    y = MARGIN + 2 * mm
    canvas.drawString(
        MARGIN + 6 * mm,
        y + 9,
        _("Signed with Ed25519, key %(key)s; the signed content is embedded in this file.") % {"key": licence.key_id},
    )
    canvas.drawString(MARGIN + 6 * mm, y, _("Signature: %(signature)s") % {"signature": licence.signature})


def embedded_signature(pdf: bytes) -> tuple[str, str] | None:
    """The signed content and signature a licence PDF carries, or None when it carries none readable."""
    match = _EMBEDDED.search(pdf)
    if match is None:
        return None
    encoded, signature = match.group(1), match.group(2).decode("ascii")
    try:
        content = base64.urlsafe_b64decode(encoded + b"=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return content, signature


def document_check(pdf: bytes) -> tuple[bool, str]:
    """Whether a licence file's embedded content is signed by the platform's key, and that content."""
    embedded = embedded_signature(pdf)
    if embedded is None:
        return False, ""
    content, signature = embedded
    return signing.signature_valid(content, signature), content
