from .audit import AuditEvent, AuditHead, AuditVerification
from .calendar import CalendarDay, CalendarYear
from .idempotency import IdempotentRequest
from .messages import OutboundMessage
from .numbering import Counter

__all__ = [
    "AuditEvent",
    "AuditHead",
    "AuditVerification",
    "CalendarDay",
    "CalendarYear",
    "Counter",
    "IdempotentRequest",
    "OutboundMessage",
]
