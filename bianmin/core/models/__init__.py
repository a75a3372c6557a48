from .audit import AuditEvent, AuditHead
from .calendar import CalendarDay, CalendarYear

__all__ = ["AuditEvent", "AuditHead", "CalendarDay", "CalendarYear"]
