"""Identity document numbers: the resident identity number's check digit (GB 11643-1999), others by form."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARACTERS = "10X98765432"
RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


def resident_id_check_character(first_17: str) -> str:
    return CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(first_17, WEIGHTS, strict=True)) % 11]


def validate_id_number(id_type: str, number: str) -> list[str]:
    """Problems with the number for its document type, as translated sentences; empty when it is valid."""
    value = (number or "").strip().upper()
    if not value:
        return [_("Enter the document number.")]
    if id_type == "resident_id":
        if not RESIDENT_ID.match(value):
            return [_("A resident identity number has 18 characters: 17 digits and a digit or X.")]
        try:
            datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            return [_("The date of birth in the identity number is not a real date.")]
        if resident_id_check_character(value[:17]) != value[17]:
            return [_("The identity number's last character does not match: please check every digit.")]
    elif id_type == "credit_code" and not CREDIT_CODE.match(value):
        return [_("A unified social credit code has 18 letters and digits.")]
    elif id_type == "passport" and not PASSPORT.match(value):
        return [_("A passport number has 5 to 17 letters and digits.")]
    return []
