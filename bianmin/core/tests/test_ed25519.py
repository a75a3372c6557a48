"""The pure-Python Ed25519 against RFC 8032 section 7.1's test vectors, and a forged signature fails."""

import pytest

from bianmin.core import ed25519

VECTORS = [
    (  # TEST 1: the empty message
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
        "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (  # TEST 2: one byte
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("seed", "public", "message", "signature"), VECTORS)
def test_rfc_8032_vectors(seed, public, message, signature):
    seed, message = bytes.fromhex(seed), bytes.fromhex(message)

    assert ed25519.public_key(seed).hex() == public
    assert ed25519.sign(seed, message).hex() == signature
    assert ed25519.verify(bytes.fromhex(public), message, bytes.fromhex(signature)) is True


def test_a_changed_message_signature_or_key_fails():
    _seed, public, _message, signature = (bytes.fromhex(value) for value in VECTORS[1])
    message = b"\x72"
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    other_key = ed25519.public_key(bytes(32))

    assert ed25519.verify(public, b"\x73", signature) is False
    assert ed25519.verify(public, message, flipped) is False
    assert ed25519.verify(other_key, message, signature) is False
    # Malformed input is a "no", never an exception.
    assert ed25519.verify(public[:31], message, signature) is False
    assert ed25519.verify(public, message, signature[:63]) is False
    assert ed25519.verify(public, message, signature[:32] + b"\xff" * 32) is False
