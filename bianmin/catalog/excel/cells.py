"""One cell of an uploaded workbook read as the value it stores, or the reason it cannot be read."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .sheets import (
    AMOUNT,
    BOOLEAN,
    CHOICE,
    CODES,
    INTEGER,
    LEVELS,
    LIST_SEPARATORS,
    MAX_AMOUNT,
    MAX_SMALL_INTEGER,
    NO,
    TEXT,
    YES,
    Column,
    normalised,
)


class CellProblem(Exception):
    """A cell that cannot be read; the message is the reason shown to the person uploading."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _integer(value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        number = int(value.strip())
    if number is None:
        raise CellProblem(_("Enter a whole number, for example 20."))
    if not 0 <= number <= MAX_SMALL_INTEGER:
        raise CellProblem(_("Enter a whole number from 0 to %(max)d.") % {"max": MAX_SMALL_INTEGER})
    return number


BOOLEAN_WORDS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "√", "✓"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0", "×", "✗"), False),
}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = normalised(cell_text(value))
    if word not in BOOLEAN_WORDS:
        raise CellProblem(_("Enter 是 (yes) or 否 (no)."))
    return BOOLEAN_WORDS[word]


@functools.cache
def _choice_lookup(column: Column, language: str | None) -> dict[str, str]:
    """Every accepted spelling of each choice: its code, the workbook's label, the translated labels."""
    lookup = {}
    for value, fixed in (column.labels or {}).items():
        label = getattr(value, "label", value)
        names = {str(value), fixed, str(label)}
        for other in ("en", "zh-hans"):
            with translation.override(other):
                names.add(str(label))
        lookup.update(dict.fromkeys((normalised(name) for name in names), str(value)))
    return lookup


def _allowed(column: Column) -> str:
    return "、".join((column.labels or {}).values())


def _choice(column: Column, value: Any) -> str:
    found = _choice_lookup(column, translation.get_language()).get(normalised(cell_text(value)))
    if found is None:
        raise CellProblem(
            _("“%(value)s” is not one of the allowed values: %(allowed)s.")
            % {"value": cell_text(value), "allowed": _allowed(column)}
        )
    return found


def _levels(column: Column, value: Any) -> list[str]:
    lookup = _choice_lookup(column, translation.get_language())
    words = [word for word in LIST_SEPARATORS.split(cell_text(value)) if word]
    unknown = [word for word in words if normalised(word) not in lookup]
    if unknown:
        raise CellProblem(
            _("“%(value)s” is not a level; use %(allowed)s, separated by commas.")
            % {"value": "、".join(unknown), "allowed": _allowed(column)}
        )
    return [lookup[normalised(word)] for word in words]


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(cell_text(value).removesuffix("元").strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise CellProblem(_("Enter the amount in yuan as a number, for example 12.50."))
    if abs(amount) > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise CellProblem(_("Enter the amount in yuan with at most two decimal places and below 100 million."))
    return amount.quantize(Decimal("0.01"))


def _text_cell(column: Column, value: Any) -> str:
    text = cell_text(value)
    if column.max_length and len(text) > column.max_length:
        raise CellProblem(
            _("Enter at most %(max)d characters; this cell has %(length)d.")
            % {"max": column.max_length, "length": len(text)}
        )
    return text


_CELL_READERS: dict[str, Callable[[Column, Any], Any]] = {
    TEXT: _text_cell,
    INTEGER: lambda _column, value: _integer(value),
    BOOLEAN: lambda _column, value: _boolean(value),
    CHOICE: _choice,
    LEVELS: _levels,
    CODES: lambda _column, value: [word for word in LIST_SEPARATORS.split(cell_text(value)) if word],
    AMOUNT: lambda _column, value: _amount(value),
}


def read_cell(column: Column, value: Any) -> Any:
    """The stored value of one cell; raises CellProblem with the reason when it cannot be read."""
    if is_blank(value):
        if column.required and column.kind != TEXT:
            raise CellProblem(_("“%(column)s” must be filled in.") % {"column": column.header})
        return column.default
    return _CELL_READERS[column.kind](column, value)
