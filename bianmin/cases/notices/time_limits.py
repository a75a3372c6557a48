"""The notices that move the time limits: a special procedure (ALL art. 45) and an extension (art. 42)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.platypus import Flowable

from .layout import Letter
from .wording import application_placeholders, long_date, procedure_label, working_days


def body_suspension(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    rows = [
        (pgettext("notice", "Procedure"), procedure_label(content.get("kind", ""))),
        (pgettext("notice", "Reason"), content.get("reason", "")),
        (pgettext("notice", "Expected time"), working_days(int(content.get("expected_days") or 0))),
    ]
    return [
        letter.addressee(),
        letter.para(
            _(
                "Your application for %(item)s was accepted on %(accepted)s. Under "
                "Article 45 of the Administrative Licensing Law of the People's Republic of China, the following "
                "special procedure is needed before a decision:"
            )
            % application_placeholders(letter.case)
        ),
        letter.gap(),
        letter.facts(rows, width),
        letter.gap(),
        letter.para(
            _(
                "The time needed is not counted in the time limit (Administrative Licensing Law, Article 45). "
                "When the procedure ends, handling resumes and the deadlines move by the working days it took."
            )
        ),
    ]


def body_extension(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    days = working_days(int(content.get("days") or 0))
    rows = [
        (pgettext("notice", "Reason for the extension"), content.get("reason", "")),
        (pgettext("notice", "Extended by"), days),
        (pgettext("notice", "New promised deadline"), long_date(content.get("promised_due"))),
        (pgettext("notice", "New statutory deadline"), long_date(content.get("statutory_due"))),
    ]
    return [
        letter.addressee(),
        letter.para(
            _(
                "Your application for %(item)s was accepted on %(accepted)s. It "
                "cannot be decided within the time limit. With the approval of the head of this organ, and under "
                "Article 42 of the Administrative Licensing Law of the People's Republic of China, the time "
                "limit is extended by %(days)s."
            )
            % {**application_placeholders(letter.case), "days": days}
        ),
        letter.gap(),
        letter.facts(rows, width),
        letter.gap(),
        letter.para(_("Quote the tracking number to follow your case and to collect the result.")),
    ]
