"""The scoring sheets the plan describes, as data: ``services.sheets_seed`` writes them (the demo and a new county).

Town halls: the plan, 二(二) (集中办公场所, the listed departments' items, equipment, counters by business, 办事明白卡,
挂牌上岗, a full set of rules, stable funding); 标准型 ≥ 100 m², 示范型 ≥ 150 m² (provincial standards). Village rooms:
"有牌子、有班子、有事项、有电脑、有制度、有台帐、有必要的经费保障". The county centre: its window rules (二(四)).
"""

from __future__ import annotations

from decimal import Decimal

# (code, title, points, method, evidence); a group is (code, title, [children]).
TOWN_HALL = [
    ("1", "集中办公场所", [("1.1", "{area}", 10, "on_site", "现场测量面积，拍摄大厅全景")]),
    (
        "2",
        "进驻事项",
        [
            (
                "2.1",
                "民政、计生卫健、劳动保障、国土、工商、规划、农业、林业、财政、信访、司法等部门事项进驻",
                15,
                "documents",
                "进驻事项目录",
            )
        ],
    ),
    (
        "3",
        "设施设备",
        [
            ("3.1", "电脑", 4, "photo", "照片"),
            ("3.2", "空调", 3, "photo", "照片"),
            ("3.3", "电子监控设备", 4, "photo", "照片"),
            ("3.4", "办公电话", 3, "on_site", ""),
            ("3.5", "便民椅", 2, "photo", "照片"),
        ],
    ),
    (
        "4",
        "窗口设置",
        [
            ("4.1", "按业务设置窗口", 10, "on_site", ""),
            ("4.2", "办事明白卡", 8, "documents", "明白卡样本"),
            ("4.3", "工作人员挂牌上岗", 8, "photo", "窗口照片"),
        ],
    ),
    ("5", "制度建设", [("5.1", "制度健全并上墙公开", 15, "documents", "制度汇编，上墙照片")]),
    ("6", "经费保障", [("6.1", "有稳定的经费保障", 10, "documents", "财政预算文件")]),
    (
        "7",
        "台帐与值班",
        [("7.1", "服务台帐完整", 4, "documents", "台帐"), ("7.2", "干部值班", 4, "documents", "值班表")],
    ),
]
AREA = {"standard": "集中办公场所面积不少于100平方米", "exemplary": "集中办公场所面积不少于150平方米"}

VILLAGE_ROOM = [
    ("1", "有牌子", 15, "photo", "门牌照片"),
    ("2", "有班子", 15, "documents", "人员名单"),
    ("3", "有事项", 15, "documents", "代办事项目录"),
    ("4", "有电脑", 15, "photo", "照片"),
    ("5", "有制度", 15, "documents", "制度上墙照片"),
    ("6", "有台帐", 15, "documents", "代办台帐"),
    ("7", "有必要的经费保障", 10, "documents", "经费文件"),
]

CENTRE_WINDOWS = [
    ("1", "首席代表制", 10, "documents", "授权书"),
    ("2", "首问负责制", 10, "on_site", ""),
    ("3", "服务承诺制", 10, "documents", "承诺时限公示"),
    ("4", "即时办理制", 10, "on_site", ""),
    ("5", "限时办结制", 10, "documents", "办结记录"),
    ("6", "一次性告知制", 10, "documents", "告知书"),
    ("7", "全程代办制", 10, "on_site", ""),
    ("8", "联审联办制", 10, "documents", ""),
    ("9", "三联单管理制", 5, "documents", "三联单"),
    ("10", "绩效考核制与责任追究制", 15, "documents", "考核记录"),
]

# (tier, level, name, pass score, rows)
SHEETS = [
    ("town", "standard", "乡镇便民服务中心标准型考核表", Decimal("80"), TOWN_HALL),
    ("town", "exemplary", "乡镇便民服务中心示范型考核表", Decimal("90"), TOWN_HALL),
    ("village", "standard", "村级便民服务室标准型考核表", Decimal("80"), VILLAGE_ROOM),
    ("village", "exemplary", "村级便民服务室示范型考核表", Decimal("95"), VILLAGE_ROOM),
    ("county", "standard", "县行政服务中心窗口考核表", Decimal("80"), CENTRE_WINDOWS),
]
