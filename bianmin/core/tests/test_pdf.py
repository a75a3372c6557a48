"""The platform's PDF font: its own file, never the host's fonts, and the characters Chinese documents need."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.lib import utils
from reportlab.pdfbase import pdfmetrics

import bianmin
from bianmin.core import pdf


@pytest.fixture
def registered_afresh():
    pdf.register_fonts.cache_clear()
    yield
    pdf.register_fonts.cache_clear()


def test_the_font_is_the_platforms_own_file_and_the_hosts_fonts_are_never_looked_at(registered_afresh, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the host's fonts were looked for")

    for name in ("run", "Popen", "check_output"):
        monkeypatch.setattr(subprocess, name, forbidden)
    monkeypatch.setattr(shutil, "which", forbidden)
    monkeypatch.setattr(Path, "rglob", forbidden)
    monkeypatch.setattr(Path, "glob", forbidden)
    opened = []
    open_for_read = utils.open_for_read
    monkeypatch.setattr(utils, "open_for_read", lambda name, mode="b": opened.append(name) or open_for_read(name, mode))

    fonts = pdf.register_fonts()

    font_file = Path(bianmin.__file__).parent / "core" / "fonts" / "wqy-microhei.ttf"
    assert opened == [str(font_file)]
    assert fonts.source == font_file
    assert pdfmetrics.getFont(fonts.body).face.filename == str(font_file)
    assert pdfmetrics.getFont(fonts.bold).face.filename == str(font_file)
    assert (font_file.parent / "LICENSE-Apache-2.0.txt").is_file()


def _characters(encoding: str, first_bytes: range) -> set[str]:
    """Every character a two-byte encoding (GB 2312, GBK, Big5) can write."""
    characters = set()
    for first in first_bytes:
        for second in range(0x40, 0xFF):
            try:
                characters.add(bytes([first, second]).decode(encoding))
            except UnicodeDecodeError:
                continue
    return characters


def _is_hanzi(character: str) -> bool:
    return 0x3400 <= ord(character) <= 0x9FFF or 0xF900 <= ord(character) <= 0xFAFF


def test_the_font_has_a_glyph_for_simplified_and_traditional_chinese_and_the_documents_punctuation():
    covered = pdfmetrics.getFont(pdf.register_fonts().body).face.charToGlyph

    gb2312 = _characters("gb2312", range(0xA1, 0xF8))
    hanzi = {c for c in _characters("gbk", range(0x81, 0xFF)) | _characters("big5", range(0xA1, 0xFA)) if _is_hanzi(c)}
    punctuation = set("·—–…‘’“”、。，：；？！（）《》〈〉「」『』【】〔〕［］｛｝№※℃‰×÷±￥　")
    latin = {chr(code) for code in range(0x20, 0x7F)} | {chr(code) for code in range(0xFF01, 0xFF5F)}

    assert len(gb2312) == 7445 and len(hanzi) > 20_900
    missing = sorted(c for c in gb2312 | hanzi | punctuation | latin if ord(c) not in covered)
    assert not missing, missing
