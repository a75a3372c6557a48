"""Chinese set as the notices need it: 避头尾 line breaking, justified lines, a first-line indent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

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


class Text(Flowable):
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
            Text(self.text, self.style, self.lines[:fits], self.width),
            Text(self.text, self.style, self.lines[fits:], self.width),
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
