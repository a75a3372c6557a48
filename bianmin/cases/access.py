"""Who may see a case, as index keys kept beside it (``CaseAccess``), and the clock columns they copy.

A user's scope (org.selectors.Scope) is a site's subtree (a town clerk: the town and its village rooms), a
county-level site exactly (a county clerk), departments (chief representatives, department heads) or
everything (the county's supervisors and administrators). Each maps to a key, and every case carries a row
for every key it answers to:

- ``site_id * 4``: the case is handled, received or relayed exactly at this site, or its result was sent from it
  to the site that hands it over (结果反馈);
- ``site_id * 4 + 1``: ... somewhere in this site's subtree (every ancestor but the root, which is
  ``EVERYTHING``);
- ``department_id * 4 + 2``: the case is of this department, or one of its review steps is;
- ``site_id * 4 + 3``: one of its review steps of a department role is at this site below the county (a town's
  reviewer, 镇分管领导, sees it; ``is_current`` while the case is there);
- ``EVERYTHING`` (3, no site has the id 0): every case.

So the cases a user may see are one range of an index, already in the order a list shows them, and each row
copies what lists filter, sort and count by (status, running deadline, receipt, first yellow day). The services
call ``case_index_refresh`` in the transaction of every move (cases/services/_common.py ``_audit``); it recomputes the
case's clock columns (cases/clock.py) and its rows in three set-based statements, the same statements that
``cases_index_rebuild`` runs over every case.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from bianmin.core.queries import execute_prepared
from bianmin.org.models import Role
from bianmin.org.selectors import Scope

from .clock import RUNNING_STATUSES, case_clock_refresh, cases_clock_refresh
from .models import (
    OPEN_STATUSES,
    UNKNOWN_YELLOW,
    Case,
    CaseAccess,
    CaseClockCount,
    CaseCount,
    DeliveryMethod,
    ReviewTask,
    Status,
)

EVERYTHING = 3
SITE, SUBTREE, DEPARTMENT, REVIEW = 0, 1, 2, 3
# What a work queue lists: open, or decided and not yet delivered.
WORK_STATUSES = [*OPEN_STATUSES, Status.APPROVED, Status.DENIED]
# Sorts after every real deadline (cases without a running clock come last in a queue).
NO_DEADLINE = datetime.date(9999, 12, 31)
# ``open_steps`` of a department's access row: the bits of the roles with a review step of that department open.
STEP_ROLE_BITS = {Role.CHIEF_REPRESENTATIVE: 1, Role.DEPARTMENT_HEAD: 2}
# ``result_stage`` of a row (结果反馈): a decided case's result for a counter, marked ready and sent there, not yet
# recorded as arrived (RESULT_INCOMING); arrived, or ready where it was decided, to hand over (RESULT_HANDOVER).
# A result handed over at a counter is at the case's current site from the moment it is ready
# (services/decision.py ``case_mark_ready``), so the counter's keys are the rows' ``is_current`` keys.
RESULT_NONE, RESULT_INCOMING, RESULT_HANDOVER = 0, 1, 2


def site_key(site_id: int) -> int:
    return site_id * 4 + SITE


def subtree_key(site_id: int) -> int:
    return site_id * 4 + SUBTREE


def department_key(department_id: int) -> int:
    return department_id * 4 + DEPARTMENT


def review_key(site_id: int) -> int:
    return site_id * 4 + REVIEW


def scope_keys(scope: Scope) -> list[int]:
    """The keys of the cases a scope covers (empty: none)."""
    if scope.everything:
        return [EVERYTHING]
    keys = [subtree_key(pk) for pk in sorted(scope.subtree_site_ids)]
    keys += [site_key(pk) for pk in sorted(scope.exact_site_ids)]
    keys += [department_key(pk) for pk in sorted(scope.department_ids)]
    keys += [review_key(pk) for pk in sorted(scope.review_site_ids)]
    return keys


def access_rows(keys: list[int]) -> QuerySet[CaseAccess]:
    """One access row per case answering to one of these keys.

    With one key (almost every user) the rows of that key, a range of the index. With several, a case may answer
    to more than one, so the rows are each case's "everything" row for which one of the keys exists (slower:
    every case is probed; a user with assignments in several places is rare)."""
    if not keys:
        return CaseAccess.objects.none()
    if len(keys) == 1:
        return CaseAccess.objects.filter(key=keys[0])
    others = CaseAccess.objects.filter(case_id=OuterRef("case_id"), key__in=keys)
    return CaseAccess.objects.filter(Exists(others), key=EVERYTHING)


def status_counts(keys: list[int], *, is_current: bool | None = None) -> dict[str, int]:
    """Cases per status answering to these keys, read from the counters (``is_current``: only where the key is
    where the case is handled now). Exact when no case answers to two of the keys: one key, or department keys
    with ``is_current`` (a case has one department of its own)."""
    counts = CaseCount.objects.filter(key__in=keys)
    if is_current is not None:
        counts = counts.filter(is_current=is_current)
    totals: dict[str, int] = {}
    for status, cases in counts.values_list("status", "cases"):
        totals[status] = totals.get(status, 0) + cases
    return totals


def here_counts(key: int) -> tuple[dict[str, int], dict[int, int]]:
    """Cases handled now where the key says (``is_current``), per status and per result stage (RESULT_*), from the
    counters."""
    totals: dict[str, int] = {}
    stages: dict[int, int] = {}
    counts = CaseCount.objects.filter(key=key, is_current=True).values_list("status", "result_stage", "cases")
    for status, stage, cases in counts:
        totals[status] = totals.get(status, 0) + cases
        stages[stage] = stages.get(stage, 0) + cases
    return totals, stages


def open_steps_values(roles: set[str]) -> list[int]:
    """The ``open_steps`` values meaning "a step of one of these roles is open" (on the department's rows)."""
    bits = sum(STEP_ROLE_BITS.get(role, 0) for role in roles)
    return [value for value in range(1, sum(STEP_ROLE_BITS.values()) + 1) if value & bits]


def open_steps_count(key: int, roles: set[str]) -> int:
    """Accepted cases of a department key with a review step of one of these roles open, from the counters."""
    counts = CaseCount.objects.filter(key=key, status=Status.ACCEPTED, open_steps__in=open_steps_values(roles))
    return sum(counts.values_list("cases", flat=True))


def visible_condition(keys: list[int]) -> Exists:
    """A filter over cases: the case has a row of one of these keys (one probe of the unique index per case)."""
    return Exists(CaseAccess.objects.filter(case=OuterRef("pk"), key__in=keys))


# --- Keeping the rows -------------------------------------------------------------------------------------------

# Every (case, key, is_current) the cases in ``{where}`` answer to, as one UNION (which also drops duplicates:
# the same key reached through two of the case's sites). ``{where}`` is a condition on ``c``.
_KEYS_SQL = """
SELECT c.id AS case_id, c.current_site_id * 4 AS access_key, {true} AS is_current FROM {case} c WHERE {where}
UNION SELECT c.id, c.receiving_site_id * 4, c.receiving_site_id = c.current_site_id FROM {case} c WHERE {where}
UNION SELECT c.id, c.relay_site_id * 4, c.relay_site_id = c.current_site_id
    FROM {case} c WHERE c.relay_site_id IS NOT NULL AND {where}
UNION SELECT c.id, c.sent_from_site_id * 4, c.sent_from_site_id = c.current_site_id
    FROM {case} c WHERE c.sent_from_site_id IS NOT NULL AND {where}
{subtrees}UNION SELECT c.id, c.department_id * 4 + 2, {true} FROM {case} c WHERE {where}
UNION SELECT c.id, t.department_id * 4 + 2, t.department_id = c.department_id
    FROM {case} c JOIN {task} t ON t.case_id = c.id WHERE {where}
UNION SELECT c.id, t.site_id * 4 + 3, t.site_id = c.current_site_id
    FROM {case} c JOIN {task} t ON t.case_id = c.id JOIN {site} ts ON ts.id = t.site_id
    WHERE ts.level <> 'county' AND t.role IN ({department_roles}) AND {where}
UNION SELECT c.id, 3, {true} FROM {case} c WHERE {where}
"""

# A row's ``open_steps``: per case and department key, the bits (STEP_ROLE_BITS) of the department's roles with a
# review step open at the county (a step at a town is its reviewer's: the review key's), joined to the keys (a
# department's key is the only kind that can match: keys differ mod 4).
# Set-based, so a rebuild hashes the open steps of a batch instead of probing them row by row.
_OPEN_STEPS_SQL = """LEFT JOIN (
    SELECT t.case_id, t.department_id * 4 + 2 AS access_key,
           MAX(CASE WHEN t.role = '{chief}' THEN {chief_bit} ELSE 0 END)
           + MAX(CASE WHEN t.role = '{head}' THEN {head_bit} ELSE 0 END) AS bits
    FROM {task} t JOIN {case} c ON c.id = t.case_id JOIN {site} ts ON ts.id = t.site_id
    WHERE t.state = '{open}' AND ts.level = 'county' AND {where}
    GROUP BY t.case_id, t.department_id
) s ON s.case_id = k.case_id AND s.access_key = k.access_key"""

# A row's ``result_stage``, from its case ``c`` (literals of the choices: no user input reaches the SQL).
_RESULT_STAGE_SQL = f"""CASE WHEN c.status IN ('{Status.APPROVED.value}', '{Status.DENIED.value}')
    AND c.delivery_method = '{DeliveryMethod.WINDOW.value}' AND c.ready_at IS NOT NULL
    THEN CASE WHEN c.result_arrived_at IS NULL THEN {RESULT_INCOMING} ELSE {RESULT_HANDOVER} END
    ELSE {RESULT_NONE} END"""

_INSERT_SQL = """
INSERT INTO {access} (case_id, {key}, is_current, status, is_work, sort_due, received_at, yellow_ordinal,
                      open_steps, result_stage)
SELECT c.id, k.access_key, k.is_current, c.status, c.status IN ({work}), COALESCE(c.clock_due, %s),
       c.received_at, c.yellow_ordinal, COALESCE(s.bits, 0), {result_stage}
FROM ({keys}) k JOIN {case} c ON c.id = k.case_id {open_steps}
WHERE c.status <> 'draft'
"""


# The counts' changes: minus the rows about to go, plus the rows about to come, per (key, status, is_current,
# open_steps, result_stage), only where they differ (a move within a status writes nothing), in one statement that
# locks the counters it changes in one order (two moves never wait for each other's counters in opposite orders).
_COUNTS_SQL = """
INSERT INTO {counts} ({key}, status, is_current, open_steps, result_stage, cases)
SELECT d.access_key, d.status, d.is_current, d.open_steps, d.result_stage, SUM(d.delta) FROM (
    SELECT a.{key} AS access_key, a.status AS status, a.is_current AS is_current, a.open_steps AS open_steps,
           a.result_stage AS result_stage, -1 AS delta
        FROM {access} a WHERE a.case_id IN (SELECT c.id FROM {case} c WHERE {where})
    UNION ALL
    SELECT k.access_key, c.status, k.is_current, COALESCE(s.bits, 0), {result_stage}, 1
        FROM ({keys}) k JOIN {case} c ON c.id = k.case_id {open_steps} WHERE c.status <> 'draft'
) d
WHERE TRUE
GROUP BY d.access_key, d.status, d.is_current, d.open_steps, d.result_stage
HAVING SUM(d.delta) <> 0
ORDER BY d.access_key, d.status, d.is_current, d.open_steps, d.result_stage
ON CONFLICT ({key}, status, is_current, open_steps, result_stage) DO UPDATE SET cases = {counts}.cases + excluded.cases
"""


# The clock counts' changes (CaseClockCount), as the counts': the running cases' access rows about to go
# (``{old_ids}``: their cases) against those about to come (``{new_rows}``, naming the case ``c``), per (key,
# is_current, running deadline, first yellow day), written only where they differ, in one ordered statement. A move
# runs it after the counts' statement, so every move takes the counters' locks in the same order.
_CLOCK_COUNTS_SQL = """
INSERT INTO {clock_counts} ({key}, is_current, sort_due, yellow_ordinal, cases)
SELECT d.access_key, d.is_current, d.sort_due, d.yellow_ordinal, SUM(d.delta) FROM (
    SELECT a.{key} AS access_key, a.is_current AS is_current, a.sort_due AS sort_due,
           COALESCE(a.yellow_ordinal, {unknown}) AS yellow_ordinal, -1 AS delta
        FROM {access} a WHERE a.status IN ({running}) AND a.case_id IN ({old_ids})
    UNION ALL
    SELECT {new_key}, {new_current}, COALESCE(c.clock_due, %s), COALESCE(c.yellow_ordinal, {unknown}), 1
        FROM {new_rows} WHERE c.status IN ({running})
) d
WHERE TRUE
GROUP BY d.access_key, d.is_current, d.sort_due, d.yellow_ordinal
HAVING SUM(d.delta) <> 0
ORDER BY d.access_key, d.is_current, d.sort_due, d.yellow_ordinal
ON CONFLICT ({key}, is_current, sort_due, yellow_ordinal)
DO UPDATE SET cases = {clock_counts}.cases + excluded.cases
"""


def _clock_counts_of_move(tables: dict[str, str], keys: str, where: str) -> str:
    """The clock counts' change of a move: the cases matching ``where`` get the rows of ``keys``."""
    return _CLOCK_COUNTS_SQL.format(
        **tables,
        old_ids=f"SELECT c.id FROM {tables['case']} c WHERE {where}",
        new_key="k.access_key",
        new_current="k.is_current",
        new_rows=f"({keys}) k JOIN {tables['case']} c ON c.id = k.case_id",
    )


def _clock_counts_of_copy(tables: dict[str, str], ids: str) -> str:
    """The clock counts' change when the cases ``ids`` selects have new clock columns their rows are about to copy."""
    return _CLOCK_COUNTS_SQL.format(
        **tables,
        old_ids=ids,
        new_key=f"a.{tables['key']}",
        new_current="a.is_current",
        new_rows=f"{tables['access']} a JOIN {tables['case']} c ON c.id = a.case_id AND a.case_id IN ({ids})",
    )


# Literals of the choices and constants: no user input reaches the SQL.
_RUNNING = ", ".join(f"'{status.value}'" for status in RUNNING_STATUSES)


# Every ancestor's subtree of one of the case's sites: a branch per site column (one join condition ORing the four
# columns took PostgreSQL 5 ms to plan, against 0.4 ms a branch).
_SUBTREES_SQL = "".join(
    f"""UNION SELECT c.id, a.id * 4 + 1, substr(here.path, 1, length(a.path)) = a.path
    FROM {{case}} c
    JOIN {{site}} s ON s.id = c.{column}
    JOIN {{site}} a ON a.parent_id IS NOT NULL AND substr(s.path, 1, length(a.path)) = a.path
    JOIN {{site}} here ON here.id = c.current_site_id
    WHERE {{where}}
"""
    for column in ("current_site_id", "receiving_site_id", "relay_site_id", "sent_from_site_id")
)
_KEYS_SQL = _KEYS_SQL.replace("{subtrees}", _SUBTREES_SQL)

# The roles whose steps a town's reviewer takes (literals of the choices: no user input reaches the SQL).
_DEPARTMENT_ROLES = ", ".join(f"'{role.value}'" for role in STEP_ROLE_BITS)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    tables = {
        "case": quote(Case._meta.db_table),
        "site": quote("org_site"),
        "task": quote(ReviewTask._meta.db_table),
        "access": quote(CaseAccess._meta.db_table),
        "counts": quote(CaseCount._meta.db_table),
        "clock_counts": quote(CaseClockCount._meta.db_table),
        "running": _RUNNING,
        "unknown": str(UNKNOWN_YELLOW),
        "key": quote("key"),
        "result_stage": _RESULT_STAGE_SQL,
    }
    return tables


def _open_steps_join(tables: dict[str, str], where: str) -> str:
    return _OPEN_STEPS_SQL.format(
        task=tables["task"],
        case=tables["case"],
        site=tables["site"],
        where=where,
        open=ReviewTask.State.OPEN.value,
        chief=Role.CHIEF_REPRESENTATIVE.value,
        chief_bit=STEP_ROLE_BITS[Role.CHIEF_REPRESENTATIVE],
        head=Role.DEPARTMENT_HEAD.value,
        head_bit=STEP_ROLE_BITS[Role.DEPARTMENT_HEAD],
    )


def _rows_refresh(
    where: str, params: list, *, count: bool = True, clock_counts: bool = True, prepared: bool = False
) -> None:
    """Delete and insert the access rows of the cases matching ``where`` (a condition on ``c``), and (``count``)
    bring the counts and (``clock_counts``: not in the migrations made before their table) the clock counts
    along. ``prepared``: ``where`` is a text used again and again (one case by id), whose statements PostgreSQL
    then plans once per connection (core.queries.execute_prepared)."""
    tables = _tables()
    keys = _KEYS_SQL.format(**tables, where=where, true="TRUE", department_roles=_DEPARTMENT_ROLES)
    key_params = params * _KEYS_SQL.count("{where}")
    open_steps = _open_steps_join(tables, where)
    work = ", ".join(["%s"] * len(WORK_STATUSES))
    with connection.cursor() as cursor:

        def execute(sql: str, values: list) -> int:
            if prepared:
                return execute_prepared(cursor, sql, values)
            cursor.execute(sql, values)
            return cursor.rowcount

        if count:
            execute(
                _COUNTS_SQL.format(**tables, keys=keys, where=where, open_steps=open_steps),
                [*params, *key_params, *params],
            )
        if count and clock_counts:
            changed = execute(_clock_counts_of_move(tables, keys, where), [*params, NO_DEADLINE, *key_params])
            if changed:
                _clock_counts_clear(cursor, tables)
        execute(
            f"DELETE FROM {tables['access']} WHERE case_id IN (SELECT c.id FROM {tables['case']} c WHERE {where})",
            params,
        )
        execute(
            _INSERT_SQL.format(**tables, keys=keys, work=work, open_steps=open_steps),
            [*[str(status) for status in WORK_STATUSES], NO_DEADLINE, *key_params, *params],
        )


def _clock_counts_clear(cursor, tables: dict[str, str]) -> None:
    """Drop the clock counts that came down to nothing (read through their partial index)."""
    cursor.execute(f"DELETE FROM {tables['clock_counts']} WHERE cases = 0")


def _counts_rebuild() -> None:
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['counts']}")
        cursor.execute(
            f"""INSERT INTO {tables["counts"]} ({tables["key"]}, status, is_current, open_steps, result_stage, cases)
            SELECT {tables["key"]}, status, is_current, open_steps, result_stage, COUNT(*) FROM {tables["access"]}
            GROUP BY {tables["key"]}, status, is_current, open_steps, result_stage"""
        )


def clock_counts_rebuild() -> None:
    """Count the running cases' access rows again into CaseClockCount (a rebuild; migration 0019 made them)."""
    tables = _tables()
    yellow = f"COALESCE(yellow_ordinal, {tables['unknown']})"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['clock_counts']}")
        cursor.execute(
            f"""INSERT INTO {tables["clock_counts"]} ({tables["key"]}, is_current, sort_due, yellow_ordinal, cases)
            SELECT {tables["key"]}, is_current, sort_due, {yellow}, COUNT(*) FROM {tables["access"]}
            WHERE status IN ({tables["running"]})
            GROUP BY {tables["key"]}, is_current, sort_due, {yellow}"""
        )


def case_index_refresh(case: Case, *, clock_counts: bool = True) -> None:
    """After a move: the case's clock columns and access rows, from what the move saved (same transaction)."""
    case_clock_refresh(case.pk)
    _rows_refresh("c.id = %s", [case.pk], clock_counts=clock_counts, prepared=True)


def cases_index_refresh_ids(ids: list[int], *, chunk: int = 200) -> None:
    """New cases by id (an import): their clock columns and access rows and the counts, in the same set-based
    statements as ``cases_index_rebuild``, a few per ``chunk`` cases instead of three per case."""
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        cases_clock_refresh(Case.objects.filter(pk__in=part))
        _rows_refresh(f"c.id IN ({', '.join(['%s'] * len(part))})", part)


def cases_at_sites_refresh(site_ids: list[int]) -> None:
    """Sites moved in the tree (org.services.site_save): the cases at them answer to other subtrees now."""
    ids = ", ".join(["%s"] * len(site_ids))
    columns = ("current_site_id", "receiving_site_id", "relay_site_id", "sent_from_site_id")
    where = "(" + " OR ".join(f"c.{column} IN ({ids})" for column in columns) + ")"
    _rows_refresh(where, site_ids * len(columns))


def cases_index_rebuild(*, batch: int = 50_000, progress=None, clock_counts: bool = True) -> int:
    """Recompute the clock columns and access rows of every case, in batches of ids (one transaction each), and
    the counts (``clock_counts``: and the clock counts; not in the migrations made before their table)."""
    bounds = Case.objects.order_by().values_list("pk", flat=True)
    first, last = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    if first is None:
        with transaction.atomic():
            _counts_rebuild()
            if clock_counts:
                clock_counts_rebuild()
        return 0
    done = 0
    for start in range(first, last + 1, batch):
        with transaction.atomic():
            cases_clock_refresh(Case.objects.filter(pk__gte=start, pk__lt=start + batch))
            _rows_refresh("c.id >= %s AND c.id < %s", [start, start + batch], count=False)
        done = min(start + batch, last + 1) - first
        if progress is not None:
            progress(done, last + 1 - first)
    with transaction.atomic():
        _counts_rebuild()
        if clock_counts:
            clock_counts_rebuild()
    return Case.objects.count()


def open_steps_fill() -> None:
    """Once, when ``open_steps`` was added (migration 0007): the rows of the cases with a department role's step
    open are written again, and the counts recounted from the rows."""
    tables = _tables()
    roles = ", ".join(f"'{role}'" for role in STEP_ROLE_BITS)
    where = f"c.id IN (SELECT t.case_id FROM {tables['task']} t WHERE t.state = %s AND t.role IN ({roles}))"
    with transaction.atomic():
        _rows_refresh(where, [ReviewTask.State.OPEN.value], count=False)
        _counts_rebuild()


def cases_clock_copy(cases: QuerySet[Case]) -> None:
    """After a calendar or threshold change: recompute these cases' clock columns and copy them to their rows and
    the clock counts, in one transaction whose first statement locks the cases' rows (no move of one of them can
    come between the clock counts' change and the rows' copy)."""
    tables = _tables()
    ids_sql, ids_params = cases.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cases_clock_refresh(cases)
        cursor.execute(_clock_counts_of_copy(tables, ids_sql), [*ids_params, NO_DEADLINE, *ids_params])
        if cursor.rowcount:
            _clock_counts_clear(cursor, tables)
        cursor.execute(
            f"""UPDATE {tables["access"]} SET
                sort_due = COALESCE((SELECT c.clock_due FROM {tables["case"]} c WHERE c.id = case_id), %s),
                yellow_ordinal = (SELECT c.yellow_ordinal FROM {tables["case"]} c WHERE c.id = case_id)
            WHERE case_id IN ({ids_sql})""",
            [NO_DEADLINE, *ids_params],
        )
