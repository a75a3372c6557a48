"""The written notices (ALL art. 32, 38, 42, 45, 58) and the triplicate receipt, rendered from real cases."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from bianmin.cases import notices, services
from bianmin.cases.models import Notice, ReviewTask
from bianmin.cases.notices import render_notice
from bianmin.catalog.models import FeeRule
from bianmin.core import pdf
from bianmin.core.testing import ID_NUMBER, at, intake, user

BASE_URL = "https://bianmin.example.gov.cn"

POPPLER = ("pdfinfo", "pdftotext")
needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in POPPLER),
    reason="poppler-utils (pdfinfo, pdftotext) is not installed: apt-get install poppler-utils",
)
pytestmark = [needs_poppler, pytest.mark.django_db]

# The notices' messages in Simplified Chinese. Until they are in bianmin/locale/zh_Hans (``make messages`` and
# translate), the tests lend them to the catalogue; an entry the catalogue already translates wins.
NOTICE_MESSAGES_ZH_HANS = {
    "notice title\x04Receipt of application": "受理回执",
    "notice title\x04Acceptance notice": "受理通知书",
    "notice title\x04Notice to supplement materials (one-time notice)": "补正材料通知书（一次性告知）",
    "notice title\x04Notice of refusal to accept": "不予受理通知书",
    "notice title\x04Notice of a special procedure": "特别程序告知书",
    "notice title\x04Notice of extension": "延期办理告知书",
    "notice title\x04Decision to grant the administrative licence": "准予行政许可决定书",
    "notice title\x04Decision not to grant the administrative licence": "不予行政许可决定书",
    "notice title\x04Fee receipt": "收费收据",
    "No. %(number)s": "编号：%(number)s",
    "No. %(number)s · tracking number %(tracking)s": "编号：%(number)s　　办件编号：%(tracking)s",
    "%(name)s:": "%(name)s：",
    "(seal)": "（印章）",
    "%(days)s, by %(date)s": "%(days)s，%(date)s前办结",
    "%(amount)s yuan": "%(amount)s元",
    "between the items of a list\x04, ": "、",
    ("%(count)d working day", 0): "%(count)d个工作日",
    "Your application for %(item)s, submitted on %(date)s, has been examined: the "
    "materials are complete and in the statutory form. Under Article 32 of the Administrative Licensing Law of "
    "the People's Republic of China, this organ accepts the application.": (
        "你（单位）于%(date)s提交的%(item)s申请，经审查，申请材料齐全、符合法定形式。"
        "依据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理。"
    ),
    "Your application for %(item)s was received on %(date)s and you were not told "
    "within five working days what to supplement. Under Article 32 of the Administrative Licensing Law of the "
    "People's Republic of China, as no notice was given within five working days, the application counts as "
    "accepted from the day it was received.": (
        "你（单位）于%(date)s提交的%(item)s申请，本机关未在五个工作日内一次性告知需要补正的"
        "全部内容。依据《中华人民共和国行政许可法》第三十二条的规定，因未在五个工作日内告知，自收到申请之日起即为受理。"
    ),
    "notice\x04Accepted on": "受理日期",
    "notice\x04Promised time limit": "承诺办结时限",
    "notice\x04Statutory time limit": "法定办理时限",
    "Time limits count working days, not counting the day of acceptance. Time needed for a hearing, inspection, "
    "testing, appraisal or expert review is not counted in the time limit. Quote the tracking number to follow "
    "your case and to collect the result.": (
        "办理期限按工作日计算，受理当日不计入；依法需要听证、检验、检测、鉴定、专家评审的，所需时间不计算在期限内。"
        "请凭办件编号查询办理进度、领取办理结果。"
    ),
    "Your application for %(item)s, submitted on %(date)s, has been examined: the "
    "materials are incomplete or not in the statutory form. Under Article 32 of the Administrative Licensing Law "
    "of the People's Republic of China, you are told at once everything that must be supplemented:": (
        "你（单位）于%(date)s提交的%(item)s申请，经审查，申请材料不齐全或者不符合法定形式。"
        "依据《中华人民共和国行政许可法》第三十二条的规定，现将需要补正的全部内容一次性告知如下："
    ),
    "notice\x04No.": "序号",
    "notice\x04Material": "材料名称",
    "notice\x04What is missing or wrong, and what to bring": "存在问题及补正要求",
    ("This notice lists %(count)d material to supplement.", 0): "本通知共列明需补正的材料%(count)d项。",
    "Reason for a further notice: %(reason)s": "再次告知的原因：%(reason)s",
    "Please supplement all of the materials above at once and hand them in to this organ. Once the materials "
    "are complete and in the statutory form, the application will be accepted.": (
        "请一次性补正上述全部材料后向本机关提交。补正后申请材料齐全、符合法定形式的，本机关将依法予以受理。"
    ),
    "Your application for %(item)s, submitted on %(date)s, has been examined. "
    "Under Article 32 of the Administrative Licensing Law of the People's Republic of China, this organ does not "
    "accept the application, for the following reasons:": (
        "你（单位）于%(date)s提交的%(item)s申请，经审查，依据《中华人民共和国行政许可法》"
        "第三十二条的规定，本机关决定不予受理。理由如下："
    ),
    "The matter is not within this organ's powers. Please apply to %(organ)s.": (
        "该申请事项不属于本机关职权范围，请向%(organ)s申请。"
    ),
    "notice\x04Procedure": "特别程序",
    "notice\x04Reason": "原因",
    "notice\x04Expected time": "预计所需时间",
    "Your application for %(item)s was accepted on %(accepted)s. Under Article 45 "
    "of the Administrative Licensing Law of the People's Republic of China, the following special procedure is "
    "needed before a decision:": (
        "你（单位）申请的%(item)s，本机关已于%(accepted)s受理。依据《中华人民共和国行政许可法》"
        "第四十五条的规定，作出决定前需要进行以下特别程序："
    ),
    "The time needed is not counted in the time limit (Administrative Licensing Law, Article 45). When the "
    "procedure ends, handling resumes and the deadlines move by the working days it took.": (
        "所需时间不计算在办理期限内（《行政许可法》第四十五条）。特别程序结束后，本机关将继续办理，"
        "办理期限按实际所用工作日相应顺延。"
    ),
    "notice\x04Reason for the extension": "延期理由",
    "notice\x04Extended by": "延长期限",
    "notice\x04New promised deadline": "延长后承诺办结日期",
    "notice\x04New statutory deadline": "延长后法定办结日期",
    "Your application for %(item)s was accepted on %(accepted)s. It cannot be "
    "decided within the time limit. With the approval of the head of this organ, and under Article 42 of the "
    "Administrative Licensing Law of the People's Republic of China, the time limit is extended by %(days)s.": (
        "你（单位）申请的%(item)s，本机关已于%(accepted)s受理。因该申请在规定期限内不能作出"
        "决定，经本机关负责人批准，依据《中华人民共和国行政许可法》第四十二条的规定，办理期限延长%(days)s。"
    ),
    "Quote the tracking number to follow your case and to collect the result.": (
        "请凭办件编号查询办理进度、领取办理结果。"
    ),
    "Your application for %(item)s was accepted on %(accepted)s and has been "
    "examined: it meets the statutory conditions and standards. Under Article 38 of the Administrative Licensing "
    "Law of the People's Republic of China, this organ grants the licence.": (
        "你（单位）申请的%(item)s，本机关已于%(accepted)s受理。经审查，该申请符合法定条件、"
        "标准。依据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
    ),
    "Opinion: %(reasons)s": "审查意见：%(reasons)s",
    "This organ will issue and deliver the %(result)s to you within ten working days of this decision "
    "(Administrative Licensing Law, Article 44).": (
        "本机关将自作出决定之日起十个工作日内向你颁发、送达%(result)s（《行政许可法》第四十四条）。"
    ),
    "Your application for %(item)s was accepted on %(accepted)s and has been "
    "examined. Under Article 38 of the Administrative Licensing Law of the People's Republic of China, this "
    "organ does not grant the licence, for the following reasons:": (
        "你（单位）申请的%(item)s，本机关已于%(accepted)s受理。经审查，依据"
        "《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。理由如下："
    ),
    "notice\x04Payer": "交款人",
    "notice\x04Item": "办理事项",
    "notice\x04Tracking number": "办件编号",
    "notice\x04Receipt number": "收据号码",
    "notice\x04Fee": "收费项目",
    "notice\x04Standard": "收费标准",
    "notice\x04Basis": "收费依据",
    "notice\x04Total": "合计",
    "Fees are collected only where a law or administrative regulation provides for them, at the published "
    "standard, and a receipt is given for every fee (Administrative Licensing Law, Articles 58 and 59).": (
        "依据《中华人民共和国行政许可法》第五十八条、第五十九条的规定，本机关依照法律、行政法规规定的项目和标准收费，"
        "并出具本收据。"
    ),
    "Consultation phone: %(consultation)s  Complaint phone: %(complaint)s": (
        "咨询电话：%(consultation)s　投诉电话：%(complaint)s"
    ),
    "Page %(page)d of %(pages)d": "第%(page)d页　共%(pages)d页",
    "%(title)s (continued)": "%(title)s（续）",
    "Part 1": "第一联",
    "Part 2": "第二联",
    "Part 3": "第三联",
    "Kept by the applicant": "申请人收执",
    "Window stub": "窗口存根",
    "Kept by the department": "部门留存",
    "original checked": "原件已核",
    "copy kept": "复印件已留",
    "uploaded": "已上传",
    "received": "已收取",
    "%(number)d. %(material)s (%(marks)s)": "%(number)d. %(material)s（%(marks)s）",
    "%(site)s (relayed by %(relay)s)": "%(site)s（经%(relay)s代办）",
    "%(site)s (agency)": "%(site)s（代办）",
    "Applied online": "网上申请",
    "notice\x04Applicant": "申请人",
    "notice\x04Document number": "证件号码",
    "notice\x04Mobile phone": "联系电话",
    "notice\x04Receiving site": "受理地点",
    "notice\x04Received by": "收件人",
    "notice\x04Received at": "收件时间",
    "notice\x04Promised deadline": "承诺办结日期",
    "notice\x04Materials received": "已收材料",
    "notice\x04None": "无",
    "notice\x04Contact": "咨询投诉",
    "notice\x04Receiving organ (seal)": "受理单位（盖章）",
    "Keep this part: quote the tracking number to follow the case and collect the result.": (
        "请妥善保管本联，凭办件编号查询办理进度、领取办理结果。"
    ),
    "Filed at the window in the order of the numbers.": "窗口存根，按编号顺序装订存档。",
    "Goes with the materials to the department handling the case.": "随申请材料移送承办部门留存。",
    "Scan to follow the case": "扫码查询办理进度",
    "cut along the dashed line": "沿虚线剪开",
}


@pytest.fixture(autouse=True)
def zh_hans(monkeypatch):
    catalogue = trans_real.translation("zh-hans")._catalog
    for msgid, msgstr in NOTICE_MESSAGES_ZH_HANS.items():
        if msgid not in catalogue:
            monkeypatch.setitem(catalogue._catalogs[0], msgid, msgstr)
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
    assert text.count("阳新县行政服务中心") == 3
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
    draw_qr = notices.draw_qr
    monkeypatch.setattr(notices, "draw_qr", lambda canvas, url, **kw: (drawn.append(url), draw_qr(canvas, url, **kw)))

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
        assert kind == Notice.Kind.RECEIPT or hasattr(notices._Letter, f"body_{kind}")


def test_the_notices_use_the_shared_chinese_font(county, tmp_path):
    fonts = pdf.register_fonts()
    if not fonts.embedded:
        pytest.skip("no CJK TrueType font is installed on this machine (apt-get install fonts-wqy-zenhei)")
    case = _accepted()
    path = tmp_path / "acceptance.pdf"
    path.write_bytes(render_notice(_notice(case, Notice.Kind.ACCEPTANCE)))

    font_list = _run("pdffonts", str(path))

    rows = [line.split() for line in font_list.splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), font_list
