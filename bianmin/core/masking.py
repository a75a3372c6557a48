"""Masking of personal data shown in public or handed out on paper (DOMAIN §2, §7: 双公示 de-identified): the one
masking policy of every public page, public API, screen and export.

Public result notices, the tracking page and the triplicate receipt show a person only as much as needed to
recognise their own case: the surname (张**), the identity document's first 6 and last 4 characters
(420222********1234), the phone's first 3 and last 4 digits (138****5678) and the address down to the village
(阳新县白沙镇白沙村). An enterprise (an applicant identified by its unified social credit code) is not a person: its
name is published in full (``mask_applicant``).
"""

from __future__ import annotations

MASK = "*"

# Two-character surnames (复姓): the whole surname is kept, the given name hidden.
_COMPOUND = (
    "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文司徒令狐夏侯轩辕端木独孤"
    "南宫西门呼延赫连澹台公冶宗政濮阳单于太叔申屠钟离闾丘东郭百里万俟司空"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND[index : index + 2] for index in range(0, len(_COMPOUND), 2))


def mask_name(name: str) -> str:
    """The surname and two stars, whatever the length of the given name: ``张三`` → ``张**``.

    A compound surname stays whole (``欧阳修`` → ``欧阳**``); a name written with spaces (a foreign name) keeps
    its first letter. An empty name stays empty.
    """
    name = name.strip()
    if not name:
        return ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    return surname + MASK * 2


def mask_id_number(number: str) -> str:
    """The first 6 and last 4 characters, every one between them a star: ``420222199001011234`` →
    ``420222********1234``.

    A number too short to keep 6 + 4 and still hide something (a passport, a short foreign document) keeps only
    a quarter of its length at each end, so at least half of it is hidden.
    """
    number = "".join(number.split())
    length = len(number)
    if length == 0:
        return ""
    head, tail = (6, 4) if length >= 15 else (length // 4, length // 4)
    return number[:head] + MASK * (length - head - tail) + number[length - tail :]


def mask_phone(phone: str) -> str:
    """The first 3 and last 4 characters with four stars between them: ``13812345678`` → ``138****5678``.

    A landline keeps its pattern (``0714-7321234`` → ``071****1234``); a number of 7 characters or fewer shows
    only its last 2.
    """
    phone = "".join(phone.split())
    if not phone:
        return ""
    if len(phone) <= 7:
        shown = min(2, len(phone) - 1)
        return MASK * (len(phone) - shown) + phone[len(phone) - shown :]
    return phone[:3] + MASK * 4 + phone[-4:]


# Where an address stops being public: the village or urban community (the first of these), else the town.
_VILLAGE_MARKERS = ("居委会", "村委会", "社区", "村")
_TOWN_MARKERS = ("街道", "镇", "乡")
# Of an address naming neither, only the county or district is kept.
_COUNTY_MARKERS = ("县", "区", "市")


def _through_first(address: str, markers: tuple[str, ...]) -> str | None:
    ends = [address.find(marker) + len(marker) for marker in markers if marker in address]
    return address[: min(ends)] if ends else None


def mask_address(address: str) -> str:
    """The address down to the village or community, the rest dropped:
    ``阳新县白沙镇白沙村三组`` → ``阳新县白沙镇白沙村``.

    An address without a village keeps its town (``阳新县兴国镇城东路8号`` → ``阳新县兴国镇``), one without a town its
    county or district; an address naming none of these keeps nothing.
    """
    address = "".join(address.split())
    for markers in (_VILLAGE_MARKERS, _TOWN_MARKERS, _COUNTY_MARKERS):
        kept = _through_first(address, markers)
        if kept is not None:
            return kept
    return ""


# The identity documents that identify an enterprise or another organisation, not a person (cases.IdType).
ENTERPRISE_ID_TYPES = frozenset({"credit_code"})


def is_enterprise(id_type: str) -> bool:
    return id_type in ENTERPRISE_ID_TYPES


def mask_applicant(name: str, id_type: str) -> str:
    """An applicant's name as the public sees it: an enterprise's in full, a person's masked (``mask_name``)."""
    return name.strip() if is_enterprise(id_type) else mask_name(name)
