"""Demo data for the organisation. Loaded through the org services, so every record is audited."""

from __future__ import annotations

DEMO_PASSWORD = "Bianmin-demo-2026"

COUNTY = {
    "code": "YX",
    "name": "阳新县行政服务中心",
    "address": "阳新县兴国镇城东新区行政服务中心大楼",
    "opening_hours": "工作日 8:30–12:00, 14:30–17:30（夏季 15:00–18:00）",
    "phone": "0714-7321234",
}

BRANCHES = [
    {
        "code": "YXRS",
        "name": "县人社分中心",
        "address": "阳新县兴国镇桃花泉路 18 号",
        "phone": "0714-7325678",
    },
    {
        "code": "YXFC",
        "name": "县不动产登记分中心",
        "address": "阳新县兴国镇富川路 66 号",
        "phone": "0714-7329012",
    },
]

# The six towns the plan names, each with a few village service rooms.
TOWNS = [
    ("BS", "白沙镇", "0714-7551001", ["白沙村", "梁公铺村", "沙田村"]),
    ("FT", "浮屠镇", "0714-7561002", ["浮屠村", "玉堍村", "坳头村"]),
    ("SX", "三溪镇", "0714-7571003", ["三溪村", "枫林村", "木港村"]),
    ("WY", "王英镇", "0714-7581004", ["王英村", "大田村", "仙岛湖村"]),
    ("FC", "富池镇", "0714-7591005", ["富池村", "港湖村", "八斗村"]),
    ("TZ", "太子镇", "0714-7601006", ["太子村", "松山村", "太平村"]),
]

# Departments the plan lists for town halls, then the county's other licensing departments.
DEPARTMENTS = [
    ("MZ", "县民政局", "民政", False),
    ("WJ", "县卫生健康局", "卫健", True),
    ("RS", "县人力资源和社会保障局", "人社", True),
    ("ZR", "县自然资源和规划局", "自然资源", True),
    ("SJ", "县市场监督管理局", "市场监管", True),
    ("ZJ", "县住房和城乡建设局", "住建", True),
    ("NY", "县农业农村局", "农业农村", True),
    ("LY", "县林业局", "林业", True),
    ("CZ", "县财政局", "财政", False),
    ("XF", "县信访局", "信访", False),
    ("SF", "县司法局", "司法行政", False),
    ("GA", "县公安局", "公安", True),
    ("FG", "县发展和改革局", "发改", True),
    ("JT", "县交通运输局", "交通运输", True),
    ("HB", "市生态环境局阳新分局", "生态环境", True),
    ("SL", "县水利和湖泊局", "水利", True),
    ("WL", "县文化和旅游局", "文旅", True),
    ("JY", "县教育局", "教育", True),
]

# County centre: a general intake window, then one window per licensing department (应进必进).
COUNTY_WINDOWS = [
    ("1", "综合受理窗口", ["MZ", "CZ", "XF", "SF"]),
    ("2", "公安户籍窗口", ["GA"]),
    ("3", "卫生健康窗口", ["WJ"]),
    ("4", "人社窗口", ["RS"]),
    ("5", "自然资源和规划窗口", ["ZR"]),
    ("6", "市场监管窗口", ["SJ"]),
    ("7", "住建窗口", ["ZJ"]),
    ("8", "农业农村窗口", ["NY"]),
    ("9", "林业窗口", ["LY"]),
    ("10", "发改窗口", ["FG"]),
    ("11", "交通运输窗口", ["JT"]),
    ("12", "生态环境窗口", ["HB"]),
    ("13", "水利窗口", ["SL"]),
    ("14", "文化旅游窗口", ["WL"]),
    ("15", "教育窗口", ["JY"]),
]

# Town halls: three windows grouping the plan's town-level departments.
TOWN_WINDOWS = [
    ("1", "社会事务窗口", ["MZ", "WJ", "RS"]),
    ("2", "国土规划农林窗口", ["ZR", "ZJ", "NY", "LY"]),
    ("3", "市场财政综治窗口", ["SJ", "CZ", "XF", "SF"]),
]

# (username, full name, role, site code or None, department code or None, window number or None)
STAFF = [
    ("centre_admin", "刘建国", "centre_admin", "YX", None, None),
    ("supervisor", "陈纪明", "supervisor", "YX", None, None),
    ("county_clerk", "王晓燕", "clerk", "YX", None, "1"),
    ("market_chief", "张志强", "chief_representative", "YX", "SJ", "6"),
    ("market_head", "李文华", "department_head", None, "SJ", None),
    ("land_chief", "周海波", "chief_representative", "YX", "ZR", "5"),
    ("land_head", "吴国平", "department_head", None, "ZR", None),
    ("baisha_clerk", "黄丽娟", "clerk", "BS", None, "1"),
    ("baisha_agent", "胡德胜", "agent", "BS", None, None),
    ("futu_clerk", "石秀英", "clerk", "FT", None, "1"),
    ("baishacun_agent", "柯春生", "agent", "BS01", None, None),
    ("futucun_agent", "明桂兰", "agent", "FT01", None, None),
]

# Every department that owns an item has a head (分管领导 / 负责人: decisions, extensions, the county's review steps)
# and a chief representative at its window of the county centre (首席代表: the steps its chief representative takes).
# The SJ and ZR ones are above; (department, head's name, chief representative's name) for the others.
DEPARTMENT_LEADS = [
    ("MZ", "杜承志", "方晓梅"),
    ("WJ", "邱建华", "龚丽萍"),
    ("RS", "汪振东", "戴春燕"),
    ("ZJ", "程立新", "卢美玲"),
    ("NY", "蔡国庆", "阮红霞"),
    ("LY", "贺青松", "尹翠兰"),
    ("CZ", "钱明远", "严素珍"),
    ("XF", "曹守正", "邵玉芳"),
    ("SF", "袁法清", "余慧敏"),
    ("GA", "潘卫国", "姜小红"),
    ("FG", "谭启航", "薛凤英"),
    ("JT", "魏长路", "江月娥"),
    ("HB", "范绿洲", "田秀华"),
    ("SL", "冯广源", "熊美华"),
    ("WL", "宋文博", "黎彩云"),
    ("JY", "蒋育才", "孔丽君"),
]


def _county_window_of(department: str) -> str:
    return next(number for number, _name, codes in COUNTY_WINDOWS if department in codes)


STAFF += [
    entry
    for code, head, chief in DEPARTMENT_LEADS
    for entry in (
        (f"{code.lower()}_head", head, "department_head", None, code, None),
        (f"{code.lower()}_chief", chief, "chief_representative", "YX", code, _county_window_of(code)),
    )
]

# Every town hall has a window clerk and an agent (a town's review by investigation, 入户调查, is its agent's), the
# county centre an agent for its own agency service (全程代办), each branch centre a clerk.
STAFF += [
    ("sanxi_clerk", "何雪梅", "clerk", "SX", None, "1"),
    ("wangying_clerk", "罗春华", "clerk", "WY", None, "1"),
    ("fuchi_clerk", "董晓琴", "clerk", "FC", None, "1"),
    ("taizi_clerk", "叶美娟", "clerk", "TZ", None, "1"),
    ("futu_agent", "金满仓", "agent", "FT", None, None),
    ("sanxi_agent", "孟庆丰", "agent", "SX", None, None),
    ("wangying_agent", "陶大勇", "agent", "WY", None, None),
    ("fuchi_agent", "夏长江", "agent", "FC", None, None),
    ("taizi_agent", "常德富", "agent", "TZ", None, None),
    ("county_agent", "高明亮", "agent", "YX", None, None),
    ("yxrs_clerk", "段佳怡", "clerk", "YXRS", None, None),
    ("yxfc_clerk", "梁志远", "clerk", "YXFC", None, None),
]

# Each town's reviewer (镇分管领导): the head of the town-hall departments the plan lists, held at the town hall, who
# takes the town-level steps of their items (镇级审核) there. (username, name, town code)
TOWN_REVIEWERS = [
    ("baisha_leader", "郑国强", "BS"),
    ("futu_leader", "孙红英", "FT"),
    ("sanxi_leader", "马德华", "SX"),
    ("wangying_leader", "朱建军", "WY"),
    ("fuchi_leader", "许文斌", "FC"),
    ("taizi_leader", "沈玉兰", "TZ"),
]
TOWN_REVIEWED_DEPARTMENTS = ["MZ", "WJ", "RS", "ZR", "SJ", "ZJ", "NY", "LY", "CZ", "XF", "SF"]
STAFF += [
    (username, name, "department_head", town, department, None)
    for username, name, town in TOWN_REVIEWERS
    for department in TOWN_REVIEWED_DEPARTMENTS
]

# Badge numbers of the staff who serve at a window (挂牌上岗): shown on the window's screen.
BADGES = {
    "county_clerk": "YX-0101",
    "market_chief": "SJ-0601",
    "land_chief": "ZR-0501",
    "baisha_clerk": "BS-0101",
    "futu_clerk": "FT-0101",
}

# What the chief representatives may decide at the window (首席代表制).
DELEGATIONS = {
    "market_chief": {
        "decisions": ["accept", "supplement", "approve", "deny", "issue_certificate"],
        "document_number": "阳市监〔2026〕12号",
    },
    "land_chief": {"decisions": ["accept", "supplement"], "document_number": "阳自然资〔2026〕7号"},
}
