"""The alert and anomaly rules (预警纠错): what each one watches, in SQL, and who answers for it.

A rule is either a *condition* (``clears=True``: a clock that is late now; its alert closes itself when the cause
is gone, e.g. the case is finished or an approved extension moved the deadline) or an *event* (``clears=False``:
something that happened and stays on record until a supervisor resolves it). Each rule gives the sweep
(``sweep.py``) a queryset of its causes, annotated with the alert's columns (``a_key``, ``a_case`` …), and a
condition rule also gives the test "is this alert's cause still there?". Nothing here loops over cases.

A supervisor sets each rule to automatic, manual review or off, with a severity (``RuleSetting``); a rule without
a setting runs with the defaults below.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Abs, Cast, Coalesce, Concat, Trim
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, Notice, ReviewTask, Status
from bianmin.catalog.models import FeeRule
from bianmin.complaints.models import Complaint
from bianmin.core.dates import SHANGHAI as SHANGHAI  # re-exported: the sweep and its command use it
from bianmin.core.dates import BeijingDate, EndOfBeijingDay
from bianmin.core.models import AuditEvent, CalendarDay
from bianmin.duty.models import DutyShift
from bianmin.org.models import Role, Site, SiteLevel
from bianmin.ratings.models import Rectification

from .models import Level, RuleMode, RuleSetting, SupervisionOrder
from .unheld_steps import unheld_step_causes, unheld_step_remains

# A case whose clock runs, and a case whose clock is paused but whose lateness is not cured by the pause.
CLOCK_RUNS = (Status.ACCEPTED,)
CLOCK_RUNS_OR_PAUSED = (Status.ACCEPTED, Status.SUSPENDED)
ORDER_AWAITS_DEPARTMENT = (SupervisionOrder.State.ISSUED, SupervisionOrder.State.RETURNED)
# Amounts are compared to the cent; SQLite keeps decimals as floating point, so sums are compared within half a cent.
HALF_A_CENT = Decimal("0.005")

# The columns each rule's queryset annotates, in the order of ``sweep.ALERT_COLUMNS`` less the constants.
CAUSE_COLUMNS = ("a_key", "a_case", "a_task", "a_order", "a_site", "a_department", "a_item", "a_role", "a_due")


@dataclass(frozen=True)
class SweepContext:
    """What a rule's queries need: the moment, its Beijing-time date, and which cases the event rules look at.

    ``audit_after``/``notice_after`` None: every case (a full sweep). Otherwise the incremental sweep looks only
    at cases with an audit event or a notice newer than these cursors (what changed since the last sweep), and at
    the cases whose id is in ``review`` (a range ``(after, upto]``: the rolling review's share of this sweep).
    """

    now: datetime.datetime
    today: datetime.date
    audit_after: int | None = None
    notice_after: int | None = None
    review: tuple[int, int] | None = None
    # What a rule reads once a sweep and uses twice (to raise and to clear), by the rule's own name for it.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_full(self) -> bool:
        return self.audit_after is None

    def changed(self, case_field: str = "pk") -> Q:
        """A Q limiting ``case_field`` to the cases that changed since the last sweep and the cases of the rolling
        review (everything when full)."""
        if self.is_full:
            return Q()
        audited = (
            AuditEvent.objects.filter(sequence__gt=self.audit_after, object_type=Case._meta.label_lower)
            .annotate(case_pk=Cast("object_id", BigIntegerField()))
            .order_by()
            .values("case_pk")
        )
        noticed = Notice.objects.filter(pk__gt=self.notice_after or 0).order_by().values("case_id")
        branches = [noticed]
        if self.review is not None and self.review[1] > self.review[0]:
            after, upto = self.review
            branches.append(Case.objects.filter(pk__gt=after, pk__lte=upto).order_by().values("pk"))
        # One IN over a UNION, not INs joined by OR: PostgreSQL turns a single IN into a semi-join that looks the
        # few changed cases up by key, but filters an OR of INs row by row over the whole partial index.
        return Q(**{f"{case_field}__in": audited.union(*branches)})


@dataclass(frozen=True)
class Rule:
    code: str
    name: str | Promise
    description: str | Promise
    is_anomaly: bool
    clears: bool
    default_level: str
    responsible_role: str
    default_mode: str = RuleMode.AUTOMATIC
    # A rule whose source is not built yet is listed and skipped.
    source_available: bool = True
    causes: Callable[[SweepContext], QuerySet] | None = None
    # Condition rules: an Exists over the cause, correlated with the alert's row (OuterRef("case_id") …).
    cause_remains: Callable[[SweepContext], Exists] | None = None


def _key(field: str = "pk") -> Cast:
    return Cast(field, output_field=CharField(max_length=60))


def _none() -> Value:
    return Value(None, output_field=IntegerField())


def _case_causes(cases: QuerySet, *, site: str, role: str, due: F | Value | None = None) -> QuerySet:
    return cases.annotate(
        a_key=_key(),
        a_case=F("pk"),
        a_task=_none(),
        a_order=_none(),
        a_site=F(site),
        a_department=F("department_id"),
        a_item=F("item_id"),
        a_role=Value(role, output_field=CharField()),
        a_due=due if due is not None else Value(None, output_field=DateField()),
    )


def _notice_causes(notices: QuerySet, *, role: str) -> QuerySet:
    return notices.annotate(
        a_key=_key(),
        a_case=F("case_id"),
        a_task=_none(),
        a_order=_none(),
        a_site=F("case__receiving_site_id"),
        a_department=F("case__department_id"),
        a_item=F("case__item_id"),
        a_role=Value(role, output_field=CharField()),
        a_due=Value(None, output_field=DateField()),
    )


# --- 1, 2: the case is past its promised or statutory deadline -------------------------------------------------


def _case_overdue_promised(ctx: SweepContext) -> QuerySet:
    # A suspended case raises nothing new (its clock is paused); an alert raised before the pause stays open.
    cases = Case.objects.filter(status__in=CLOCK_RUNS, promised_due__lt=ctx.today)
    return _case_causes(cases, site="current_site_id", role=Role.CHIEF_REPRESENTATIVE, due=F("promised_due"))


def _promised_remains(ctx: SweepContext) -> Exists:
    return Exists(
        Case.objects.filter(pk=OuterRef("case_id"), status__in=CLOCK_RUNS_OR_PAUSED, promised_due__lt=ctx.today)
    )


def _case_overdue_statutory(ctx: SweepContext) -> QuerySet:
    # The promised limit is never longer than the statutory one and both move together, so a case past its
    # statutory deadline is past its promised one too: that condition lets the (status, promised_due) index work.
    cases = Case.objects.filter(status__in=CLOCK_RUNS, promised_due__lt=ctx.today, statutory_due__lt=ctx.today)
    return _case_causes(cases, site="current_site_id", role=Role.CHIEF_REPRESENTATIVE, due=F("statutory_due"))


def _statutory_remains(ctx: SweepContext) -> Exists:
    return Exists(
        Case.objects.filter(pk=OuterRef("case_id"), status__in=CLOCK_RUNS_OR_PAUSED, statutory_due__lt=ctx.today)
    )


# --- 3: one review step is past its due date, even when the case as a whole is on time ------------------------


def _step_overdue(ctx: SweepContext) -> QuerySet:
    tasks = ReviewTask.objects.filter(state=ReviewTask.State.OPEN, due__lt=ctx.today, case__status__in=CLOCK_RUNS)
    return tasks.annotate(
        a_key=_key(),
        a_case=F("case_id"),
        a_task=F("pk"),
        a_order=_none(),
        a_site=F("site_id"),
        a_department=F("department_id"),
        a_item=F("case__item_id"),
        a_role=F("role"),
        a_due=F("due"),
    )


def _step_remains(ctx: SweepContext) -> Exists:
    # Resuming a suspended case moves its open steps' due dates, which clears their alerts.
    return Exists(
        ReviewTask.objects.filter(
            pk=OuterRef("task_id"),
            state=ReviewTask.State.OPEN,
            due__lt=ctx.today,
            case__status__in=CLOCK_RUNS_OR_PAUSED,
        )
    )


# --- 4, 5: notices: a second supplement notice, a refusal without reasons --------------------------------------


def _repeated_supplement(ctx: SweepContext) -> QuerySet:
    notices = Notice.objects.filter(ctx.changed("case_id"), kind=Notice.Kind.SUPPLEMENT, is_repeat=True)
    return _notice_causes(notices, role=Role.CLERK)


def _refusal_without_reasons(ctx: SweepContext) -> QuerySet:
    # The service refuses a refusal without reasons; such a notice comes from an import or a hand edit.
    notices = (
        Notice.objects.filter(ctx.changed("case_id"), kind=Notice.Kind.REFUSAL)
        .annotate(reasons_text=Coalesce(Trim(KT("content__reasons")), Value(""), output_field=TextField()))
        .filter(Q(reasons_text="") | Q(content__reasons=None))  # blank or missing, or a JSON null
    )
    return _notice_causes(notices, role=Role.CLERK)


def _gap(difference) -> Abs:
    return Abs(ExpressionWrapper(difference, output_field=DecimalField(max_digits=12, decimal_places=2)))


# --- 6: a fee off the published standard, or where none is set --------------------------------------------------


def _fee_off_standard(ctx: SweepContext) -> QuerySet:
    """ALL art. 58–59, as ``case_collect_fee`` applies it: the amount is one of the version's fixed fees, two of
    them or all of them together; a version with a formula fee (no fixed amount) takes any positive amount; a
    free version, or one listing no fee, takes none."""
    rules = FeeRule.objects.filter(version_id=OuterRef("version_id"))
    fixed = rules.filter(amount__isnull=False)
    one = fixed.annotate(gap=_gap(F("amount") - OuterRef("fee_amount"))).filter(gap__lt=HALF_A_CENT)
    two = fixed.filter(
        Exists(
            FeeRule.objects.filter(
                version_id=OuterRef(OuterRef("version_id")), amount__isnull=False, pk__gt=OuterRef("pk")
            )
            .annotate(gap=_gap(F("amount") + OuterRef("amount") - OuterRef(OuterRef("fee_amount"))))
            .filter(gap__lt=HALF_A_CENT)
        )
    )
    total = Subquery(fixed.order_by().values("version_id").annotate(total=Sum("amount")).values("total")[:1])
    cases = (
        Case.objects.filter(ctx.changed(), fee_amount__gt=0)
        .annotate(total_gap=_gap(total - F("fee_amount")))
        .exclude(
            Q(version__has_fee=True)
            & (Exists(rules.filter(amount__isnull=True)) | Exists(one) | Exists(two) | Q(total_gap__lt=HALF_A_CENT))
        )
    )
    return _case_causes(cases, site="current_site_id", role=Role.CLERK)


# --- 7, 8, 9: the order of the case's life ----------------------------------------------------------------------


def _decision_without_acceptance(ctx: SweepContext) -> QuerySet:
    cases = Case.objects.filter(ctx.changed(), decided_at__isnull=False).filter(
        Q(accepted_at__isnull=True) | Q(decided_at__lt=F("accepted_at"))
    )
    return _case_causes(cases, site="current_site_id", role=Role.CHIEF_REPRESENTATIVE)


def _late_acceptance(ctx: SweepContext) -> QuerySet:
    """ALL art. 32: accept, refuse or notify within 5 working days. Acceptance by law after the window means
    nobody acted in time, so it counts too."""
    # Accepted on a later Beijing date than the due date. These are the terms of the partial index
    # case_late_acceptance_idx (cases/models.py), which holds exactly these cases: keep them the same.
    cases = Case.objects.filter(ctx.changed(), supplement_count=0, accepted_at__gte=EndOfBeijingDay("acceptance_due"))
    return _case_causes(cases, site="receiving_site_id", role=Role.CLERK, due=F("acceptance_due"))


def _forwarded_late(ctx: SweepContext) -> QuerySet:
    """ALL art. 43: the lower level forwards an escalated case once its steps are done; later than the last of
    their due dates is late."""
    lower_due = Subquery(
        ReviewTask.objects.filter(case_id=OuterRef("pk"), is_parallel=False, due__isnull=False)
        .exclude(site_id=OuterRef("current_site_id"))
        .order_by("-due")
        .values("due")[:1],
        output_field=DateField(),
    )
    cases = (
        Case.objects.filter(ctx.changed(), forwarded_at__isnull=False)
        .annotate(lower_due=lower_due, forwarded_local=BeijingDate("forwarded_at"))
        .filter(forwarded_local__gt=F("lower_due"))
    )
    return _case_causes(cases, site="receiving_site_id", role=Role.CLERK, due=F("lower_due"))


def _duplicate_override(ctx: SweepContext) -> QuerySet:
    """禁止两头受理 (DOMAIN §1): a case registered beside the applicant's open case of the same item at another site
    or by another channel, on the clerk's stated reason (``Case.duplicate_of``, set by cases' case_submit). The
    terms are those of the partial index case_duplicate_override_idx: keep them the same."""
    cases = Case.objects.filter(ctx.changed(), duplicate_of__isnull=False)
    return _case_causes(cases, site="receiving_site_id", role=Role.CLERK)


# --- 10: a supervision order unanswered by its deadline --------------------------------------------------------


def _order_overdue(ctx: SweepContext) -> QuerySet:
    orders = SupervisionOrder.objects.filter(state__in=ORDER_AWAITS_DEPARTMENT, due__lt=ctx.today)
    return orders.annotate(
        a_key=_key(),
        a_case=F("case_id"),
        a_task=_none(),
        a_order=F("pk"),
        a_site=F("site_id"),
        a_department=F("department_id"),
        a_item=F("case__item_id"),
        a_role=Value(Role.CHIEF_REPRESENTATIVE, output_field=CharField()),
        a_due=F("due"),
    )


def _order_remains(ctx: SweepContext) -> Exists:
    return Exists(
        SupervisionOrder.objects.filter(pk=OuterRef("order_id"), state__in=ORDER_AWAITS_DEPARTMENT, due__lt=ctx.today)
    )


def _owed_past_due(rows: QuerySet) -> QuerySet:
    """The causes of a rule over rows owed by a due date (a rectification, a complaint): each row with its case,
    site and department, for the department's chief representative."""
    return rows.annotate(
        a_key=_key(),
        a_case=F("case_id"),
        a_task=_none(),
        a_order=_none(),
        a_site=F("site_id"),
        a_department=F("department_id"),
        a_item=F("case__item_id"),
        a_role=Value(Role.CHIEF_REPRESENTATIVE, output_field=CharField()),
        a_due=F("due"),
    )


def _still_owed(rows: QuerySet) -> Exists:
    # The alert's key is the row's id; the row leaving the owed states (or a later due date) clears it.
    return Exists(rows.filter(pk=Cast(OuterRef("key"), BigIntegerField())))


# --- 11: a bad review not rectified in time (国办发〔2019〕51号: 谁办理谁负责) -------------------------------------


def _owed_rectifications(ctx: SweepContext) -> QuerySet:
    """Rectifications not done, under appeal or excluded past their due date."""
    return Rectification.objects.filter(state__in=Rectification.AWAITING, due__lt=ctx.today)


# --- 12: a complaint or 12345 work order past its running deadline ---------------------------------------------


def _late_complaints(ctx: SweepContext) -> QuerySet:
    """The acceptance decision (5 working days) or the handling deadline of the complaint's kind is over and the
    complaint is still waiting for it (the partial index complaint_running_due_idx holds exactly these; its states
    are written as constants, core/queries.py)."""
    return Complaint.objects.filter(state__in_constants=Complaint.RUNNING_STATES, due__lt=ctx.today)


# --- 13: a town hall without a cadre on duty on a working day (the plan: 干部值班) ------------------------------------


def _duty_missing(ctx: SweepContext) -> QuerySet:
    """Active town halls with no shift on the roster today, when today is a working day. One cause per site and day
    (key ``<site id>:<date>``), so tomorrow's gap is a new alert."""
    on_duty = DutyShift.objects.filter(site_id=OuterRef("pk"), date=ctx.today)
    working_day = CalendarDay.objects.filter(date=ctx.today, is_workday=True)
    halls = Site.objects.filter(Exists(working_day), ~Exists(on_duty), level=SiteLevel.TOWN, is_active=True)
    return halls.annotate(
        **{
            "a_key": Concat(_key(), Value(f":{ctx.today.isoformat()}"), output_field=CharField(max_length=60)),
            "a_case": _none(),
            "a_task": _none(),
            "a_order": _none(),
            "a_site": F("pk"),
            "a_department": _none(),
            "a_item": _none(),
            "a_role": Value(Role.CENTRE_ADMIN, output_field=CharField()),
            "a_due": Value(ctx.today, output_field=DateField()),
        }
    )


def _duty_remains(ctx: SweepContext) -> Exists:
    return ~Exists(DutyShift.objects.filter(site_id=OuterRef("site_id"), date=OuterRef("due")))


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            code="case_overdue_promised",
            name=_("Case past its promised deadline"),
            description=_(
                "An accepted case is still undecided after its promised deadline. Closes itself when the case is "
                "finished or an approved extension or a suspension moves the deadline."
            ),
            is_anomaly=False,
            clears=True,
            default_level=Level.YELLOW,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=_case_overdue_promised,
            cause_remains=_promised_remains,
        ),
        Rule(
            code="case_overdue_statutory",
            name=_("Case past its statutory deadline"),
            description=_(
                "An accepted case is still undecided after the time limit set by law. Closes itself when the case "
                "is finished or its deadline moves."
            ),
            is_anomaly=False,
            clears=True,
            default_level=Level.RED,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=_case_overdue_statutory,
            cause_remains=_statutory_remains,
        ),
        Rule(
            code="step_overdue",
            name=_("Review step past its due date"),
            description=_(
                "One review step is still open after its due date, even when the case as a whole is on time. "
                "Closes itself when the step is done or its due date moves."
            ),
            is_anomaly=False,
            clears=True,
            default_level=Level.WARNING,
            responsible_role="",
            causes=_step_overdue,
            cause_remains=_step_remains,
        ),
        Rule(
            code="repeated_supplement",
            name=_("Repeated supplement notice"),
            description=_("A second supplement notice was issued on a case: the law asks for one complete notice."),
            is_anomaly=True,
            clears=False,
            default_level=Level.YELLOW,
            responsible_role=Role.CLERK,
            causes=_repeated_supplement,
        ),
        Rule(
            code="refusal_without_reasons",
            name=_("Refusal without reasons"),
            description=_("A notice of refusal to accept states no reasons."),
            is_anomaly=True,
            clears=False,
            default_level=Level.RED,
            responsible_role=Role.CLERK,
            causes=_refusal_without_reasons,
        ),
        Rule(
            code="fee_off_standard",
            name=_("Fee off the published standard"),
            description=_(
                "A fee was collected that differs from the item's published standard, or on an item that sets no fee."
            ),
            is_anomaly=True,
            clears=False,
            default_level=Level.SERIOUS,
            responsible_role=Role.CLERK,
            causes=_fee_off_standard,
        ),
        Rule(
            code="decision_without_acceptance",
            name=_("Decision recorded without acceptance"),
            description=_("A decision is recorded on a case that was never accepted, or before it was accepted."),
            is_anomaly=True,
            clears=False,
            default_level=Level.SERIOUS,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=_decision_without_acceptance,
        ),
        Rule(
            code="late_acceptance",
            name=_("Acceptance after the 5-working-day window"),
            description=_(
                "The application was accepted after the 5 working days the law allows for accepting, refusing or "
                "asking for materials (acceptance by law included: nobody acted in time)."
            ),
            is_anomaly=True,
            clears=False,
            default_level=Level.YELLOW,
            responsible_role=Role.CLERK,
            causes=_late_acceptance,
        ),
        Rule(
            code="forwarded_late",
            name=_("Escalated case forwarded late"),
            description=_(
                "An escalated case reached the deciding level after the due date of the lower level's last step."
            ),
            is_anomaly=True,
            clears=False,
            default_level=Level.WARNING,
            responsible_role=Role.CLERK,
            causes=_forwarded_late,
        ),
        Rule(
            code="duplicate_override",
            name=_("Application registered beside an open one"),
            description=_(
                "One application, one place: a case was registered although the applicant's case for the same item "
                "was open at another site or by another channel; the clerk's reason is on the case."
            ),
            is_anomaly=True,
            clears=False,
            default_level=Level.YELLOW,
            responsible_role=Role.CLERK,
            causes=_duplicate_override,
        ),
        Rule(
            code="order_overdue",
            name=_("Supervision order unanswered by its deadline"),
            description=_(
                "A department has not responded to a supervision order (or to its return) by the deadline. Closes "
                "itself when the department responds or the order is withdrawn."
            ),
            is_anomaly=True,
            clears=True,
            default_level=Level.RED,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=_order_overdue,
            cause_remains=_order_remains,
        ),
        Rule(
            code="duty_missing",
            name=_("Town hall without a cadre on duty"),
            description=_(
                "A town hall has nobody on its duty roster on a working day. Closes itself when a shift is set for "
                "that day."
            ),
            is_anomaly=False,
            clears=True,
            default_level=Level.WARNING,
            responsible_role=Role.CENTRE_ADMIN,
            causes=_duty_missing,
            cause_remains=_duty_remains,
        ),
        Rule(
            code="bad_review_not_rectified",
            name=_("Bad review not rectified in time"),
            description=_("A bad review was not verified, rectified and called back within its deadline."),
            is_anomaly=True,
            clears=True,
            default_level=Level.YELLOW,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=lambda ctx: _owed_past_due(_owed_rectifications(ctx)),
            cause_remains=lambda ctx: _still_owed(_owed_rectifications(ctx)),
        ),
        Rule(
            code="complaint_overdue",
            name=_("Complaint not handled in time"),
            description=_(
                "A complaint or a 12345 work order got no acceptance decision within 5 working days, or no reply "
                "within the working days of its kind. Closes itself when it is answered."
            ),
            is_anomaly=True,
            clears=True,
            default_level=Level.RED,
            responsible_role=Role.CHIEF_REPRESENTATIVE,
            causes=lambda ctx: _owed_past_due(_late_complaints(ctx)),
            cause_remains=lambda ctx: _still_owed(_late_complaints(ctx)),
        ),
        Rule(
            code="step_role_unheld",
            name=_("Step with nobody to take it"),
            description=_(
                "An open step of a case has nobody holding its role at the site where it is done, so the case would "
                "stall. Closes itself when someone holds the role there or the step is done."
            ),
            is_anomaly=False,
            clears=True,
            default_level=Level.YELLOW,
            responsible_role=Role.CENTRE_ADMIN,
            causes=lambda ctx: unheld_step_causes(_key, ctx.memo),
            cause_remains=lambda ctx: unheld_step_remains(ctx.memo),
        ),
    )
}


def rule_settings() -> dict[str, tuple[str, str]]:
    """Every rule's (mode, level): the supervisors' settings over the defaults, in one query."""
    chosen = {rule: (mode, level) for rule, mode, level in RuleSetting.objects.values_list("rule", "mode", "level")}
    return {code: chosen.get(code, (rule.default_mode, rule.default_level)) for code, rule in RULES.items()}
