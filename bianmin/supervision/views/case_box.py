"""Supervision's box on the staff case page (cases.page_boxes): the case's alerts and supervision orders."""

from __future__ import annotations

from django.db.models import Q

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.org.permissions import is_supervisor

from ..rules import RULES
from ..selectors.alerts import alerts_visible_to, sees_alerts
from ..selectors.orders import orders_visible_to


def supervision_case_box(user: User, case: Case) -> tuple[str, dict] | None:
    """The case's alerts (live and closed) and supervision orders for those who watch cases; two queries."""
    if not sees_alerts(user):
        return None
    alerts = alerts_visible_to(user).filter(case=case).order_by("-raised_at", "-pk")[:50]
    orders = orders_visible_to(user).filter(Q(case=case) | Q(alert__case=case)).order_by("-issued_at", "-pk")
    rows = [{"alert": alert, "rule": RULES[alert.rule].name if alert.rule in RULES else alert.rule} for alert in alerts]
    context = {"alerts": rows, "orders": list(orders[:50]), "may_issue": is_supervisor(user)}
    return "supervision/case_box.html", context
