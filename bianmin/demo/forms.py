"""Blank application forms and filled samples for the demo catalogue's materials, drawn as PDFs."""

from __future__ import annotations

import functools
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from bianmin.core.pdf import draw_heading, register_fonts

# Materials whose name says they are a form the applicant fills in get a blank form and a sample.
FORM_WORDS = ("申请表", "申请书", "登记表", "审批表", "承诺书")

FIELDS = [
    ("申请人姓名", "张三"),
    ("公民身份号码", "420222199001011234"),
    ("联系电话", "13800000000"),
    ("住址", "阳新县白沙镇白沙村三组 18 号"),
    ("申请事项", ""),
    ("申请理由", "因家庭生活需要，特此申请。"),
    ("申请人签字", "张三"),
    ("日期", "2026 年 11 月 26 日"),
]


def is_form(material_name: str) -> bool:
    return any(word in material_name for word in FORM_WORDS)


@functools.lru_cache(maxsize=512)
def render_form(*, title: str, item_name: str, filled: bool) -> bytes:
    """One A4 page: the form's title, a table of the fields to fill, and for a sample the example values."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    top = height - 25 * mm
    top -= draw_heading(canvas, title, x=left, top=top, width=right - left, fonts=fonts, size=18, centred=True)
    if filled:
        canvas.setFont(fonts.body, 11)
        canvas.setFillColorRGB(0.7, 0.1, 0.1)
        canvas.drawCentredString(width / 2, top - 6 * mm, "（填写样例）")
        canvas.setFillColorRGB(0, 0, 0)
    row_height = 14 * mm
    y = top - 14 * mm
    canvas.setLineWidth(0.6)
    for label, example in FIELDS:
        value = item_name if label == "申请事项" else example
        canvas.rect(left, y - row_height, right - left, row_height)
        canvas.line(left + 40 * mm, y, left + 40 * mm, y - row_height)
        canvas.setFont(fonts.body, 11)
        canvas.drawString(left + 3 * mm, y - row_height / 2 - 1.5 * mm, label)
        if filled and value:
            canvas.setFillColorRGB(0.1, 0.2, 0.6)
            canvas.drawString(left + 43 * mm, y - row_height / 2 - 1.5 * mm, value)
            canvas.setFillColorRGB(0, 0, 0)
        y -= row_height
    canvas.setFont(fonts.body, 9)
    notice = "请用黑色签字笔填写，字迹清楚；所填内容须真实，如有虚假，申请人承担相应法律责任。"
    canvas.drawString(left, y - 8 * mm, notice)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
