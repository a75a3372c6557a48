"""What a licence's signature covers and how it is checked: the canonical content, the Ed25519 key, the check code.

The canonical content is the stable JSON (sorted keys, no spaces, UTF-8) of every field the licence prints, with
the holder's name and document number as digests salted with the check code: the public verification page can
publish the whole signed content, which anyone checks offline against the published public key, without publishing
personal data (the platform's one masking policy); whoever holds the printed licence (which shows the name and number
and carries the check code in its QR code) can recompute the digests. The key is ``settings.LICENCE_SIGNING_KEY``
(any secret of at least 32 characters; the Ed25519 private key is its SHA-256), read in the settings from the
environment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

if TYPE_CHECKING:
    from .models import Licence

CONTENT_VERSION = 1
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed from paper
CHECK_CODE_LENGTH = 10  # 32^10 ≈ 10^15: a QR code cannot be guessed for a licence id


def check_code_new() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(settings.LICENCE_SIGNING_KEY.encode("utf-8")).digest())


def public_key() -> bytes:
    """The raw 32 bytes of the public key (RFC 8032), as published on the verification page."""
    return _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_hex() -> str:
    return public_key().hex()


def key_id(public: bytes | None = None) -> str:
    return hashlib.sha256(public if public is not None else public_key()).hexdigest()[:16]


def holder_digest(check_code: str, value: str) -> str:
    """SHA-256 of ``check code:value``, hexadecimal: the holder's name or document number in the signed content."""
    return hashlib.sha256(f"{check_code}:{value}".encode()).hexdigest()


def canonical_content(licence: Licence) -> str:
    """The signed text of the licence, from its fields (the same function signs at issue and checks later)."""
    fields = {
        "v": CONTENT_VERSION,
        "id": licence.pk,
        "type_code": licence.type.code,
        "type_name": licence.type.name,
        "number": licence.number,
        "holder_name_digest": holder_digest(licence.check_code, licence.holder_name),
        "holder_id_type": licence.holder_id_type,
        "holder_id_digest": holder_digest(licence.check_code, licence.holder_id_number),
        "scope": licence.scope,
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "organ_name": licence.organ_name,
        "organ_code": licence.organ_code,
        "issued_on": licence.issued_on.isoformat(),
        "replaces": licence.replaces.number if licence.replaces_id else None,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign(content: str) -> str:
    """The signature of ``content``, base64url without padding (86 characters)."""
    return _b64(_private_key().sign(content.encode("utf-8")))


def signature_valid(content: str, signature: str, public: bytes | None = None) -> bool:
    """Whether ``signature`` signs ``content`` with the platform's key (or ``public``); never raises."""
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        key = Ed25519PublicKey.from_public_bytes(public if public is not None else public_key())
        key.verify(raw, content.encode("utf-8"))
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def is_genuine(licence: Licence) -> bool:
    """The licence's row still says what was signed: its fields give the stored content, and the signature holds."""
    return canonical_content(licence) == licence.content and signature_valid(licence.content, licence.signature)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
