"""The rating link and its QR code, for the receipt, the delivery record and the text message after delivery."""

from __future__ import annotations

from django.urls import reverse

from bianmin.catalog.qr import qr_svg

RATE_URL_NAME = "ratings_public:rate"  # the one URL name other apps reverse (cases' notices, by name only)


def rating_path(tracking_number: str, *, via: str = "") -> str:
    """The rating page of a case (the applicant verifies on the tracking page first); ``via="sms"`` counts it as
    the text message's channel."""
    path = reverse(RATE_URL_NAME, args=[tracking_number])
    return f"{path}?via={via}" if via else path


def rating_qr_svg(base_url: str, tracking_number: str) -> str:
    """Inline SVG of the QR code that opens the rating page, for pages and print."""
    return qr_svg(base_url.rstrip("/") + rating_path(tracking_number))
