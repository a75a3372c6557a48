"""The delivery receipt (送达回证): who handed which documents to whom, when and where, with the box the recipient
signs. Printed when the result is handed over at a counter; the signed paper is filed (case_record_signature)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from bianmin.core.masking import mask_id_number

from .layout import Letter
from .typesetting import Text
from .wording import notice_title


def _document(entry: dict) -> str:
    """A document handed over, named in the language the receipt is printed in."""
    name = notice_title(entry["kind"]) if entry.get("kind") else entry.get("name", "")
    return _("%(name)s (No. %(number)s)") % {"name": name, "number": entry.get("number", "")}


def body_delivery(letter: Letter, width: float) -> list[Flowable]:
    content, case, notice = letter.notice.content, letter.case, letter.notice
    documents = "\n".join(_document(entry) for entry in content.get("documents", [])) or case.version.result_name
    place = content.get("place", "")
    if content.get("address"):
        place = f"{place}（{content['address']}）"
    recipient = content.get("recipient", "")
    if not content.get("is_applicant", True):
        recipient = _("%(name)s, for the applicant %(applicant)s") % {
            "name": recipient,
            "applicant": case.applicant_name,
        }
    at = timezone.localtime(notice.issued_at)
    rows = [
        (pgettext("notice", "Item"), case.version.name),
        (pgettext("notice", "Documents delivered"), documents),
        (pgettext("notice", "Recipient"), recipient),
        # The receipt is filed and may be shown to others: the document number as the public pages show it.
        (pgettext("notice", "Document number"), mask_id_number(content.get("recipient_id_number", ""))),
        (pgettext("notice", "Place of delivery"), place),
        (pgettext("notice", "Manner of delivery"), pgettext("notice", "Handed over at the counter")),
        (pgettext("notice", "Delivered at"), f"{at:%Y-%m-%d %H:%M}"),
        (pgettext("notice", "Delivered by"), content.get("handed_over_by", "")),
    ]
    signing = [
        (
            pgettext("notice", "Signature of the recipient"),
            pgettext("notice", "Date of receipt:        year    month    day"),
        ),
        (
            pgettext("notice", "Signature of the person delivering"),
            pgettext("notice", "Date:        year    month    day"),
        ),
    ]
    # One label column for both tables, as wide as the widest label (the signature boxes' labels are the longest).
    widest = max(stringWidth(label, letter.fonts.body, letter.cell.fontSize) for label, _value in rows + signing)
    label_width = min(max(widest + letter.size * 1.2, 28 * mm), width / 3)
    columns = [label_width, width - label_width]
    facts = Table(
        [[Text(label, letter.cell_label), Text(value, letter.cell)] for label, value in rows],
        colWidths=columns,
        style=letter.grid(),
        hAlign="CENTER",
    )
    signatures = Table(
        [[Text(label, letter.cell_label), Text(value, letter.cell)] for label, value in signing],
        colWidths=columns,
        rowHeights=[max(22 * mm, letter.size * 4)] * 2,
        style=letter.grid(),
        hAlign="CENTER",
    )
    signatures.setStyle([("VALIGN", (1, 0), (1, -1), "BOTTOM")])
    return [
        facts,
        signatures,
        letter.gap(),
        letter.para(
            _(
                "The recipient signs this receipt on receiving the documents listed above; the signed receipt is "
                "kept in the case file as the record of delivery."
            )
        ),
    ]
