"""The demo's topics and departments' short names in Traditional Chinese and English (the Simplified text is in
catalog_items.py and county.py): the kiosk's and the portal's tiles follow the reader's language (core.names).
The Traditional text was converted from the Simplified with OpenCC (s2t)."""

# code: (name, description) in Traditional Chinese, then in English
TOPICS = {
    "birth": (
        ("生育收養", "生育登記、出生醫學證明、新生兒落戶、收養登記。"),
        ("Birth and adoption", "Birth registration, medical birth certificates, registering a newborn, adoption."),
    ),
    "marriage": (
        ("婚姻家庭", "結婚登記、收養、隨遷落戶等家庭事務。"),
        ("Marriage and family", "Marriage registration, adoption, moving a household with the family."),
    ),
    "household": (
        ("戶籍證件", "戶口遷移、居民身份證、無犯罪記錄證明等。"),
        ("Residence and ID", "Moving a household registration, resident ID cards, certificates of no criminal record."),
    ),
    "house": (
        ("建房置業", "宅基地、農房建設規劃、不動產登記、危房改造。"),
        ("Building a home", "Homestead land, rural house planning, real estate registration, unsafe house repair."),
    ),
    "farming": (
        ("農業生產", "耕地補貼、農藥獸藥經營、林木採伐、植物檢疫。"),
        ("Farming", "Farmland subsidies, selling pesticides and veterinary drugs, felling trees, plant quarantine."),
    ),
    "business": (
        ("開辦企業", "個體工商戶、企業登記、行業許可、投資項目審批。"),
        ("Starting a business", "Sole traders, company registration, trade licences, investment project approval."),
    ),
    "work": (
        ("就業創業", "就業失業登記、就業援助、創業擔保貸款。"),
        ("Jobs and enterprise", "Registering employment or unemployment, job assistance, guaranteed start-up loans."),
    ),
    "social_security": (
        ("社會保障", "社會保障卡、城鄉居民養老保險、殘疾人補貼。"),
        ("Social security", "Social security cards, residents' pension insurance, disability allowances."),
    ),
    "retirement": (
        ("退休養老", "養老保險待遇領取、高齡津貼。"),
        ("Retirement", "Drawing a pension, allowances for the very old."),
    ),
    "health": (
        ("醫療衛生", "醫療機構、公共場所衛生許可、計劃生育獎勵扶助。"),
        ("Health", "Medical institutions, hygiene licences for public places, family planning rewards."),
    ),
    "education": (
        ("教育入學", "民辦學校、教師資格、學生轉學。"),
        ("Education", "Private schools, teacher qualifications, changing schools."),
    ),
    "assistance": (
        ("社會救助", "低保、特困供養、臨時救助、住房安全保障。"),
        ("Social assistance", "Subsistence allowance, support for the destitute, temporary relief, safe housing."),
    ),
    "legal": (
        ("法律服務", "法律援助、人民調解、法律諮詢、信訪。"),
        ("Legal services", "Legal aid, people's mediation, legal advice, petitions."),
    ),
    "death": (
        ("身後事", "死亡註銷戶口、惠民殯葬補貼。"),
        ("After a death", "Cancelling the household registration of the deceased, funeral subsidies."),
    ),
}

# code: short name in Traditional Chinese, in English
DEPARTMENT_SHORT_NAMES = {
    "MZ": ("民政", "Civil affairs"),
    "WJ": ("衛健", "Health"),
    "RS": ("人社", "Labour and social security"),
    "ZR": ("自然資源", "Natural resources"),
    "SJ": ("市場監管", "Market regulation"),
    "ZJ": ("住建", "Housing and construction"),
    "NY": ("農業農村", "Agriculture"),
    "LY": ("林業", "Forestry"),
    "CZ": ("財政", "Finance"),
    "XF": ("信訪", "Petitions"),
    "SF": ("司法行政", "Justice"),
    "GA": ("公安", "Public security"),
    "FG": ("發改", "Development and reform"),
    "JT": ("交通運輸", "Transport"),
    "HB": ("生態環境", "Ecology and environment"),
    "SL": ("水利", "Water resources"),
    "WL": ("文旅", "Culture and tourism"),
    "JY": ("教育", "Education"),
}


def topic_translations(code: str) -> dict[str, str]:
    """The translated columns of the demo topic ``code`` (none for a topic this table does not know)."""
    if code not in TOPICS:
        return {}
    (name_hant, description_hant), (name_en, description_en) = TOPICS[code]
    return {
        "name_zh_hant": name_hant,
        "description_zh_hant": description_hant,
        "name_en": name_en,
        "description_en": description_en,
    }


def department_translations(code: str) -> dict[str, str]:
    if code not in DEPARTMENT_SHORT_NAMES:
        return {}
    hant, english = DEPARTMENT_SHORT_NAMES[code]
    return {"short_name_zh_hant": hant, "short_name_en": english}
