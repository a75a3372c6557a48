"""The fee receipt (ALL art. 58–59): each fee at its published standard, its legal basis, and the total."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from .layout import LABEL_BACKGROUND, Letter
from .typesetting import Text
from .wording import yuan


def body_fee_receipt(letter: Letter, width: float) -> list[Flowable]:
    content, case = letter.notice.content, letter.case
    facts = letter.facts(
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
    data = [[Text(text, letter.cell_label) for text in header]]
    for number, rule in enumerate(content.get("rules", []), start=1):
        standard = yuan(rule["amount"]) if rule.get("amount") else rule.get("formula", "")
        data.append(
            [
                Text(str(number), letter.cell_label),
                Text(rule.get("name", ""), letter.cell),
                Text(standard, letter.cell),
                Text(rule.get("basis", ""), letter.cell),
            ]
        )
    total = Text(yuan(content.get("amount", "")), ParagraphStyle("total", letter.cell, fontSize=letter.size))
    data.append([Text(pgettext("notice", "Total"), letter.cell_label), total, "", ""])
    number_width = max(12 * mm, letter.size * 3)
    rest = width - number_width
    style = letter.grid(header=True)
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
        letter.gap(),
        table,
        letter.gap(),
        letter.para(
            _(
                "Fees are collected only where a law or administrative regulation provides for them, at the "
                "published standard, and a receipt is given for every fee (Administrative Licensing Law, "
                "Articles 58 and 59)."
            )
        ),
    ]
