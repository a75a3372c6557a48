"""Uploads and personal data on the wire: files recognised from their bytes, pictures re-encoded, no public media
route, the request size limit before the body is read, and no-store on every personal response."""

from __future__ import annotations

import importlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import translation
from PIL import Image

from bianmin.accounts.models import User
from bianmin.core.testing import picture, refused
from bianmin.core.uploads import FORM_KINDS, SCAN_KINDS, RandomName, upload_clean


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser claims is ignored


def office(main_part: str) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return output.getvalue()


# --- What a file is comes from its bytes -----------------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_is_and_named_by_its_kind():
    content = b"%PDF-1.7\n%%EOF\n"

    clean = upload_clean(upload("身份证 扫描.PDF", content))

    assert (clean.name, clean.read()) == ("身份证_扫描.pdf", content)


def test_a_picture_loses_what_rode_along_and_keeps_its_pixels():
    photo = picture("JPEG", size=(20, 10), trailer=b"<?php system($_GET['c']); ?>", description="GPS 30.1N 115.2E")
    png = picture("PNG", size=(8, 8), trailer=b"<html><script>alert(1)</script></html>")

    jpeg_clean = upload_clean(upload("photo.jpeg", photo)).read()
    png_clean = upload_clean(upload("form.png", png)).read()

    assert b"<?php" not in jpeg_clean and b"GPS" not in jpeg_clean and b"Exif" not in jpeg_clean
    assert b"<script>" not in png_clean
    assert Image.open(io.BytesIO(jpeg_clean)).size == (20, 10)
    assert Image.open(io.BytesIO(png_clean)).getpixel((3, 3)) == (200, 30, 30)


def test_the_name_does_not_decide_the_kind():
    # A PNG named .pdf is stored and named as the PNG it is.
    assert upload_clean(upload("scan.pdf", picture("PNG"))).name == "scan.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("scan.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("scan.pdf", b"<!DOCTYPE html><html><body onload=alert(1)>"),
        ("scan.jpg", b"<script>alert(1)</script>"),
        ("scan.pdf", b"#!/bin/sh\necho owned\n"),
        ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("scan.pdf", b""),
    ],
)
def test_anything_else_is_refused_even_when_renamed(name, content):
    with translation.override("en"), refused("upload_refused") as error:
        upload_clean(upload(name, content))

    assert str(error.value.message) == (
        "This file is not one of the accepted kinds (PDF/JPG/PNG). Other files are refused, even when renamed."
    )


def test_the_refusal_is_in_simplified_chinese_by_default():
    with refused("upload_refused") as error:
        upload_clean(upload("a.svg", b"<svg/>"))

    assert str(error.value.message) == "此文件不是可接收的类型（PDF/JPG/PNG）。其他文件即使改了扩展名也不予接收。"


def test_a_broken_picture_is_refused():
    with translation.override("en"), refused("upload_refused") as error:
        upload_clean(upload("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))

    assert str(error.value.message) == "This picture cannot be read. Scan or photograph the document again."


def test_office_documents_only_where_the_kinds_allow_them():
    docx, xlsx = office("word/document.xml"), office("xl/workbook.xml")

    assert upload_clean(upload("申请表.docx", docx), kinds=FORM_KINDS).name == "申请表.docx"
    assert upload_clean(upload("表.bin", xlsx), kinds=FORM_KINDS).name == "表.xlsx"
    with refused("upload_refused"):
        upload_clean(upload("申请表.docx", docx), kinds=SCAN_KINDS)
    with refused("upload_refused"):
        upload_clean(upload("archive.docx", office("payload.js")), kinds=FORM_KINDS)


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_a_file_over_the_configured_size_is_refused():
    with translation.override("en"), refused("upload_refused") as error:
        upload_clean(upload("big.pdf", b"%PDF-1.4\n" + b"0" * 1024))

    assert str(error.value.message) == "A file may be at most 0.000976562 MB."
    assert upload_clean(upload("small.pdf", b"%PDF-1.4\n" + b"0" * 1000)).size == 1009


def test_stored_names_are_random_with_the_extension_of_the_kind():
    name_for = RandomName("cases/materials")

    first, second = name_for(None, "身份证.pdf"), name_for(None, "身份证.pdf")

    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.bin", name_for(None, "page.html"))


# --- No public media route --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_no_setting_serves_the_media_directory(debug, settings):
    import bianmin.urls

    settings.DEBUG = debug
    try:
        importlib.reload(bianmin.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/cases/materials/2026/12/身份证.pdf")
    finally:
        settings.DEBUG = False
        importlib.reload(bianmin.urls)
        clear_url_caches()


# --- The request size limit -------------------------------------------------------------------------------------------


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
@override_settings(MAX_REQUEST_BYTES=1000)
def test_a_request_declaring_too_big_a_body_is_refused_before_it_is_read():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/cases/track/",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="1001",
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    assert response.content.decode() == "提交的内容过大：一次最多可提交 0.000953674 MB。"
    assert response["Connection"] == "close"


@pytest.mark.django_db
@override_settings(MAX_REQUEST_BYTES=10 * 1024 * 1024)
def test_the_refusal_follows_the_chosen_language_and_a_body_within_the_limit_passes():
    client = Client()
    client.cookies["django_language"] = "en"

    refused_response = client.post(
        "/cases/track/",
        content_type="text/plain",
        CONTENT_LENGTH=str(10 * 1024 * 1024 + 1),
        **{"wsgi.input": UnreadableBody()},
    )
    allowed = client.post("/cases/track/", {"method": "code", "tracking_number": "X", "query_code": "1"})

    assert refused_response.status_code == 413
    assert refused_response.content.decode() == "The request is too large: at most 10 MB may be sent at once."
    assert allowed.status_code == 200


# --- No copy of personal data in any cache ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_responses_to_a_signed_in_user_are_never_stored_and_public_pages_may_be():
    user = User.objects.create_user(username="someone", password="x" * 12)
    signed_in = Client()
    signed_in.force_login(user)

    public = Client().get("/deadline/")
    own_page = signed_in.get("/deadline/")
    api = signed_in.get("/api/v1/catalog/items")

    assert "no-store" not in public.get("Cache-Control", "")
    for response in (own_page, api):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_view_marked_personal_is_never_stored_even_for_a_visitor_without_an_account():
    response = Client().get("/cases/track/")

    assert "no-store" in response["Cache-Control"]
