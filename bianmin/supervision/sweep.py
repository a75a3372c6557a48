"""The alert sweep: every rule of ``rules.RULES`` in a handful of SQL statements, never a loop over cases.

Per rule: one ``INSERT INTO supervision_alert … SELECT`` raises an alert for every cause that has none (a
condition rule: no live alert; an event rule: no alert ever), compiled from the rule's queryset; one ``UPDATE``
closes the live alerts of a condition rule whose cause is gone. Re-running raises nothing twice; a cause that
comes back after its alert closed gets a new alert, and the closed one stays as history.

Sweeps are serialised on the ``SweepRun`` row and each runs in one transaction. The condition rules look at every
open case each time (their indexes make that cheap). The event rules look at the cases with an audit event or a
notice newer than the last sweep's cursors (a change made through the services is seen within a minute) and at the
rolling review's share of every case: the next cases by id, as many as the time since the last sweep is a share of
``REVIEW_PERIOD`` (a day), so each case is looked at again once a day — a record imported or edited by hand is seen
within a day — at a cost spread evenly over the day's sweeps instead of one sweep reading every case of the county's
history. The first sweep, a sweep a day or more after the last one, and ``full=True`` look at every case.
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, CharField, DateField, DateTimeField, Exists, Max, OuterRef, Q, Value
from django.utils import timezone

from bianmin.cases.models import Case, Notice
from bianmin.core.audit import audit_record
from bianmin.core.models import AuditEvent

from .models import Alert, RuleMode
from .rules import CAUSE_COLUMNS, RULES, SHANGHAI, Rule, SweepContext, rule_settings
from .tally import sweep_lock, tally_rebuild

# The Alert columns the sweep writes, and the annotation that fills each one, in the same order.
ALERT_COLUMNS = (
    "rule",
    "key",
    "level",
    "is_anomaly",
    "state",
    "case_id",
    "task_id",
    "order_id",
    "site_id",
    "department_id",
    "item_id",
    "responsible_role",
    "due",
    "raised_at",
    "raised_on",
    "close_reason",
    "note",
)
SELECTED = (
    "a_rule",
    "a_key",
    "a_level",
    "a_is_anomaly",
    "a_state",
    *CAUSE_COLUMNS[1:],
    "a_raised_at",
    "a_raised_on",
    "a_close_reason",
    "a_note",
)


@dataclass
class SweepResult:
    started_at: datetime.datetime
    is_full: bool
    # The case ids the event rules looked at besides the changed cases: ``(after, upto]``.
    reviewed: tuple[int, int] = (0, 0)
    raised: dict[str, int] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)
    notified: int = 0
    duration_ms: int = 0

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

    @property
    def total_closed(self) -> int:
        return sum(self.closed.values())

    def as_dict(self) -> dict:
        return {
            "raised": self.raised,
            "closed": self.closed,
            "notified": self.notified,
            "is_full": self.is_full,
            "reviewed": list(self.reviewed),
            "duration_ms": self.duration_ms,
        }


def _insert_sql(rule: Rule, ctx: SweepContext, mode: str, level: str) -> tuple[str, tuple]:
    """The INSERT … SELECT that raises ``rule``'s new alerts, compiled from its queryset."""
    causes = rule.causes(ctx)
    already = Alert.objects.filter(rule=rule.code, key=OuterRef("a_key"))
    if rule.clears:
        # A live alert, or one a supervisor dismissed for this very deadline: a dismissal holds until the
        # deadline moves (a new due date missed again is a new cause).
        already = already.filter(Q(state__in=Alert.LIVE_STATES) | Q(state=Alert.State.DISMISSED, due=OuterRef("a_due")))
    state = Alert.State.PENDING_REVIEW if mode == RuleMode.MANUAL else Alert.State.OPEN
    rows = (
        causes.filter(~Exists(already))
        .annotate(
            a_rule=Value(rule.code, output_field=CharField()),
            a_level=Value(level, output_field=CharField()),
            a_is_anomaly=Value(rule.is_anomaly, output_field=BooleanField()),
            a_state=Value(state, output_field=CharField()),
            a_raised_at=Value(ctx.now, output_field=DateTimeField()),
            a_raised_on=Value(ctx.today, output_field=DateField()),
            a_close_reason=Value("", output_field=CharField()),
            a_note=Value("", output_field=CharField()),
        )
        # An event rule raises its alerts in the order of their causes (its partial index is on the key, so no
        # sort); a condition rule in the order of the index it searches (sorting by key would scan every row).
        .order_by(*([] if rule.clears else ["pk"]))
        .values_list(*SELECTED)
    )
    # values_list keeps the order it is given, annotations included (checked here, as Django has changed this).
    selected = list(getattr(rows.query, "selected", None) or SELECTED)
    if selected != list(SELECTED):
        raise RuntimeError(f"Unexpected column order for {rule.code}: {selected}")
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(column) for column in ALERT_COLUMNS)
    return f"INSERT INTO {connection.ops.quote_name(Alert._meta.db_table)} ({columns}) {sql}", params


def _raise(rule: Rule, ctx: SweepContext, mode: str, level: str) -> int:
    sql, params = _insert_sql(rule, ctx, mode, level)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _clear(rule: Rule, ctx: SweepContext) -> int:
    return (
        Alert.objects.filter(rule=rule.code, state__in=Alert.LIVE_STATES)
        .exclude(rule.cause_remains(ctx))
        .update(state=Alert.State.CLOSED, close_reason=Alert.CloseReason.CLEARED, closed_at=ctx.now)
    )


# Every case is looked at again by the event rules within this time (the rolling review).
REVIEW_PERIOD = datetime.timedelta(days=1)


def _review_share(run, now: datetime.datetime, last_case: int) -> tuple[int, int]:
    """The rolling review's range of case ids ``(after, upto]`` for a sweep at ``now``: the share of the cases the
    time since the last sweep is of ``REVIEW_PERIOD``, after the last case the previous share reached (from the
    first again once it reached the last)."""
    after = run.review_after if run.review_after < last_case else 0
    elapsed = max(now - run.started_at, datetime.timedelta(0))
    count = math.ceil(last_case * (elapsed / REVIEW_PERIOD))
    return after, min(after + count, last_case)


def sweep(*, now: datetime.datetime | None = None, full: bool | None = None) -> SweepResult:
    """Raise and close alerts for every rule that is on, and notify the people behind newly opened alerts.

    ``full``: event rules look at every case (default: only on the first sweep and after a day or more without one;
    otherwise at the changed cases and the rolling review's share).
    """
    from .services.alerts import alerts_notify_opened

    clock_start = time.perf_counter()
    now = now or timezone.now()
    today = timezone.localdate(now, SHANGHAI)
    with transaction.atomic():
        run = sweep_lock()
        if full is None:
            full = run.started_at is None or now - run.started_at >= REVIEW_PERIOD
        # Cursors are read before the rules run: whatever commits meanwhile is seen again next time (harmless).
        audit_last = AuditEvent.objects.aggregate(last=Max("sequence"))["last"] or 0
        notice_last = Notice.objects.aggregate(last=Max("pk"))["last"] or 0
        last_case = Case.objects.aggregate(last=Max("pk"))["last"] or 0
        review = (0, last_case) if full else _review_share(run, now, last_case)
        ctx = SweepContext(
            now=now,
            today=today,
            audit_after=None if full else run.audit_sequence,
            notice_after=None if full else run.notice_id,
            review=review,
        )
        result = SweepResult(started_at=now, is_full=full, reviewed=review)
        last_alert = Alert.objects.aggregate(last=Max("pk"))["last"] or 0
        for code, (mode, level) in rule_settings().items():
            rule = RULES[code]
            if mode == RuleMode.OFF or not rule.source_available:
                continue
            if rule.clears:
                result.closed[code] = _clear(rule, ctx)
            result.raised[code] = _raise(rule, ctx, mode, level)
        if result.total_raised or result.total_closed:
            tally_rebuild()
        result.notified = alerts_notify_opened(after_id=last_alert, now=now)
        result.duration_ms = round((time.perf_counter() - clock_start) * 1000)
        run.started_at, run.finished_at = now, now + datetime.timedelta(milliseconds=result.duration_ms)
        run.raised, run.closed, run.duration_ms = result.total_raised, result.total_closed, result.duration_ms
        run.audit_sequence, run.notice_id, run.review_after = audit_last, notice_last, review[1]
        run.save()
        if result.total_raised or result.total_closed:
            audit_record(
                actor=None,
                action="alert.sweep",
                obj=run,
                payload={
                    "raised": {code: count for code, count in result.raised.items() if count},
                    "closed": {code: count for code, count in result.closed.items() if count},
                    "full": full,
                },
                occurred_at=now,
            )
    return result
