"""The notices of ALL art. 32: acceptance (also by law after five working days), the one-time supplement
notice and the refusal to accept."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from .layout import Letter
from .typesetting import Text
from .wording import application_placeholders, deadline, long_date


def body_acceptance(letter: Letter, width: float) -> list[Flowable]:
    content, version = letter.notice.content, letter.case.version
    values = application_placeholders(letter.case)
    if content.get("deemed"):
        opening = (
            _(
                "Your application for %(item)s was received on %(date)s and you were "
                "not told within five working days what to supplement. Under Article 32 of the Administrative "
                "Licensing Law of the People's Republic of China, as no notice was given within five working "
                "days, the application counts as accepted from the day it was received."
            )
            % values
        )
    else:
        opening = (
            _(
                "Your application for %(item)s, submitted on %(date)s, has been "
                "examined: the materials are complete and in the statutory form. Under Article 32 of the "
                "Administrative Licensing Law of the People's Republic of China, this organ accepts the "
                "application."
            )
            % values
        )
    rows = [
        (pgettext("notice", "Accepted on"), long_date(content.get("accepted_on"))),
        (pgettext("notice", "Promised time limit"), deadline(version.promised_days, content.get("promised_due"))),
        (
            pgettext("notice", "Statutory time limit"),
            deadline(version.statutory_days, content.get("statutory_due")),
        ),
    ]
    return [
        letter.addressee(),
        letter.para(opening),
        letter.gap(),
        letter.facts(rows, width),
        letter.gap(),
        letter.para(
            _(
                "Time limits count working days, not counting the day of acceptance. Time needed for a hearing, "
                "inspection, testing, appraisal or expert review is not counted in the time limit. Quote the "
                "tracking number to follow your case and to collect the result."
            )
        ),
    ]


def body_supplement(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    problems = content.get("problems", [])
    opening = _(
        "Your application for %(item)s, submitted on %(date)s, has been "
        "examined: the materials are incomplete or not in the statutory form. Under Article 32 of the "
        "Administrative Licensing Law of the People's Republic of China, you are told at once everything "
        "that must be supplemented:"
    ) % application_placeholders(letter.case)
    header = [
        pgettext("notice", "No."),
        pgettext("notice", "Material"),
        pgettext("notice", "What is missing or wrong, and what to bring"),
    ]
    data = [[Text(text, letter.cell_label) for text in header]]
    for number, problem in enumerate(problems, start=1):
        data.append(
            [
                Text(str(number), letter.cell_label),
                Text(problem.get("material", ""), letter.cell),
                Text(problem.get("problem", ""), letter.cell),
            ]
        )
    number_width = max(12 * mm, letter.size * 3)
    # The material column fits the longest name on one line, between a quarter and 45 % of the rest.
    longest = max([stringWidth(p.get("material", ""), letter.fonts.body, letter.cell.fontSize) for p in problems] + [0])
    material_width = min(max(longest + letter.size * 1.2, (width - number_width) * 0.25), (width - number_width) * 0.45)
    table = Table(
        data,
        colWidths=[number_width, material_width, width - number_width - material_width],
        style=letter.grid(header=True),
        repeatRows=1,
        hAlign="CENTER",
    )
    flowables = [letter.addressee(), letter.para(opening), letter.gap(), table, letter.gap()]
    count = ngettext(
        "This notice lists %(count)d material to supplement.",
        "This notice lists %(count)d materials to supplement.",
        len(problems),
    ) % {"count": len(problems)}
    if content.get("repeat_reason"):
        flowables.append(
            letter.para(_("Reason for a further notice: %(reason)s") % {"reason": content["repeat_reason"]})
        )
    flowables.append(
        letter.para(
            count
            + _(
                "Please supplement all of the materials above at once and hand them in to this organ. Once the "
                "materials are complete and in the statutory form, the application will be accepted."
            )
        )
    )
    return flowables


def body_refusal(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    flowables = [
        letter.addressee(),
        letter.para(
            _(
                "Your application for %(item)s, submitted on %(date)s, has been "
                "examined. Under Article 32 of the Administrative Licensing Law of the People's Republic of "
                "China, this organ does not accept the application, for the following reasons:"
            )
            % application_placeholders(letter.case)
        ),
        letter.para(content.get("reasons", "")),
    ]
    if content.get("competent_organ"):
        flowables.append(
            letter.para(
                _("The matter is not within this organ's powers. Please apply to %(organ)s.")
                % {"organ": content["competent_organ"]}
            )
        )
    if content.get("rights"):
        flowables.append(letter.para(content["rights"]))
    return flowables
