"""Rectification items: the site rectifies a failed indicator with evidence; the next round re-checks it."""

from __future__ import annotations

import datetime

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.transitions import TransitionNotAllowed, check_transition
from bianmin.core.uploads import SCAN_KINDS, upload_clean

from ..access import may_rectify
from ..models import Rectification, RectificationState, RoundState

# move -> the states it may start from; "recheck" is the closing of the site's next round (services.rounds).
RECTIFICATION_MOVES = {
    "rectify": {RectificationState.OPEN},
    "recheck": {RectificationState.OPEN, RectificationState.RECTIFIED},
}


@transaction.atomic
def rectification_rectify(
    *,
    actor: User,
    item: Rectification,
    account: str,
    evidence: File | None = None,
    now: datetime.datetime | None = None,
) -> Rectification:
    """The site says what it did about a failed indicator, with a scan or photo as evidence (the plan, 三: 整改)."""
    if not may_rectify(actor, item.round_site.site):
        raise PermissionDenied(_("Only the site's own staff rectify its items."))
    locked = Rectification.objects.select_for_update().select_related("round_site__round").get(pk=item.pk)
    if locked.round_site.round.state != RoundState.PUBLISHED:
        raise TransitionNotAllowed(_("The round's results are not published yet."))
    check_transition(
        RECTIFICATION_MOVES,
        "rectify",
        locked.state,
        message=_("This item is %(state)s.") % {"state": locked.get_state_display()},
    )
    if not account.strip():
        raise DomainError(_("Say what was done to rectify it."), code="invalid_input")
    cleaned = upload_clean(evidence, kinds=SCAN_KINDS) if evidence else None
    locked.account = account.strip()
    if cleaned is not None:
        locked.evidence.save(cleaned.name, cleaned, save=False)
    locked.state = RectificationState.RECTIFIED
    locked.rectified_at = now or timezone.now()
    locked.save()
    audit_record(
        actor=actor,
        action="inspection.rectification_rectify",
        obj=locked,
        payload={"has_evidence": cleaned is not None},
    )
    return locked
