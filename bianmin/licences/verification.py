"""What the verification page and API answer about one licence: is it genuine, and is it valid today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import signing
from .models import Licence, LicenceStatus

VERIFY_URL_NAME = "licences_public:verify"

STATE_LABELS = {
    "valid": _("Genuine and valid"),
    "expired": _("Genuine, but expired"),
    "not_yet_valid": _("Genuine, not yet valid"),
    LicenceStatus.REVOKED: _("Revoked: no longer valid"),
    LicenceStatus.REPLACED: _("Replaced by a new copy: this copy is no longer valid"),
    LicenceStatus.CHANGED: _("Superseded by a changed licence: this one is no longer valid"),
    "not_genuine": _("Not genuine: the licence's record does not match its signature"),
}


@dataclass(frozen=True)
class Verdict:
    licence: Licence
    is_genuine: bool
    state: str  # a key of STATE_LABELS

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"

    @property
    def tone(self) -> str:
        """The banner's colour: valid green, expired or not yet valid yellow, ended or not genuine red."""
        if self.is_valid:
            return "success"
        return "warning" if self.state in ("expired", "not_yet_valid") else "danger"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def licence_verdict(licence: Licence, today: datetime.date) -> Verdict:
    """Genuine = its fields still give the content that was signed, and the signature holds; then its status, and
    its dates against ``today``."""
    if not signing.is_genuine(licence):
        return Verdict(licence, False, "not_genuine")
    if licence.status != LicenceStatus.VALID:
        return Verdict(licence, True, licence.status)
    if licence.valid_from > today:
        return Verdict(licence, True, "not_yet_valid")
    if licence.valid_until is not None and licence.valid_until < today:
        return Verdict(licence, True, "expired")
    return Verdict(licence, True, "valid")


def verification_path(licence: Licence) -> str:
    return f"{reverse(VERIFY_URL_NAME, args=[licence.pk])}?c={licence.check_code}"


def verification_url(licence: Licence) -> str:
    """The link in the licence's QR code."""
    return settings.PUBLIC_URL + verification_path(licence)
