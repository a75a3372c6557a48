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


@contextmanager
def text_drawn_in_pdfs() -> Iterator[list[str]]:
    """Every string drawn with the platform's PDF font inside the block, as ReportLab is asked to set it."""
    from reportlab.pdfbase import pdfmetrics

    from bianmin.core.pdf import register_fonts

    font = pdfmetrics.getFont(register_fonts().body)
    split = font.splitString
    drawn: list[str] = []

    def recording(text, doc, encoding="utf-8"):
        drawn.append(text if isinstance(text, str) else text.decode(encoding))
        return split(text, doc, encoding)

    font.splitString = recording
    try:
        yield drawn
    finally:
        del font.splitString


def assert_only_the_platform_font(document: bytes, drawn: list[str], tmp_path) -> None:
    """Every font of the PDF ``document`` is an embedded subset of the platform's font (poppler's ``pdffonts``
    reads it back), and every character of ``drawn`` has a glyph in that font: none prints as .notdef."""
    import subprocess

    from reportlab.pdfbase import pdfmetrics

    from bianmin.core.pdf import register_fonts

    path = tmp_path / "fonts.pdf"
    path.write_bytes(document)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    # name, type…, encoding, emb, sub, uni, object, id
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing
    for row in rows:
        assert row[0].endswith("+WenQuanYiMicroHei") and row[-5:-2] == ["yes", "yes", "yes"], listing
    assert drawn, "nothing was drawn with the platform's font"
    face = pdfmetrics.getFont(register_fonts().body).face
    missing = sorted({character for text in drawn for character in text if ord(character) not in face.charToGlyph})
    assert not missing, f"drawn without a glyph: {missing}"
