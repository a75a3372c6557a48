"""The rating tablet's address: each window's tablet opens a page whose key is the window's id signed with the
project's secret (``core.signing``), so nobody reaches a window's tablet by guessing a number. The centre
administrator opens it once on the tablet (the staff page lists each window's link and QR code)."""

from __future__ import annotations

from django.core import signing
from django.http import Http404

from bianmin.org.models import Window

SALT = "ratings.tablet"


def tablet_key(window: Window) -> str:
    return signing.dumps(window.pk, salt=SALT, compress=True)


def window_from_key(key: str) -> Window:
    """The active window of a tablet key, or 404."""
    try:
        pk = signing.loads(key, salt=SALT)
    except signing.BadSignature:
        raise Http404 from None
    window = Window.objects.select_related("site").filter(pk=pk, is_active=True).first()
    if window is None:
        raise Http404
    return window
