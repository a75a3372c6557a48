"""The printable service card: one page, in Chinese, with the essentials and a QR code to the guide."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
import segno
from django.utils import translation
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from bianmin.catalog import qr
from bianmin.catalog.selectors import guide_version
from bianmin.catalog.service_card import render_service_card
from bianmin.catalog.services import item_create, item_publish
from bianmin.catalog.tests.factories import item_content
from bianmin.core.testing import assert_only_the_platform_font, text_drawn_in_pdfs
from bianmin.org.models import Department, Site
from bianmin.org.services import site_save

GUIDE_URL = "https://bianmin.example.gov.cn/guide/ZR-0001/"

POPPLER = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm")
needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER),
    reason="poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm) is not installed: apt-get install poppler-utils",
)


@pytest.fixture(autouse=True)
def zh_hans():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def department(db):
    return Department.objects.create(code="ZR", name="县自然资源和规划局")


@pytest.fixture
def centre(db):
    return site_save(site=Site(code="YX", name="某县政务服务中心", level="county", kind="main"), actor=None)


def _published(department, **overrides):
    item = item_create(actor=None, department=department, content=item_content(**overrides))
    item_publish(actor=None, item=item)
    return guide_version(item.code)


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def _inspect(pdf_bytes: bytes, tmp_path) -> tuple[int, str, str]:
    """The page count, the text and the font list of a PDF, read by poppler."""
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf_bytes)
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE).group(1))
    return pages, _run("pdftotext", str(path), "-"), _run("pdffonts", str(path))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _long_item_overrides() -> dict:
    materials = [
        {
            "name": f"第{number}项材料：申请人及共同居住家庭成员的户口簿、身份证和婚姻状况证明材料",
            "form": "original_and_copy",
            "copies": 2,
            "is_required": number % 3 != 0,
            "condition": ""
            if number % 3
            else "申请人为非本集体经济组织成员但因地质灾害避让、移民搬迁等情形需要安置的，"
            "须同时提供县级以上人民政府有关部门出具的安置批复文件及相关证明材料" * 2,
        }
        for number in range(1, 16)
    ]
    steps = [{"name": f"第{number}步审查核实", "role": "clerk", "days": 1} for number in range(1, 11)]
    steps[-1]["tier"] = "county"  # the escalated item's decision, at the county
    return {
        "name": "农村村民住宅用地（宅基地）审批及乡村建设规划许可证核发（含原址翻建、改建和扩建）",
        "conditions": "本集体经济组织成员，以户为单位申请，一户只能拥有一处宅基地，面积不得超过本省规定的标准；" * 12,
        "materials": materials,
        "steps": steps,
        "promised_days": 15,
        "statutory_days": 20,
    }


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_card_of_a_free_item_is_one_page_with_the_essentials(department, centre, page_size, tmp_path):
    version = _published(department)

    card = render_service_card(version, guide_url=GUIDE_URL, page_size=page_size)

    pages, text, _fonts = _inspect(card, tmp_path)
    assert card.startswith(b"%PDF")
    assert pages == 1
    compact = _compact(text)
    for expected in (
        "服务明白卡",
        "农村村民宅基地审批",
        "ZR-0001",
        "县自然资源和规划局",
        "受理条件",
        "本集体经济组织成员，一户只能拥有一处宅基地。",
        "申请人身份证",
        "※房屋建筑设计图",
        "建房层数超过两层时提供",
        "县级审批（5个工作日）",
        "法定时限",
        "20个工作日",
        "承诺时限",
        "15个工作日",
        "不收费",
        "农村宅基地批准书",
        "最多跑1次",
        "镇便民服务厅国土规划农林窗口",
        "0714-7321111",
        "0714-7321234",
        "扫码查看办事指南",
        "某县政务服务中心",
        "版本v1·发布于",
    ):
        assert expected in compact, expected


@needs_poppler
@pytest.mark.django_db
def test_card_of_a_fee_item_shows_the_amount_and_its_basis(department, tmp_path):
    version = _published(
        department,
        has_fee=True,
        fees=[{"name": "工本费", "amount": Decimal("80"), "basis": "发改价格规〔2016〕2559号"}],
    )

    _pages, text, _fonts = _inspect(render_service_card(version, guide_url=GUIDE_URL), tmp_path)

    compact = _compact(text)
    assert "工本费：80.00元（依据：发改价格规〔2016〕2559号）" in compact
    assert "不收费" not in compact


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["A4", "A5"])
def test_a_long_item_is_shortened_to_one_page(department, page_size, tmp_path):
    version = _published(department, **_long_item_overrides())

    card = render_service_card(version, guide_url=GUIDE_URL, page_size=page_size)

    pages, text, _fonts = _inspect(card, tmp_path)
    assert pages == 1
    compact = _compact(text)
    assert "等15项，详见办事指南" in compact
    assert "第1项材料" in compact
    assert "第15项材料" not in compact
    assert "0714-7321234" in compact  # the last row of the card is still there


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_card_embeds_the_platforms_font_with_a_glyph_for_every_character(department, language, tmp_path):
    free = _published(department)
    paid = _published(
        department,
        name="不动产登记（國有建設用地使用權）",
        has_fee=True,
        fees=[{"name": "工本费", "amount": Decimal("80"), "basis": "发改价格规〔2016〕2559号 № 3"}],
    )

    with translation.override(language), text_drawn_in_pdfs() as drawn:
        cards = [
            render_service_card(version, guide_url=GUIDE_URL, page_size=size)
            for version in (free, paid)
            for size in ("A4", "A5")
        ]

    for card in cards:
        assert_only_the_platform_font(card, drawn, tmp_path)
    assert any("·" in text for text in drawn)  # 版本 v1 · 发布于, lost before the platform had its own font


@needs_poppler
@pytest.mark.django_db
def test_the_card_follows_the_active_language(department, tmp_path):
    version = _published(department)

    with translation.override("en"):
        card = render_service_card(version, guide_url=GUIDE_URL)

    _pages, text, _fonts = _inspect(card, tmp_path)
    compact = _compact(text)
    assert "Servicecard" in compact
    assert "Scanfortheserviceguide" in compact
    assert "Freeofcharge" in compact
    assert "15workingdays" in compact


@pytest.mark.django_db
def test_an_unknown_page_size_is_refused(department):
    version = _published(department)

    with pytest.raises(ValueError, match="A4, A5"):
        render_service_card(version, guide_url=GUIDE_URL, page_size="Letter")


def _svg_matrix(svg: str) -> list[list[bool]]:
    """Read back the modules of segno's SVG path: "M x y" / "m dx dy" move, "h n" paints n modules."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, first, second in re.findall(r"([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(y), int(x) + step) for step in range(int(float(first))))
            x += float(first)
    size = len(segno.make(GUIDE_URL, error="m", micro=False).matrix) + 2 * qr.QUIET_ZONE
    return [[(row, column) in dark for column in range(size)] for row in range(size)]


def _reference_matrix() -> list[list[bool]]:
    """The symbol segno makes for the guide URL, with the quiet zone, as the ground truth."""
    reference = segno.make(GUIDE_URL, error="m", micro=False)
    return [[bool(module) for module in row] for row in reference.matrix_iter(border=qr.QUIET_ZONE)]


def test_qr_svg_is_inline_markup_of_the_guide_url():
    svg = qr.qr_svg(GUIDE_URL)

    assert svg.startswith("<svg")
    assert 'class="qr"' in svg
    assert "<?xml" not in svg
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg  # also valid as a stand-alone image/svg+xml file
    assert _svg_matrix(svg) == _reference_matrix()


def test_qr_png_draws_the_guide_url():
    scale = 6
    image = Image.open(io.BytesIO(qr.qr_png(GUIDE_URL, scale=scale))).convert("L")

    reference = _reference_matrix()
    assert image.size == (len(reference) * scale, len(reference) * scale)
    middle = scale // 2
    seen = [
        [image.getpixel((column * scale + middle, row * scale + middle)) < 128 for column in range(len(reference))]
        for row in range(len(reference))
    ]
    assert seen == reference


@needs_poppler
def test_the_qr_code_in_a_pdf_is_the_guide_url(tmp_path):
    reference = _reference_matrix()
    size = len(reference) * 10  # points: ten per module
    path = tmp_path / "qr.pdf"
    canvas = Canvas(str(path), pagesize=(size, size))
    qr.draw_qr(canvas, GUIDE_URL, x=0, y=0, size=size)
    canvas.save()

    _run("pdftoppm", "-png", "-r", "72", "-singlefile", str(path), str(tmp_path / "qr"))

    image = Image.open(tmp_path / "qr.png").convert("L")
    seen = [
        [image.getpixel((column * 10 + 5, row * 10 + 5)) < 128 for column in range(len(reference))]
        for row in range(len(reference))
    ]
    assert seen == reference
