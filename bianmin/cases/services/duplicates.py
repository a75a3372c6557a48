"""One application, one place (禁止两头受理、双向审批, DOMAIN §1): an applicant's open case of an item is shown at
intake; the new application is linked to it, or registered beside it with the clerk's reason (supervision's rule
duplicate_override reads ``Case.duplicate_of``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.catalog.models import ServiceItem
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.org.models import Site

from .. import permissions
from ..models import OPEN_STATUSES, Case, Channel
from ._common import _audit, _lock, _now

# More than this many open cases of one applicant and item is a matter for supervision, not for the intake desk.
SHOWN = 5


def normalised_id_number(id_number: str) -> str:
    """The document number as a case stores it (case_submit): the lookup compares like with like."""
    return id_number.strip().upper()


def open_applications(*, id_number: str, item: ServiceItem | int, site: Site, channel: str) -> list[Case]:
    """The applicant's open cases of the item received at another site or by another channel than ``site`` and
    ``channel``, oldest first. (At the same site by the same channel the site's own queue shows the open case to the
    same clerks: a second application there is that site's ordinary business.) The terms repeat those of the
    partial index case_open_applicant_idx (cases/models/case.py), its statuses as constants (core/queries.py), so
    the lookup reads only that index's few entries."""
    number = normalised_id_number(id_number)
    if not number:
        return []
    return list(
        Case.objects.filter(applicant_id_number=number, item=item, status__in_constants=OPEN_STATUSES)
        .exclude(receiving_site=site, channel=channel)
        .select_related("receiving_site", "current_site", "relay_site")
        .order_by("received_at", "pk")[:SHOWN]
    )


class DuplicateApplication(TransitionNotAllowed):
    """The applicant has an open case of this item: link to it, or register a separate one with a reason."""

    def __init__(self, open_cases: list[Case]):
        numbers = "、".join(case.tracking_number or str(case.pk) for case in open_cases)
        super().__init__(
            _(
                "This applicant already has an open application for this item (%(numbers)s). One application is "
                "handled in one place: continue with that case, or give the reason for a separate application "
                "(reported to supervision)."
            )
            % {"numbers": numbers},
            code="duplicate_application",
        )
        self.open_cases = open_cases


@transaction.atomic
def case_link_application(
    *, actor: User | None, case: Case, site: Site, channel: str, now: datetime.datetime | None = None
) -> Case:
    """禁止两头受理: the applicant came again with the same application (at ``site``, by ``channel``); nothing new is
    registered, and the open case records that it was asked for there (its timeline shows it)."""
    now = _now(now)
    case = _lock(case)
    if not case.is_open:
        raise TransitionNotAllowed(
            _("This cannot be done now: the case is “%(status)s”.") % {"status": case.get_status_display()},
            code="transition_not_allowed",
        )
    if channel == Channel.AGENCY:
        permissions.require(permissions.can_relay_from(actor, site))
    else:
        permissions.require(permissions.can_receive_at(actor, site))
    _audit(actor, "link_application", case, at=now, site=site.code, channel=channel)
    return case
