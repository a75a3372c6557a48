"""Scores taken at the site on a phone and synchronised when there is network.

The phone gives every score its own id (``client_id``) when the inspector saves it, offline or not; a sync that
brings an id already received changes nothing and answers with what was stored, so a retry after a lost answer, or
the same queue sent twice, never scores twice."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.transitions import TransitionNotAllowed
from bianmin.core.uploads import JPEG, PNG, upload_clean

from ..access import may_score
from ..models import CheckMethod, Indicator, RoundSite, RoundState, ScoreEntry, ScorePhoto

MAX_PHOTOS = 5


@dataclass(frozen=True)
class ScoreInput:
    client_id: uuid.UUID
    indicator_id: int
    points: Decimal
    taken_at: datetime.datetime
    note: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: int | None = None


class ScoreInvalid(DomainError):
    """Bad input: the sync answers 422 and stores nothing."""

    code = "invalid_input"
    status = 422


def _invalid(message: str) -> DomainError:
    return ScoreInvalid(message)


def _check(round_site: RoundSite, score: ScoreInput, photos: list[File]) -> Indicator:
    indicator = round_site.sheet.indicators.filter(pk=score.indicator_id, children__isnull=True).first()
    if indicator is None:
        raise _invalid(_("This indicator is not on the site's scoring sheet."))
    if not Decimal("0") <= score.points <= indicator.points:
        raise _invalid(
            _("Give between 0 and %(points)s points for this indicator.") % {"points": f"{indicator.points:g}"}
        )
    if score.latitude is not None and not Decimal("-90") <= score.latitude <= Decimal("90"):
        raise _invalid(_("The position taken by the device is not valid."))
    if score.longitude is not None and not Decimal("-180") <= score.longitude <= Decimal("180"):
        raise _invalid(_("The position taken by the device is not valid."))
    if len(photos) > MAX_PHOTOS:
        raise _invalid(_("At most %(count)d photos a score.") % {"count": MAX_PHOTOS})
    if indicator.method == CheckMethod.PHOTO and not photos:
        raise ScoreInvalid(_("This indicator is checked by photo: take at least one."), code="photo_required")
    return indicator


@transaction.atomic
def score_sync(
    *,
    actor: User,
    round_site: RoundSite,
    score: ScoreInput,
    photos: list[File] = (),
    now: datetime.datetime | None = None,
) -> tuple[ScoreEntry, bool]:
    """Receive one score of an indicator with its photos, GPS position and the device's time (the plan, 三:
    检查验收 at the site). Returns the entry and whether it is new; a second sync of the same id changes nothing."""
    if not may_score(actor, round_site):
        raise PermissionDenied(_("Only an inspector of the group assigned to the site scores it."))
    # One sync of a site at a time: a repeated id is then always found, never inserted twice.
    locked = RoundSite.objects.select_for_update().select_related("round", "sheet").get(pk=round_site.pk)
    existing = ScoreEntry.objects.filter(client_id=score.client_id).first()
    if existing is not None:
        if existing.round_site_id != locked.pk or existing.indicator_id != score.indicator_id:
            raise _invalid(_("This score id belongs to another score."))
        return existing, False
    if locked.round.state != RoundState.OPEN:
        raise TransitionNotAllowed(_("The round is not open for scoring."))
    photos = list(photos)
    indicator = _check(locked, score, photos)
    cleaned = [upload_clean(photo, kinds=(JPEG, PNG)) for photo in photos]
    entry = ScoreEntry.objects.create(
        round_site=locked,
        indicator=indicator,
        client_id=score.client_id,
        points=score.points,
        note=score.note.strip()[:500],
        inspector=actor,
        taken_at=score.taken_at,
        latitude=score.latitude,
        longitude=score.longitude,
        accuracy=score.accuracy,
        recorded_at=now or timezone.now(),
    )
    for original, picture in zip(photos, cleaned, strict=True):
        photo = ScorePhoto(entry=entry, original_name=(original.name or "")[:120])
        photo.file.save(picture.name, picture, save=True)
    audit_record(
        actor=actor,
        action="inspection.score",
        obj=entry,
        payload={
            "round_site": locked.pk,
            "indicator": indicator.code,
            "points": str(score.points),
            "photos": len(cleaned),
            "taken_at": score.taken_at.isoformat(),
            "has_position": score.latitude is not None,
        },
    )
    return entry, True
