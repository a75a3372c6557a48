"""The public verification page of a licence (证照核验): what its QR code opens."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bianmin.core.masking import mask_applicant, mask_id_number

from . import signing
from .selectors import licence_for_verification
from .verification import licence_verdict


@require_GET
def verify(request, pk: int):
    """Genuine and valid, expired, revoked, replaced or changed; or nothing found (a forged or mistyped check code
    is answered like an unknown licence, 404). Shows what the licence shows, the holder masked as on every public
    page (core.masking), and the signed content with the public key for checking it offline."""
    licence = licence_for_verification(pk, request.GET.get("c", ""))
    context = {"public_key": signing.public_key_hex(), "key_id": signing.key_id()}
    if licence is None:
        return TemplateResponse(request, "licences/verify.html", {**context, "verdict": None}, status=404)
    verdict = licence_verdict(licence, timezone.localdate())
    context |= {
        "verdict": verdict,
        "licence": licence,
        "masked_id": mask_id_number(licence.holder_id_number),
        "masked_name": mask_applicant(licence.holder_name, licence.holder_id_type),
    }
    return TemplateResponse(request, "licences/verify.html", context)
