"""Helpers the test suites of several apps share (imported by tests only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bianmin.core.errors import DomainError


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block raises DomainError with exactly this code."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value}"


def picture(kind: str = "PNG", *, size: tuple[int, int] = (4, 3), trailer: bytes = b"", description: str = "") -> bytes:
    """A real picture (PNG or JPEG) of ``size`` pixels, with ``trailer`` appended after its end (a polyglot's
    payload rides there) and ``description`` in its EXIF metadata."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    options = {}
    if description:
        exif = Image.Exif()
        exif[0x010E] = description  # ImageDescription
        options["exif"] = exif.tobytes()
    image.save(output, format=kind, **options)
    return output.getvalue() + trailer


def audit_tamper(sql: str, params: list | None = None) -> None:
    """Run an UPDATE or DELETE on the audit event table as a database superuser would.

    On PostgreSQL the append-only trigger (core migration 0005) refuses both; a superuser can switch ordinary
    triggers off for the session, as here for this one statement. The application's role is no superuser and owns
    nothing (docs/CONFIGURATION.md), so it cannot.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def user(username: str):
    """The account named ``username`` (the demo county's, in most tests)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def logged_in(username: str):
    """A test client signed in as ``username``."""
    from django.test import Client

    client = Client()
    client.force_login(user(username))
    return client
