"""The decisions (ALL art. 38): to grant the licence, and not to grant it with reasons and appeal rights."""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.platypus import Flowable

from .layout import Letter
from .wording import application_placeholders


def body_approval(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    flowables = [
        letter.addressee(),
        letter.para(
            _(
                "Your application for %(item)s was accepted on %(accepted)s and "
                "has been examined: it meets the statutory conditions and standards. Under Article 38 of the "
                "Administrative Licensing Law of the People's Republic of China, this organ grants the licence."
            )
            % application_placeholders(letter.case)
        ),
    ]
    if content.get("reasons"):
        flowables.append(letter.para(_("Opinion: %(reasons)s") % {"reasons": content["reasons"]}))
    flowables.append(
        letter.para(
            _(
                "This organ will issue and deliver the %(result)s to you within ten working days of this decision "
                "(Administrative Licensing Law, Article 44)."
            )
            % {"result": content.get("result") or letter.case.version.result_name}
        )
    )
    return flowables


def body_denial(letter: Letter, width: float) -> list[Flowable]:
    content = letter.notice.content
    flowables = [
        letter.addressee(),
        letter.para(
            _(
                "Your application for %(item)s was accepted on %(accepted)s and "
                "has been examined. Under Article 38 of the Administrative Licensing Law of the People's "
                "Republic of China, this organ does not grant the licence, for the following reasons:"
            )
            % application_placeholders(letter.case)
        ),
        letter.para(content.get("reasons", "")),
    ]
    if content.get("rights"):
        flowables.append(letter.para(content["rights"]))
    return flowables
