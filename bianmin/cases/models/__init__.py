"""A case (办件): one application and everything that happens to it, from intake to delivery.

The case keeps the dates the law's clocks need (receipt, acceptance, deadlines, suspended and extended
working days); everything that happened is in the audit chain (the case's timeline). Allowed moves
between statuses live in ``workflow.py``; every move is a function in ``services.py``. The clock's yellow
thresholds (``clock.py`` reads them, supervision sets them) and the log of supervisors' views of a case's personal
data (``data_views.py``) are here too.
"""

from .case import (
    OPEN_STATUSES,
    QUERY_CODE_DIGITS,
    UNKNOWN_YELLOW,
    Case,
    CaseAccess,
    CaseClockCount,
    CaseCount,
    Channel,
    DeliveryChoice,
    DeliveryMethod,
    IdType,
    Status,
    query_code_new,
)
from .case_parts import CaseMaterial, CaseMaterialEvent, Extension, Notice, ReviewTask, Suspension
from .inquiry import Inquiry
from .watch import PersonalDataView, YellowThreshold

__all__ = [
    "OPEN_STATUSES",
    "QUERY_CODE_DIGITS",
    "UNKNOWN_YELLOW",
    "Case",
    "CaseAccess",
    "CaseClockCount",
    "CaseCount",
    "CaseMaterial",
    "CaseMaterialEvent",
    "Channel",
    "DeliveryChoice",
    "DeliveryMethod",
    "Extension",
    "IdType",
    "Inquiry",
    "Notice",
    "PersonalDataView",
    "ReviewTask",
    "Status",
    "Suspension",
    "YellowThreshold",
    "query_code_new",
]
