"""Every read of cases that a permission limits goes through here."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Case as CaseWhen
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from bianmin.accounts.models import User
from bianmin.core.queries import joins_as_written
from bianmin.org.models import Role, SiteLevel
from bianmin.org.selectors import sites_visible_to, user_scope

from .access import (
    RESULT_HANDOVER,
    RESULT_INCOMING,
    STEP_ROLE_BITS,
    access_rows,
    department_key,
    here_counts,
    open_steps_count,
    open_steps_values,
    scope_keys,
    site_key,
    subtree_key,
    visible_condition,
)
from .clock import today_ordinal
from .inquiries import inquiries_owned_by
from .models import QUERY_CODE_DIGITS, Case, CaseAccess, Extension, ReviewTask, Status


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases handled, received or relayed at a site in the user's scope, or of (or reviewed by) their department.

    Read through the cases' access keys (cases/access.py): a probe of one index per case, never a match of site
    paths. Lists that show a page of them in order read the keys' own index (``case_access_for``)."""
    scope = user_scope(user)
    if scope.is_empty:
        return Case.objects.none()
    cases = Case.objects.select_related("item", "version", "department", "receiving_site", "current_site")
    if scope.everything:
        return cases.exclude(status=Status.DRAFT)
    return cases.filter(visible_condition(scope_keys(scope))).exclude(status=Status.DRAFT)


def case_access_for(user: User) -> QuerySet[CaseAccess]:
    """The access rows of the cases the user may see: the index every ordered list of cases reads its page from.

    One row per case (see ``access.access_rows``)."""
    scope = user_scope(user)
    if scope.is_empty:
        return CaseAccess.objects.none()
    return access_rows(scope_keys(scope))


def page_of_cases(rows: QuerySet[CaseAccess], cases: QuerySet[Case]) -> list[Case]:
    """The cases of a page of access rows (ordered, sliced, ``values_list("case_id", flat=True)``), in its order."""
    ids = list(dict.fromkeys(rows))
    by_id = {case.pk: case for case in cases.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def case_get_for_user(user: User, pk: int) -> Case | None:
    """The case with its reference rows joined, read in the order written (``core.queries.joins_as_written``)."""
    cases = cases_visible_to(user).select_related("delivery_site", "sent_from_site").filter(pk=pk)
    with joins_as_written():
        return cases.first()


def _public_case(tracking_number: str) -> Case | None:
    """The case with this tracking number: the one lookup of the applicant's side, never an answer by itself."""
    if not tracking_number:
        return None
    return (
        Case.objects.select_related(
            "item", "version", "department", "current_site", "receiving_site", "relay_site", "delivery_site"
        )
        .filter(tracking_number=tracking_number.strip().upper())
        .first()
    )


def case_for_applicant(tracking_number: str, query_code: str = "", *, verified: Collection[int] = ()) -> Case | None:
    """The applicant's way to a case by its number: the number AND the case's query code (查询码, 8 random digits),
    printed on the applicant's part of the receipt and sent in the intake SMS; or the number of a case this session
    has verified already (``verified``: their ids, by the code or by the phone check)."""
    code = (query_code or "").strip()
    has_code = len(code) == QUERY_CODE_DIGITS and code.isdigit()
    if not has_code and not verified:
        return None
    case = _public_case(tracking_number)
    if case is None:
        return None
    if case.pk in verified or (has_code and secrets.compare_digest(case.query_code, code)):
        return case
    return None


def applications_of(user: User) -> QuerySet[Case]:
    """The online account's own applications (``applicant_user``), newest first: the applicant's API reads these
    only, so another person's case is not found. Read by the index ``case_applicant_user_idx``."""
    return (
        Case.objects.filter(applicant_user=user)
        .select_related("item", "version", "receiving_site")
        .order_by("-received_at", "-pk")
    )


def case_for_phone_check(tracking_number: str, id_tail: str) -> Case | None:
    """The tracking page's other way in: the number and the last six characters of the applicant's document
    number name the case whose phone is sent a code. Not enough to see the case: only with that code."""
    tail = (id_tail or "").strip().upper()
    if len(tail) != 6:
        return None
    case = _public_case(tracking_number)
    if case is None or not case.applicant_id_number.upper().endswith(tail):
        return None
    return case


def annotate_days_left(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """Working days left to the promised deadline of accepted cases (ALL art. 82), from the case's own row."""
    ordinal = today_ordinal(today)
    if ordinal is None:
        return cases.annotate(days_left=Value(None, output_field=IntegerField()))
    return cases.annotate(
        days_left=CaseWhen(
            When(status=Status.ACCEPTED, then=F("clock_due_ordinal") - Value(ordinal)),
            default=None,
            output_field=IntegerField(),
        )
    )


# --- My work: the queue's groups, as filters over the access rows ----------------------------------------------


def _department_roles(user: User) -> tuple[list[int], list[int]]:
    """The departments the user represents (chief representative or head) and those they head."""
    scope = user_scope(user)
    represented = sorted(scope.departments_of(Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD))
    headed = sorted(scope.departments_of(Role.DEPARTMENT_HEAD))
    return represented, headed


def _scope_site_ids(user: User) -> list[int]:
    """The ids of the sites in the user's scope (a handful), so steps and relays are matched by an index on the
    site, not by a match of paths per case."""
    return list(sites_visible_to(user).order_by("pk").values_list("pk", flat=True))


def _task_condition(user: User, represented: list[int], headed: list[int], site_ids: list[int]) -> Q:
    """permissions.can_complete_task as a filter over ReviewTask, so a whole queue is one query (``site_ids``:
    ``_scope_site_ids``)."""
    scope = user_scope(user)
    if user.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    window_roles = sorted({Role.CLERK, Role.AGENT} & scope.roles)
    if window_roles:
        condition |= Q(role__in=window_roles, site_id__in=site_ids)
    county = Q(site__level=SiteLevel.COUNTY)
    if represented:
        condition |= county & Q(role=Role.CHIEF_REPRESENTATIVE, department_id__in=represented)
    if headed:
        condition |= county & Q(role=Role.DEPARTMENT_HEAD, department_id__in=headed)
    # A town's reviewer: the department roles' steps of their department at their town.
    for assignment in scope.assignments:
        if assignment.site_id in scope.review_site_ids and assignment.role in STEP_ROLE_BITS:
            roles = [
                Role.CHIEF_REPRESENTATIVE,
                *([Role.DEPARTMENT_HEAD] if assignment.role == Role.DEPARTMENT_HEAD else []),
            ]
            condition |= Q(role__in=roles, department_id=assignment.department_id, site_id=assignment.site_id)
    return condition


def _current_at(user: User, keys: list[int]) -> Q:
    """Over the user's access rows: the case is handled now where one of these keys says (the rows' own
    ``is_current`` when the user's scope is exactly these keys; the superuser's rows are "everything")."""
    if user.is_superuser:
        return Q(is_current=True)  # the rows of "everything": every case is here
    if not keys:
        return Q(pk__in=[])
    if scope_keys(user_scope(user)) == keys:
        return Q(is_current=True)
    return Q(Exists(CaseAccess.objects.filter(case_id=OuterRef("case_id"), key__in=keys, is_current=True)))


def _counter_keys(user: User) -> list[int]:
    """The keys of the sites where the user serves at a counter (a clerk's or agent's: the town and its rooms, a
    county-level site), as ``scope_keys`` orders them."""
    scope = user_scope(user)
    if not {Role.CLERK, Role.AGENT} & scope.roles:
        return []
    return [subtree_key(pk) for pk in sorted(scope.subtree_site_ids)] + [
        site_key(pk) for pk in sorted(scope.exact_site_ids)
    ]


def _here(user: User, represented: list[int]) -> Q:
    """ "Here", over the user's access rows: the case is handled now at a site of the clerk's or agent's, or is of
    a department the user represents."""
    return _current_at(user, [department_key(pk) for pk in represented] + _counter_keys(user))


DECIDED = [Status.APPROVED, Status.DENIED]
# The groups that are "here, in this status" (disjoint), and the groups that are sets of cases of their own.
HERE_GROUPS = {
    "acceptance": [Status.RECEIVED],
    "supplement": [Status.SUPPLEMENT_REQUESTED],
    "suspended": [Status.SUSPENDED],
    "results": DECIDED,
}


def _pending_extensions(user: User, headed: list[int]) -> list[int]:
    """The cases with an extension request the user decides (of the departments they head): the few requested
    ones are read first, then kept if of those departments (their department keys), as two small lookups."""
    pending = list(
        Extension.objects.filter(state=Extension.State.REQUESTED).order_by("case_id").values_list("case_id", flat=True)
    )
    if user.is_superuser or not pending:
        return pending
    keys = [department_key(pk) for pk in headed]
    own = CaseAccess.objects.filter(case_id__in=pending, key__in=keys, is_current=True)
    return list(own.order_by("case_id").values_list("case_id", flat=True)) if keys else []


def _step_roles(user: User, represented: list[int], headed: list[int]) -> tuple[int, set[str]] | None:
    """For a department head or chief representative of one department (their scope is its key): the key and the
    roles whose review steps are theirs, so "review steps for me" is the rows' ``open_steps`` and its count a
    counter (cases/access.py). None for everyone else (their steps are matched on the steps themselves)."""
    scope = user_scope(user)
    if user.is_superuser or {Role.CLERK, Role.AGENT} & scope.roles or len(represented) != 1:
        return None
    key = department_key(represented[0])
    if scope_keys(scope) != [key]:
        return None
    # A head also completes the chief representative's steps (permissions.can_complete_task).
    roles = {Role.CHIEF_REPRESENTATIVE} | ({Role.DEPARTMENT_HEAD} if headed == represented else set())
    return key, roles


@dataclass(frozen=True)
class WorkGroups:
    """Each group of "my work" as a filter over the access rows of the cases the user may see, and when the steps
    group is read from the rows' ``open_steps`` (``_step_roles``), the department key and roles it counts."""

    groups: dict[str, Q]
    step_roles: tuple[int, set[str]] | None = None


def work_groups(user: User) -> WorkGroups:
    """The groups of the user's work queue ("my work"), read by ``cases_in_work_queue`` and ``queue_counts``."""
    scope = user_scope(user)
    represented, headed = _department_roles(user)
    here = _here(user, represented)
    step_roles = _step_roles(user, represented, headed)
    if step_roles is not None:
        steps = Q(status=Status.ACCEPTED, open_steps__in=open_steps_values(step_roles[1]))
    else:
        open_tasks = ReviewTask.objects.filter(
            _task_condition(user, represented, headed, _scope_site_ids(user)), state=ReviewTask.State.OPEN
        )
        steps = Q(status=Status.ACCEPTED, case_id__in=open_tasks.values("case_id"))
    extensions = _pending_extensions(user, headed)
    # Results at the user's counters (结果反馈; a result to hand over at a counter is at its site: access.RESULT_*):
    # sent here and not yet recorded as arrived; arrived (or ready where decided), to hand over.
    at_counters = _current_at(user, _counter_keys(user))
    groups = {name: here & Q(status__in=statuses) for name, statuses in HERE_GROUPS.items()}
    groups |= {
        "steps": steps,
        "extensions": Q(status__in=[Status.ACCEPTED, Status.SUSPENDED], case_id__in=extensions),
        "incoming": at_counters & Q(result_stage=RESULT_INCOMING),
        "handover": at_counters & Q(result_stage=RESULT_HANDOVER),
    }
    if not scope.can_write:
        groups = {name: Q(pk__in=[]) for name in groups}  # read-only: nothing is waiting for them
        step_roles = None
    all_work = Q(pk__in=[])
    for condition in groups.values():
        all_work |= condition
    return WorkGroups({"all": all_work, **groups}, step_roles)


def _work_rows(user: User) -> QuerySet[CaseAccess]:
    """The access rows of the cases that can be work (open, or decided and not delivered): the queue's index."""
    return case_access_for(user).filter(is_work=True)


def cases_in_work_queue(user: User, group: str = "all", *, work: WorkGroups | None = None) -> QuerySet[CaseAccess]:
    """The access rows of the cases waiting for the user in one group of their work queue (``"all"``, or a key of
    ``work_groups``), unordered: the queue orders them by its index (nearest running deadline first).

    ``work``: the user's groups when the caller has them already (they cost a few small queries)."""
    work = work or work_groups(user)
    return _work_rows(user).filter(work.groups[group])


def queue_counts(user: User, work: WorkGroups | None = None) -> dict[str, int]:
    """How many cases wait in each group, plus the open inquiries the user owns.

    For a user whose scope is one key and whose "here" is that key (almost every clerk, agent, chief
    representative and head), the "here" groups and the results at the user's counters are read from the
    counters, and so are a department head's or chief representative's review steps; only the groups that are sets
    of their own (clerks' steps, extensions: a handful) are counted over the rows; otherwise one aggregate over the
    queue's rows. ``work``: the user's groups when the caller has them already."""
    work = work or work_groups(user)
    groups = work.groups
    scope = user_scope(user)
    keys = scope_keys(scope)
    rows = _work_rows(user)
    if not scope.can_write:
        counts = dict.fromkeys(groups, 0)
    elif len(keys) == 1 and groups["acceptance"] == Q(is_current=True) & Q(status__in=HERE_GROUPS["acceptance"]):
        totals, stages = here_counts(keys[0])
        counts = {name: sum(totals.get(s, 0) for s in statuses) for name, statuses in HERE_GROUPS.items()}
        # Results at the counters: a clerk's or agent's "here" (their one key) is their counters. They are decided
        # cases here, so inside "results" and "all" already.
        at_counters = bool(_counter_keys(user)) or user.is_superuser
        counts["incoming"] = stages.get(RESULT_INCOMING, 0) if at_counters else 0
        counts["handover"] = stages.get(RESULT_HANDOVER, 0) if at_counters else 0
        if work.step_roles is not None:
            counts["steps"] = open_steps_count(*work.step_roles)
        else:
            counts["steps"] = rows.filter(groups["steps"]).count()
        # "All": every "here" group and every step (steps are accepted cases: never "here"), and the few
        # extensions that are in neither, counted from their own small set with their part outside the others in
        # the same aggregate.
        here_statuses = [status for statuses in HERE_GROUPS.values() for status in statuses]
        outside = ~Q(is_current=True, status__in=here_statuses) & ~groups["steps"]
        figures = rows.filter(groups["extensions"]).aggregate(total=Count("pk"), outside=Count("pk", filter=outside))
        counts["extensions"] = figures["total"]
        counts["all"] = sum(counts[name] for name in HERE_GROUPS) + counts["steps"] + figures["outside"]
    else:
        counts = rows.aggregate(**{name: Count("pk", filter=q) for name, q in groups.items()})
    counts["inquiries"] = inquiries_owned_by(user).count()
    return counts
