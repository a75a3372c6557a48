"""The demo county's service catalogue: topics (life events) and items, as plain, deterministic data.

Each entry of ``ITEMS`` is ``{"code": "ZR-0001", "department": "ZR", "content": {...}}`` where ``content``
holds the keyword arguments of ``bianmin.catalog.content.ItemContent``. ``_item`` fills what follows from the
department and the levels (place, hours, responsible organisation, phones, has_fee) unless an item says
otherwise. Codes are sequential per department; never renumber a published item, append new ones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import county

# Levels (and step tiers) and roles, spelled as the catalogue stores them.
C, T, V = "county", "town", "village"
R = "receiving"  # a step's tier: at the site that received the application
CLERK, CHIEF, HEAD, AGENT = "clerk", "chief_representative", "department_head", "agent"

COMPLAINT_PHONE = "0714-7326110"
COUNTY_HOURS = county.COUNTY["opening_hours"]
TOWN_HOURS = "工作日 8:30–17:30"
VILLAGE_HOURS = "工作日 8:30–11:30, 14:30–17:00；代办员可预约上门"

DEPARTMENT_NAMES = {code: name for code, name, _short, _licensing in county.DEPARTMENTS}

# Consultation phones of the departments' windows.
PHONES = {
    "MZ": "0714-7322316",
    "WJ": "0714-7323120",
    "RS": "0714-7325678",
    "ZR": "0714-7328501",
    "SJ": "0714-7324315",
    "ZJ": "0714-7322655",
    "NY": "0714-7323306",
    "LY": "0714-7322709",
    "CZ": "0714-7322450",
    "XF": "0714-7321360",
    "SF": "0714-7322148",
    "GA": "0714-7322411",
    "FG": "0714-7323502",
    "JT": "0714-7323618",
    "HB": "0714-7324127",
    "SL": "0714-7323211",
    "WL": "0714-7322876",
    "JY": "0714-7322539",
}

# Where a department's county items are accepted when it is not its window at the centre.
COUNTY_PLACES = {"RS": "县人社分中心（兴国镇桃花泉路18号）社保经办大厅"}
REAL_ESTATE_PLACE = "县不动产登记分中心（兴国镇富川路66号）综合受理窗口"


def _floor(number: str) -> str:
    return "一楼" if int(number) <= 4 else "二楼" if int(number) <= 9 else "三楼"


def _county_window(department: str) -> str:
    if department in COUNTY_PLACES:
        return COUNTY_PLACES[department]
    for number, name, codes in county.COUNTY_WINDOWS:
        if department in codes:
            return f"县行政服务中心{_floor(number)}{name}"
    raise KeyError(department)


def _town_window(department: str) -> str:
    for _number, name, codes in county.TOWN_WINDOWS:
        if department in codes:
            return f"各镇便民服务厅{name}"
    return "各镇便民服务厅综合窗口"


def _place(department: str, levels: list[str], relay: bool) -> str:
    places = []
    if C in levels:
        places.append(_county_window(department))
    if T in levels:
        places.append(_town_window(department))
    if V in levels:
        places.append("各村便民服务室")
    text = "；".join(places)
    return f"{text}（村便民服务室可代收代办）" if relay else text


def _hours(levels: list[str]) -> str:
    hours = []
    if C in levels:
        hours.append(f"县中心 {COUNTY_HOURS}" if len(levels) > 1 else COUNTY_HOURS)
    if T in levels:
        hours.append(f"镇便民服务厅 {TOWN_HOURS}" if len(levels) > 1 else TOWN_HOURS)
    if V in levels and len(hours) < 2:
        hours.append(f"村便民服务室 {VILLAGE_HOURS}")
    return "；".join(hours)


def _item(code: str, **fields: Any) -> dict[str, Any]:
    department = code.split("-")[0]
    levels = fields["accepting_levels"]
    relay = fields.get("village_relay", False)
    fields.setdefault("place", _place(department, levels, relay))
    fields.setdefault("hours", _hours(levels))
    fields.setdefault("responsible_organisation", DEPARTMENT_NAMES[department])
    fields.setdefault("consultation_phone", PHONES[department])
    fields.setdefault("complaint_phone", COMPLAINT_PHONE)
    fields.setdefault("agency_offered", relay or V in levels)
    fields["has_fee"] = bool(fields.get("fees"))
    return {"code": code, "department": department, "content": fields}


def _law(law: str, article: str = "", excerpt: str = "") -> dict[str, Any]:
    return {"law": law, "article": article, "excerpt": excerpt}


def _m(name: str, form: str = "original", copies: int = 1, condition: str = "", notes: str = "") -> dict[str, Any]:
    """A material; one with a condition is only required when the condition holds."""
    return {
        "name": name,
        "form": form,
        "copies": copies,
        "is_required": not condition,
        "condition": condition,
        "notes": notes,
    }


def _s(name: str, role: str, days: int, description: str = "", *, tier: str = R) -> dict[str, Any]:
    """A process step, done at the receiving site unless its ``tier`` says the town (T) or the county (C)."""
    return {"name": name, "role": role, "tier": tier, "days": days, "description": description}


def _fee(name: str, basis: str, amount: str | None = None, formula: str = "") -> dict[str, Any]:
    return {"name": name, "amount": Decimal(amount) if amount is not None else None, "formula": formula, "basis": basis}


def _sp(kind: str, typical_days: int, description: str) -> dict[str, Any]:
    return {"kind": kind, "typical_days": typical_days, "description": description}


def _q(question: str, answer: str) -> dict[str, Any]:
    return {"question": question, "answer": answer}


# Materials many items ask for.
ID_CARD = _m("申请人居民身份证", "original_and_copy")
HOUSEHOLD = _m("居民户口簿", "original_and_copy")
AGENT_PAPERS = _m("委托书及受托人身份证", "original_and_copy", condition="委托他人代为办理时提供")
LICENCE = _m("营业执照", "copy")
LEGAL_REP_ID = _m("法定代表人（负责人）身份证", "copy")
BANK_CARD = _m("本人社会保障卡或惠民惠农“一卡通”银行账户", "copy", notes="用于资金发放，须为本人名下账户")

LICENSING, PUBLIC, OTHER = "licensing", "public_service", "other"
IMMEDIATE, COMMITTED, ESCALATED, JOINT = "immediate", "committed", "escalated", "joint"


TOPICS = [
    {"code": "birth", "name": "生育收养", "description": "生育登记、出生医学证明、新生儿落户、收养登记。"},
    {"code": "marriage", "name": "婚姻家庭", "description": "结婚登记、收养、随迁落户等家庭事务。"},
    {"code": "household", "name": "户籍证件", "description": "户口迁移、居民身份证、无犯罪记录证明等。"},
    {"code": "house", "name": "建房置业", "description": "宅基地、农房建设规划、不动产登记、危房改造。"},
    {"code": "farming", "name": "农业生产", "description": "耕地补贴、农药兽药经营、林木采伐、植物检疫。"},
    {"code": "business", "name": "开办企业", "description": "个体工商户、企业登记、行业许可、投资项目审批。"},
    {"code": "work", "name": "就业创业", "description": "就业失业登记、就业援助、创业担保贷款。"},
    {"code": "social_security", "name": "社会保障", "description": "社会保障卡、城乡居民养老保险、残疾人补贴。"},
    {"code": "retirement", "name": "退休养老", "description": "养老保险待遇领取、高龄津贴。"},
    {"code": "health", "name": "医疗卫生", "description": "医疗机构、公共场所卫生许可、计划生育奖励扶助。"},
    {"code": "education", "name": "教育入学", "description": "民办学校、教师资格、学生转学。"},
    {"code": "assistance", "name": "社会救助", "description": "低保、特困供养、临时救助、住房安全保障。"},
    {"code": "legal", "name": "法律服务", "description": "法律援助、人民调解、法律咨询、信访。"},
    {"code": "death", "name": "身后事", "description": "死亡注销户口、惠民殡葬补贴。"},
]
for _position, _topic in enumerate(TOPICS, start=1):
    _topic["position"] = _position * 10


# 民政 ------------------------------------------------------------------------------------------------------
CIVIL_AFFAIRS = [
    _item(
        "MZ-0001",
        name="最低生活保障审核确认",
        summary="共同生活的家庭成员人均收入低于当地低保标准且财产符合规定的家庭，可申请城乡最低生活保障。",
        kind=OTHER,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="持有本县户籍，共同生活的家庭成员人均月收入低于本县城乡低保标准，且家庭财产状况符合县民政局规定的。",
        statutory_days=30,
        promised_days=20,
        result_name="最低生活保障审核确认决定及低保金发放",
        result_validity="按年复核，动态管理",
        visits_required=1,
        online_application=True,
        keywords="低保 低保申请 低保金 困难群众 最低生活保障",
        topic_codes=["assistance", "social_security"],
        legal_bases=[
            _law(
                "社会救助暂行办法",
                "第十一条",
                "申请最低生活保障，应当以家庭为单位，向户籍所在地的乡镇人民政府、街道办事处提出书面申请。",
            ),
            _law("最低生活保障审核确认办法", "第十九条"),
        ],
        materials=[
            _m("最低生活保障申请书", notes="由申请人或其代理人签字，村（居）委会可协助填写"),
            ID_CARD,
            HOUSEHOLD,
            _m("家庭经济状况核对授权书", notes="共同生活的家庭成员每人签字"),
            _m("残疾证或重大疾病诊断证明", "copy", condition="家庭成员有残疾或患重大疾病的"),
            AGENT_PAPERS,
        ],
        steps=[
            _s("受理申请", CLERK, 1, "镇便民服务厅社会事务窗口接收申请，材料不全的一次性告知"),
            _s("入户调查与经济状况核对", AGENT, 8, "镇、村工作人员入户调查，县级核对平台比对收入财产", tier=T),
            _s("镇级审核并公示", HEAD, 4, "镇人民政府提出审核意见，在村务公开栏公示", tier=T),
            _s("县级审核确认", HEAD, 7, "县民政局抽查核实后作出确认决定", tier=C),
        ],
        special_procedures=[_sp("public_notice", 7, "审核意见在申请人所在村（居）公示7天")],
        faqs=[
            _q(
                "外出务工的家庭成员收入要算进去吗？", "要。共同生活的家庭成员外出务工收入按实际或当地标准计入家庭收入。"
            ),
            _q("低保多久复核一次？", "城市低保家庭和农村低保家庭原则上每年复核一次，收入变化时应及时告知镇民政办。"),
        ],
    ),
    _item(
        "MZ-0002",
        name="特困人员救助供养审核确认",
        summary="对无劳动能力、无生活来源、无法定赡养抚养扶养义务人的老年人、残疾人和未成年人给予救助供养。",
        kind=OTHER,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="本县户籍的老年人、残疾人或未满18周岁的未成年人，同时具备无劳动能力、无生活来源、无法定义务人或其义务人无履行能力的。",
        statutory_days=20,
        promised_days=15,
        result_name="特困人员救助供养证",
        result_validity="长期，按年复核",
        visits_required=1,
        keywords="特困 五保 五保户 供养 敬老院",
        topic_codes=["assistance", "retirement"],
        legal_bases=[
            _law("社会救助暂行办法", "第十四条、第十五条"),
            _law("特困人员认定办法", "第十五条", "县级人民政府民政部门应当自收到申请材料之日起20个工作日内作出确认。"),
        ],
        materials=[
            _m("特困人员救助供养申请书"),
            ID_CARD,
            HOUSEHOLD,
            _m("残疾证", "copy", condition="申请人为残疾人的"),
            _m("生活自理能力评估表", condition="申请集中供养或需照料护理的"),
            AGENT_PAPERS,
        ],
        steps=[
            _s("受理申请", CLERK, 1),
            _s("调查核实", AGENT, 6, "入户调查生活状况、收入财产和法定义务人情况", tier=T),
            _s("镇级审核并公示", HEAD, 3, tier=T),
            _s("县级审核确认", HEAD, 5, tier=C),
        ],
        special_procedures=[_sp("public_notice", 7, "审核意见在申请人所在村公示7天")],
        faqs=[
            _q("可以选择去敬老院集中供养吗？", "可以。生活不能自理的优先安排集中供养，本人也可选择在家分散供养。"),
        ],
    ),
    _item(
        "MZ-0003",
        name="临时救助申请",
        summary="因火灾、交通事故、突发重大疾病等导致基本生活暂时出现严重困难的家庭或个人，可申请临时救助。",
        kind=OTHER,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="因意外事件、突发重大疾病或其他特殊原因导致基本生活暂时陷入困境，其他社会救助制度暂时无法覆盖的家庭或个人。",
        statutory_days=20,
        promised_days=10,
        result_name="临时救助金（实物）发放",
        visits_required=1,
        keywords="临时救助 急难 救急 意外 大病",
        topic_codes=["assistance"],
        legal_bases=[
            _law(
                "社会救助暂行办法",
                "第四十八条",
                "申请临时救助的，应当向乡镇人民政府、街道办事处提出，经审核、公示后，由县级人民政府民政部门审批。",
            ),
            _law("国务院关于全面建立临时救助制度的通知", "国发〔2014〕47号"),
        ],
        materials=[
            _m("临时救助申请审批表"),
            ID_CARD,
            HOUSEHOLD,
            _m("遭遇困难的证明材料", "copy", notes="如医疗费用票据、火灾或事故证明等"),
            BANK_CARD,
        ],
        steps=[
            _s("受理申请", CLERK, 1, "村便民服务室或镇便民服务厅接收申请"),
            _s("调查核实", AGENT, 3, tier=T),
            _s("镇级审核", HEAD, 2, tier=T),
            _s("县级审批并发放", HEAD, 4, tier=C),
        ],
        special_procedures=[_sp("public_notice", 3, "救助对象及金额在村务公开栏公示（情况紧急的先行救助后补公示）")],
        faqs=[
            _q("情况紧急等不了怎么办？", "对情况紧急的，镇人民政府可先行救助，事后补齐手续。"),
        ],
    ),
    _item(
        "MZ-0004",
        name="高龄津贴申领",
        summary="年满80周岁的本县户籍老年人按月领取高龄津贴，100周岁以上提高标准。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="具有本县户籍、年满80周岁的老年人。",
        statutory_days=20,
        promised_days=10,
        result_name="高龄津贴发放",
        result_validity="按月发放，每年进行生存认证",
        visits_required=1,
        online_application=True,
        keywords="高龄津贴 高龄补贴 老年人 80岁 长寿",
        topic_codes=["retirement", "social_security"],
        legal_bases=[
            _law(
                "中华人民共和国老年人权益保障法", "第三十三条", "国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。"
            ),
            _law("湖北省实施《中华人民共和国老年人权益保障法》办法"),
        ],
        materials=[
            _m("高龄津贴申请表"),
            ID_CARD,
            HOUSEHOLD,
            BANK_CARD,
            AGENT_PAPERS,
        ],
        steps=[
            _s("受理申请", CLERK, 1, "村代办员可上门受理"),
            _s("镇级审核", HEAD, 3, tier=T),
            _s("县级审批", HEAD, 4, tier=C),
        ],
        faqs=[
            _q("老人行动不便，可以上门办理吗？", "可以。联系所在村便民服务室，代办员上门采集信息并代为申请。"),
            _q("从哪个月开始发放？", "自审批通过的次月起按月发放到本人社会保障卡。"),
        ],
    ),
    _item(
        "MZ-0005",
        name="困难残疾人生活补贴和重度残疾人护理补贴申领",
        summary="低保家庭中的残疾人可领取生活补贴，一级、二级重度残疾人可领取护理补贴（残疾人两项补贴）。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="持有第二代残疾人证的本县户籍残疾人：生活补贴面向低保家庭中的残疾人，护理补贴面向残疾等级为一、二级且需长期照护的重度残疾人。",
        statutory_days=20,
        promised_days=15,
        result_name="残疾人两项补贴发放",
        result_validity="按月发放，每年复核",
        visits_required=1,
        online_application=True,
        keywords="残疾人两项补贴 残疾补贴 护理补贴 生活补贴 残疾证",
        topic_codes=["assistance", "social_security"],
        legal_bases=[
            _law("中华人民共和国残疾人保障法", "第四十八条"),
            _law("国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见", "国发〔2015〕52号"),
        ],
        materials=[
            _m("残疾人两项补贴申请审批表"),
            ID_CARD,
            _m("中华人民共和国残疾人证（第二代）", "original_and_copy"),
            BANK_CARD,
            AGENT_PAPERS,
        ],
        steps=[
            _s("受理申请", CLERK, 1),
            _s("镇级初审", HEAD, 5, "镇民政办会同残联专职委员核实", tier=T),
            _s("县级审核", HEAD, 5, "县民政局会同县残联审核", tier=C),
            _s("审批发放", HEAD, 4, tier=C),
        ],
        faqs=[
            _q("两项补贴可以同时领吗？", "符合条件的可以同时领取生活补贴和护理补贴。"),
        ],
    ),
    _item(
        "MZ-0006",
        name="内地居民结婚登记",
        summary="内地居民男女双方自愿结婚的，共同到婚姻登记处申请结婚登记，符合条件的当场登记、颁发结婚证。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="男年满二十二周岁、女年满二十周岁，双方均无配偶，且没有直系血亲和三代以内旁系血亲关系，双方自愿。",
        statutory_days=0,
        promised_days=0,
        result_name="结婚证",
        result_validity="长期",
        place="县行政服务中心一楼婚姻登记处",
        visits_required=1,
        online_application=False,
        keywords="结婚 领证 结婚证 婚姻登记 预约",
        topic_codes=["marriage"],
        legal_bases=[
            _law("中华人民共和国民法典", "第一千零四十九条", "要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。"),
            _law("婚姻登记条例", "第七条", "对当事人符合结婚条件的，应当当场予以登记，发给结婚证。"),
        ],
        materials=[
            _m("双方居民身份证", "original"),
            _m("双方居民户口簿", "original"),
            _m("双方近期半身免冠合影照片", copies=3, notes="2寸红底，可在登记处现场拍摄"),
            _m("本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明", notes="现场签署"),
        ],
        steps=[
            _s("审查证件并询问", CLERK, 0),
            _s("签署声明、登记并颁证", CLERK, 0, "登记员当场登记，可选择颁证仪式"),
        ],
        faqs=[
            _q("需要提前预约吗？", "可通过“鄂汇办”或电话预约，节假日等特殊日期建议提前预约。"),
            _q("户口本丢了怎么办？", "先到户籍所在地派出所补办户口簿，或按规定提供户籍证明。"),
        ],
    ),
    _item(
        "MZ-0007",
        name="收养登记",
        summary="收养子女应当向县级民政部门登记，收养关系自登记之日起成立。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="收养人无子女或者只有一名子女，有抚养、教育和保护被收养人的能力，未患有医学上认为不应当收养子女的疾病，无不利于被收养人健康成长的违法犯罪记录，年满三十周岁。",
        statutory_days=30,
        promised_days=20,
        result_name="收养登记证",
        result_validity="长期",
        place="县行政服务中心一楼婚姻登记处",
        visits_required=2,
        keywords="收养 领养 收养登记证",
        topic_codes=["birth", "marriage"],
        legal_bases=[
            _law(
                "中华人民共和国民法典",
                "第一千一百零五条",
                "收养应当向县级以上人民政府民政部门登记。收养关系自登记之日起成立。",
            ),
            _law("中国公民收养子女登记办法", "第七条"),
        ],
        materials=[
            _m("收养登记申请书"),
            _m("收养人居民身份证和户口簿", "original_and_copy"),
            _m("收养人婚姻状况证明", "original_and_copy"),
            _m("收养人所在单位或村（居）委会出具的家庭状况证明"),
            _m("县级以上医疗机构出具的身体健康检查证明"),
            _m("送养人同意送养的书面意见及身份证明", "original_and_copy", condition="由生父母送养的"),
            _m("社会福利机构出具的孤儿或弃婴情况证明", condition="收养社会福利机构抚养的儿童的"),
        ],
        steps=[
            _s("受理申请", CLERK, 1),
            _s("收养评估与审查", CHIEF, 14, "对收养人进行收养能力评估，审查材料"),
            _s("登记并颁证", HEAD, 5),
        ],
        special_procedures=[
            _sp("appraisal", 10, "委托第三方开展收养能力评估"),
            _sp("public_notice", 42, "收养查找不到生父母的弃婴、儿童的，登记前公告查找其生父母，公告期60日"),
        ],
        faqs=[_q("公告期计入办理时限吗？", "不计入。公告期满无人认领的，再进行登记审查。")],
    ),
    _item(
        "MZ-0008",
        name="惠民殡葬补贴申领",
        summary="本县户籍居民去世后实行火化的，免除遗体接运、存放、火化和骨灰寄存等基本殡葬服务费用。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="本县户籍居民死亡后在县殡仪馆火化的，由其亲属申领；已在殡仪馆直接减免的不重复申领。",
        statutory_days=20,
        promised_days=10,
        result_name="基本殡葬服务费用减免（补贴）",
        visits_required=1,
        keywords="殡葬 火化 丧葬 惠民殡葬 去世 补贴",
        topic_codes=["death"],
        legal_bases=[
            _law("殡葬管理条例", "第四条"),
            _law("民政部等关于推行惠民殡葬政策的指导意见", "民发〔2012〕219号"),
        ],
        materials=[
            _m("惠民殡葬补贴申请表"),
            _m("逝者居民死亡医学证明（推断）书", "copy"),
            _m("火化证明", "copy"),
            _m("经办亲属身份证", "original_and_copy"),
            _m("殡葬服务费用票据", "original"),
            _m("经办亲属银行账户", "copy"),
        ],
        steps=[
            _s("受理申请", CLERK, 1),
            _s("镇民政办审核", HEAD, 4, tier=T),
            _s("县民政局审批拨付", HEAD, 5, tier=C),
        ],
        faqs=[
            _q("在外地去世的可以申领吗？", "在外地火化的，凭火化地殡仪馆证明和票据申请，按本县标准补贴。"),
        ],
    ),
]


# 卫生健康 --------------------------------------------------------------------------------------------------
HEALTH = [
    _item(
        "WJ-0001",
        name="生育登记",
        summary="夫妻生育子女实行生育登记服务，登记后可享受孕产期保健等公共卫生服务，可网上办理或到镇便民服务厅办理。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[T],
        deciding_level=T,
        village_relay=True,
        conditions="夫妻双方至少一方户籍在本县，或女方现居住在本县的，在孕前、孕期或子女出生后均可登记。",
        statutory_days=0,
        promised_days=0,
        result_name="生育服务登记信息（电子凭证）",
        visits_required=0,
        online_application=True,
        keywords="生育登记 准生证 生育服务证 怀孕 二孩 三孩",
        topic_codes=["birth", "health"],
        legal_bases=[
            _law("中华人民共和国人口与计划生育法", "第十八条"),
            _law("湖北省人口与计划生育条例", "第十六条"),
        ],
        materials=[
            _m("夫妻双方居民身份证", "original"),
            _m("结婚证", "original"),
            _m("生育登记信息表", notes="现场或网上填写，无需证明材料"),
        ],
        steps=[_s("受理并当场登记", CLERK, 0, "信息核对无误即完成登记，网上申请实时办结")],
        faqs=[
            _q("还需要开准生证吗？", "不需要。现行生育登记实行承诺制，登记后即可享受相关服务。"),
            _q("可以在手机上办理吗？", "可以，通过“鄂汇办”APP或湖北政务服务网“生育登记”模块办理。"),
        ],
    ),
    _item(
        "WJ-0002",
        name="出生医学证明首次签发",
        summary="新生儿在本县助产机构出生的，由助产机构签发《出生医学证明》，作为新生儿落户的依据。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="在本县具有助产技术服务资质的医疗机构内出生的新生儿，由父母或监护人申领。",
        statutory_days=0,
        promised_days=0,
        result_name="出生医学证明",
        result_validity="长期",
        place="县人民医院、县妇幼保健院等助产机构出生医学证明签发窗口；县行政服务中心一楼卫生健康窗口（咨询）",
        visits_required=1,
        keywords="出生证 出生医学证明 新生儿 落户",
        topic_codes=["birth", "health"],
        legal_bases=[
            _law(
                "中华人民共和国母婴保健法",
                "第二十三条",
                "医疗保健机构和从事家庭接生的人员按照国务院卫生行政部门的规定，出具统一制发的新生儿出生医学证明。",
            )
        ],
        materials=[
            _m("新生儿父母居民身份证", "original_and_copy"),
            _m("出生医学证明首次签发登记表", notes="父母双方签字确认"),
            _m("结婚证", "copy", condition="父母已办理结婚登记的"),
        ],
        steps=[
            _s("核对分娩记录和身份信息", CLERK, 0),
            _s("打印签发", CLERK, 0, "当场签发并加盖出生医学证明专用章"),
        ],
        faqs=[_q("新生儿名字没取好能先办吗？", "新生儿姓名是必填项，建议确定姓名后办理，以免日后换发。")],
    ),
    _item(
        "WJ-0003",
        name="医疗机构执业登记",
        summary="设置诊所以外的医疗机构，取得设置审批后，向卫生健康部门申请执业登记，领取《医疗机构执业许可证》。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="按规定取得设置医疗机构批准书（或属于可直接申请执业登记的情形），有适合的名称、组织机构和场所，有与开展业务相适应的经费、设施、设备和专业卫生技术人员。",
        statutory_days=45,
        promised_days=20,
        result_name="医疗机构执业许可证",
        result_validity="5年",
        visits_required=1,
        online_application=True,
        keywords="医疗机构 医院 卫生院 执业许可证 开诊所",
        topic_codes=["health", "business"],
        legal_bases=[
            _law("医疗机构管理条例", "第十五条", "医疗机构执业，必须进行登记，领取《医疗机构执业许可证》。"),
            _law("医疗机构管理条例实施细则", "第二十五条"),
        ],
        materials=[
            _m("医疗机构申请执业登记注册书"),
            _m("设置医疗机构批准书", "copy", condition="须经设置审批的"),
            _m("医疗机构用房产权证明或者使用证明", "copy"),
            _m("医疗机构建筑设计平面图", "original"),
            _m("验资证明、资产评估报告", "copy"),
            _m("医疗机构规章制度和卫生技术人员名录及资格证书", "copy"),
            LEGAL_REP_ID,
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 5),
            _s("现场审查", CHIEF, 8, "组织卫生监督人员对场所、设备和人员进行现场审查"),
            _s("审批并发证", HEAD, 4),
        ],
        special_procedures=[_sp("inspection", 5, "对医疗机构场所、设施、设备、人员进行现场核查")],
        faqs=[_q("个体诊所也要办这个吗？", "诊所实行备案管理，向县卫生健康局办理诊所备案即可，无需执业登记。")],
    ),
    _item(
        "WJ-0004",
        name="公共场所卫生许可",
        summary="经营宾馆、浴室、美容美发、游泳场馆等公共场所的，开业前应取得公共场所卫生许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已取得营业执照，经营场所布局、卫生设施和从业人员健康状况符合公共场所卫生标准和要求。",
        statutory_days=20,
        promised_days=7,
        result_name="公共场所卫生许可证",
        result_validity="4年",
        visits_required=1,
        online_application=True,
        keywords="卫生许可证 宾馆 理发 美容 浴室 游泳馆",
        topic_codes=["business", "health"],
        legal_bases=[
            _law("公共场所卫生管理条例", "第八条", "经营单位须取得“卫生许可证”后，方可向工商行政管理部门申请登记。"),
            _law("公共场所卫生管理条例实施细则", "第二十二条"),
        ],
        materials=[
            _m("公共场所卫生许可申请表"),
            LICENCE,
            LEGAL_REP_ID,
            _m("公共场所地址方位示意图、平面图和卫生设施平面布局图", "original"),
            _m("公共场所卫生检测或者评价报告", "original", condition="游泳场（馆）、宾馆等需检测的场所"),
            _m("卫生管理制度"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("资料审查", CHIEF, 2),
            _s("现场审查", CHIEF, 2),
            _s("审批发证", HEAD, 1),
        ],
        special_procedures=[_sp("inspection", 3, "卫生监督员现场审查布局、设施和卫生管理情况")],
        faqs=[_q("从业人员需要健康证吗？", "需要。直接为顾客服务的从业人员应取得有效健康合格证明后方可上岗。")],
    ),
    _item(
        "WJ-0005",
        name="农村部分计划生育家庭奖励扶助金申领",
        summary="符合条件的农村计划生育家庭夫妻，年满60周岁后按年领取奖励扶助金。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="本人及配偶均为农业户口或界定为农村居民，1973年至2001年间没有违反计划生育法律法规生育，现存一个子女或两个女孩或子女死亡现无子女，年满60周岁。",
        statutory_days=20,
        promised_days=15,
        result_name="奖励扶助金发放",
        result_validity="按年发放至亡故为止",
        visits_required=1,
        keywords="奖扶 计生 独生子女 奖励扶助 计划生育",
        topic_codes=["health", "retirement"],
        legal_bases=[
            _law("中华人民共和国人口与计划生育法", "第二十七条"),
            _law(
                "国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知",
                "国办发〔2004〕21号",
            ),
        ],
        materials=[
            _m("农村部分计划生育家庭奖励扶助对象申报表"),
            ID_CARD,
            HOUSEHOLD,
            _m("结婚证或婚姻状况证明", "copy"),
            BANK_CARD,
        ],
        steps=[
            _s("受理申报", CLERK, 1, "村便民服务室或镇便民服务厅接收申报"),
            _s("村级评议与镇级初审", AGENT, 6, tier=T),
            _s("县级审核确认", HEAD, 8, tier=C),
        ],
        special_procedures=[_sp("public_notice", 7, "初审对象在村务公开栏公示")],
        faqs=[_q("每年什么时候申报？", "每年集中申报一次，一般在第一季度，具体时间以村、镇通知为准。")],
    ),
]


# 人力资源和社会保障 --------------------------------------------------------------------------------------------
LABOUR = [
    _item(
        "RS-0001",
        name="社会保障卡补领换领",
        summary="社会保障卡遗失、损坏或需要换发的，可到县人社分中心或镇便民服务厅即时制卡领取。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T],
        deciding_level=T,
        conditions="已申领社会保障卡的参保人员，卡片遗失、损坏或信息变更需换发的（遗失的先办理挂失）。",
        statutory_days=5,
        promised_days=0,
        result_name="社会保障卡",
        result_validity="10年",
        visits_required=1,
        online_application=True,
        keywords="社保卡 补卡 换卡 挂失 即时制卡",
        topic_codes=["social_security"],
        legal_bases=[
            _law("中华人民共和国社会保险法", "第五十八条"),
            _law("社会保障卡管理办法"),
        ],
        materials=[ID_CARD, _m("社会保障卡补换申请表", notes="现场填写"), AGENT_PAPERS],
        steps=[
            _s("核验身份、挂失原卡", CLERK, 0),
            _s("即时制卡并激活", CLERK, 0, "不能即时制卡的网点在5个工作日内制卡通知领取"),
        ],
        faqs=[
            _q("补卡收费吗？", "本县社会保障卡补换卡免收工本费。"),
            _q("原卡里的钱会丢吗？", "不会。医保个人账户和金融账户资金随新卡延续。"),
        ],
    ),
    _item(
        "RS-0002",
        name="城乡居民基本养老保险参保登记",
        summary="年满16周岁、非在校学生、未参加职工养老保险的城乡居民，在户籍地参加城乡居民养老保险。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T, V],
        deciding_level=V,
        conditions="年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险覆盖范围的本县户籍城乡居民。",
        statutory_days=0,
        promised_days=0,
        result_name="城乡居民基本养老保险参保登记信息",
        visits_required=0,
        online_application=True,
        keywords="养老保险 居民养老 新农保 城乡居民养老保险 参保",
        topic_codes=["social_security", "retirement"],
        legal_bases=[
            _law("中华人民共和国社会保险法", "第二十条、第二十二条"),
            _law("国务院关于建立统一的城乡居民基本养老保险制度的意见", "国发〔2014〕8号"),
        ],
        materials=[ID_CARD, HOUSEHOLD, _m("城乡居民基本养老保险参保登记表")],
        steps=[_s("信息采集并登记", CLERK, 0, "村协办员或窗口人员录入系统，当场完成参保")],
        faqs=[
            _q("每年交多少钱？", "设多个缴费档次，本人自愿选择，可通过“楚税通”或银行代扣缴费。"),
            _q("外出务工人员怎么参保？", "可由家人持户口簿到村便民服务室代为登记，或网上自助登记。"),
        ],
    ),
    _item(
        "RS-0003",
        name="城乡居民基本养老保险待遇领取",
        summary="参保人员年满60周岁、累计缴费满15年的，按月领取城乡居民基本养老金。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="参加城乡居民基本养老保险、年满60周岁、累计缴费满15年且未领取国家规定的基本养老保障待遇的人员。",
        statutory_days=20,
        promised_days=10,
        result_name="城乡居民基本养老保险待遇核定及发放",
        result_validity="按月发放，每年资格认证",
        visits_required=1,
        online_application=True,
        keywords="养老金 领取养老金 60岁 退休 居民养老",
        topic_codes=["retirement", "social_security"],
        legal_bases=[
            _law("中华人民共和国社会保险法", "第二十一条"),
            _law("国务院关于建立统一的城乡居民基本养老保险制度的意见", "国发〔2014〕8号"),
        ],
        materials=[ID_CARD, HOUSEHOLD, _m("城乡居民基本养老保险待遇领取申请表"), BANK_CARD],
        steps=[
            _s("受理申请", CLERK, 1, "村协办员或镇人社所受理"),
            _s("镇人社所初审", HEAD, 3, tier=T),
            _s("县社保局待遇核定", HEAD, 5, tier=C),
        ],
        faqs=[_q("缴费不满15年怎么办？", "可以补缴至满15年后申领，具体补缴政策请咨询镇人社所。")],
    ),
    _item(
        "RS-0004",
        name="失业登记",
        summary="法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者办理失业登记，享受公共就业服务和扶持政策。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T],
        deciding_level=T,
        conditions="法定劳动年龄内，有劳动能力，有就业要求，处于无业状态的城乡劳动者。",
        statutory_days=0,
        promised_days=0,
        result_name="就业创业证（失业登记）",
        visits_required=0,
        online_application=True,
        keywords="失业登记 失业证 就业创业证 找工作",
        topic_codes=["work"],
        legal_bases=[
            _law("中华人民共和国就业促进法", "第四十二条"),
            _law("就业服务与就业管理规定", "第六十三条"),
        ],
        materials=[ID_CARD, _m("失业登记表", notes="可网上填报")],
        steps=[_s("核验并登记", CLERK, 0)],
        faqs=[_q("办失业登记有什么用？", "登记后可享受免费职业指导、职业介绍、职业培训补贴等服务。")],
    ),
    _item(
        "RS-0005",
        name="就业登记",
        summary="劳动者与用人单位建立劳动关系或实现灵活就业、自主创业的，办理就业登记。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T],
        deciding_level=T,
        conditions="与用人单位建立劳动关系，或从事个体经营、灵活就业的劳动者。",
        statutory_days=0,
        promised_days=0,
        result_name="就业登记信息",
        visits_required=0,
        online_application=True,
        keywords="就业登记 招工 劳动合同 灵活就业",
        topic_codes=["work"],
        legal_bases=[_law("就业服务与就业管理规定", "第六十二条")],
        materials=[
            ID_CARD,
            _m("劳动合同", "copy", condition="与用人单位建立劳动关系的"),
            _m("营业执照", "copy", condition="从事个体经营的"),
        ],
        steps=[_s("核验并登记", CLERK, 0)],
        faqs=[_q("单位能统一办理吗？", "可以。用人单位可在招用人员之日起30日内统一办理就业登记。")],
    ),
    _item(
        "RS-0006",
        name="就业困难人员认定",
        summary="对因身体状况、技能水平、家庭因素、失去土地等原因难以实现就业的人员进行认定，享受就业援助。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="已办理失业登记，且属于大龄失业人员、残疾人、低保家庭成员、零就业家庭成员或连续失业一年以上等情形之一的人员。",
        statutory_days=20,
        promised_days=10,
        result_name="就业困难人员认定结果",
        result_validity="3年",
        visits_required=1,
        keywords="就业困难 就业援助 公益性岗位 4050",
        topic_codes=["work", "assistance"],
        legal_bases=[
            _law("中华人民共和国就业促进法", "第五十二条"),
            _law("就业服务与就业管理规定", "第四十二条"),
        ],
        materials=[
            ID_CARD,
            _m("就业困难人员认定申请表"),
            _m("低保证、残疾证等困难情形证明", "copy", condition="以低保、残疾等情形申请的"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("镇人社所审核", HEAD, 3, tier=T),
            _s("县就业局认定", HEAD, 5, tier=C),
        ],
        special_procedures=[_sp("public_notice", 5, "认定结果在镇、村公示")],
        faqs=[_q("认定后有什么帮扶？", "可优先推荐就业、安排公益性岗位，并按规定享受社会保险补贴。")],
    ),
    _item(
        "RS-0007",
        name="创业担保贷款申请",
        summary="符合条件的个人和小微企业创业，可申请创业担保贷款并享受财政贴息；人社部门审核资格、财政部门审核贴息，并联办理。",
        kind=PUBLIC,
        case_type=JOINT,
        accepting_levels=[C],
        deciding_level=C,
        co_department_codes=["CZ"],
        conditions="城镇登记失业人员、就业困难人员、返乡创业农民工、高校毕业生、退役军人等在本县创业的，或吸纳就业达到规定比例的小微企业；本人及家庭无不良信用记录。",
        statutory_days=45,
        promised_days=20,
        result_name="创业担保贷款资格审核意见及贴息确认",
        visits_required=1,
        online_application=True,
        keywords="创业贷款 创业担保贷款 贴息 返乡创业",
        topic_codes=["work", "business"],
        legal_bases=[
            _law("中华人民共和国就业促进法", "第二十三条"),
            _law(
                "财政部 人力资源社会保障部 中国人民银行关于进一步做好创业担保贷款财政贴息工作的通知", "财金〔2020〕21号"
            ),
        ],
        materials=[
            _m("创业担保贷款申请表"),
            ID_CARD,
            _m("营业执照", "copy", notes="或其他合法经营证明"),
            _m("创业项目计划书"),
            _m("就业创业证或属于扶持对象的证明", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("人社资格审核", CHIEF, 7, "县就业局审核创业者资格，同时推送财政部门"),
            _s("财政贴息审核", HEAD, 7, "县财政局并联审核贴息资格"),
            _s("出具意见并推送经办银行", HEAD, 3),
        ],
        faqs=[_q("个人最多能贷多少？", "个人最高30万元，小微企业最高400万元，以当年政策为准。")],
    ),
]


# 自然资源和规划 --------------------------------------------------------------------------------------------
REAL_ESTATE_FEE_BASIS = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"

LAND = [
    _item(
        "ZR-0001",
        name="乡村建设规划许可证核发",
        summary="在乡、村庄规划区内进行农村村民住宅、乡镇企业和乡村公共设施建设的，须取得乡村建设规划许可证。",
        kind=LICENSING,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="建设项目符合村庄规划或乡镇国土空间规划，不占用永久基本农田，使用农用地的已依法办理农用地转用审批。",
        statutory_days=20,
        promised_days=10,
        result_name="乡村建设规划许可证",
        result_validity="1年（逾期未开工且未申请延期的失效）",
        visits_required=1,
        keywords="乡村建设规划许可 农房 建房 规划许可 乡规证",
        topic_codes=["house"],
        legal_bases=[
            _law(
                "中华人民共和国城乡规划法",
                "第四十一条",
                "由乡、镇人民政府报城市、县人民政府城乡规划主管部门核发乡村建设规划许可证。",
            ),
            _law("湖北省城乡规划条例", "第四十二条"),
        ],
        materials=[
            _m("乡村建设规划许可申请表"),
            ID_CARD,
            _m("村民委员会或集体经济组织意见", notes="村民小组会议讨论并签署意见"),
            _m("建设工程设计方案或农房通用图集选用说明"),
            _m("用地权属证明", "copy"),
        ],
        steps=[
            _s("镇便民服务厅受理", CLERK, 1),
            _s("镇级现场踏勘与审核", AGENT, 4, "镇规划办会同村组现场踏勘，核实四至、层数和面积", tier=T),
            _s("县级审查核发", HEAD, 5, tier=C),
        ],
        special_procedures=[_sp("inspection", 3, "开工前现场放线、验线")],
        faqs=[
            _q(
                "宅基地批了还要办乡村规划证吗？",
                "农村村民住宅由镇统一受理宅基地和建房（规划许可）申请，一并审查、分别发证。",
            )
        ],
    ),
    _item(
        "ZR-0002",
        name="建设工程规划许可证核发",
        summary="在城市、镇规划区内进行建筑物、构筑物、道路、管线等工程建设的，须申请办理建设工程规划许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已取得建设用地使用权，建设工程设计方案符合控制性详细规划和规划条件。",
        statutory_days=20,
        promised_days=8,
        result_name="建设工程规划许可证",
        result_validity="1年（可申请延期一次）",
        visits_required=1,
        online_application=True,
        responsible_person="周海波（首席代表）",
        keywords="建设工程规划许可证 工规证 规划审批 报建",
        topic_codes=["business", "house"],
        legal_bases=[
            _law("中华人民共和国城乡规划法", "第四十条"),
            _law("湖北省城乡规划条例", "第三十八条"),
        ],
        materials=[
            _m("建设工程规划许可申请表"),
            _m("不动产权证书或土地使用权证明", "copy"),
            _m("建设工程设计方案总平面图及建筑单体图", "original", copies=2, notes="同时提交电子文件"),
            _m("建设项目批准、核准或备案文件", "copy"),
            LEGAL_REP_ID,
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("方案技术审查", CHIEF, 4),
            _s("审定并核发", HEAD, 3),
        ],
        special_procedures=[
            _sp("public_notice", 7, "建设工程设计方案批前公示"),
            _sp("expert_review", 5, "重大项目组织专家对设计方案进行评审"),
        ],
        faqs=[
            _q("公示期间有人提出异议怎么办？", "由县自然资源和规划局组织核实，必要时举行听证，听证时间不计入办理时限。")
        ],
    ),
    _item(
        "ZR-0003",
        name="不动产转移登记",
        summary="因买卖、继承、赠与、互换等导致不动产权利转移的，当事人申请办理转移登记。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="不动产已办理首次登记，权利无查封等限制，转移原因合法有效。",
        statutory_days=30,
        promised_days=5,
        result_name="不动产权证书（或不动产登记证明）",
        result_validity="长期",
        place=REAL_ESTATE_PLACE,
        visits_required=1,
        online_application=True,
        keywords="过户 买房 二手房 继承 赠与 房产证 不动产权证",
        topic_codes=["house", "death"],
        legal_bases=[
            _law("中华人民共和国民法典", "第二百零九条"),
            _law(
                "不动产登记暂行条例",
                "第二十条",
                "不动产登记机构应当自受理登记申请之日起30个工作日内办结不动产登记手续。",
            ),
            _law("不动产登记暂行条例实施细则", "第三十八条"),
        ],
        materials=[
            _m("不动产登记申请书"),
            _m("申请人身份证明", "original_and_copy"),
            _m("不动产权属证书", "original"),
            _m("买卖合同、继承或赠与等权利转移材料", "original"),
            _m("完税凭证", "copy", notes="税务窗口同厅办理，信息共享的免交"),
            _m("继承权公证书或全部法定继承人到场的声明", condition="因继承办理的"),
        ],
        steps=[
            _s("受理", CLERK, 1, "一窗受理，税费同步核缴"),
            _s("审核", CHIEF, 2),
            _s("登簿", CHIEF, 1),
            _s("缮证发证", CLERK, 1),
        ],
        fees=[
            _fee("住宅类不动产登记费", REAL_ESTATE_FEE_BASIS, amount="80", formula="每件80元"),
            _fee("非住宅类不动产登记费", REAL_ESTATE_FEE_BASIS, amount="550", formula="每件550元"),
            _fee(
                "不动产权属证书工本费",
                REAL_ESTATE_FEE_BASIS,
                formula="核发一本证书免收；每增加一本加收10元",
            ),
        ],
        faqs=[
            _q("登记费由谁交？", "转移登记的登记费由登记申请人缴纳，按件收取，不按面积收费。"),
            _q("能一次办完吗？", "材料齐全的，交易、缴税和登记在分中心一窗受理，可预约当天领证。"),
        ],
    ),
    _item(
        "ZR-0004",
        name="不动产抵押权登记",
        summary="以土地、房屋等不动产设定抵押的，抵押人和抵押权人共同申请抵押权登记。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="抵押物已办理不动产登记，无查封等限制；主债权合同和抵押合同合法有效。",
        statutory_days=30,
        promised_days=3,
        result_name="不动产登记证明（抵押权）",
        place=REAL_ESTATE_PLACE,
        visits_required=1,
        online_application=True,
        keywords="抵押 贷款 房贷 抵押登记 他项权证",
        topic_codes=["house", "business"],
        legal_bases=[
            _law("中华人民共和国民法典", "第四百零二条"),
            _law("不动产登记暂行条例实施细则", "第六十六条"),
        ],
        materials=[
            _m("不动产登记申请书"),
            _m("抵押人、抵押权人身份证明", "original_and_copy"),
            _m("不动产权属证书", "original"),
            _m("主债权合同和抵押合同", "original"),
        ],
        steps=[
            _s("受理", CLERK, 1, "银行网点可代收申请材料"),
            _s("审核登簿", CHIEF, 1),
            _s("出具登记证明", CLERK, 1),
        ],
        fees=[
            _fee("住宅类抵押权登记费", REAL_ESTATE_FEE_BASIS, amount="80", formula="每件80元"),
            _fee(
                "非住宅类抵押权登记费",
                REAL_ESTATE_FEE_BASIS,
                amount="550",
                formula="每件550元；小微企业申请的免收",
            ),
        ],
        faqs=[_q("贷款还清后怎么注销抵押？", "凭银行出具的还清证明，申请抵押权注销登记，注销登记不收费。")],
    ),
    _item(
        "ZR-0005",
        name="宅基地使用权及房屋所有权首次登记",
        summary="农村村民依法取得宅基地并建成住房的，申请宅基地使用权及房屋所有权首次登记，领取不动产权证书。",
        kind=OTHER,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="本集体经济组织成员依法批准使用宅基地，房屋已建成且符合规划、无权属争议。",
        statutory_days=30,
        promised_days=20,
        result_name="不动产权证书",
        result_validity="长期",
        visits_required=1,
        keywords="农房登记 宅基地确权 房产证 不动产权证 农村房屋",
        topic_codes=["house"],
        legal_bases=[
            _law("不动产登记暂行条例", "第十四条"),
            _law(
                "不动产登记暂行条例实施细则",
                "第十七条",
                "不动产登记机构应当在登记事项记载于登记簿前进行公告，公告期不少于15个工作日。",
            ),
        ],
        materials=[
            _m("不动产登记申请书"),
            ID_CARD,
            HOUSEHOLD,
            _m("宅基地批准文件", "copy"),
            _m("房屋竣工或现状测绘报告", "original"),
            _m("村民委员会出具的权属无争议证明"),
        ],
        steps=[
            _s("镇便民服务厅受理", CLERK, 1),
            _s("镇级权籍调查与初审", AGENT, 7, tier=T),
            _s("县不动产登记中心审核", CHIEF, 7, tier=C),
            _s("登簿发证", HEAD, 3, tier=C),
        ],
        special_procedures=[
            _sp("inspection", 3, "实地查看房屋及四至"),
            _sp("public_notice", 15, "登簿前在村内和门户网站公告，公告期不少于15个工作日"),
        ],
        faqs=[_q("房子还没建完能登记吗？", "不能。房屋竣工后方可申请房屋所有权首次登记。")],
    ),
    _item(
        "ZR-0006",
        name="不动产登记资料查询",
        summary="权利人、利害关系人可以依法查询、复制不动产登记资料。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="不动产权利人、利害关系人，或者人民法院、人民检察院等国家机关依法查询的。",
        statutory_days=0,
        promised_days=0,
        result_name="不动产登记资料查询结果证明",
        place=REAL_ESTATE_PLACE,
        visits_required=1,
        online_application=True,
        keywords="房产查询 查档 有无房产证明 不动产查询",
        topic_codes=["house"],
        legal_bases=[
            _law("不动产登记暂行条例", "第二十七条"),
            _law("不动产登记资料查询暂行办法", "第八条"),
        ],
        materials=[
            _m("不动产登记资料查询申请书"),
            ID_CARD,
            _m("利害关系证明材料", "original_and_copy", condition="利害关系人查询的"),
        ],
        steps=[_s("受理并当场出具查询结果", CLERK, 0)],
        faqs=[
            _q(
                "可以查别人的房子吗？",
                "利害关系人凭利害关系证明可查询不动产的自然状况、权利人、限制状况等，不得查询其他内容。",
            )
        ],
    ),
]


# 市场监督管理 ----------------------------------------------------------------------------------------------
MARKET = [
    _item(
        "SJ-0001",
        name="个体工商户设立登记",
        summary="有经营能力的公民从事工商业经营的，申请个体工商户设立登记，领取营业执照；材料齐全的当场办结。",
        kind=LICENSING,
        case_type=IMMEDIATE,
        accepting_levels=[C, T],
        deciding_level=T,
        conditions="有经营能力的自然人，有固定经营场所，经营范围不属于法律法规禁止的项目。",
        statutory_days=3,
        promised_days=0,
        result_name="营业执照（个体工商户）",
        result_validity="长期",
        visits_required=0,
        online_application=True,
        responsible_person="张志强（首席代表）",
        keywords="个体户 营业执照 开店 个体工商户 经营",
        topic_codes=["business", "work"],
        legal_bases=[
            _law("促进个体工商户发展条例", "第十条"),
            _law(
                "中华人民共和国市场主体登记管理条例",
                "第十九条",
                "对申请材料齐全、符合法定形式的予以确认并当场登记。不能当场登记的，应当在3个工作日内予以登记。",
            ),
        ],
        materials=[
            _m("个体工商户登记（备案）申请书"),
            _m("经营者身份证", "original"),
            _m("经营场所使用证明", "copy", notes="房产证复印件或租赁合同；农村自建房可由村委会出具证明"),
            _m("委托代理人证明", condition="委托他人代为办理的"),
        ],
        steps=[_s("受理、审查并当场核准", CLERK, 0, "窗口人员当场核准并打印营业执照")],
        faqs=[
            _q("办营业执照要钱吗？", "不收费，营业执照正副本免费发放。"),
            _q("可以不跑窗口吗？", "可以。通过湖北政务服务网或“鄂汇办”全程电子化申请，领取电子营业执照。"),
        ],
    ),
    _item(
        "SJ-0002",
        name="个体工商户注销登记",
        summary="个体工商户不再从事经营活动的，申请注销登记；未发生债权债务的可适用简易注销。",
        kind=LICENSING,
        case_type=IMMEDIATE,
        accepting_levels=[C, T],
        deciding_level=T,
        conditions="已结清税款，无未结债权债务或已妥善处理，营业执照未被吊销或已依法处理。",
        statutory_days=3,
        promised_days=0,
        result_name="准予注销登记通知书",
        visits_required=0,
        online_application=True,
        keywords="注销 个体户注销 关店 简易注销",
        topic_codes=["business"],
        legal_bases=[_law("中华人民共和国市场主体登记管理条例", "第三十一条、第三十三条")],
        materials=[
            _m("个体工商户注销登记申请书"),
            _m("营业执照正副本", "original"),
            _m("经营者身份证", "original"),
        ],
        steps=[_s("受理并当场核准注销", CLERK, 0)],
        faqs=[
            _q("税务也要注销吗？", "个体工商户未领用发票、无欠税的，市场监管部门与税务部门信息共享，无需另行办理清税。")
        ],
    ),
    _item(
        "SJ-0003",
        name="企业设立登记",
        summary="设立有限责任公司、股份有限公司、个人独资企业和合伙企业，申请设立登记，领取营业执照。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有符合规定的名称、住所、出资（认缴）和组织机构，经营范围中属于登记前置审批的项目已取得批准。",
        statutory_days=3,
        promised_days=1,
        result_name="营业执照",
        result_validity="长期或按章程规定的营业期限",
        visits_required=0,
        online_application=True,
        responsible_person="张志强（首席代表）",
        keywords="开公司 注册公司 企业设立 营业执照 一网通办",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国公司法", "第二十九条"),
            _law("中华人民共和国市场主体登记管理条例", "第十九条"),
        ],
        materials=[
            _m("公司登记（备案）申请书"),
            _m("公司章程"),
            _m("股东主体资格证明或自然人身份证", "copy"),
            _m("法定代表人、董事、监事和经理的任职文件及身份证", "copy"),
            _m("住所使用证明", "copy"),
            _m("前置审批文件", "copy", condition="经营范围涉及登记前置许可的"),
        ],
        steps=[
            _s("受理", CLERK, 0),
            _s("审查核准", CHIEF, 1, "首席代表当场或次日核准，同步刻章、涉税信息推送"),
        ],
        faqs=[_q("注册资本要实缴吗？", "有限责任公司股东认缴的出资额应当自公司成立之日起五年内缴足。")],
    ),
    _item(
        "SJ-0004",
        name="食品经营许可",
        summary="从事食品销售和餐饮服务的，应当依法取得食品经营许可；仅销售预包装食品的实行备案。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已取得营业执照，具有与经营的食品品种、数量相适应的经营场所、设备设施，有食品安全管理人员和管理制度。",
        statutory_days=10,
        promised_days=5,
        result_name="食品经营许可证",
        result_validity="5年",
        visits_required=1,
        online_application=True,
        responsible_person="张志强（首席代表）",
        keywords="食品经营许可证 餐饮 饭店 小吃 超市 食品许可",
        topic_codes=["business"],
        legal_bases=[
            _law(
                "中华人民共和国食品安全法",
                "第三十五条",
                "国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，应当依法取得许可。",
            ),
            _law("食品经营许可和备案管理办法", "第二十七条"),
        ],
        materials=[
            _m("食品经营许可申请书"),
            LICENCE,
            LEGAL_REP_ID,
            _m("与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
            _m("食品安全自查、从业人员健康管理、进货查验记录等食品安全规章制度"),
            _m("专间、集体用餐配送等设施说明", condition="从事冷食类、生食类、集体用餐配送的"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 1),
            _s("现场核查", CHIEF, 2, "对经营场所、设施设备进行现场核查"),
            _s("许可决定并发证", CHIEF, 1),
        ],
        special_procedures=[_sp("inspection", 3, "对申请人经营场所进行现场核查")],
        faqs=[
            _q("小卖部只卖包装好的零食，也要办许可吗？", "仅销售预包装食品的，办理备案即可，不需要取得许可。"),
        ],
    ),
    _item(
        "SJ-0005",
        name="药品零售企业经营许可",
        summary="开办药品零售企业（药店）的，须经县市场监督管理局批准，取得药品经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有依法经过资格认定的执业药师或药学技术人员，有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境，有保证药品质量的规章制度。",
        statutory_days=20,
        promised_days=15,
        result_name="药品经营许可证",
        result_validity="5年",
        visits_required=1,
        online_application=True,
        keywords="药店 药品零售 药品经营许可证 开药店 执业药师",
        topic_codes=["business", "health"],
        legal_bases=[
            _law(
                "中华人民共和国药品管理法",
                "第五十一条",
                "从事药品零售活动，应当经所在地县级以上地方人民政府药品监督管理部门批准，取得药品经营许可证。",
            ),
            _law("药品经营和使用质量监督管理办法", "第十二条"),
        ],
        materials=[
            _m("药品经营许可证申请表"),
            LICENCE,
            _m("执业药师注册证及身份证", "copy"),
            _m("经营场所、仓库平面布置图及产权或使用证明", "copy"),
            _m("质量管理制度及岗位职责文件"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("资料审查", CHIEF, 4),
            _s("现场检查", CHIEF, 7, "按药品经营质量管理规范进行现场检查"),
            _s("许可决定并发证", HEAD, 3),
        ],
        special_procedures=[_sp("inspection", 5, "按《药品经营质量管理规范》组织现场检查")],
        faqs=[_q("药店一定要有执业药师吗？", "经营处方药、甲类非处方药的药品零售企业应当配备执业药师。")],
    ),
    _item(
        "SJ-0006",
        name="新建食品生产企业联合审批",
        summary="新建食品生产企业的食品生产许可、建设项目环境影响评价和建筑工程施工许可，一窗受理、并联审查、限时办结。",
        kind=LICENSING,
        case_type=JOINT,
        accepting_levels=[C],
        deciding_level=C,
        co_department_codes=["HB", "ZJ"],
        conditions="已取得营业执照和建设用地，生产场所、设备布局、工艺流程符合食品生产许可审查细则，建设项目符合环境保护要求。",
        statutory_days=45,
        promised_days=25,
        result_name="食品生产许可证、环境影响评价批复、建筑工程施工许可证",
        result_validity="食品生产许可证5年",
        visits_required=1,
        online_application=True,
        keywords="食品厂 食品生产许可 SC 联审 并联审批 一件事",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国行政许可法", "第二十六条"),
            _law("中华人民共和国食品安全法", "第三十五条"),
            _law("食品生产许可管理办法", "第二十五条"),
        ],
        materials=[
            _m("食品生产许可申请书"),
            LICENCE,
            _m("食品生产设备布局图和食品生产工艺流程图"),
            _m("建设项目环境影响报告表", copies=2),
            _m("建筑工程施工图设计文件审查合格书", "copy"),
            _m("食品安全管理制度"),
        ],
        steps=[
            _s("一窗受理并分送", CLERK, 1),
            _s("各部门并联审查", CHIEF, 15, "市场监管、生态环境、住建同步审查，各自出具意见"),
            _s("联合现场核查", CHIEF, 5),
            _s("汇总决定、统一出件", HEAD, 3),
        ],
        special_procedures=[
            _sp("inspection", 5, "食品生产条件现场核查"),
            _sp("expert_review", 7, "环境影响报告表技术评估"),
        ],
        faqs=[_q("三个证能一起拿吗？", "并联审批后在县行政服务中心统一出件窗口一次领取。")],
    ),
]


# 住房和城乡建设 --------------------------------------------------------------------------------------------
HOUSING = [
    _item(
        "ZJ-0001",
        name="建筑工程施工许可证核发",
        summary="在本县行政区域内从事各类房屋建筑及附属设施、城镇市政基础设施工程施工的，开工前申领施工许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已办理用地批准手续和建设工程规划许可证，已确定施工企业，有满足施工需要的资金安排、施工图纸及技术资料，有保证工程质量和安全的具体措施。",
        statutory_days=7,
        promised_days=3,
        result_name="建筑工程施工许可证",
        result_validity="3个月内开工，可延期两次",
        visits_required=0,
        online_application=True,
        keywords="施工许可证 开工 报建 建筑工程",
        topic_codes=["business", "house"],
        legal_bases=[
            _law(
                "中华人民共和国建筑法",
                "第七条",
                "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府建设行政主管部门申请领取施工许可证。",
            ),
            _law("建筑工程施工许可管理办法", "第五条"),
        ],
        materials=[
            _m("建筑工程施工许可证申请表", "electronic", copies=0),
            _m("建设工程规划许可证", "copy"),
            _m("施工合同", "copy"),
            _m("建设资金已经落实承诺书"),
            _m("施工图设计文件审查合格书", "copy", condition="按规定须进行施工图审查的"),
        ],
        steps=[
            _s("网上受理", CLERK, 1),
            _s("审查", CHIEF, 1),
            _s("核发电子证照", HEAD, 1),
        ],
        faqs=[
            _q(
                "投资额很小的工程也要办吗？",
                "工程投资额在30万元以下或者建筑面积在300平方米以下的建筑工程，可以不申请办理施工许可证。",
            )
        ],
    ),
    _item(
        "ZJ-0002",
        name="燃气经营许可证核发",
        summary="从事管道燃气、瓶装液化石油气经营的企业，应当取得燃气经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="符合燃气发展规划要求，有符合标准的燃气气源和燃气设施，有固定的经营场所、完善的安全管理制度和健全的经营方案，企业主要负责人、安全生产管理人员及运行维护和抢修人员经专业培训并考核合格。",
        statutory_days=20,
        promised_days=15,
        result_name="燃气经营许可证",
        result_validity="5年",
        visits_required=1,
        keywords="燃气 液化气 煤气 天然气 燃气经营许可",
        topic_codes=["business"],
        legal_bases=[
            _law("城镇燃气管理条例", "第十五条"),
            _law("燃气经营许可管理办法", "第十条"),
        ],
        materials=[
            _m("燃气经营许可申请书"),
            LICENCE,
            _m("燃气设施建设工程竣工验收报告及备案文件", "copy"),
            _m("燃气气源合同", "copy"),
            _m("安全管理制度和应急预案"),
            _m("主要负责人、安全管理人员及运行维护人员考核合格证明", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 5),
            _s("现场核查", CHIEF, 5),
            _s("许可决定", HEAD, 3),
        ],
        special_procedures=[
            _sp("expert_review", 5, "组织燃气专家对经营方案和安全条件进行评审"),
            _sp("inspection", 3, "对储配站、供应站等燃气设施进行现场核查"),
        ],
        faqs=[_q("瓶装液化气送气点要单独办证吗？", "瓶装燃气供应站点由取得许可的企业设立并报县住建局备案。")],
    ),
    _item(
        "ZJ-0003",
        name="农村危房改造补助申请",
        summary="农村低收入群体等重点对象住房经鉴定为C级、D级危房的，可申请危房改造补助。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="本县农村低保户、分散供养特困人员、低保边缘家庭、因病因灾因意外事故导致刚性支出较大的家庭等重点对象，且唯一住房经鉴定为危房的。",
        statutory_days=20,
        promised_days=15,
        result_name="农村危房改造补助资格认定及补助资金拨付",
        visits_required=1,
        keywords="危房改造 危房 房屋鉴定 住房安全 补助",
        topic_codes=["house", "assistance"],
        legal_bases=[
            _law(
                "住房和城乡建设部 财政部 民政部 国家乡村振兴局"
                "关于做好农村低收入群体等重点对象住房安全保障工作的实施意见",
                "建村〔2021〕35号",
            ),
        ],
        materials=[
            _m("农村危房改造申请表"),
            ID_CARD,
            HOUSEHOLD,
            _m("低保证、特困供养证等身份证明", "copy"),
            _m("房屋现状照片", notes="代办员可现场拍摄"),
        ],
        steps=[
            _s("户申请、村评议", AGENT, 3, "村便民服务室受理，村民代表会议评议"),
            _s("镇级审核", HEAD, 4, tier=T),
            _s("县级审批", HEAD, 6, tier=C),
        ],
        special_procedures=[
            _sp("appraisal", 5, "委托专业人员进行房屋危险性鉴定"),
            _sp("public_notice", 7, "村、镇两级公示补助对象"),
        ],
        faqs=[_q("补助什么时候拨付？", "改造竣工并经验收合格后，补助资金通过“一卡通”直接拨付到户。")],
    ),
    _item(
        "ZJ-0004",
        name="建设工程消防验收",
        summary="特殊建设工程竣工验收后，建设单位向住建部门申请消防验收。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="属于特殊建设工程，已取得消防设计审查合格意见，完成工程竣工验收且消防设施检测合格。",
        statutory_days=15,
        promised_days=10,
        result_name="特殊建设工程消防验收意见书",
        visits_required=1,
        online_application=True,
        keywords="消防验收 消防 竣工 特殊建设工程",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国消防法", "第十三条"),
            _law("建设工程消防设计审查验收管理暂行规定", "第二十七条"),
        ],
        materials=[
            _m("特殊建设工程消防验收申请表"),
            _m("工程竣工验收报告", "copy"),
            _m("涉及消防的建设工程竣工图纸", "original"),
            _m("消防设施检测报告", "original"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("资料审查", CHIEF, 3),
            _s("现场评定", CHIEF, 4),
            _s("出具意见", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 5, "现场抽样查看、测量和功能测试")],
        faqs=[_q("普通住宅需要消防验收吗？", "其他建设工程实行备案抽查，竣工验收后5个工作日内备案即可。")],
    ),
    _item(
        "ZJ-0005",
        name="房屋建筑和市政基础设施工程竣工联合验收",
        summary="工程竣工后由住建部门牵头，规划核实、人防、水土保持等专项验收一次申请、联合现场、限时出具意见。",
        kind=LICENSING,
        case_type=JOINT,
        accepting_levels=[C],
        deciding_level=C,
        co_department_codes=["SL", "ZR"],
        silence_is_consent=True,
        conditions="工程已按设计和合同完成施工，建设单位已组织竣工验收且各专项验收所需的资料齐全。",
        statutory_days=45,
        promised_days=15,
        result_name="竣工联合验收意见书",
        visits_required=1,
        online_application=True,
        keywords="联合验收 竣工验收 规划核实 工改",
        topic_codes=["business", "house"],
        legal_bases=[
            _law("中华人民共和国行政许可法", "第二十六条"),
            _law("国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见", "国办发〔2019〕11号"),
            _law("建设工程质量管理条例", "第四十九条"),
        ],
        materials=[
            _m("竣工联合验收申请表"),
            _m("工程竣工验收报告", "copy"),
            _m("建设工程规划许可证及附图", "copy"),
            _m("竣工测量成果报告", "original"),
            _m("水土保持设施验收材料", "copy", condition="编报水土保持方案的项目"),
        ],
        steps=[
            _s("一窗受理并推送", CLERK, 1),
            _s("各部门并联审查", CHIEF, 7, "住建、自然资源和规划、水利同步审查，逾期未反馈视为同意"),
            _s("联合现场验收", CHIEF, 4),
            _s("出具联合验收意见", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 3, "各部门联合现场验收")],
        faqs=[_q("某个部门没有按时出意见怎么办？", "联合验收实行限时办结，协办部门逾期未提出意见的视为同意。")],
    ),
]


# 农业农村 --------------------------------------------------------------------------------------------------
AGRICULTURE = [
    _item(
        "NY-0001",
        name="农村宅基地审批",
        summary="农村村民申请使用宅基地新建、改建、扩建、翻建住宅，由镇便民服务厅一窗受理，涉及占用农用地的报县审批。",
        kind=LICENSING,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="本集体经济组织成员，一户只能拥有一处宅基地，面积不超过湖北省规定的标准；出卖、出租、赠与住宅后再申请宅基地的不予批准。",
        statutory_days=20,
        promised_days=15,
        result_name="农村宅基地批准书",
        result_validity="长期",
        visits_required=1,
        keywords="宅基地 建房 农房 盖房子 宅基地审批",
        topic_codes=["house", "farming"],
        legal_bases=[
            _law(
                "中华人民共和国土地管理法",
                "第六十二条",
                "农村村民一户只能拥有一处宅基地，其宅基地的面积不得超过省、自治区、直辖市规定的标准。",
            ),
            _law("农业农村部 自然资源部关于规范农村宅基地审批管理的通知", "农经发〔2019〕6号"),
        ],
        materials=[
            _m("农村宅基地和建房（规划许可）申请表"),
            ID_CARD,
            HOUSEHOLD,
            _m("农村宅基地使用承诺书"),
            _m("村民小组会议记录及村委会审查意见"),
            _m("房屋建筑设计图或通用图集选用说明", condition="建房层数超过两层时提供"),
        ],
        steps=[
            _s("受理", CLERK, 1, "村便民服务室或镇便民服务厅受理"),
            _s("镇级联审与实地审查", AGENT, 7, "农业农村、自然资源等联审，到场审查拟用地", tier=T),
            _s("镇级审核", HEAD, 2, tier=T),
            _s("县级审批", HEAD, 5, tier=C),
        ],
        special_procedures=[
            _sp("public_notice", 5, "申请人、用地面积、四至在本村民小组公示"),
            _sp("inspection", 3, "批准后到场丈量批放，竣工后到场核查"),
        ],
        faqs=[
            _q("一户可以有几处宅基地？", "一户只能拥有一处宅基地。"),
            _q("宅基地面积标准是多少？", "按湖北省规定标准执行，具体以县农业农村局公布的标准为准。"),
        ],
    ),
    _item(
        "NY-0002",
        name="农药经营许可",
        summary="经营农药（限制使用农药除外）的，向县农业农村局申请农药经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有具备农学、植保、农药等相关专业中专以上学历或经专业培训的农药经营人员，有与经营品种、规模相适应的营业场所和仓储场所，有农药采购、出入库和销售台账等管理制度。",
        statutory_days=20,
        promised_days=10,
        result_name="农药经营许可证",
        result_validity="5年",
        visits_required=1,
        online_application=True,
        keywords="农药 农资店 农药经营许可证 植保",
        topic_codes=["farming", "business"],
        legal_bases=[
            _law("农药管理条例", "第二十四条"),
            _law("农药经营许可管理办法", "第十一条"),
        ],
        materials=[
            _m("农药经营许可证申请表"),
            LEGAL_REP_ID,
            _m("经营人员学历或培训证明", "copy"),
            _m("营业场所和仓储场所地址、面积、平面图等说明材料及照片"),
            _m("计算机管理系统、可追溯电子信息码扫描设备等证明材料"),
            _m("农药经营质量管理制度"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 3),
            _s("现场核查", CHIEF, 4),
            _s("许可决定", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 3, "对营业场所、仓储场所进行实地核查")],
        faqs=[_q("能卖限制使用农药吗？", "经营限制使用农药须另行向省级农业农村部门申请，并实行定点经营。")],
    ),
    _item(
        "NY-0003",
        name="动物防疫条件合格证核发",
        summary="开办动物饲养场、屠宰加工场所、隔离场所、动物和动物产品无害化处理场所的，须取得动物防疫条件合格证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="场所选址、布局符合动物防疫要求，有与其规模相适应的污水、污物处理设施和清洗消毒设施，有执业兽医或动物防疫技术人员，有完善的动物防疫制度。",
        statutory_days=15,
        promised_days=10,
        result_name="动物防疫条件合格证",
        result_validity="长期",
        visits_required=1,
        keywords="养殖场 养猪场 动物防疫 防疫合格证 屠宰",
        topic_codes=["farming", "business"],
        legal_bases=[
            _law("中华人民共和国动物防疫法", "第二十五条"),
            _law("动物防疫条件审查办法", "第十九条"),
        ],
        materials=[
            _m("动物防疫条件审查申请表"),
            _m("场所地理位置图、各功能区布局平面图", "original"),
            _m("设施设备清单"),
            _m("管理制度文本"),
            _m("人员信息及执业兽医资格证明", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审核", CHIEF, 2),
            _s("现场核查", CHIEF, 5),
            _s("审批发证", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 5, "县动物卫生监督机构现场核查选址、布局和设施")],
        faqs=[_q("散养户要办吗？", "不属于动物饲养场（规模养殖场）的散养户无需办理，但应做好免疫和消毒。")],
    ),
    _item(
        "NY-0004",
        name="兽药经营许可证核发",
        summary="经营兽药（兽用生物制品除外）的，向县农业农村局申请兽药经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有与所经营兽药相适应的兽药技术人员、营业场所、设备、仓库设施，有与所经营兽药相适应的质量管理机构或人员和规章制度。",
        statutory_days=30,
        promised_days=15,
        result_name="兽药经营许可证",
        result_validity="5年",
        visits_required=1,
        keywords="兽药 兽药店 兽药经营许可证 动物用药",
        topic_codes=["farming", "business"],
        legal_bases=[
            _law("兽药管理条例", "第二十二条"),
            _law("兽药经营质量管理规范"),
        ],
        materials=[
            _m("兽药经营许可证申请表"),
            _m("兽药技术人员学历证明或职称证书", "copy"),
            _m("营业场所、仓库产权或租赁证明", "copy"),
            _m("兽药经营质量管理制度"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 5),
            _s("现场验收", CHIEF, 6),
            _s("许可决定", HEAD, 3),
        ],
        special_procedures=[_sp("inspection", 5, "按兽药GSP要求进行现场检查验收")],
        faqs=[_q("网上卖兽药要办证吗？", "通过网络销售兽药的，同样须取得兽药经营许可证。")],
    ),
    _item(
        "NY-0005",
        name="耕地地力保护补贴申报",
        summary="拥有耕地承包权的种地农民按实际种植面积申报耕地地力保护补贴，补贴资金通过“一卡通”发放。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[T, V],
        deciding_level=C,
        conditions="拥有耕地承包权并实际种植的农户；已改为林地、建设用地或长年抛荒的耕地不予补贴。",
        statutory_days=20,
        promised_days=15,
        result_name="耕地地力保护补贴发放",
        result_validity="按年度申报",
        visits_required=1,
        keywords="种粮补贴 耕地补贴 地力补贴 农业补贴 一卡通",
        topic_codes=["farming"],
        legal_bases=[
            _law("中华人民共和国农业法", "第三十八条"),
            _law("财政部 农业部关于全面推开农业“三项补贴”改革工作的通知", "财农〔2016〕26号"),
        ],
        materials=[
            _m("耕地地力保护补贴面积申报表"),
            ID_CARD,
            _m("农村土地承包经营权证", "copy"),
            BANK_CARD,
        ],
        steps=[
            _s("农户申报", AGENT, 3, "村便民服务室受理，核实种植面积"),
            _s("镇级审核汇总", HEAD, 5, tier=T),
            _s("县级审定", HEAD, 7, "县农业农村局会同县财政局审定，资金经“一卡通”兑付", tier=C),
        ],
        special_procedures=[_sp("public_notice", 5, "补贴面积和金额在村务公开栏公示")],
        faqs=[_q("土地流转出去了补贴给谁？", "原则上补贴给拥有承包权的农户，流转双方另有约定的从其约定。")],
    ),
]


# 林业 ------------------------------------------------------------------------------------------------------
FORESTRY = [
    _item(
        "LY-0001",
        name="林木采伐许可证核发",
        summary="采伐林地上的林木，应当申请采伐许可证，按许可证规定的地点、数量、树种和方式进行采伐。",
        kind=LICENSING,
        case_type=ESCALATED,
        accepting_levels=[T],
        deciding_level=C,
        village_relay=True,
        conditions="林木权属清楚，采伐符合年森林采伐限额和技术规程；公益林只能进行抚育、更新和低质低效林改造性质的采伐。",
        statutory_days=20,
        promised_days=7,
        result_name="林木采伐许可证",
        result_validity="按许可证载明的采伐期限",
        visits_required=1,
        online_application=True,
        keywords="砍树 采伐证 林木采伐 伐木 林权",
        topic_codes=["farming"],
        legal_bases=[
            _law(
                "中华人民共和国森林法",
                "第五十六条",
                "采伐林地上的林木应当申请采伐许可证，并按照采伐许可证的规定进行采伐。",
            ),
            _law("中华人民共和国森林法实施条例", "第三十二条"),
        ],
        materials=[
            _m("林木采伐申请表"),
            ID_CARD,
            _m("林权证或不动产权证书等林木权属证明", "copy"),
            _m("采伐作业设计或伐区调查资料", condition="采伐蓄积5立方米以上的"),
            _m("村民委员会意见", condition="采伐集体所有林木的"),
        ],
        steps=[
            _s("镇便民服务厅受理", CLERK, 1),
            _s("镇林业站伐前查验", AGENT, 3, tier=T),
            _s("县林业局审批", HEAD, 3, tier=C),
        ],
        special_procedures=[_sp("inspection", 3, "伐区现场调查和伐前查验")],
        faqs=[
            _q(
                "砍自家房前屋后的树要办证吗？", "农村居民采伐自留地和房前屋后个人所有的零星林木，不需要申请采伐许可证。"
            ),
        ],
    ),
    _item(
        "LY-0002",
        name="植物检疫证书核发（林业植物及其产品调运）",
        summary="调运列入应施检疫名单的林业植物及其产品出县的，须经检疫取得植物检疫证书。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="调运的苗木、木材及其制品等来自非疫区或经检疫未发现检疫性有害生物。",
        statutory_days=20,
        promised_days=3,
        result_name="植物检疫证书",
        result_validity="按证书载明的有效期",
        visits_required=1,
        online_application=True,
        keywords="检疫证 木材调运 苗木 松材线虫 植物检疫",
        topic_codes=["farming", "business"],
        legal_bases=[
            _law("植物检疫条例", "第七条"),
            _law("植物检疫条例实施细则（林业部分）", "第十五条"),
        ],
        materials=[
            _m("植物检疫申请表"),
            ID_CARD,
            _m("输入地植物检疫要求书", "copy", condition="调入地有检疫要求的"),
            _m("产地检疫合格证", "copy", condition="调运种子、苗木等繁殖材料的"),
        ],
        steps=[
            _s("受理", CLERK, 0),
            _s("现场检疫检验", CHIEF, 2),
            _s("签发证书", CHIEF, 1),
        ],
        special_procedures=[_sp("testing", 3, "对疑似染疫的松木等抽样送实验室检验")],
        faqs=[_q("本县内调运要办吗？", "在本县范围内调运不需要办理调运检疫，但疫区的松科植物严禁调出。")],
    ),
    _item(
        "LY-0003",
        name="临时使用林地审批",
        summary="因建设工程施工、地质勘查等需要临时使用林地的，应当经县林业局批准。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="临时使用林地期限一般不超过两年，不得在临时使用的林地上修建永久性建筑物，期满后一年内恢复植被和林业生产条件。",
        statutory_days=20,
        promised_days=15,
        result_name="临时使用林地审批决定书",
        result_validity="不超过2年",
        visits_required=1,
        keywords="林地 临时用地 占用林地 林地审批",
        topic_codes=["business", "farming"],
        legal_bases=[
            _law(
                "中华人民共和国森林法",
                "第三十八条",
                "需要临时使用林地的，应当经县级以上人民政府林业主管部门批准；临时使用林地的期限一般不超过二年。",
            ),
        ],
        materials=[
            _m("使用林地申请表"),
            _m("用地单位资质证明或个人身份证明", "copy"),
            _m("使用林地现状调查表"),
            _m("林地权利人签订的临时使用林地补偿协议", "original"),
            _m("植被恢复方案"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 4),
            _s("现场查验", CHIEF, 5),
            _s("审批", HEAD, 3),
        ],
        special_procedures=[_sp("inspection", 5, "对拟使用林地进行现场查验")],
        fees=[
            _fee(
                "森林植被恢复费",
                "《财政部 国家林业局关于调整森林植被恢复费征收标准引导节约集约利用林地的通知》"
                "（财税〔2015〕122号）及湖北省公布的标准",
                formula="按使用林地的类型和面积计征，标准以省级公布为准",
            ),
        ],
        faqs=[_q("森林植被恢复费退吗？", "临时使用林地期满恢复植被的，不予退还；具体标准以县林业局窗口公示为准。")],
    ),
]


# 财政 ------------------------------------------------------------------------------------------------------
FINANCE = [
    _item(
        "CZ-0001",
        name="惠民惠农财政补贴资金查询",
        summary="群众可查询本人通过“一卡通”领取的各项惠民惠农财政补贴资金的发放项目、标准、金额和时间。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T, V],
        deciding_level=V,
        conditions="惠民惠农财政补贴资金的享受对象本人或其委托人。",
        statutory_days=0,
        promised_days=0,
        result_name="补贴资金发放明细",
        visits_required=0,
        online_application=True,
        keywords="一卡通 补贴查询 惠民惠农 补助资金 查询",
        topic_codes=["farming", "social_security"],
        legal_bases=[
            _law("财政部等关于进一步加强惠民惠农财政补贴资金“一卡通”管理的指导意见", "财农〔2019〕96号"),
        ],
        materials=[ID_CARD, AGENT_PAPERS],
        steps=[_s("身份核验并当场查询打印", CLERK, 0, "也可通过湖北省惠民惠农财政补贴资金“一卡通”平台自助查询")],
        faqs=[_q("查到的金额和到账金额对不上怎么办？", "可当场提出核实申请，转由镇财政所和主管部门核查并答复。")],
    ),
    _item(
        "CZ-0002",
        name="惠民惠农补贴“一卡通”账户信息变更",
        summary="补贴对象的社会保障卡或银行账户发生变更、挂失补办的，申请变更“一卡通”发放账户。",
        kind=PUBLIC,
        case_type=COMMITTED,
        accepting_levels=[C, T],
        deciding_level=T,
        village_relay=True,
        conditions="惠民惠农补贴对象本人的发放账户已注销、挂失或需更换为本人社会保障卡的。",
        statutory_days=10,
        promised_days=5,
        result_name="补贴发放账户变更确认",
        visits_required=1,
        keywords="一卡通 变更账户 换卡 补贴发放",
        topic_codes=["farming", "social_security"],
        legal_bases=[_law("财政部等关于进一步加强惠民惠农财政补贴资金“一卡通”管理的指导意见", "财农〔2019〕96号")],
        materials=[ID_CARD, _m("“一卡通”账户信息变更申请表"), _m("新账户社会保障卡或银行卡", "copy")],
        steps=[
            _s("受理", CLERK, 1),
            _s("镇财政所审核", HEAD, 2, tier=T),
            _s("系统变更并反馈", CLERK, 2),
        ],
        faqs=[_q("变更期间的补贴会不会少发？", "不会。变更完成后按原发放计划补发到新账户。")],
    ),
    _item(
        "CZ-0003",
        name="代理记账机构审批",
        summary="除会计师事务所以外的机构从事代理记账业务，应当经县财政局批准，领取代理记账许可证书。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="为依法设立的企业，专职从业人员不少于3名，主管代理记账业务的负责人具有会计师以上专业技术职务资格或从事会计工作不少于三年，有健全的内部管理制度。",
        statutory_days=10,
        promised_days=5,
        result_name="代理记账许可证书",
        result_validity="长期",
        visits_required=0,
        online_application=True,
        keywords="代理记账 会计 记账公司 财务外包",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国会计法", "第三十六条"),
            _law("代理记账管理办法", "第五条"),
        ],
        materials=[
            _m("代理记账资格申请表"),
            LICENCE,
            _m("专职从业人员及负责人资格证明", "copy"),
            _m("办公场所使用证明", "copy"),
            _m("代理记账业务内部规范"),
        ],
        steps=[
            _s("网上受理", CLERK, 1),
            _s("审查", CHIEF, 2),
            _s("审批发证", HEAD, 2),
        ],
        faqs=[_q("审批后还要做什么？", "每年4月30日之前通过代理记账管理系统报送上一年度经营情况等备案信息。")],
    ),
]


# 信访 ------------------------------------------------------------------------------------------------------
PETITIONS = [
    _item(
        "XF-0001",
        name="信访事项受理",
        summary="公民、法人或者其他组织通过书信、走访、网上信访等形式反映情况、提出建议意见或投诉请求，信访部门登记并决定是否受理。",
        kind=PUBLIC,
        case_type=COMMITTED,
        accepting_levels=[C, T],
        deciding_level=T,
        village_relay=True,
        conditions="反映的事项属于本县各级行政机关职权范围，且不属于应当通过诉讼、仲裁、行政复议等法定途径解决的。",
        statutory_days=15,
        promised_days=10,
        result_name="信访事项受理告知书（或不予受理告知书）",
        visits_required=0,
        online_application=True,
        keywords="信访 上访 投诉 反映问题 网上信访",
        topic_codes=["legal"],
        legal_bases=[
            _law("信访工作条例", "第三十条"),
            _law("湖北省信访条例", "第二十二条"),
        ],
        materials=[
            _m("信访人身份证明", "copy"),
            _m("信访事项书面材料", notes="写明信访人姓名、住址、联系方式和请求、事实、理由；口头反映的由工作人员记录"),
            _m("相关证据材料", "copy", condition="有证据材料的"),
        ],
        steps=[
            _s("登记", CLERK, 1),
            _s("审查并决定是否受理", CHIEF, 6, tier=T),
            _s("书面告知信访人", CLERK, 3),
        ],
        faqs=[
            _q("多人反映同一问题怎么走访？", "多人采用走访形式提出同一信访事项的，应当推选代表，代表人数不超过5人。"),
        ],
    ),
    _item(
        "XF-0002",
        name="信访事项复查",
        summary="信访人对行政机关作出的信访事项处理意见不服的，可以请求原办理机关的上一级机关复查。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="信访人自收到书面答复之日起30日内提出复查请求。",
        statutory_days=30,
        promised_days=20,
        result_name="信访事项复查意见书",
        visits_required=1,
        keywords="信访复查 不服处理意见 复核",
        topic_codes=["legal"],
        legal_bases=[
            _law(
                "信访工作条例",
                "第三十五条",
                "信访人对信访处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关的上一级机关复查。",
            )
        ],
        materials=[
            _m("信访事项复查申请书"),
            _m("原信访事项处理意见书", "copy"),
            _m("信访人身份证明", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("调查核实", CHIEF, 12),
            _s("作出复查意见", HEAD, 5),
        ],
        special_procedures=[_sp("hearing", 5, "对重大、复杂、疑难的信访事项，可以举行听证")],
        faqs=[_q("对复查意见还不服怎么办？", "可以自收到复查意见之日起30日内向复查机关的上一级机关请求复核。")],
    ),
]


# 司法行政 ----------------------------------------------------------------------------------------------------
JUSTICE = [
    _item(
        "SF-0001",
        name="法律援助申请",
        summary="经济困难的公民和符合法定条件的其他当事人，可以申请法律咨询、代拟法律文书、代理诉讼等法律援助服务。",
        kind=PUBLIC,
        case_type=ESCALATED,
        accepting_levels=[C, T],
        deciding_level=C,
        village_relay=True,
        conditions="因经济困难没有委托代理人，且事项属于法律援助范围的；请求支付劳动报酬、给予社会保险待遇、赡养费抚养费等事项，或英雄烈士近亲属维护其人格权益等情形不受经济困难条件限制。",
        statutory_days=7,
        promised_days=3,
        result_name="给予法律援助决定书（或不予法律援助决定书）",
        responsible_organisation="县法律援助中心（县司法局）",
        visits_required=1,
        online_application=True,
        keywords="法律援助 免费律师 打官司 讨薪 法援",
        topic_codes=["legal", "assistance"],
        legal_bases=[
            _law("中华人民共和国法律援助法", "第三十一条"),
            _law(
                "中华人民共和国法律援助法",
                "第四十三条",
                "法律援助机构应当自收到法律援助申请之日起七日内进行审查，作出是否给予法律援助的决定。",
            ),
        ],
        materials=[
            _m("法律援助申请表"),
            ID_CARD,
            _m("经济困难状况说明表", notes="申请人如实填写并签字承诺，由法律援助机构核查"),
            _m("与所申请法律援助事项有关的证明材料", "copy"),
        ],
        steps=[
            _s("受理申请", CLERK, 1, "镇司法所可代为接收并在24小时内转交"),
            _s("审查并作出决定", HEAD, 2, tier=C),
        ],
        faqs=[_q("农民工讨薪需要证明经济困难吗？", "请求支付劳动报酬的，不受经济困难条件的限制。")],
    ),
    _item(
        "SF-0002",
        name="人民调解申请",
        summary="邻里、婚姻家庭、土地山林、损害赔偿等民间纠纷，当事人可以向村（居）、镇人民调解委员会申请调解，免费。",
        kind=PUBLIC,
        case_type=COMMITTED,
        accepting_levels=[C, T, V],
        deciding_level=V,
        conditions="发生在公民与公民、公民与法人和其他组织之间的民间纠纷，双方当事人自愿调解，且纠纷未经人民法院、公安机关等依法受理或处理的。",
        statutory_days=30,
        promised_days=15,
        result_name="人民调解协议书（或口头协议记录）",
        visits_required=1,
        keywords="调解 纠纷 邻里纠纷 矛盾 人民调解",
        topic_codes=["legal"],
        legal_bases=[
            _law("中华人民共和国人民调解法", "第十七条", "当事人可以向人民调解委员会申请调解。"),
            _law("中华人民共和国人民调解法", "第三十三条"),
        ],
        materials=[
            _m("人民调解申请书", notes="也可口头申请，由调解员记录"),
            ID_CARD,
            _m("与纠纷有关的证据材料", "copy", condition="有证据材料的"),
        ],
        steps=[
            _s("受理登记", CLERK, 1),
            _s("调查了解纠纷情况", CHIEF, 4, "司法所调解员走访当事人，了解纠纷情况", tier=T),
            _s("组织调解", CHIEF, 8, tier=T),
            _s("制作调解协议并回访", CLERK, 2),
        ],
        faqs=[
            _q(
                "调解协议有法律效力吗？",
                "经人民调解委员会调解达成的调解协议具有法律约束力，双方可共同向人民法院申请司法确认。",
            ),
        ],
    ),
    _item(
        "SF-0003",
        name="公共法律服务咨询",
        summary="村法律顾问、镇司法所和县公共法律服务中心免费解答群众法律问题，引导通过法定途径解决纠纷。",
        kind=PUBLIC,
        case_type=IMMEDIATE,
        accepting_levels=[C, T, V],
        deciding_level=V,
        conditions="有法律咨询需求的公民、法人和其他组织。",
        statutory_days=0,
        promised_days=0,
        result_name="法律咨询意见",
        visits_required=0,
        online_application=True,
        keywords="法律咨询 免费咨询 村法律顾问 12348",
        topic_codes=["legal"],
        legal_bases=[
            _law("中华人民共和国法律援助法", "第二十二条"),
            _law("中共中央办公厅 国务院办公厅关于加快推进公共法律服务体系建设的意见"),
        ],
        materials=[_m("与咨询事项有关的材料", "copy", condition="需要查看合同、文书等材料的")],
        steps=[_s("现场或电话解答", CLERK, 0, "复杂问题转由律师、法律顾问解答并记录")],
        faqs=[_q("可以打电话咨询吗？", "可以拨打12348公共法律服务热线，或在“中国法律服务网”留言。")],
    ),
]


# 公安 ------------------------------------------------------------------------------------------------------
ID_FEE_BASIS = "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）"

POLICE = [
    _item(
        "GA-0001",
        name="户口迁移",
        summary="因投靠亲属、购房、就业、婚嫁等原因将户口迁入本县的，办理户口迁入登记；省内迁移实行“一站式”迁移。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="在本县城镇有合法稳定住所（含租赁）的人员及其共同居住生活的配偶、子女、父母，或投靠本县亲属符合落户政策的人员。",
        statutory_days=20,
        promised_days=5,
        result_name="准予迁入证明及户口登记",
        visits_required=1,
        online_application=True,
        keywords="迁户口 落户 户口迁入 投靠 准迁证 一站式迁移",
        topic_codes=["household", "marriage", "house"],
        legal_bases=[
            _law("中华人民共和国户口登记条例", "第十三条"),
            _law("国务院关于进一步推进户籍制度改革的意见", "国发〔2014〕25号"),
        ],
        materials=[
            _m("户口迁移申请表"),
            ID_CARD,
            _m("迁出地居民户口簿", "original"),
            _m("合法稳定住所证明", "copy", condition="以购房或租赁落户的"),
            _m("结婚证", "copy", condition="夫妻投靠的"),
            _m("亲属关系证明", "copy", condition="投靠其他亲属的"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("审核", CHIEF, 2),
            _s("审批并办理迁入", HEAD, 2, "省内迁移由迁入地一站办理，无需回迁出地开具迁移证"),
        ],
        faqs=[_q("户口迁过来后身份证要换吗？", "居民身份证号码不变，住址变更的可自愿换领，换领时收取工本费。")],
    ),
    _item(
        "GA-0002",
        name="居民身份证申领",
        summary="本县户籍公民首次申领、到期换领、遗失补领、损坏换领居民身份证。",
        kind=OTHER,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="本县常住户口的中国公民；未满十六周岁的公民由监护人代为申领。",
        statutory_days=40,
        promised_days=15,
        result_name="中华人民共和国居民身份证",
        result_validity="按年龄分为5年、10年、20年、长期",
        visits_required=1,
        keywords="身份证 办身份证 补办身份证 换身份证 身份证到期",
        topic_codes=["household"],
        legal_bases=[
            _law("中华人民共和国居民身份证法", "第八条"),
            _law(
                "中华人民共和国居民身份证法",
                "第十条",
                "公安机关应当自公民提交《居民身份证申领登记表》之日起六十日内发放居民身份证；交通不便的地区，办理时间"
                "可以适当延长，但延长的时间不得超过三十日。",
            ),
        ],
        materials=[
            HOUSEHOLD,
            _m("原居民身份证", "original", condition="到期换领或损坏换领的"),
            _m("监护人身份证", "original", condition="未满十六周岁由监护人代为申领的"),
        ],
        steps=[
            _s("受理并采集人像、指纹", CLERK, 0),
            _s("审核签发", HEAD, 3),
            _s("制证", CHIEF, 10, "省级制证中心统一制作"),
            _s("发放", CLERK, 2),
        ],
        fees=[
            _fee("居民身份证工本费（首次申领、到期换领）", ID_FEE_BASIS, amount="20", formula="每证20元"),
            _fee("居民身份证工本费（遗失补领、损坏换领）", ID_FEE_BASIS, amount="40", formula="每证40元"),
        ],
        faqs=[
            _q("身份证可以邮寄到家吗？", "可以，受理时选择邮政寄递，邮费由申请人承担。"),
            _q("身份证丢了出门怎么办？", "补领期间可申领临时居民身份证，当场办理。"),
            _q(
                "法定时限为什么公示为40个工作日？",
                "法律规定60日（自然日）内发放，本中心按工作日折算公示，实际承诺15个工作日。",
            ),
        ],
    ),
    _item(
        "GA-0003",
        name="出生登记",
        summary="新生儿出生后一个月内，由父母或监护人凭出生医学证明申报出生登记，办理落户。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="在本县有常住户口的父亲或母亲为新生儿申报出生登记，随父或随母落户自愿选择。",
        statutory_days=0,
        promised_days=0,
        result_name="户口登记（居民户口簿登记页）",
        visits_required=1,
        online_application=True,
        keywords="上户口 新生儿落户 出生登记 报户口",
        topic_codes=["birth", "household"],
        legal_bases=[
            _law(
                "中华人民共和国户口登记条例",
                "第七条",
                "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
            )
        ],
        materials=[
            _m("出生医学证明", "original_and_copy"),
            _m("父母双方居民身份证", "original"),
            _m("落户地居民户口簿", "original"),
            _m("结婚证", "original", condition="父母已办理结婚登记的"),
        ],
        steps=[_s("受理审核并当场登记", CLERK, 0)],
        faqs=[_q("超过一个月还能登记吗？", "可以，凭出生医学证明随时办理，不影响落户。")],
    ),
    _item(
        "GA-0004",
        name="临时居民身份证申领",
        summary="居民身份证申领、换领、补领期间急需使用身份证的，可申领临时居民身份证。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已申请领取、换领或补领居民身份证，在领证期间急需使用的本县户籍公民。",
        statutory_days=3,
        promised_days=0,
        result_name="临时居民身份证",
        result_validity="3个月",
        visits_required=1,
        keywords="临时身份证 急用身份证 坐火车",
        topic_codes=["household"],
        legal_bases=[
            _law("中华人民共和国居民身份证法", "第十一条"),
            _law("临时居民身份证管理办法", "第五条"),
        ],
        materials=[HOUSEHOLD, _m("居民身份证受理回执", "original")],
        steps=[_s("受理并当场制发", CLERK, 0)],
        fees=[_fee("临时居民身份证工本费", ID_FEE_BASIS, amount="10", formula="每证10元")],
        faqs=[_q("临时身份证能坐高铁吗？", "可以，临时居民身份证与居民身份证具有同等证明效力，有效期3个月。")],
    ),
    _item(
        "GA-0005",
        name="无犯罪记录证明开具",
        summary="个人因就业、出国、入学等需要，申请开具本人在本县户籍期间或居住期间有无犯罪记录的证明。",
        kind=PUBLIC,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="本县户籍人员或在本县居住的人员申请查询本人的犯罪记录。",
        statutory_days=3,
        promised_days=1,
        result_name="无犯罪记录证明（或查询告知函）",
        result_validity="3个月（按使用单位要求）",
        visits_required=1,
        online_application=True,
        keywords="无犯罪记录证明 良民证 政审 出国",
        topic_codes=["household", "legal", "work"],
        legal_bases=[_law("公安机关办理犯罪记录查询工作规定", "第八条")],
        materials=[
            ID_CARD,
            _m("犯罪记录查询申请表"),
            AGENT_PAPERS,
        ],
        steps=[
            _s("受理", CLERK, 0),
            _s("查询核实并出具", CHIEF, 1),
        ],
        faqs=[_q("网上能申请吗？", "可以通过“湖北公安”政务服务平台或“鄂汇办”网上申请，查询结果电子送达。")],
    ),
    _item(
        "GA-0006",
        name="死亡注销户口",
        summary="公民死亡后，由户主、亲属等向户口登记机关申报死亡登记，注销户口。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="本县户籍公民死亡的，户主、亲属、抚养人或者邻居申报。",
        statutory_days=0,
        promised_days=0,
        result_name="户口注销证明",
        visits_required=1,
        keywords="销户 死亡注销 注销户口 去世",
        topic_codes=["death", "household"],
        legal_bases=[
            _law(
                "中华人民共和国户口登记条例",
                "第八条",
                "公民死亡，城市在葬前，农村在一个月以内，由户主、亲属、抚养人或者邻居向户口登记机关申报死亡登记，注销户口。",
            )
        ],
        materials=[
            _m("居民死亡医学证明（推断）书", "original_and_copy"),
            _m("死者居民户口簿", "original"),
            _m("死者居民身份证", "original", notes="无法交回的说明原因"),
            _m("申报人居民身份证", "original"),
        ],
        steps=[_s("受理审核并当场注销", CLERK, 0)],
        faqs=[_q("注销后还要办什么？", "凭户口注销证明可办理养老保险待遇停发、丧葬补助、不动产继承等后续事项。")],
    ),
]


# 发展和改革 ------------------------------------------------------------------------------------------------
DEVELOPMENT = [
    _item(
        "FG-0001",
        name="企业投资项目核准",
        summary="企业投资建设列入政府核准的投资项目目录、且由县级核准的固定资产投资项目，应当报送项目申请书申请核准。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="项目属于《政府核准的投资项目目录（湖北省）》规定由县级核准的范围，符合国家产业政策和国土空间规划，依法应当办理的用地、规划等前置手续已办理。",
        statutory_days=20,
        promised_days=15,
        result_name="项目核准文件",
        result_validity="2年（可申请延期一次）",
        visits_required=0,
        online_application=True,
        keywords="项目核准 投资项目 立项 发改",
        topic_codes=["business"],
        legal_bases=[
            _law(
                "企业投资项目核准和备案管理条例",
                "第十一条",
                "核准机关应当自受理申请之日起20个工作日内，作出是否予以核准的决定。",
            ),
            _law("企业投资项目核准和备案管理办法", "第三十三条"),
        ],
        materials=[
            _m("项目申请书", notes="通过投资项目在线审批监管平台赋码后提交"),
            _m("用地（用海）预审与选址意见书", "copy"),
            _m("法律法规规定的其他前置文件", "copy", condition="法律、行政法规规定须办理的"),
        ],
        steps=[
            _s("在线受理", CLERK, 1),
            _s("审查并征求相关部门意见", CHIEF, 10),
            _s("核准决定", HEAD, 4),
        ],
        special_procedures=[_sp("expert_review", 15, "委托工程咨询机构评估项目申请书，评估时间不计入核准时限")],
        faqs=[_q("怎么知道项目是核准还是备案？", "列入政府核准目录的实行核准，其余企业投资项目实行备案。")],
    ),
    _item(
        "FG-0002",
        name="企业投资项目备案",
        summary="政府核准目录以外的企业投资项目，通过投资项目在线审批监管平台告知项目信息，即时完成备案。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="不属于政府核准目录的企业投资项目，项目单位对备案信息的真实性负责。",
        statutory_days=0,
        promised_days=0,
        result_name="项目备案证明（电子）",
        visits_required=0,
        online_application=True,
        keywords="项目备案 立项 备案证 投资备案",
        topic_codes=["business"],
        legal_bases=[
            _law("企业投资项目核准和备案管理条例", "第十三条"),
            _law("企业投资项目核准和备案管理办法", "第四十一条"),
        ],
        materials=[
            _m("项目备案信息表", "electronic", copies=0, notes="在线填写项目名称、建设地点、规模和内容、总投资等")
        ],
        steps=[_s("在线告知，即时备案", CLERK, 0)],
        faqs=[
            _q("备案后信息变了怎么办？", "项目法人、建设地点、规模和内容发生重大变更的，应当通过在线平台及时告知变更。")
        ],
    ),
    _item(
        "FG-0003",
        name="企业投资项目并联审批",
        summary="社会投资工业项目的项目核准、用地规划、环境影响评价和施工许可等由发改牵头，一窗受理、并联审查、限时办结。",
        kind=LICENSING,
        case_type=JOINT,
        accepting_levels=[C],
        deciding_level=C,
        co_department_codes=["HB", "ZJ", "ZR"],
        silence_is_consent=True,
        conditions="在本县投资建设的企业投资项目，已通过投资项目在线审批监管平台赋码，选址符合国土空间规划。",
        statutory_days=45,
        promised_days=30,
        result_name="项目核准（备案）文件及各部门审批意见",
        visits_required=1,
        online_application=True,
        keywords="联审 并联审批 企业投资项目 工改 一窗受理 拿地即开工",
        topic_codes=["business"],
        legal_bases=[
            _law(
                "中华人民共和国行政许可法",
                "第二十六条",
                "行政许可依法由地方人民政府两个以上部门分别实施的，本级人民政府可以确定一个部门受理行政许可申请并转告有关部门分别提出意见后统一办理，或者组织有关部门联合办理、集中办理。",
            ),
            _law("企业投资项目核准和备案管理条例", "第十八条"),
            _law("国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见", "国办发〔2019〕11号"),
        ],
        materials=[
            _m("项目并联审批申请表"),
            _m("项目申请书或备案信息", "copy"),
            _m("建设项目用地预审与选址意见书", "copy"),
            _m("建设项目环境影响报告书（表）", copies=2),
            _m("建设工程设计方案", copies=2),
            LEGAL_REP_ID,
        ],
        steps=[
            _s("一窗受理并分送", CLERK, 1),
            _s("各部门并联审查", CHIEF, 20, "自然资源和规划、住建、生态环境同步审查，逾期未反馈视为同意"),
            _s("联合会审", HEAD, 5),
            _s("汇总出件", CLERK, 2),
        ],
        special_procedures=[
            _sp("expert_review", 15, "项目评估及环评技术评估"),
            _sp("public_notice", 5, "环境影响评价拟审批公示"),
        ],
        faqs=[
            _q(
                "协办部门不按时出意见怎么办？",
                "实行“超时默认”，协办部门在规定时限内未提出意见的视为同意，由电子监察系统记录。",
            ),
        ],
    ),
]


# 交通运输 --------------------------------------------------------------------------------------------------
TRANSPORT = [
    _item(
        "JT-0001",
        name="道路货物运输经营许可",
        summary="使用总质量4500千克以上普通货运车辆从事道路货物运输经营的，向县交通运输局申请道路运输经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有与其经营业务相适应并经检测合格的车辆，有符合规定条件的驾驶人员，有健全的安全生产管理制度。",
        statutory_days=20,
        promised_days=5,
        result_name="道路运输经营许可证",
        result_validity="4年",
        visits_required=0,
        online_application=True,
        keywords="货运 道路运输证 物流 货车 运输许可",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国道路运输条例", "第二十一条、第二十四条"),
            _law("道路货物运输及站场管理规定", "第十条"),
        ],
        materials=[
            _m("道路货物运输经营申请表"),
            _m("负责人身份证明", "copy"),
            _m("机动车辆行驶证、车辆技术等级评定结论", "copy"),
            _m("驾驶人员的机动车驾驶证、从业资格证", "copy"),
            _m("安全生产管理制度文本"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("审查", CHIEF, 2),
            _s("许可决定", HEAD, 2),
        ],
        faqs=[
            _q(
                "4.5吨以下的车要办吗？",
                "使用总质量4500千克及以下普通货运车辆从事普通货运经营的，无需办理道路运输经营许可证。",
            )
        ],
    ),
    _item(
        "JT-0002",
        name="道路旅客运输经营许可（县内班线）",
        summary="从事县内班车客运经营的，向县交通运输局申请道路客运经营许可和班线经营许可。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="有与经营业务相适应并经检测合格的客车，有符合条件的驾驶人员和健全的安全生产管理制度，有明确的线路和站点方案。",
        statutory_days=20,
        promised_days=10,
        result_name="道路运输经营许可证及班车客运标志牌",
        result_validity="4至8年",
        visits_required=1,
        keywords="客运 班线 客车 农村客运 道路运输",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国道路运输条例", "第八条、第十条"),
            _law("道路旅客运输及客运站管理规定", "第十一条"),
        ],
        materials=[
            _m("道路旅客运输经营申请表"),
            LEGAL_REP_ID,
            _m("客车技术等级评定结论和客车类型等级评定证明", "copy"),
            _m("驾驶人员从业资格证及3年内无重大以上交通责任事故证明", "copy"),
            _m("进站方案及线路、站点方案"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("审查", CHIEF, 4),
            _s("线路踏勘", CHIEF, 3),
            _s("许可决定", HEAD, 2),
        ],
        special_procedures=[_sp("hearing", 10, "新增班线可能影响已有经营者利益的，依申请组织听证")],
        faqs=[_q("镇村公交怎么办理？", "镇村公交由县交通运输局统一规划，按城市公共交通或农村客运政策另行办理。")],
    ),
    _item(
        "JT-0003",
        name="占用挖掘公路或使公路改线审批",
        summary="因修建铁路、机场、供电、通信、水利等建设工程需要占用、挖掘公路或者使公路改线的，须经公路管理机构批准。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="建设工程确需占用、挖掘县道、乡道，有符合公路技术标准的施工方案和交通组织、安全保障措施，已与公路管理机构协商补偿事宜。",
        statutory_days=20,
        promised_days=10,
        result_name="路政许可决定书",
        visits_required=1,
        keywords="挖路 占道 公路 路政许可 管线穿越",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国公路法", "第四十四条"),
            _law("路政管理规定", "第十一条"),
        ],
        materials=[
            _m("路政许可申请书"),
            _m("施工方案及设计图", copies=2),
            _m("交通组织和安全保障措施"),
            _m("符合有关技术标准、规范要求的安全评价报告", condition="对公路结构有影响的"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("现场勘验", CHIEF, 4),
            _s("审查", CHIEF, 3),
            _s("许可决定", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 3, "路政人员现场勘验占用、挖掘范围")],
        fees=[
            _fee(
                "路产损坏赔（补）偿费",
                "《中华人民共和国公路法》第四十四条及《湖北省路产损坏赔（补）偿标准》",
                formula="按占用、挖掘的路产类别和数量，依湖北省标准计算",
            ),
        ],
        faqs=[_q("施工结束后要做什么？", "施工完毕按期恢复公路原状，报公路管理机构验收。")],
    ),
]


# 生态环境 --------------------------------------------------------------------------------------------------
ENVIRONMENT = [
    _item(
        "HB-0001",
        name="建设项目环境影响报告表审批",
        summary="编制环境影响报告表的建设项目，开工建设前报生态环境部门审批。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="建设项目符合生态环境分区管控要求和相关规划，采取的污染防治措施能确保污染物排放达到国家和地方排放标准。",
        statutory_days=30,
        promised_days=15,
        result_name="建设项目环境影响报告表批复",
        result_validity="5年内开工建设，超过5年的重新审核",
        visits_required=0,
        online_application=True,
        keywords="环评 环评审批 环境影响评价 报告表",
        topic_codes=["business"],
        legal_bases=[
            _law(
                "中华人民共和国环境影响评价法",
                "第二十二条",
                "审批部门应当自收到环境影响报告书之日起六十日内，收到环境影响报告表之日起三十日内，分别作出审批决定并书面通知建设单位。",
            ),
            _law("建设项目环境保护管理条例", "第九条"),
        ],
        materials=[
            _m("建设项目环境影响评价文件审批申请书"),
            _m("建设项目环境影响报告表", copies=2, notes="同时提交电子版"),
            _m("环境影响报告表公开版本及删除涉密内容的说明"),
        ],
        steps=[
            _s("受理并公开受理信息", CLERK, 1),
            _s("技术审查", CHIEF, 8),
            _s("审批决定", HEAD, 4),
        ],
        special_procedures=[
            _sp("expert_review", 10, "委托技术评估机构组织专家评审"),
            _sp("public_notice", 5, "拟审批公示，征求公众意见"),
        ],
        faqs=[
            _q(
                "哪些项目只需要填登记表？",
                "按《建设项目环境影响评价分类管理名录》，填报登记表的项目网上备案即可，无需审批。",
            )
        ],
    ),
    _item(
        "HB-0002",
        name="排污许可证核发",
        summary="纳入固定污染源排污许可分类管理名录实行重点管理和简化管理的排污单位，应当依法申请取得排污许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="依法取得建设项目环境影响报告书（表）批准文件或办理了备案手续，污染物排放符合排放标准和重点污染物排放总量控制要求。",
        statutory_days=20,
        promised_days=10,
        result_name="排污许可证",
        result_validity="5年",
        visits_required=0,
        online_application=True,
        keywords="排污许可证 排污 污染物 全国排污许可证管理信息平台",
        topic_codes=["business"],
        legal_bases=[
            _law("排污许可管理条例", "第十三条"),
            _law("中华人民共和国环境保护法", "第四十五条"),
        ],
        materials=[
            _m("排污许可证申请表", "electronic", copies=0, notes="在全国排污许可证管理信息平台填报"),
            _m("自行监测方案"),
            _m("守法承诺书"),
            _m("环境影响评价批复文件", "copy"),
        ],
        steps=[
            _s("在线受理", CLERK, 1),
            _s("技术审查", CHIEF, 5),
            _s("核发", HEAD, 2),
        ],
        special_procedures=[_sp("inspection", 3, "对申请材料存疑的排污单位进行现场核查")],
        faqs=[
            _q(
                "登记管理的单位要申请许可证吗？",
                "实行登记管理的排污单位不需要申请排污许可证，在平台填报排污登记表即可。",
            )
        ],
    ),
    _item(
        "HB-0003",
        name="建设项目环境影响登记表备案",
        summary="填报环境影响登记表的建设项目，建设单位在建成并投入生产运营前通过网上备案系统备案，即时获得备案回执。",
        kind=OTHER,
        case_type=IMMEDIATE,
        accepting_levels=[C],
        deciding_level=C,
        conditions="属于《建设项目环境影响评价分类管理名录》中应当填报环境影响登记表的建设项目。",
        statutory_days=0,
        promised_days=0,
        result_name="建设项目环境影响登记表备案回执",
        visits_required=0,
        online_application=True,
        keywords="环评登记表 环评备案 登记表",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国环境影响评价法", "第二十二条"),
            _law("建设项目环境影响登记表备案管理办法", "第七条"),
        ],
        materials=[_m("建设项目环境影响登记表", "electronic", copies=0)],
        steps=[_s("网上填报，即时备案", CLERK, 0)],
        faqs=[_q("备案要去窗口吗？", "不需要，在建设项目环境影响登记表网上备案系统填报即可。")],
    ),
]


# 水利 ------------------------------------------------------------------------------------------------------
WATER = [
    _item(
        "SL-0001",
        name="取水许可",
        summary="利用取水工程或者设施直接从江河、湖泊或者地下取用水资源的单位和个人，应当申请领取取水许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="取水符合水资源综合规划、水功能区划和用水总量控制指标，取水工程和退水符合规定；家庭生活和零星散养、圈养畜禽饮用等少量取水的除外。",
        statutory_days=45,
        promised_days=20,
        result_name="取水许可证",
        result_validity="5至10年",
        visits_required=1,
        online_application=True,
        keywords="取水 取水许可 打井 抽水 水资源",
        topic_codes=["business", "farming"],
        legal_bases=[
            _law("中华人民共和国水法", "第四十八条"),
            _law(
                "取水许可和水资源费征收管理条例",
                "第二十条",
                "审批机关应当自受理取水申请之日起45个工作日内决定批准或者不批准。",
            ),
        ],
        materials=[
            _m("取水许可申请书"),
            _m("建设项目水资源论证报告书（表）", copies=2),
            _m("与第三者利害关系的相关说明", condition="取水涉及第三者利害关系的"),
            _m("申请人身份证明或营业执照", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("审查", CHIEF, 10),
            _s("审批决定", HEAD, 5),
        ],
        special_procedures=[
            _sp("expert_review", 10, "组织专家对水资源论证报告书进行技术审查"),
            _sp("hearing", 10, "涉及社会公共利益需要听证的，依法组织听证"),
        ],
        faqs=[
            _q("农民灌溉取水要办吗？", "农村集体经济组织及其成员使用本集体的水塘、水库中的水的，不需要申请取水许可。")
        ],
    ),
    _item(
        "SL-0002",
        name="河道管理范围内建设项目工程建设方案审批",
        summary="在河道、湖泊管理范围内建设桥梁、码头、道路、管道、缆线、取水、排水等工程设施的，工程建设方案须经水利部门审查同意。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="建设项目符合防洪标准、岸线规划和有关技术要求，不影响河势稳定、行洪安全和堤防安全。",
        statutory_days=20,
        promised_days=15,
        result_name="河道管理范围内建设项目工程建设方案审查意见",
        visits_required=1,
        keywords="河道 涉河建设 岸线 桥梁 码头 防洪",
        topic_codes=["business"],
        legal_bases=[
            _law("中华人民共和国水法", "第三十八条"),
            _law("中华人民共和国防洪法", "第二十七条"),
            _law("中华人民共和国河道管理条例", "第十一条"),
        ],
        materials=[
            _m("河道管理范围内建设项目申请书"),
            _m("防洪评价报告", copies=2),
            _m("建设项目所依据的文件", "copy"),
            _m("建设项目涉河部分的设计图纸", copies=2),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("现场查勘", CHIEF, 5),
            _s("技术审查", CHIEF, 5),
            _s("审批", HEAD, 3),
        ],
        special_procedures=[_sp("expert_review", 7, "组织专家评审防洪评价报告")],
        faqs=[_q("开工前还要做什么？", "开工前应将施工安排告知县水利和湖泊局，并按审查意见进行施工放样。")],
    ),
]


# 文化和旅游 ------------------------------------------------------------------------------------------------
CULTURE = [
    _item(
        "WL-0001",
        name="娱乐场所经营许可",
        summary="设立歌舞娱乐场所、游艺娱乐场所的，向县文化和旅游局申请娱乐经营许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="已取得营业执照，场所位置符合《娱乐场所管理条例》规定，不在居民楼、学校周边等禁止设立的区域，投资人员、从业人员符合规定，消防安全合格。",
        statutory_days=20,
        promised_days=10,
        result_name="娱乐经营许可证",
        result_validity="2年",
        visits_required=1,
        keywords="KTV 歌厅 游戏厅 娱乐场所 娱乐经营许可证",
        topic_codes=["business"],
        legal_bases=[
            _law("娱乐场所管理条例", "第九条"),
            _law("娱乐场所管理办法", "第八条"),
        ],
        materials=[
            _m("娱乐场所经营许可申请表"),
            LICENCE,
            LEGAL_REP_ID,
            _m("场所平面图和内部结构图", "original"),
            _m("场所产权或租赁证明", "copy"),
            _m("投资人、法定代表人、主要负责人无犯罪记录证明"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 3),
            _s("实地检查", CHIEF, 3, "核查建筑面积、包厢设置、照明和监控设施"),
            _s("许可决定", HEAD, 2),
        ],
        special_procedures=[
            _sp("inspection", 3, "实地检查场所是否符合条件"),
            _sp("hearing", 10, "周边居民提出异议的，依法组织听证"),
        ],
        faqs=[_q("和学校要隔多远？", "娱乐场所不得设在学校周边规定距离内，具体以县文化和旅游局现场核查为准。")],
    ),
    _item(
        "WL-0002",
        name="营业性演出审批",
        summary="在本县举办营业性演出的，演出举办单位应当向县文化和旅游局提出申请。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="演出举办单位为文艺表演团体、演出经纪机构，演出内容不含法律法规禁止的内容，演出场所符合安全条件。",
        statutory_days=3,
        promised_days=2,
        result_name="营业性演出准予许可决定书",
        visits_required=0,
        online_application=True,
        keywords="演出 营业性演出 演唱会 晚会 审批",
        topic_codes=["business"],
        legal_bases=[
            _law(
                "营业性演出管理条例",
                "第十三条",
                "举办营业性演出，应当向演出所在地县级人民政府文化主管部门提出申请。县级人民政府文化主管部门应当自受理申请之日起3日内作出决定。",
            )
        ],
        materials=[
            _m("营业性演出申请表"),
            _m("演出举办单位的营业性演出许可证", "copy"),
            _m("演出节目单及节目内容说明"),
            _m("演员的有效身份证明", "copy"),
            _m("演出场地使用协议", "copy"),
        ],
        steps=[
            _s("受理", CLERK, 0),
            _s("内容审核", CHIEF, 1),
            _s("许可决定", HEAD, 1),
        ],
        faqs=[
            _q(
                "村里办庙会请戏班子要报批吗？",
                "不以营利为目的的群众性文化活动不属于营业性演出，但大型活动须报公安机关安全许可。",
            )
        ],
    ),
]


# 教育 ------------------------------------------------------------------------------------------------------
EDUCATION = [
    _item(
        "JY-0001",
        name="民办学校办学许可",
        summary="举办实施学前教育、学历教育的民办学校（含民办幼儿园），向县教育局申请正式设立，取得办学许可证。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="举办者符合规定条件，有合格的教师和管理人员、符合标准的校舍和教学设施、必备的办学资金和稳定的经费来源，已完成筹设或具备办学条件。",
        statutory_days=60,
        promised_days=30,
        result_name="民办学校办学许可证",
        result_validity="按批准的办学期限",
        visits_required=2,
        keywords="办学许可 民办学校 幼儿园 办学校",
        topic_codes=["education", "business"],
        legal_bases=[
            _law("中华人民共和国民办教育促进法", "第十二条"),
            _law(
                "中华人民共和国民办教育促进法",
                "第十七条",
                "申请正式设立民办学校的，审批机关应当自受理之日起三个月内以书面形式作出是否批准的决定。",
            ),
        ],
        materials=[
            _m("正式设立申请报告"),
            _m("学校章程和首届学校理事会、董事会或者其他决策机构组成人员名单"),
            _m("举办者资格证明文件", "copy"),
            _m("校舍产权或租赁证明及消防、卫生检查合格证明", "copy"),
            _m("校长、教师、财会人员的资格证明文件", "copy"),
            _m("资产来源、资金数额及有效证明文件", "original"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("材料审查", CHIEF, 10),
            _s("实地考察与评审", CHIEF, 12),
            _s("局务会审定并发证", HEAD, 5),
        ],
        special_procedures=[
            _sp("inspection", 5, "对校舍、设施、消防等实地考察"),
            _sp("expert_review", 5, "组织专家对办学条件进行评审"),
        ],
        faqs=[
            _q("营利性和非营利性可以自己选吗？", "实施义务教育的民办学校只能设立为非营利性，其他可由举办者自主选择。")
        ],
    ),
    _item(
        "JY-0002",
        name="教师资格认定",
        summary="申请幼儿园、小学、初级中学和中等职业学校实习指导教师资格的，向户籍或居住地县教育局申请认定。",
        kind=LICENSING,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="遵守宪法和法律，热爱教育事业，具备规定学历，通过中小学教师资格考试或免试认定改革，普通话水平达到相应标准，体检合格。",
        statutory_days=30,
        promised_days=20,
        result_name="教师资格证书",
        result_validity="长期（中小学教师资格定期注册）",
        visits_required=1,
        online_application=True,
        keywords="教师资格证 教资认定 当老师 教师资格",
        topic_codes=["education", "work"],
        legal_bases=[
            _law("中华人民共和国教师法", "第十三条"),
            _law("教师资格条例", "第十三条"),
            _law("《教师资格条例》实施办法", "第十八条"),
        ],
        materials=[
            _m("教师资格认定申请表", "electronic", copies=0, notes="在中国教师资格网填报"),
            ID_CARD,
            _m("学历证书", "original_and_copy"),
            _m("普通话水平测试等级证书", "copy"),
            _m("县级以上医院出具的体检表", "original"),
            _m("个人承诺书（思想品德情况）", notes="网上签署"),
        ],
        steps=[
            _s("网上申报、现场确认", CLERK, 1),
            _s("资格审查", CHIEF, 10),
            _s("专家审议与认定", HEAD, 7),
        ],
        special_procedures=[_sp("testing", 5, "在指定医院进行体格检查")],
        faqs=[_q("一年可以认定几次？", "每年春季、秋季各集中受理一次，具体时间以县教育局公告为准。")],
    ),
    _item(
        "JY-0003",
        name="义务教育阶段学生转学",
        summary="因家庭搬迁、父母工作调动等原因，义务教育阶段学生在县内或跨县转学。",
        kind=PUBLIC,
        case_type=COMMITTED,
        accepting_levels=[C],
        deciding_level=C,
        conditions="义务教育阶段在籍学生，转入学校有学位，且有家庭搬迁、户籍迁移等正当理由。",
        statutory_days=10,
        promised_days=5,
        result_name="学籍转接确认",
        visits_required=1,
        online_application=True,
        keywords="转学 学籍 插班 入学",
        topic_codes=["education"],
        legal_bases=[
            _law("中华人民共和国义务教育法", "第十二条"),
            _law("中小学生学籍管理办法", "第十二条"),
        ],
        materials=[
            _m("转学申请表"),
            HOUSEHOLD,
            _m("转入地住房或工作证明", "copy", condition="跨县转入的"),
        ],
        steps=[
            _s("受理", CLERK, 1),
            _s("转入校同意并核位", CHIEF, 2),
            _s("学籍系统转接", CLERK, 2),
        ],
        faqs=[_q("学期中间能转学吗？", "原则上在学期开始前办理，特殊情况可随时申请。")],
    ),
]


ITEMS: list[dict[str, Any]] = [
    *CIVIL_AFFAIRS,
    *HEALTH,
    *LABOUR,
    *LAND,
    *MARKET,
    *HOUSING,
    *AGRICULTURE,
    *FORESTRY,
    *FINANCE,
    *PETITIONS,
    *JUSTICE,
    *POLICE,
    *DEVELOPMENT,
    *TRANSPORT,
    *ENVIRONMENT,
    *WATER,
    *CULTURE,
    *EDUCATION,
]
