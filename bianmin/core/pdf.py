"""What every PDF of the platform shares: a Chinese font, and wrapped paragraphs of Chinese text.

Service cards today; acceptance and supplement notices and triplicate receipts later. A CJK TrueType font
installed on the machine is embedded (subset) so the document prints the same everywhere. A fresh machine
without one still produces a valid PDF with ReportLab's built-in ``STSong-Light`` CID font, which is not
embedded: the reader's viewer supplies the glyphs.
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

logger = logging.getLogger(__name__)

FONT_DIRECTORY = Path("/usr/share/fonts")
FALLBACK_FONT = "STSong-Light"
BODY_FONT = "BianminCJK"
BOLD_FONT = "BianminCJK-Bold"


@dataclass(frozen=True)
class FontFile:
    """A font on disk; ``subfont_index`` picks the face inside a TrueType collection (.ttc)."""

    path: Path
    subfont_index: int = 0
    bold_path: Path | None = None


# The fonts looked for, best first: file name, the Simplified Chinese face in the collection, bold file name.
# ReportLab reads TrueType outlines only, so the OpenType/CFF Noto collections are tried but usually refused;
# the WenQuanYi fonts are TrueType and embed well.
PREFERRED_FONTS: list[tuple[str, int, str | None]] = [
    ("NotoSansCJK-Regular.ttc", 2, "NotoSansCJK-Bold.ttc"),
    ("NotoSerifCJK-Regular.ttc", 2, "NotoSerifCJK-Bold.ttc"),
    ("wqy-zenhei.ttc", 0, None),
    ("wqy-microhei.ttc", 0, None),
]


@dataclass(frozen=True)
class FontSet:
    """The registered ReportLab font names to draw with.

    ``bold`` may be the same font as ``body`` (most CJK fonts ship one weight); ``has_bold_face`` says
    whether it is a real bold, so a caller can fake one (see ``draw_heading``). ``embedded`` is false only
    for the built-in CID fallback.
    """

    body: str
    bold: str
    embedded: bool
    source: Path | None = None

    @property
    def has_bold_face(self) -> bool:
        return self.bold != self.body


def _fontconfig_files() -> list[Path]:
    if shutil.which("fc-list") is None:
        return []
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line.split(":", 1)[0].strip()) for line in listing.splitlines() if line.strip()]


def find_cjk_font_files() -> list[FontFile]:
    """The installed CJK fonts ReportLab may embed, best first (fontconfig's list, else a look in /usr/share)."""
    known = _fontconfig_files()
    found: list[FontFile] = []
    for file_name, subfont_index, bold_name in PREFERRED_FONTS:
        paths = [path for path in known if path.name == file_name]
        if not paths and FONT_DIRECTORY.is_dir():
            paths = sorted(FONT_DIRECTORY.rglob(file_name))
        for path in paths:
            bold = path.with_name(bold_name) if bold_name else None
            found.append(FontFile(path, subfont_index, bold if bold and bold.is_file() else None))
    return found


def _register_truetype(font: FontFile) -> FontSet | None:
    try:
        pdfmetrics.registerFont(TTFont(BODY_FONT, str(font.path), subfontIndex=font.subfont_index))
    except (TTFError, OSError) as exc:
        logger.info("Cannot embed %s: %s", font.path, exc)
        return None
    bold = BODY_FONT
    if font.bold_path is not None:
        try:
            pdfmetrics.registerFont(TTFont(BOLD_FONT, str(font.bold_path), subfontIndex=font.subfont_index))
            bold = BOLD_FONT
        except (TTFError, OSError) as exc:
            logger.info("Cannot embed %s: %s", font.bold_path, exc)
    return FontSet(body=BODY_FONT, bold=bold, embedded=True, source=font.path)


@functools.cache
def register_fonts() -> FontSet:
    """Register the platform's Chinese fonts with ReportLab once per process and name them."""
    for font in find_cjk_font_files():
        font_set = _register_truetype(font)
        if font_set is not None:
            logger.info("PDFs embed the font %s", font.path)
            return font_set
    logger.warning("No CJK TrueType font found; PDFs use the non-embedded %s font.", FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FontSet(body=FALLBACK_FONT, bold=FALLBACK_FONT, embedded=False)


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
