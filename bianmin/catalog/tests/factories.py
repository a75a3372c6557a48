"""A complete, valid item for tests to start from and break one rule at a time."""

from bianmin.catalog.content import ItemContent


def item_content(**overrides) -> ItemContent:
    values = dict(
        name="农村村民宅基地审批",
        summary="农村村民申请使用宅基地新建、改建、扩建住宅。",
        kind="licensing",
        case_type="escalated",
        accepting_levels=["town", "village"],
        deciding_level="county",
        conditions="本集体经济组织成员，一户只能拥有一处宅基地。",
        statutory_days=20,
        promised_days=15,
        result_name="农村宅基地批准书",
        result_validity="长期",
        place="镇便民服务厅国土规划农林窗口",
        responsible_organisation="县自然资源和规划局",
        consultation_phone="0714-7321111",
        complaint_phone="0714-7321234",
        keywords="建房 宅基地 农房",
        topic_codes=[],
        legal_bases=[{"law": "中华人民共和国土地管理法", "article": "第六十二条", "excerpt": ""}],
        materials=[
            {"name": "农村宅基地和建房（规划许可）申请表", "form": "original", "copies": 1, "is_required": True},
            {"name": "申请人身份证", "form": "copy", "copies": 1, "is_required": True},
            {
                "name": "房屋建筑设计图",
                "form": "original",
                "copies": 1,
                "is_required": False,
                "condition": "建房层数超过两层时提供",
            },
        ],
        steps=[
            {"name": "受理", "role": "clerk", "days": 1},
            {"name": "镇级审核", "role": "department_head", "tier": "town", "days": 9},
            {"name": "县级审批", "role": "department_head", "tier": "county", "days": 5},
        ],
        special_procedures=[{"kind": "public_notice", "typical_days": 5, "description": "村内公示"}],
        faqs=[{"question": "一户可以有几处宅基地？", "answer": "一户只能拥有一处宅基地。"}],
    )
    values.update(overrides)
    return ItemContent(**values)
