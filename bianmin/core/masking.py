"""Masking of personal data shown in public or handed out on paper (DOMAIN §2).

Public result notices, the tracking page and the triplicate receipt show a person only as much as needed to
recognise their own case: the surname (张**), the identity document's first 6 and last 4 characters
(420222********1234) and the phone's first 3 and last 4 digits (138****5678).
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
