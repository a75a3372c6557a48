"""QR codes that lead to an item's service guide: inline SVG for pages, PNG for downloads, vectors for PDFs."""

from __future__ import annotations

import io

import segno
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

# Medium error correction survives a smudged or folded print; segno raises it further when the size allows.
ERROR_LEVEL = "m"
QUIET_ZONE = 4  # modules of white margin the QR standard requires around the symbol


def qr_code(url: str) -> segno.QRCode:
    """The one QR symbol for ``url`` that every output format draws."""
    return segno.make(url, error=ERROR_LEVEL, micro=False)


def qr_svg(url: str, *, scale: int = 4) -> str:
    """``<svg class="qr">`` markup without XML declaration, about 160 px wide, for the guide page.

    It keeps the SVG namespace, so the same markup also serves as a stand-alone ``image/svg+xml`` file.
    """
    buffer = io.BytesIO()
    qr_code(url).save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=scale,
        border=QUIET_ZONE,
        svgclass="qr",
        lineclass=None,
    )
    return buffer.getvalue().decode()


def qr_png(url: str, scale: int = 8) -> bytes:
    """A PNG image of the QR code, ``scale`` pixels per module."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def draw_qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares in the ``size``-point square whose lower-left corner is (x, y).

    The square includes the quiet zone. Each row's run of dark modules is one rectangle and all of them one
    filled path, so the print is crisp at any resolution and shows no hairlines between modules.
    """
    matrix = [list(row) for row in qr_code(url).matrix]
    modules = len(matrix) + 2 * QUIET_ZONE
    module = size / modules
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + QUIET_ZONE) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + (start + QUIET_ZONE) * module, top - module, (column - start) * module, module)
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.restoreState()


class QrFlowable(Flowable):
    """The QR code as a square platypus flowable, for documents laid out with frames and tables."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url = url
        self.size = size
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.url, x=0, y=0, size=self.size)
