"""Proving a mobile number by a 6-digit SMS code: request, verify, and the session that holds the proof.

No table of its own: codes live in Django's default cache for their 10 minutes. That cache is shared by every
process of the deployment (the database's cache table, or Redis with REDIS_URL: settings.base.CACHES), so a code
sent by one web process is checked by another and the limits below hold for the whole deployment.

A code is kept only as an HMAC keyed with SECRET_KEY and a random salt, so reading the cache does not give
it away; it is compared in constant time, dies after 5 wrong tries or 10 minutes, and a new one can be
asked for only 60 seconds after the last. A verified number is held by the session for 2 hours.
"""

from __future__ import annotations

import re
import secrets
import time

from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.core.errors import DomainError
from bianmin.core.notify import notify

CODE_SECONDS = 10 * 60
ATTEMPT_LIMIT = 5
RESEND_SECONDS = 60
VERIFIED_SECONDS = 2 * 60 * 60
SESSION_KEY = "verified_phone"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
_HMAC_SALT = "bianmin.accounts.phone"


class PhoneCodeError(DomainError):
    code = "phone_code_invalid"


def phone_normalise(raw: str) -> str:
    """A mainland mobile number as 11 digits (spaces, hyphens and a +86 prefix removed), or DomainError."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not MOBILE.match(digits):
        raise PhoneCodeError(_("Enter a mainland mobile number of 11 digits, starting with 1."), code="phone_invalid")
    return digits


def is_mobile(raw: str) -> bool:
    try:
        phone_normalise(raw)
    except PhoneCodeError:
        return False
    return True


def _code_key(purpose: str, phone: str) -> str:
    return f"phone-code:{purpose}:{phone}"


def _digest(code: str, salt: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def phone_code_request(*, phone: str, purpose: str) -> None:
    """Send a new 6-digit code to ``phone`` for ``purpose`` (e.g. "apply", "track:42"); the previous code dies.

    Raises PhoneCodeError (code "phone_resend_too_soon") within 60 seconds of the last code."""
    phone = phone_normalise(phone)
    now = time.time()
    throttle_key = f"phone-code-sent:{purpose}:{phone}"
    if not cache.add(throttle_key, now, RESEND_SECONDS):
        waited = int(now - (cache.get(throttle_key) or now))
        raise PhoneCodeError(
            _("A code was sent less than a minute ago. Please wait %(seconds)d seconds before asking again.")
            % {"seconds": max(1, RESEND_SECONDS - waited)},
            code="phone_resend_too_soon",
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    key = _code_key(purpose, phone)
    cache.set_many({key: {"digest": _digest(code, salt), "salt": salt}, f"{key}:tries": 0}, CODE_SECONDS)
    notify(
        phone=phone,
        subject=_("Your verification code"),
        body="【便民服务】"
        + _(
            "Your verification code is %(code)s. It is valid for 10 minutes. Do not tell it to anyone, including staff."
        )
        % {"code": code},
        event="phone_code",
    )


def _expired() -> PhoneCodeError:
    return PhoneCodeError(
        _("This code has expired or was never sent. Please ask for a new code."), code="phone_code_expired"
    )


def phone_code_check(*, phone: str, code: str, purpose: str) -> str:
    """The normalised phone when ``code`` is the live code for it and ``purpose``; the code is then used up.
    Otherwise PhoneCodeError. Every try is counted first (atomically, so parallel guesses cannot exceed the
    limit); the 5th wrong try ends the code."""
    phone = phone_normalise(phone)
    key = _code_key(purpose, phone)
    stored = cache.get(key)
    if stored is None:
        raise _expired()
    try:
        tries = cache.incr(f"{key}:tries")
    except ValueError:  # the counter expired between the two reads
        raise _expired() from None
    entered = re.sub(r"\s", "", code or "")
    is_right = (
        len(entered) == 6
        and entered.isdigit()
        and constant_time_compare(_digest(entered, stored["salt"]), stored["digest"])
    )
    if is_right and tries <= ATTEMPT_LIMIT:
        cache.delete_many([key, f"{key}:tries"])
        return phone
    if tries >= ATTEMPT_LIMIT:
        cache.delete_many([key, f"{key}:tries"])
        raise PhoneCodeError(
            _("The code was wrong too many times. Please ask for a new code."), code="phone_code_attempts"
        )
    left = ATTEMPT_LIMIT - tries
    raise PhoneCodeError(
        ngettext(
            "The code is wrong. You have %(left)d more try.", "The code is wrong. You have %(left)d more tries.", left
        )
        % {"left": left},
        code="phone_code_wrong",
    )


def phone_verify(session, *, phone: str, code: str, purpose: str) -> str:
    """Check the code and, when right, mark the session as holding the verified phone for 2 hours."""
    phone = phone_code_check(phone=phone, code=code, purpose=purpose)
    session[SESSION_KEY] = {"phone": phone, "until": time.time() + VERIFIED_SECONDS}
    return phone


def session_verified_phone(session) -> str | None:
    """The phone this session proved in the last 2 hours, or None."""
    held = session.get(SESSION_KEY)
    if not held or time.time() >= held.get("until", 0):
        return None
    return held["phone"]


def session_forget_phone(session) -> None:
    session.pop(SESSION_KEY, None)
