"""Boxes that apps above cases add to the staff case page (supervision: the case's alerts and orders).

cases imports nothing from those apps: each registers, in its ``AppConfig.ready``, a function of the viewing user
and the case that returns the box's template and its context, or None when that person sees no such box. The page
includes the boxes in the order they were registered, each template with its context as ``box``.
"""

from __future__ import annotations

from collections.abc import Callable

from bianmin.accounts.models import User

from .models import Case

CaseBox = Callable[[User, Case], tuple[str, dict] | None]

_boxes: list[CaseBox] = []


def register_case_page_box(box: CaseBox) -> None:
    if box not in _boxes:
        _boxes.append(box)


def case_page_boxes(user: User, case: Case) -> list[dict]:
    """The boxes this person sees on this case's page: [{"template": …, "context": …}, …]."""
    shown = []
    for box in _boxes:
        result = box(user, case)
        if result is not None:
            template, context = result
            shown.append({"template": template, "context": context})
    return shown
