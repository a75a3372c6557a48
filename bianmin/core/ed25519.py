"""Ed25519 signatures (RFC 8032), in pure Python: signing the electronic licences so that a copy can be checked
offline against the public key the verification page publishes.

Why here and not a library: the platform's environment has no ``cryptography`` or PyNaCl, and a licence is
signed once when issued and checked when someone scans it, a few milliseconds each in Python. The arithmetic is
RFC 8032 section 5.1 (extended twisted Edwards coordinates); ``core/tests/test_ed25519.py`` checks it against
the RFC's test vectors. It is not constant-time: the signing key's holder is the server, which signs only what
it composed itself. When ``cryptography`` is added to the dependencies, ``sign``/``verify``/``public_key`` can
call it instead; the keys and signatures are the standard 32 and 64 bytes, so nothing stored changes.
"""

from __future__ import annotations

import hashlib

_P = 2**255 - 19
_Q = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)

Point = tuple[int, int, int, int]  # (X, Y, Z, T) with x = X/Z, y = Y/Z, x*y = T/Z


def _inverse(value: int) -> int:
    return pow(value, _P - 2, _P)


def _add(a: Point, b: Point) -> Point:
    first = (a[1] - a[0]) * (b[1] - b[0]) % _P
    second = (a[1] + a[0]) * (b[1] + b[0]) % _P
    third = 2 * a[3] * b[3] * _D % _P
    fourth = 2 * a[2] * b[2] % _P
    e, f, g, h = second - first, fourth - third, fourth + third, second + first
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(a: Point, b: Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    square = (y * y - 1) * _inverse(_D * y * y + 1) % _P
    if square == 0:
        return None if sign else 0
    x = pow(square, (_P + 3) // 8, _P)
    if (x * x - square) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - square) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_BASE_Y = 4 * _inverse(5) % _P
_BASE_X = _recover_x(_BASE_Y, 0) or 0
_BASE: Point = (_BASE_X, _BASE_Y, 1, _BASE_X * _BASE_Y % _P)


def _compress(point: Point) -> bytes:
    z_inverse = _inverse(point[2])
    x, y = point[0] * z_inverse % _P, point[1] * z_inverse % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decompress(data: bytes) -> Point | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _hash_scalar(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little") % _Q


def _expand(seed: bytes) -> tuple[int, bytes]:
    if len(seed) != 32:
        raise ValueError("An Ed25519 private key is 32 bytes.")
    digest = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    return scalar, digest[32:]


def public_key(seed: bytes) -> bytes:
    """The 32-byte public key of the 32-byte private key ``seed``."""
    scalar, _prefix = _expand(seed)
    return _compress(_multiply(scalar, _BASE))


def sign(seed: bytes, message: bytes) -> bytes:
    """The 64-byte signature of ``message`` (deterministic: the same key and message give the same bytes)."""
    scalar, prefix = _expand(seed)
    public = _compress(_multiply(scalar, _BASE))
    nonce = _hash_scalar(prefix + message)
    encoded_r = _compress(_multiply(nonce, _BASE))
    challenge = _hash_scalar(encoded_r + public + message)
    return encoded_r + ((nonce + challenge * scalar) % _Q).to_bytes(32, "little")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the signature of ``message`` by the key ``public``; never raises on bad input."""
    if len(public) != 32 or len(signature) != 64:
        return False
    point = _decompress(public)
    encoded_r = signature[:32]
    r = _decompress(encoded_r)
    if point is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _Q:
        return False
    challenge = _hash_scalar(encoded_r + public + message)
    return _equal(_multiply(s, _BASE), _add(r, _multiply(challenge, point)))
