from .audit import AuditEvent, AuditHead
from .calendar import CalendarDay, CalendarYear
from .messages import OutboundMessage

__all__ = ["AuditEvent", "AuditHead", "CalendarDay", "CalendarYear", "OutboundMessage"]
