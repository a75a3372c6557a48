"""Every write on alerts and rule settings: a supervisor confirms, dismisses or resolves an alert, and sets a rule's
mode and severity; and the notification of newly opened alerts (inbox always, SMS/e-mail through the outbox).

Only supervisors write here (``is_supervisor``); each write locks its row, checks the move against ``ALERT_MOVES``
(``core.transitions``), and records an audit event in the same transaction. Cases are never changed.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bianmin.accounts.models import User
from bianmin.cases.models import Case
from bianmin.core import transitions
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.notify import notify
from bianmin.org.models import Role, RoleAssignment, Site, SiteLevel
from bianmin.org.permissions import is_supervisor

from ..models import Alert, InboxMessage, Level, RuleMode, RuleSetting, SupervisionOrder
from ..rules import RULES
from ..tally import sweep_lock, tally_take_off

# Roles held at a site: the alert reaches their holders at the alert's site; other roles at its department.
SITE_ROLES = (Role.CLERK, Role.AGENT)
NOTE_MAX_LENGTH = 2000

# action -> the states it may start from: the one table of a supervisor's moves on an alert (its page offers them).
ALERT_MOVES: dict[str, frozenset[str]] = {
    "confirm": frozenset({Alert.State.PENDING_REVIEW}),
    "resolve": frozenset({Alert.State.OPEN}),
    "dismiss": frozenset(Alert.LIVE_STATES),
}


def _require_supervisor(actor: User | None) -> None:
    if not is_supervisor(actor):
        raise PermissionDenied(_("Only a supervisor may do this."))


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Roles whose alerts go to the holders at the alert's site (the others' to the holders in its department).
SITE_ROLES = (Role.CLERK, Role.AGENT, Role.CENTRE_ADMIN)


def _recipients_sql(alert_condition: str) -> str:
    """(user_id, alert_id) of the people an alert reaches: holders of its responsible role (at its site for clerks,
    agents and centre administrators, in its department otherwise) and its department's heads. Supervisors see the
    feed instead."""
    alert, role = _quoted(Alert), _quoted(RoleAssignment)
    # A department role counts department-wide (no site, or a county site), or at the alert's own site: a town's
    # reviewer (镇分管领导) hears of their town's steps, not of the department's everywhere.
    where = (
        f"(ra.site_id IS NULL OR ra.site_id = a.site_id OR EXISTS (SELECT 1 FROM {_quoted(Site)} s "
        f"WHERE s.id = ra.site_id AND s.level = '{SiteLevel.COUNTY.value}'))"
    )
    branches = (
        "ra.role = a.responsible_role AND a.responsible_role IN (%s, %s, %s) AND ra.site_id = a.site_id",
        "ra.role = a.responsible_role AND a.responsible_role NOT IN (%s, %s, %s) "
        f"AND ra.department_id = a.department_id AND {where}",
        f"ra.role = %s AND ra.department_id = a.department_id AND {where}",
    )
    return " UNION ".join(
        f"SELECT ra.user_id AS user_id, a.id AS alert_id FROM {alert} a JOIN {role} ra ON {branch} "
        f"WHERE ra.is_active = %s AND {alert_condition}"
        for branch in branches
    )


def alerts_notify_opened(*, now: datetime.datetime, after_id: int | None = None, alert: Alert | None = None) -> int:
    """Tell the people behind newly opened alerts (those above ``after_id``, or one ``alert``): one inbox message
    per alert and person in one INSERT … SELECT, then one SMS/e-mail per person summing up their new alerts.

    Returns the number of inbox messages written. Runs inside the caller's transaction; the outbox sends after
    commit."""
    if alert is not None:
        condition, condition_params = "a.id = %s", [alert.pk]
    else:
        condition, condition_params = "a.id > %s AND a.state = %s", [after_id or 0, Alert.State.OPEN]
    branch_params = [
        *(*SITE_ROLES, True, *condition_params),
        *(*SITE_ROLES, True, *condition_params),
        *(Role.DEPARTMENT_HEAD, True, *condition_params),
    ]
    levels = [(value, f"【{label}】") for value, label in Level.choices]
    names = [(code, f"{rule.name} ") for code, rule in RULES.items()]
    level_case = "CASE a.level " + " ".join("WHEN %s THEN %s" for _ in levels) + " ELSE '' END"
    name_case = "CASE a.rule " + " ".join("WHEN %s THEN %s" for _ in names) + " ELSE a.rule END"
    url_prefix = reverse("supervision:alerts")
    sql = (
        f"INSERT INTO {_quoted(InboxMessage)} (recipient_id, alert_id, subject, body, url, created_at) "
        f"SELECT r.user_id, a.id, {level_case} || {name_case} || COALESCE(c.tracking_number, o.number, ''), '', "
        f"%s || CAST(a.id AS VARCHAR(20)) || '/', %s "
        f"FROM ({_recipients_sql(condition)}) r "
        f"JOIN {_quoted(Alert)} a ON a.id = r.alert_id "
        f"JOIN {_quoted(User)} u ON u.id = r.user_id "
        f"LEFT JOIN {_quoted(Case)} c ON c.id = a.case_id "
        f"LEFT JOIN {_quoted(SupervisionOrder)} o ON o.id = a.order_id "
        f"WHERE u.is_active = %s"
    )
    params = [
        *(value for pair in levels for value in pair),
        *(str(value) for pair in names for value in pair),
        url_prefix,
        now,
        *branch_params,
        True,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, _adapted(params, now))
        written = max(cursor.rowcount, 0)
    if written:
        _text_new_alerts(now=now, after_id=after_id, alert=alert)
    return written


def _adapted(params: list, now: datetime.datetime) -> list:
    # A raw cursor gets the database's form of a datetime (naive UTC text on SQLite), as the ORM would write it.
    return [connection.ops.adapt_datetimefield_value(value) if value is now else value for value in params]


def _text_new_alerts(*, now: datetime.datetime, after_id: int | None, alert: Alert | None) -> None:
    """One SMS/e-mail per person, whatever the number of their new alerts (the inbox lists them all)."""
    messages = InboxMessage.objects.filter(created_at=now)
    messages = messages.filter(alert=alert) if alert is not None else messages.filter(alert_id__gt=after_id or 0)
    per_person = {
        row["recipient_id"]: row
        for row in messages.order_by().values("recipient_id").annotate(count=Count("id"), subject=Max("subject"))
    }
    people = User.objects.filter(pk__in=per_person, is_active=True).exclude(phone="", email="")
    for person in people.only("phone", "email"):
        row = per_person[person.pk]
        if row["count"] == 1:
            subject = row["subject"]
        else:
            subject = ngettext("%(count)d new supervision alert", "%(count)d new supervision alerts", row["count"]) % {
                "count": row["count"]
            }
        notify(
            phone=person.phone,
            email=person.email,
            subject=subject,
            body=_("%(subject)s. See the inbox of the workbench.") % {"subject": subject},
            obj=alert,
            event="supervision_alert",
        )


def _lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _audit(actor: User, action: str, alert: Alert, now: datetime.datetime, **payload) -> None:
    audit_record(actor=actor, action=action, obj=alert, payload={"rule": alert.rule, **payload}, occurred_at=now)


@transaction.atomic
def alert_confirm(*, actor: User, alert: Alert, now: datetime.datetime | None = None) -> Alert:
    """Manual review: a supervisor confirms a pending alert; it opens and its people are told."""
    now = now or timezone.now()
    _require_supervisor(actor)
    alert = _lock(alert)
    transitions.check_transition(
        ALERT_MOVES, "confirm", alert.state, message=_("Only an alert awaiting review can be confirmed.")
    )
    alert.state = Alert.State.OPEN
    alert.save(update_fields=["state"])
    _audit(actor, "alert.confirm", alert, now)
    alerts_notify_opened(now=now, alert=alert)
    return alert


@transaction.atomic
def alert_dismiss(*, actor: User, alert: Alert, reason: str, now: datetime.datetime | None = None) -> Alert:
    """Manual review: a supervisor finds a pending (or open) alert unfounded and says why; it is kept as history."""
    now = now or timezone.now()
    _require_supervisor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the alert is dismissed."), code="reason_required")
    sweep_lock()  # the tally's changes are serialised with the sweep's
    alert = _lock(alert)
    transitions.check_transition(ALERT_MOVES, "dismiss", alert.state, message=_("This alert is already closed."))
    alert.state = Alert.State.DISMISSED
    alert.close_reason = Alert.CloseReason.DISMISSED
    alert.closed_at, alert.closed_by, alert.note = now, actor, reason[:NOTE_MAX_LENGTH]
    alert.save(update_fields=["state", "close_reason", "closed_at", "closed_by", "note"])
    tally_take_off(alert)
    _audit(actor, "alert.dismiss", alert, now, reason=alert.note)
    return alert


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert, note: str, now: datetime.datetime | None = None) -> Alert:
    """An open anomaly (an event: it does not close by itself) is closed by a supervisor, who records how it was
    handled. A clock alert closes itself when its cause is gone; a supervisor may still close it with a note."""
    now = now or timezone.now()
    _require_supervisor(actor)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Record how the alert was handled."), code="note_required")
    sweep_lock()  # the tally's changes are serialised with the sweep's
    alert = _lock(alert)
    transitions.check_transition(ALERT_MOVES, "resolve", alert.state, message=_("Only an open alert can be resolved."))
    alert.state = Alert.State.CLOSED
    alert.close_reason = Alert.CloseReason.RESOLVED
    alert.closed_at, alert.closed_by, alert.note = now, actor, note[:NOTE_MAX_LENGTH]
    alert.save(update_fields=["state", "close_reason", "closed_at", "closed_by", "note"])
    tally_take_off(alert)
    _audit(actor, "alert.resolve", alert, now, note=alert.note)
    return alert


@transaction.atomic
def rule_setting_update(
    *, actor: User, rule: str, mode: str, level: str, now: datetime.datetime | None = None
) -> RuleSetting:
    """A supervisor sets a rule to automatic, manual review or off, with its severity. It applies from the next
    sweep: alerts already raised keep their severity, and turning a rule off leaves its live alerts as they are."""
    now = now or timezone.now()
    _require_supervisor(actor)
    found = RULES.get(rule)
    if found is None:
        raise DomainError(_("There is no such rule."), code="unknown_rule")
    if mode not in RuleMode.values:
        raise DomainError(_("Choose automatic, manual review or off."), code="invalid_mode")
    if level not in Level.values:
        raise DomainError(_("Choose a severity."), code="invalid_level")
    setting = RuleSetting.objects.select_for_update().filter(rule=rule).first()
    before = (setting.mode, setting.level) if setting else (found.default_mode, found.default_level)
    if setting is None:
        setting = RuleSetting(rule=rule)
    setting.mode, setting.level, setting.updated_by = mode, level, actor
    setting.save()
    audit_record(
        actor=actor,
        action="rule_setting.update",
        obj=setting,
        payload={"rule": rule, "mode": mode, "level": level, "before": list(before)},
        occurred_at=now,
    )
    return setting


# --- The staff inbox: marking read is the reader's own bookkeeping, not a record of the administration, so it is
# not in the audit chain.


def inbox_mark_read(*, actor: User, message: InboxMessage, now: datetime.datetime | None = None) -> int:
    """Mark one of the actor's own messages read (someone else's message is never touched)."""
    return InboxMessage.objects.filter(pk=message.pk, recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def inbox_mark_all_read(*, actor: User, now: datetime.datetime | None = None) -> int:
    return InboxMessage.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now or timezone.now())
