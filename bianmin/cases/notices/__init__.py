"""The written notices the law requires, as printable A4 PDFs in the active language.

ALL art. 32 (acceptance, the one-time supplement notice, refusal), 38 (approval, denial), 42 (extension),
45 (special procedures), 58–59 (fee receipt), the delivery receipt (送达回证, plan 二(四) 结果反馈), and the
plan's numbered triplicate receipt (三联单管理制).
Reasons, dates and deadlines come from what the Notice stored when it was issued (its ``content``), so a
reprint says what the original said; the rest (applicant, item, tracking number, dates of receipt and
acceptance) are facts of the case that do not change once set.

The rooms: ``layout`` is the letter every notice but the receipt shares (head, signature, seal placeholder, footer,
the one-page fitting), ``typesetting`` sets its Chinese text, ``wording`` holds the words every notice uses; each
family of notices has its module (``acceptance``, ``time_limits``, ``decisions``, ``fees``, ``delivery``), and
``receipt`` is the triplicate receipt.
"""

from __future__ import annotations

from bianmin.core.pdf import register_fonts

from ..models import Notice
from .acceptance import body_acceptance, body_refusal, body_supplement
from .decisions import body_approval, body_denial
from .delivery import body_delivery
from .fees import body_fee_receipt
from .layout import Body, Letter, draw_seal, render_letter
from .receipt import _Receipt, receipt_parts, render_receipt, tracking_url
from .time_limits import body_extension, body_suspension
from .wording import notice_title

__all__ = [
    "LETTER_BODIES",
    "draw_seal",
    "notice_text",
    "notice_title",
    "receipt_parts",
    "render_notice",
    "tracking_url",
]

# The text of each kind of letter; the receipt has a layout of its own.
LETTER_BODIES: dict[str, Body] = {
    Notice.Kind.ACCEPTANCE: body_acceptance,
    Notice.Kind.SUPPLEMENT: body_supplement,
    Notice.Kind.REFUSAL: body_refusal,
    Notice.Kind.SUSPENSION: body_suspension,
    Notice.Kind.EXTENSION: body_extension,
    Notice.Kind.APPROVAL: body_approval,
    Notice.Kind.DENIAL: body_denial,
    Notice.Kind.FEE_RECEIPT: body_fee_receipt,
    Notice.Kind.DELIVERY: body_delivery,
}


def render_notice(notice: Notice, *, base_url: str = "") -> bytes:
    """The A4 PDF of ``notice`` in the active language; ``base_url`` makes the tracking link absolute
    (``https://bianmin.example.gov.cn``). One page, except a very long supplement notice."""
    fonts = register_fonts()
    if notice.kind == Notice.Kind.RECEIPT:
        return render_receipt(notice, fonts, base_url)
    return render_letter(notice, fonts, LETTER_BODIES[notice.kind])


def _texts(flowable) -> list[str]:
    """The words of one flowable of a letter, in reading order: paragraphs, a table's cells row by row (a label
    and its value on one line), headings, the signature; spacers and rules say nothing."""
    contents = getattr(flowable, "_content", None)  # KeepTogether
    if contents is not None:
        return [text for part in contents for text in _texts(part)]
    rows = getattr(flowable, "_cellvalues", None)  # a Table of facts
    if rows is not None:
        return [": ".join(t for cell in row for t in _texts(cell)) for row in rows]
    if hasattr(flowable, "organ") and hasattr(flowable, "date"):  # the signature
        return [flowable.organ, flowable.date]
    text = getattr(flowable, "text", None)
    return [str(text)] if text else []


def notice_text(notice: Notice, *, base_url: str = "") -> str:
    """The notice's full text as its PDF says it (the same bodies set the same words), one paragraph a line: for
    programs that read or print it themselves. The receipt gives its facts and the materials received."""
    fonts = register_fonts()
    if notice.kind == Notice.Kind.RECEIPT:
        receipt = _Receipt(notice, base_url)
        lines = [notice_title(notice.kind), notice.issuer_name]
        lines += [f"{row[0]}: {row[1]}; {row[2]}: {row[3]}" for row in receipt.rows]
        return "\n".join([*lines, *receipt.materials, receipt.url])
    letter = Letter(notice, fonts, 12, LETTER_BODIES[notice.kind])
    return "\n".join(text for flowable in letter.story(170, keep_together=True) for text in _texts(flowable))
