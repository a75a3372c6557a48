from .audit import AuditEvent, AuditHead, AuditVerification
from .calendar import CalendarDay, CalendarYear
from .messages import OutboundMessage

__all__ = ["AuditEvent", "AuditHead", "AuditVerification", "CalendarDay", "CalendarYear", "OutboundMessage"]
