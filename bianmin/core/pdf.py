"""What every PDF of the platform shares: a Chinese font, and wrapped paragraphs of Chinese text.

Notices, triplicate receipts, service cards and the demo's blank forms all draw with the platform's own font,
WenQuanYi Micro Hei (``fonts/wqy-microhei.ttf``, Apache-2.0, see ``fonts/README.md``). ReportLab embeds the
subset each document uses, so a PDF prints the same on every machine and viewer, whatever fonts the host has:
the host's fonts are never looked at.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
BODY_FONT = "BianminCJK"


@dataclass(frozen=True)
class FontSet:
    """The registered ReportLab font names to draw with.

    The font has one weight, so ``bold`` is the body font and headings fake a bold (see ``draw_heading``);
    ``has_bold_face`` says whether a real bold is there.
    """

    body: str
    bold: str
    source: Path

    @property
    def has_bold_face(self) -> bool:
        return self.bold != self.body


@functools.cache
def register_fonts() -> FontSet:
    """Register the platform's Chinese font with ReportLab once per process and name it."""
    pdfmetrics.registerFont(TTFont(BODY_FONT, str(FONT_FILE)))
    return FontSet(body=BODY_FONT, bold=BODY_FONT, source=FONT_FILE)


def paragraph_style(
    name: str, fonts: FontSet, size: float, *, bold: bool = False, leading: float | None = None, **options
) -> ParagraphStyle:
    """A paragraph style that breaks lines between any two Chinese characters (``wordWrap="CJK"``)."""
    return ParagraphStyle(
        name,
        fontName=fonts.bold if bold else fonts.body,
        fontSize=size,
        leading=leading if leading is not None else size * 1.35,
        wordWrap="CJK",
        **options,
    )


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters in ``text`` are shown, not interpreted; newlines break."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def draw_paragraph(canvas: Canvas, text: str, *, x: float, top: float, width: float, style: ParagraphStyle) -> float:
    """Draw ``text`` wrapped to ``width`` with its top edge at ``top``; return the height it took."""
    flowable = paragraph(text, style)
    _width, height = flowable.wrapOn(canvas, width, 10_000)
    flowable.drawOn(canvas, x, top - height)
    return height


def wrap_lines(text: str, font_name: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: between any two Chinese characters, and between
    (never inside) runs of Latin letters and digits."""
    tokens = re.findall(r"[A-Za-z0-9.\-]+|\s+|.", text.strip())
    lines: list[str] = []
    line = ""
    for token in tokens:
        candidate = line + token
        if line and pdfmetrics.stringWidth(candidate, font_name, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def draw_heading(
    canvas: Canvas,
    text: str,
    *,
    x: float,
    top: float,
    width: float,
    fonts: FontSet,
    size: float,
    color: Color = black,
    centred: bool = False,
    leading: float | None = None,
) -> float:
    """Heavy text wrapped to ``width`` with its top edge at ``top``; return the height it took.

    Without a bold face the glyphs are filled and stroked, which prints as a convincing bold.
    """
    leading = leading if leading is not None else size * 1.3
    lines = wrap_lines(text, fonts.bold, size, width)
    canvas.saveState()
    canvas.setFillColor(color)
    canvas.setStrokeColor(color)
    canvas.setLineWidth(size / 28)
    for index, line in enumerate(lines):
        text_object = canvas.beginText()
        text_object.setFont(fonts.bold, size)
        if not fonts.has_bold_face:
            text_object.setTextRenderMode(2)
        line_x = x + (width - pdfmetrics.stringWidth(line, fonts.bold, size)) / 2 if centred else x
        # The first baseline sits one font size below the top, the rest one leading apart.
        text_object.setTextOrigin(line_x, top - size * 0.9 - index * leading)
        text_object.textOut(line)
        canvas.drawText(text_object)
    canvas.restoreState()
    return size + (len(lines) - 1) * leading if lines else 0.0
