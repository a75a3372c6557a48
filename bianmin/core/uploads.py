"""Uploaded files: what a file is comes from its bytes, never from its name or what the browser claims.

Every upload form (the window's intake checklist, the online application, the catalogue's blank forms and samples)
passes each file through ``upload_clean``: the type is recognised from the first bytes (PDF, JPEG, PNG, and for the
catalogue's forms Word and Excel files), anything else is refused even when renamed (SVG, HTML, XML, scripts,
programs), images are decoded and encoded again with Pillow so that whatever rode along in them (metadata, a
second file appended to the picture) is gone, and a file over ``MAX_UPLOAD_BYTES`` is refused.

Stored files get a random name (``RandomName``: uuid4 hex and the extension of the recognised type) under
``MEDIA_ROOT``, which no URL serves; ``file_response`` sends a stored file from a view that has checked who may
have it, with the type recognised again from its bytes.
"""

from __future__ import annotations

import io
import uuid
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .errors import DomainError

# How much of the start of a file is read to recognise it.
HEAD_BYTES = 16


@dataclass(frozen=True)
class FileKind:
    """A type of file the application accepts: its extension and content type, and whether a browser shows it."""

    extension: str
    content_type: str
    label: str
    is_image: bool = False
    # Shown in the browser (a scan, a picture); everything else is sent as an attachment.
    is_inline: bool = False


PDF = FileKind("pdf", "application/pdf", "PDF", is_inline=True)
JPEG = FileKind("jpg", "image/jpeg", "JPG", is_image=True, is_inline=True)
PNG = FileKind("png", "image/png", "PNG", is_image=True, is_inline=True)
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)")
OCTET_STREAM = FileKind("bin", "application/octet-stream", "")

# A scan or photo of a document: a case's material, at the window or online.
SCAN_KINDS = (PDF, JPEG, PNG)
# A catalogue material's blank form or filled sample: public downloads, also as office documents.
FORM_KINDS = (PDF, JPEG, PNG, DOCX, XLSX)
KINDS_BY_EXTENSION = {kind.extension: kind for kind in (PDF, JPEG, PNG, DOCX, XLSX)}
# What the file pickers offer (a convenience only: the server decides from the bytes).
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
FORM_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"

# Office Open XML packages: a zip whose main part names the application.
OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}


class UploadRefused(DomainError):
    code = "upload_refused"


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def kind_of(head: bytes, read_all=None) -> FileKind | None:
    """The kind of file these first bytes begin, or None. ``read_all`` gives the whole file when a zip has to be
    opened to tell a Word file from an Excel file (and from any other zip)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04") and read_all is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(read_all())) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            for part, kind in OOXML_MAIN_PARTS.items():
                if part in names:
                    return kind
    return None


def _reencode(data: bytes, kind: FileKind) -> bytes:
    """The picture decoded and written again: only its pixels survive (no metadata, no appended payload)."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        # A picture of more pixels than Pillow's limit is refused rather than decoded (a decompression bomb).
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            # Turned upright as the camera recorded it, since the record of the orientation is dropped.
            picture = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if kind is JPEG:
                if picture.mode not in ("RGB", "L"):
                    picture = picture.convert("RGB")
                picture.save(output, format="JPEG", quality=90, optimize=True)
            else:
                if picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                    picture = picture.convert("RGBA")
                picture.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _refusal(kinds: Iterable[FileKind]) -> UploadRefused:
    labels = "/".join(kind.label for kind in kinds)
    return UploadRefused(
        _("This file is not one of the accepted kinds (%(kinds)s). Other files are refused, even when renamed.")
        % {"kinds": labels}
    )


def upload_clean(upload: File, *, kinds: Iterable[FileKind] = SCAN_KINDS) -> ContentFile:
    """The upload as a file safe to store: recognised from its bytes among ``kinds``, pictures re-encoded, not
    over the size limit. The result is named ``<stem>.<extension of the recognised kind>`` (a name to show and
    to download under); the storage gives it a random name of its own (``RandomName``).

    Raises UploadRefused with a translated message; nothing is stored then.
    """
    kinds = tuple(kinds)
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(_("A file may be at most %(size)s MB.") % {"size": _megabytes(limit)})
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise UploadRefused(_("A file may be at most %(size)s MB.") % {"size": _megabytes(limit)})
    kind = kind_of(data[:HEAD_BYTES], lambda: data)
    if kind is None or kind not in kinds:
        raise _refusal(kinds)
    if kind.is_image:
        try:
            data = _reencode(data, kind)
        except Exception:  # Pillow raises many kinds of error for a broken or hostile picture
            raise UploadRefused(_("This picture cannot be read. Scan or photograph the document again.")) from None
    try:
        stem = get_valid_filename(PurePosixPath(upload.name or "").stem)[:80]
    except Exception:  # get_valid_filename refuses a name that is nothing but dots
        stem = ""
    return ContentFile(data, name=f"{stem or 'upload'}.{kind.extension}")


def form_upload_clean(upload: File | None, *, kinds: Iterable[FileKind] = SCAN_KINDS) -> ContentFile | None:
    """``upload_clean`` for a form field's ``clean_<field>``: the refusal as the field's error."""
    from django import forms

    if not upload:
        return upload
    if isinstance(upload, File) and not hasattr(upload, "content_type") and getattr(upload, "_committed", False):
        return upload  # a model form's file already stored, left unchanged
    try:
        return upload_clean(upload, kinds=kinds)
    except UploadRefused as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None


@deconstructible
class RandomName:
    """``upload_to`` of every file field: ``<folder>/<uuid4 hex>.<extension>``, the extension the recognised
    kind's (``upload_clean`` named the file by it), ``bin`` for anything else. The original name, when a page
    shows it, is kept in a field of its own."""

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        extension = PurePosixPath(filename or "").suffix.lower().lstrip(".")
        if extension not in KINDS_BY_EXTENSION:
            extension = OCTET_STREAM.extension
        return f"{self.folder}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


def file_response(stored: File, *, download_name: str, allow_inline: bool = True) -> FileResponse:
    """A stored file for a view that has already checked who may have it.

    The content type comes from the file's bytes; a PDF or a picture is shown inline, anything else is an
    attachment (and so is everything when ``allow_inline`` is false), always with
    ``X-Content-Type-Options: nosniff``. The download name keeps its stem and takes the
    extension of the recognised kind.
    """
    handle = stored.open("rb")
    head = handle.read(HEAD_BYTES)
    handle.seek(0)

    def read_all() -> bytes:
        data = handle.read(max_upload_bytes() + 1)
        handle.seek(0)
        return data

    kind = kind_of(head, read_all) or OCTET_STREAM
    stem = PurePosixPath(download_name or "").stem or "file"
    response = FileResponse(
        handle,
        as_attachment=not (allow_inline and kind.is_inline),
        filename=f"{stem}.{kind.extension}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
