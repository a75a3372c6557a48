"""The written notices (ALL art. 32, 38, 42, 45, 58) and the triplicate receipt, rendered from real cases."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from bianmin.cases import notices, services
from bianmin.cases.models import Notice, ReviewTask
from bianmin.cases.notices import render_notice
from bianmin.catalog.models import FeeRule
from bianmin.core.testing import ID_NUMBER, assert_only_the_platform_font, at, intake, text_drawn_in_pdfs, user

BASE_URL = "https://bianmin.example.gov.cn"

POPPLER = ("pdfinfo", "pdftotext")
needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER),
    reason="poppler-utils (pdfinfo, pdftotext) is not installed: apt-get install poppler-utils",
)
pytestmark = [needs_poppler, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def zh_hans():
    with translation.override("zh-hans"):
        yield


# --- Cases built through the services ----------------------------------------------------------------------------


def _submitted(item: str = "SJ-0004", *, now=None):
    return services.case_submit(actor=user("county_clerk"), intake=intake(item, "YX"), now=now or at(2026, 9, 28))


def _accepted(item: str = "SJ-0004"):
    case = _submitted(item)
    return services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 9, 28, 11))


def _reviewed(item: str = "SJ-0004"):
    """Accepted, and every step before the decision done (by the system, which may take any step)."""
    case = _accepted(item)
    while task := case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False).first():
        services.case_complete_task(actor=None, task=task, outcome=ReviewTask.Outcome.AGREE, now=at(2026, 9, 29))
    return case


def _notice(case, kind: str) -> Notice:
    return case.notices.get(kind=kind)


# --- Reading the PDF back ------------------------------------------------------------------------------------------


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def _read(document: bytes, tmp_path, name: str = "notice") -> tuple[int, str]:
    """The page count and the text (whitespace removed) of a PDF, read by poppler in the order it was drawn:
    a table's cells one after the other, row by row, each cell's lines together."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(document)
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE).group(1))
    return pages, re.sub(r"\s+", "", _run("pdftotext", "-raw", str(path), "-"))


def _rendered(notice: Notice, tmp_path) -> tuple[int, str]:
    document = render_notice(notice, base_url=BASE_URL)
    assert document.startswith(b"%PDF")
    return _read(document, tmp_path, f"notice_{notice.kind}")


def _assert_common(notice: Notice, text: str) -> None:
    """What every notice shows: organ, title, number, addressee, item, tracking number, seal placeholder."""
    case = notice.case
    for expected in (
        notice.issuer_name,
        notices.notice_title(notice.kind),
        f"编号：{notice.number}",
        case.applicant_name,
        case.version.name,
        f"办件编号：{case.tracking_number}",
        "（印章）",
    ):
        assert expected in text, expected
    assert not re.search(r"[A-Za-z]{3,}", text), "an untranslated message is left in the Chinese notice"


# --- The notices -----------------------------------------------------------------------------------------------------


def test_acceptance_notice_gives_dates_and_both_time_limits(county, tmp_path):
    case = _accepted()
    notice = _notice(case, Notice.Kind.ACCEPTANCE)

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "张三：" in text
    assert "受理通知书" in text
    assert "依据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理。" in text
    assert "于2026年9月28日提交的食品经营许可申请" in text
    assert "受理日期2026年9月28日" in text
    assert (
        f"承诺办结时限5个工作日，{case.promised_due.year}年{case.promised_due.month}月{case.promised_due.day}日前办结"
        in text
    )
    assert "法定办理时限10个工作日" in text
    assert "2026年10月" in text  # the statutory deadline runs past the National Day holiday
    assert "即为受理" not in text


def test_deemed_acceptance_says_it_counts_from_receipt(county, tmp_path):
    case = _submitted()
    services.cases_deem_accepted(now=at(2026, 10, 20))
    notice = _notice(case, Notice.Kind.ACCEPTANCE)

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "因未在五个工作日内告知，自收到申请之日起即为受理" in text
    assert "受理日期2026年9月28日" in text


def test_supplement_notice_lists_every_material_and_its_problem(county, tmp_path):
    case = _submitted()
    problems = [
        ("营业执照", "已过期，请提供有效期内的营业执照"),
        ("法定代表人身份证", "复印件不清晰"),
        ("食品安全规章制度", "缺少进货查验记录制度"),
    ]
    notice = services.case_request_supplement(
        actor=user("county_clerk"), case=case, problems=problems, now=at(2026, 9, 29)
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "补正材料通知书（一次性告知）" in text
    assert "现将需要补正的全部内容一次性告知如下" in text
    for number, (material, problem) in enumerate(problems, start=1):
        assert f"{number}{material}{problem}" in text
    assert "本通知共列明需补正的材料3项。请一次性补正上述全部材料" in text


def test_a_long_supplement_notice_runs_on_but_lists_everything(county, tmp_path):
    case = _submitted()
    problems = [
        (f"第{n}号补充证明材料", f"第{n}号材料缺少申请人签字并须加盖单位公章，且复印件须注明“与原件一致”")
        for n in range(1, 61)
    ]
    notice = services.case_request_supplement(
        actor=user("county_clerk"), case=case, problems=problems, now=at(2026, 9, 29)
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages >= 2
    for material, problem in problems:
        assert material in text and problem in text, material
    assert "本通知共列明需补正的材料60项" in text
    assert f"第1页共{pages}页" in text
    assert "补正材料通知书（一次性告知）（续）" in text
    assert text.count("（印章）") == 1


def test_a_repeated_supplement_notice_states_why(county, tmp_path):
    case = _submitted()
    clerk = user("county_clerk")
    services.case_request_supplement(actor=clerk, case=case, problems=[("营业执照", "已过期")], now=at(2026, 9, 29))
    services.case_receive_supplement(actor=clerk, case=case, materials=[], now=at(2026, 9, 30))
    notice = services.case_request_supplement(
        actor=clerk,
        case=case,
        problems=[("营业执照", "名称与申请书不一致")],
        repeat_reason="申请人补正时更换了营业执照",
        now=at(2026, 10, 9),
    )

    _pages, text = _rendered(notice, tmp_path)

    assert "再次告知的原因：申请人补正时更换了营业执照" in text


def test_refusal_gives_reasons_the_competent_organ_and_the_rights(county, tmp_path):
    case = _submitted()
    notice = services.case_refuse(
        actor=user("county_clerk"),
        case=case,
        reasons="申请事项依法不需要取得行政许可。",
        competent_organ="县卫生健康局",
        now=at(2026, 9, 29),
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "不予受理通知书" in text
    assert "本机关决定不予受理。理由如下：申请事项依法不需要取得行政许可。" in text
    assert "请向县卫生健康局申请" in text
    assert re.sub(r"\s+", "", services.APPEAL_RIGHTS) in text


def test_refusal_without_a_competent_organ_does_not_point_elsewhere(county, tmp_path):
    case = _submitted()
    notice = services.case_refuse(
        actor=user("county_clerk"), case=case, reasons="申请人不具备申请资格。", now=at(2026, 9, 29)
    )

    _pages, text = _rendered(notice, tmp_path)

    assert "请向" not in text
    assert "申请人不具备申请资格。" in text


def test_suspension_notice_names_the_procedure_and_keeps_it_off_the_clock(county, tmp_path):
    case = _accepted()
    services.case_suspend(
        actor=user("county_clerk"),
        case=case,
        kind="inspection",
        reason="对申请人经营场所进行现场核查",
        expected_days=3,
        now=at(2026, 9, 29),
    )
    notice = _notice(case, Notice.Kind.SUSPENSION)

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "特别程序告知书" in text
    assert "特别程序现场勘验" in text
    assert "原因对申请人经营场所进行现场核查" in text
    assert "预计所需时间3个工作日" in text
    assert "所需时间不计算在办理期限内（《行政许可法》第四十五条）" in text
    assert "本机关已于2026年9月28日受理" in text


def test_extension_notice_gives_reason_days_and_new_deadlines(county, tmp_path):
    case = _accepted()
    extension = services.case_request_extension(
        actor=user("county_clerk"),
        case=case,
        days=5,
        reason="需会同县卫生健康局核实从业人员健康证明",
        now=at(2026, 9, 29),
    )
    services.case_decide_extension(actor=user("market_head"), extension=extension, approve=True, now=at(2026, 9, 29))
    notice = _notice(case, Notice.Kind.EXTENSION)
    case.refresh_from_db()

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "延期办理告知书" in text
    assert "第四十二条的规定，办理期限延长5个工作日" in text
    assert "延期理由需会同县卫生健康局核实从业人员健康证明" in text
    due = case.promised_due
    assert f"延长后承诺办结日期{due.year}年{due.month}月{due.day}日" in text
    assert "延长后法定办结日期" in text


def test_denial_gives_reasons_and_the_right_to_appeal(county, tmp_path):
    case = _reviewed()
    notice = services.case_decide(
        actor=user("market_head"),
        case=case,
        approve=False,
        reasons="经现场核查，经营场所与有毒有害场所的距离不符合要求。",
        now=at(2026, 9, 30),
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "不予行政许可决定书" in text
    assert "第三十八条第二款的规定，本机关决定不予行政许可。理由如下：经现场核查" in text
    assert re.sub(r"\s+", "", services.APPEAL_RIGHTS) in text


def test_approval_names_the_result_and_the_delivery_limit(county, tmp_path):
    case = _reviewed()
    notice = services.case_decide(actor=user("market_head"), case=case, approve=True, now=at(2026, 9, 30))

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "准予行政许可决定书" in text
    assert "本机关决定准予行政许可" in text
    assert "十个工作日内向你颁发、送达食品经营许可证" in text
    assert "2026年9月30日" in text  # the date of the signature


def test_fee_receipt_lists_each_fee_its_basis_and_the_total(county, tmp_path):
    case = _reviewed("ZR-0003")
    services.case_decide(actor=user("land_head"), case=case, approve=True, now=at(2026, 9, 30))
    rules = list(FeeRule.objects.filter(version=case.version).order_by("position"))
    notice = services.case_collect_fee(
        actor=user("county_clerk"),
        case=case,
        fee_rule_ids=[rules[0].pk, rules[2].pk],
        amount=Decimal("90"),
        now=at(2026, 9, 30, 15),
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    _assert_common(notice, text)
    assert "收费收据" in text
    assert f"交款人{case.applicant_name}" in text
    assert f"1{rules[0].name}80.00元" in text
    assert re.sub(r"\s+", "", rules[0].basis) in text
    assert f"2{rules[2].name}{rules[2].formula}" in text
    assert "合计90.00元" in text
    assert notice.content["receipt"] in text
    assert "第五十八条、第五十九条" in text


def test_a_very_long_refusal_is_still_one_page(county, tmp_path):
    case = _submitted()
    notice = services.case_refuse(
        actor=user("county_clerk"), case=case, reasons="申请材料所述经营项目与实际不符。" * 200, now=at(2026, 9, 29)
    )

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    assert "（印章）" in text
    assert re.sub(r"\s+", "", services.APPEAL_RIGHTS) in text


# --- The triplicate receipt -------------------------------------------------------------------------------------------


def test_the_receipt_is_one_page_in_three_parts_with_masked_numbers(county, tmp_path):
    case = _accepted()
    notice = _notice(case, Notice.Kind.RECEIPT)

    pages, text = _rendered(notice, tmp_path)

    assert pages == 1
    assert notice.number == case.tracking_number
    for part in ("第一联申请人收执", "第二联窗口存根", "第三联部门留存"):
        assert text.count(part) == 1, part
    assert text.count(case.tracking_number) >= 3
    assert text.count("食品经营许可") >= 3
    assert text.count("张三") == 3  # the full name on every part
    assert text.count("420222********" + ID_NUMBER[-4:]) == 3
    assert ID_NUMBER not in text
    assert ID_NUMBER[6:14] not in text
    assert text.count("138****0000") == 3
    assert "13800000000" not in text
    assert text.count("王晓燕") == 3  # the receiving clerk
    assert text.count("阳新县行政服务中心") == 6  # where it was received, and where the result is handed over
    assert text.count("结果领取") == 3  # … the applicant's choice at intake (结果反馈)
    assert "1.食品经营许可申请书（原件已核、复印件已留）" in text
    assert text.count("收件时间2026年9月28日10:00") == 3
    assert text.count("受理日期2026年9月28日") == 3
    promised = case.promised_due
    assert text.count(f"承诺办结日期{promised.year}年{promised.month}月{promised.day}日") == 3
    phones = f"咨询电话：{case.version.consultation_phone}投诉电话：{case.version.complaint_phone}"
    assert text.count(phones) == 3
    assert text.count("扫码查询办理进度") == 3
    assert text.count("沿虚线剪开") == 2


def test_the_applicants_part_of_the_receipt_carries_the_query_code_and_only_that_part(county, tmp_path):
    case = _accepted()

    _pages, text = _rendered(_notice(case, Notice.Kind.RECEIPT), tmp_path)

    assert text.count(case.query_code) == 1
    part_one, part_two = text.index("第一联申请人收执"), text.index("第二联窗口存根")
    assert part_one < text.index(f"查询码{case.query_code}") < part_two


def test_the_receipt_never_carries_the_full_numbers_even_in_its_metadata(county, tmp_path):
    case = _accepted()
    document = render_notice(_notice(case, Notice.Kind.RECEIPT), base_url=BASE_URL)

    path = tmp_path / "receipt.pdf"
    path.write_bytes(document)
    info = _run("pdfinfo", str(path))
    assert ID_NUMBER not in info and "13800000000" not in info
    assert ID_NUMBER.encode() not in document


def test_the_receipt_qr_codes_lead_to_the_tracking_page(county, monkeypatch):
    case = _accepted()
    drawn = []
    draw_qr = notices.receipt.draw_qr
    monkeypatch.setattr(
        notices.receipt, "draw_qr", lambda canvas, url, **kw: (drawn.append(url), draw_qr(canvas, url, **kw))
    )

    render_notice(_notice(case, Notice.Kind.RECEIPT), base_url=BASE_URL + "/")

    assert drawn == [f"{BASE_URL}/cases/track/?number={case.tracking_number}"] * 3


def test_the_receipt_of_an_agency_case_names_the_relaying_site(county, tmp_path):
    village = intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书（2026）第1号")
    case = services.case_submit(actor=user("baishacun_agent"), intake=village, now=at(2026, 9, 28))
    case = services.case_accept(actor=user("baisha_clerk"), case=case, now=at(2026, 9, 28, 11))

    pages, text = _rendered(_notice(case, Notice.Kind.RECEIPT), tmp_path)

    assert pages == 1
    assert case.receiving_site.code == "BS"  # the town hall accepts what the village room relays
    assert text.count("白沙镇便民服务厅（经白沙村便民服务室代办）") == 3
    assert text.count("柯春生") == 3  # the agent who took the application
    assert text.count("BS01-20260928-0001") >= 3  # numbered where the application was taken


def test_the_notices_follow_the_active_language(county, tmp_path):
    case = _accepted()
    with translation.override("en"):
        _pages, text = _rendered(_notice(case, Notice.Kind.ACCEPTANCE), tmp_path)
        _pages, receipt = _rendered(_notice(case, Notice.Kind.RECEIPT), tmp_path)

    assert "Acceptancenotice" in text
    assert "Article32oftheAdministrativeLicensingLaw" in text
    assert "Part1Keptbytheapplicant" in receipt
    assert "Scantofollowthecase" in receipt


def test_every_kind_has_a_title_and_a_body():
    for kind in Notice.Kind.values:
        assert notices.notice_title(kind)
        assert kind == Notice.Kind.RECEIPT or kind in notices.LETTER_BODIES


def _one_notice_of_each_kind() -> list[Notice]:
    """Cases taken through the services until every kind of notice has been issued, with names and reasons in
    Simplified and Traditional characters and the punctuation official documents use."""
    clerk = user("county_clerk")
    services.case_request_supplement(
        actor=clerk,
        case=_submitted(),
        problems=[("營業執照（副本）", "已過期——请提供有效期内的执照〔2026〕№ 7")],
        now=at(2026, 9, 29),
    )
    services.case_refuse(
        actor=clerk,
        case=_submitted(),
        reasons="申請事項依法不需要取得行政許可（《行政許可法》第十二條）。",
        competent_organ="县卫生健康局",
        now=at(2026, 9, 29),
    )
    suspended = _accepted()
    services.case_suspend(
        actor=clerk,
        case=suspended,
        kind="inspection",
        reason="現場核查・经营场所",
        expected_days=3,
        now=at(2026, 9, 29),
    )
    extended = _accepted()
    extension = services.case_request_extension(
        actor=clerk, case=extended, days=5, reason="需会同县卫生健康局核实“健康证明”", now=at(2026, 9, 29)
    )
    services.case_decide_extension(actor=user("market_head"), extension=extension, approve=True, now=at(2026, 9, 29))
    services.case_decide(
        actor=user("market_head"), case=_reviewed(), approve=False, reasons="距离不符合要求…", now=at(2026, 9, 30)
    )
    paid = _reviewed("ZR-0003")
    services.case_decide(actor=user("land_head"), case=paid, approve=True, now=at(2026, 9, 30))
    rules = list(FeeRule.objects.filter(version=paid.version).order_by("position"))
    services.case_collect_fee(
        actor=clerk, case=paid, fee_rule_ids=[rules[0].pk], amount=rules[0].amount, now=at(2026, 9, 30, 15)
    )
    services.case_issue_certificate(actor=clerk, case=paid, now=at(2026, 9, 30, 15))
    services.case_deliver(
        actor=clerk,
        case=paid,
        recipient_name="張小三",
        recipient_id_number="42022220100101123X",
        now=at(2026, 9, 30, 16),
    )
    issued = list(Notice.objects.select_related("case__version").order_by("pk"))
    assert {notice.kind for notice in issued} == set(Notice.Kind.values)
    return issued


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_notice_embeds_the_platforms_font_with_a_glyph_for_every_character(county, language, tmp_path):
    issued = _one_notice_of_each_kind()

    with translation.override(language), text_drawn_in_pdfs() as drawn:
        documents = [render_notice(notice, base_url=BASE_URL) for notice in issued]

    for document in documents:
        assert_only_the_platform_font(document, drawn, tmp_path)
