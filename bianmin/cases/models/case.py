"""A case (办件) and its access rows and counters: the row every list reads, the keys it answers to."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.catalog.models import ServiceItem, ServiceItemVersion
from bianmin.core.dates import EndOfBeijingDay
from bianmin.org.models import Department, Site


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a window")
    AGENCY = "agency", _("Through an agent")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft (not submitted)")
    RECEIVED = "received", _("Received, awaiting acceptance")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Waiting for supplementary materials")
    ACCEPTED = "accepted", _("Accepted, under review")
    SUSPENDED = "suspended", _("Suspended for a special procedure")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    REFUSED = "refused", _("Not accepted")
    WITHDRAWN = "withdrawn", pgettext_lazy("case status", "Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.SUSPENDED]


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    OTHER = "other", _("Other identity document")


class DeliveryMethod(models.TextChoices):
    # At a counter of the case's delivery site (``Case.delivery_site``): the site that received it, the village
    # room that relayed it, or the deciding site if the applicant chose so at intake (结果反馈).
    WINDOW = "window", _("Collect at a service counter")
    POST = "post", _("By post")


class DeliveryChoice(models.TextChoices):
    """The applicant's choice at intake of where the result goes back (printed on the receipt)."""

    WHERE_APPLIED = "where_applied", _("Collect where I applied")
    DECIDING_SITE = "deciding_site", _("Collect at the deciding site")
    POST = "post", _("By post")


QUERY_CODE_DIGITS = 8


def query_code_new() -> str:
    """A case's query code (查询码): 8 random digits, 10^8 possibilities, from the operating system's generator."""
    return f"{secrets.randbelow(10**QUERY_CODE_DIGITS):0{QUERY_CODE_DIGITS}d}"


class Case(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True, null=True, blank=True)
    # The applicant's secret for the public tracking page, with the tracking number: printed on their part of the
    # receipt and sent in the intake SMS, never guessable from the applicant's documents.
    query_code = models.CharField(_("query code"), max_length=QUERY_CODE_DIGITS, default=query_code_new)
    item = models.ForeignKey(ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        ServiceItemVersion, verbose_name=_("item version"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)

    # Who applies.
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_id_type = models.CharField(_("identity document"), max_length=12, choices=IdType.choices)
    applicant_id_number = models.CharField(_("document number"), max_length=40)
    applicant_phone = models.CharField(_("mobile phone"), max_length=20)
    applicant_address = models.CharField(_("address"), max_length=200, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("online account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    details = models.TextField(_("what is applied for"), blank=True)

    # Where it is: received at, relayed from, handled now.
    receiving_site = models.ForeignKey(
        Site, verbose_name=_("receiving site"), on_delete=models.PROTECT, related_name="received_cases"
    )
    current_site = models.ForeignKey(
        Site, verbose_name=_("site handling it now"), on_delete=models.PROTECT, related_name="current_cases"
    )
    relay_site = models.ForeignKey(
        Site,
        verbose_name=_("relaying site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relayed_cases",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_cases",
    )
    agency_authorisation = models.CharField(_("authorisation of the agent"), max_length=200, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # The law's clocks, in local dates.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    acceptance_due = models.DateField(_("accept or notify by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_deemed_accepted = models.BooleanField(_("accepted by law after 5 working days"), default=False)
    promised_due = models.DateField(_("promised deadline"), null=True, blank=True)
    statutory_due = models.DateField(_("statutory deadline"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(_("deadlines use a provisional calendar"), default=False)
    suspended_days = models.PositiveSmallIntegerField(_("working days suspended"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("working days of approved extension"), default=0)
    supplement_count = models.PositiveSmallIntegerField(_("supplement notices"), default=0)
    # Materials still missing or defective (kept by the intake services): acceptance waits while there are any
    # (workflow.PRECONDITIONS and case_accept), unless the law has already accepted the case (ALL art. 32).
    materials_outstanding = models.PositiveSmallIntegerField(_("materials outstanding"), default=0)
    # 禁止两头受理: registered although this applicant's case for the same item was open (``duplicate_of``), with the
    # clerk's reason; supervision's rule duplicate_override reads it.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("registered beside the open case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate_reason = models.CharField(_("why registered beside the open case"), max_length=300, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded to the deciding level at"), null=True, blank=True)
    # The running clock read from the row itself (kept by cases/clock.py after every move, a calendar change and
    # a yellow-threshold change): the deadline it runs to (acceptance while received, the promised deadline once
    # accepted, none otherwise), that date's working-day ordinal, and the ordinal of the first day it is yellow.
    # A colour is then a comparison with today's date and ordinal: no calendar lookup per case.
    clock_due = models.DateField(_("running deadline"), null=True, blank=True, editable=False)
    clock_due_ordinal = models.IntegerField(null=True, blank=True, editable=False)
    yellow_ordinal = models.IntegerField(null=True, blank=True, editable=False)

    # The outcome.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reasons = models.TextField(_("reasons"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    certificate_due = models.DateField(_("certificate due by"), null=True, blank=True)
    certificate_issued_at = models.DateTimeField(_("certificate issued at"), null=True, blank=True)
    fee_amount = models.DecimalField(_("fee collected (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    fee_receipt_number = models.CharField(_("fee receipt number"), max_length=40, blank=True)
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    # Result feedback (结果反馈): the method and the site where the result is handed over are chosen at intake (the
    # receiving or relaying site unless the applicant chose otherwise). When the result is ready at another site,
    # it is sent there: the case moves to the delivery site (``current_site``) and ``sent_from_site`` keeps the
    # site that sent it, so that site still sees the case; the delivery site's clerk records its arrival.
    delivery_method = models.CharField(_("delivery"), max_length=8, choices=DeliveryMethod.choices, blank=True)
    delivery_site = models.ForeignKey(
        Site,
        verbose_name=_("delivery site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivered_cases",
    )
    sent_from_site = models.ForeignKey(
        Site,
        verbose_name=_("result sent from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_cases",
    )
    delivery_note = models.CharField(_("delivery note"), max_length=200, blank=True)
    ready_at = models.DateTimeField(_("ready for pickup at"), null=True, blank=True)
    result_arrived_at = models.DateTimeField(_("result arrived at the delivery site at"), null=True, blank=True)
    result_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("result received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    recipient_id_number = models.CharField(_("recipient's document number"), max_length=40, blank=True)
    post_tracking_number = models.CharField(_("postal tracking number"), max_length=40, blank=True)
    delivery_signed_at = models.DateTimeField(_("delivery receipt signed, recorded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # A case accepted in another system and imported (a town that ran its own system joins): its number there and
    # that system's name. It also gets a tracking number of ours (cases/services/imports.py says why).
    original_number = models.CharField(_("number in the original system"), max_length=40, blank=True)
    original_source = models.CharField(_("original system"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "current_site"], name="case_status_site_idx"),
            models.Index(fields=["status", "department"], name="case_status_department_idx"),
            models.Index(fields=["status", "acceptance_due"], name="case_status_acceptance_idx"),
            # With the department, the open-overdue count per department reads only this index.
            models.Index(fields=["status", "promised_due", "department"], name="case_status_promised_idx"),
            models.Index(fields=["receiving_site", "received_on"], name="case_ledger_idx"),
            models.Index(fields=["relay_site", "status"], name="case_relay_idx"),
            # The statistics count each day's cases by the date of each step (statistics/figures.py), and a
            # drill-down counts its cases from these indexes alone (the columns its conditions read are in them).
            models.Index(fields=["received_on"], name="case_received_on_idx"),
            models.Index(fields=["accepted_on", "is_deemed_accepted"], name="case_accepted_on_idx"),
            # PostgreSQL also keeps the status in it: every list of cases leaves drafts out (cases.selectors), and
            # without it a drill-down read each decided case's row to check that (a month's count at 10^6 cases:
            # 160 ms, 4 ms with it). SQLite has no INCLUDE (and its plans are left as they were).
            models.Index(
                fields=["decided_at", "promised_due", "statutory_due", "certificate_due"],
                include=["status"],
                name="case_decided_at_idx",
            ),
            models.Index(fields=["status", "closed_at"], name="case_status_closed_idx"),
            # The public results board (portal.results): decided cases newest first, all of them or one receiving
            # site's or one item's, read a page at a time by the keyset (decided_at, id).
            models.Index(fields=["-decided_at", "-id"], name="case_results_idx", condition=Q(decided_at__isnull=False)),
            models.Index(
                fields=["receiving_site", "-decided_at", "-id"],
                name="case_results_site_idx",
                condition=Q(decided_at__isnull=False),
            ),
            models.Index(
                fields=["item", "-decided_at", "-id"],
                name="case_results_item_idx",
                condition=Q(decided_at__isnull=False),
            ),
            models.Index(fields=["withdrawn_at"], name="case_withdrawn_at_idx"),
            # The applicant's API lists an online account's own applications newest first
            # (cases.selectors.applications_of); partial: only online applications have an account.
            models.Index(
                fields=["applicant_user", "-received_at", "-id"],
                name="case_applicant_user_idx",
                condition=Q(applicant_user__isnull=False),
            ),
            # One application, one place (禁止两头受理): intake looks up the applicant's open case of the item.
            # Partial: only the open cases (a tenth of them), and the lookup repeats these terms.
            models.Index(
                fields=["applicant_id_number", "item"],
                name="case_open_applicant_idx",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The alert sweep's event rules (supervision/rules.py) read these instead of every case: each index
            # holds only the cases a rule looks at (a fee was collected, the case was forwarded) or only the
            # anomalies themselves. A partial index serves a query whose WHERE repeats the index's terms, so the
            # rules filter with exactly these conditions (supervision/tests/test_sweep_plans.py checks the plans).
            # Keyed on the id: a rule reads them in the cases' order.
            models.Index(fields=["id"], name="case_fee_collected_idx", condition=Q(fee_amount__isnull=False)),
            models.Index(fields=["id"], name="case_forwarded_idx", condition=Q(forwarded_at__isnull=False)),
            models.Index(
                fields=["id"],
                name="case_decided_unaccepted_idx",
                condition=Q(decided_at__isnull=False)
                & (Q(accepted_at__isnull=True) | Q(decided_at__lt=F("accepted_at"))),
            ),
            models.Index(
                fields=["id"],
                name="case_late_acceptance_idx",
                condition=Q(supplement_count=0, accepted_at__gte=EndOfBeijingDay("acceptance_due")),
            ),
            models.Index(fields=["id"], name="case_duplicate_override_idx", condition=Q(duplicate_of__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(received_on__isnull=False), name="case_accepted_after_receipt"
            ),
            # One case per number of an original system: importing the same batch twice is refused, not doubled.
            models.UniqueConstraint(
                fields=["original_source", "original_number"],
                name="case_original_number_unique",
                condition=~Q(original_number=""),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseAccess(models.Model):
    """Who may see a case, as index keys (cases/access.py), with copies of the columns lists sort and count by.

    One row per key the case answers to: the site it is handled at, received at or relayed from (exactly, and
    every ancestor's subtree), each department that owns or reviews it, and "everything". A user's scope is a
    key or two (cases/access.py ``scope_keys``), so "the cases this clerk may see, most urgent first" is one
    range of an index, and the colour counts of a monitor are read from an index alone. Kept by the services
    in the transaction of every move (``case_access_refresh``); ``cases_index_rebuild`` recomputes them all.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access", db_index=False)
    key = models.BigIntegerField()
    # Whether the key comes from where the case is handled now (its current site, its own department): the
    # "my work" groups that mean "here" read this instead of the case's sites.
    is_current = models.BooleanField(default=False)
    status = models.CharField(max_length=24)
    # Open or decided and not yet delivered: what a work queue lists.
    is_work = models.BooleanField(default=False)
    # The running deadline, or the last date there is for cases without one (they sort last).
    sort_due = models.DateField()
    received_at = models.DateTimeField(null=True)
    yellow_ordinal = models.IntegerField(null=True)
    # On a department's row: which of its roles have a review step open on the case (access.STEP_ROLE_BITS, or'd),
    # so "review steps for me" of a department head or chief representative is a column, and a counter.
    open_steps = models.SmallIntegerField(default=0, db_default=0)
    # Where a decided case's result is on its way to the counter handing it over (结果反馈): access.RESULT_* (sent and
    # not yet arrived, or there to hand over), so the queue's groups of results are a column and a counter.
    result_stage = models.SmallIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_access_unique")]
        indexes = [
            # Partial: a query says "is_work" as a bare term, which an index can serve only as its condition.
            models.Index(
                fields=["key", "sort_due", "-received_at", "-case"],
                name="case_access_queue_idx",
                condition=Q(is_work=True),
            ),
            models.Index(fields=["key", "-received_at", "-case"], name="case_access_list_idx"),
            # The queue's results at the counters ("incoming", "handover": selectors.work_groups), in the queue's order:
            # without it their page walked every open case of the key first (they sort last, having no deadline).
            # ``is_current`` is not in it: a query's bare boolean term cannot fix an index column for SQLite, so the
            # order would be lost; the rows at a stage that are not current are the few results the site sent on.
            models.Index(
                fields=["key", "result_stage", "sort_due", "-received_at", "-case"],
                name="case_access_result_idx",
                condition=Q(is_work=True),
            ),
            # Colours: red is a range of the running deadline, yellow a range of the first yellow day.
            models.Index(fields=["key", "status", "sort_due", "is_current"], name="case_access_due_idx"),
            models.Index(fields=["key", "status", "yellow_ordinal", "sort_due"], name="case_access_yellow_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key}"


class CaseCount(models.Model):
    """How many cases answer to a key in each status (and whether the key is where they are handled now): the
    counts of the work queues' groups, the monitor's totals and the API's list, read without counting rows, and
    (``open_steps``) the department heads' and chief representatives' open review steps, (``result_stage``) the
    results on their way to a counter and those to hand over there.
    Kept with the access rows, in the same statement order (cases/access.py); a move that changes none of the
    status, the keys, the open steps and the result's stage writes nothing here."""

    key = models.BigIntegerField()
    status = models.CharField(max_length=24)
    is_current = models.BooleanField()
    # The access rows' ``open_steps``: the department roles' open review steps are counted too.
    open_steps = models.SmallIntegerField(default=0, db_default=0)
    # The access rows' ``result_stage``: the results on their way to a counter, and those there to hand over.
    result_stage = models.SmallIntegerField(default=0, db_default=0)
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "status", "is_current", "open_steps", "result_stage"], name="case_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}:{self.status}={self.cases}"


# ``CaseClockCount.yellow_ordinal`` of a case whose first yellow day is unknown (a date outside the calendar):
# after every real ordinal, so "yellow by today" never counts it.
UNKNOWN_YELLOW = 2_147_483_647


class CaseClockCount(models.Model):
    """How many running cases (received or accepted) answer to a key with each running deadline and first yellow
    day: a histogram of the access rows' clock columns, so a monitor's red, yellow and unknown counts are sums over
    a few hundred rows per key (bounded by the calendar), not ranges over the open cases.
    Kept with the access rows in the statement after the counts' (cases/access.py); a move that changes neither
    the clock nor the keys of a running case writes nothing here."""

    key = models.BigIntegerField()
    is_current = models.BooleanField()
    sort_due = models.DateField()
    # UNKNOWN_YELLOW when the access row's is empty.
    yellow_ordinal = models.IntegerField()
    cases = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "is_current", "sort_due", "yellow_ordinal"], name="case_clock_count_unique"
            ),
        ]
        # The rows that came down to nothing, cleared after each change (they would pile up as days pass).
        indexes = [models.Index(fields=["key"], name="case_clock_count_zero_idx", condition=Q(cases=0))]

    def __str__(self) -> str:
        return f"{self.key}:{self.sort_due}/{self.yellow_ordinal}={self.cases}"
