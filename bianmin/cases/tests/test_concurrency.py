"""One case is accepted exactly once (禁止两头受理), however many hands race for it; tracking numbers stay
gap-free and distinct under concurrent intake. Real concurrency needs PostgreSQL's row locks: on SQLite every
writer waits for one file lock, so these tests skip there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from bianmin.cases import services
from bianmin.cases.models import Case, Notice, Status
from bianmin.core.audit import audit_events_for, verify_chain
from bianmin.core.errors import DomainError
from bianmin.core.testing import at, intake, user

THREADS = 8


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Racing transactions need PostgreSQL row locks; SQLite serialises every writer on one file lock.")


def race(workers: list) -> list[tuple[str, object]]:
    """Run each worker in its own thread with its own connection, all released at once by a barrier.
    Returns ("ok", result) or ("error", exception) per worker, in the workers' order."""
    barrier = threading.Barrier(len(workers))
    results: list[tuple[str, object] | None] = [None] * len(workers)

    def run(index: int, work) -> None:
        try:
            with translation.override("en"):
                prepared = work()  # reads done before the barrier: only the write races
                barrier.wait(timeout=30)
                results[index] = ("ok", prepared())
        except BaseException as error:  # reported by the main thread
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, work)) for index, work in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_acceptances_accept_the_case_exactly_once(committed_county):
    require_postgresql()
    # Given SJ-0004 received Monday 2026-09-28: the 5-working-day window ends 10-10 (the make-up Saturday)
    # 09-29(1) 09-30(2) [10-01..07 国庆] 10-08(3) 10-09(4) 10-10 Sat make-up(5)
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 9, 28))
    assert case.acceptance_due.isoformat() == "2026-10-10"

    def clerk_accepts():
        clerk, target = user("county_clerk"), Case.objects.get(pk=case.pk)
        return lambda: services.case_accept(actor=clerk, case=target, now=at(2026, 10, 12, 9))

    def system_accepts_by_law():
        target = Case.objects.get(pk=case.pk)
        return lambda: services.case_accept(actor=None, case=target, deemed=True, now=at(2026, 10, 12, 0))

    # When 7 clerk requests and the worker's acceptance by law race for it on 10-12
    workers = [clerk_accepts] * (THREADS - 1)
    workers.insert(THREADS // 2, system_accepts_by_law)
    results = race(workers)

    # Then exactly one wins; every other gets a clear "already accepted" refusal
    winners = [value for outcome, value in results if outcome == "ok"]
    losers = [value for outcome, value in results if outcome == "error"]
    assert len(winners) == 1, results
    assert len(losers) == THREADS - 1
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    for error in losers:
        assert isinstance(error, DomainError), repr(error)
        assert error.code in ("already_accepted", "transition_not_allowed"), (error.code, str(error))
        assert str(error) == f"This case was already accepted on {case.accepted_on:%Y-%m-%d}."
    # Whoever won, the window had passed: the case is accepted by law as of its receipt, recorded once
    assert (case.accepted_on.isoformat(), case.is_deemed_accepted) == ("2026-09-28", True)
    acceptances = audit_events_for(case).filter(action__in=["case.accept", "case.accept_deemed"])
    assert acceptances.count() == 1
    event = acceptances.get()
    if event.action == "case.accept_deemed":
        assert (event.actor, case.accepted_by) == (None, None)
    else:
        assert event.actor == case.accepted_by == user("county_clerk")

    # And one receipt, one acceptance notice, one set of tasks
    assert Notice.objects.filter(case=case, kind=Notice.Kind.RECEIPT).count() == 1
    assert Notice.objects.filter(case=case, kind=Notice.Kind.ACCEPTANCE).count() == 1
    assert list(case.tasks.order_by("position").values_list("name", "state")) == [
        ("受理", "done"),
        ("材料审查", "open"),
        ("现场核查", "waiting"),
        ("许可决定并发证", "waiting"),
    ]
    assert verify_chain().ok is True

    # And the sweep, run afterwards, finds nothing to do
    assert services.cases_deem_accepted(today=at(2026, 10, 12).date(), now=at(2026, 10, 12, 10)) == 0


@pytest.mark.django_db(transaction=True)
def test_racing_intake_at_one_site_gets_distinct_sequential_tracking_numbers(committed_county):
    require_postgresql()

    def submits():
        clerk, application = user("county_clerk"), intake("SJ-0004", "YX")
        return lambda: services.case_submit(actor=clerk, intake=application, now=at(2026, 10, 13, 9))

    # When two clerks at the county submit at the same moment, the first intake of the day there
    results = race([submits, submits])

    # Then both succeed with the day's first two numbers
    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    numbers = sorted(value.tracking_number for _outcome, value in results)
    assert numbers == ["YX-20261013-0001", "YX-20261013-0002"]
    assert sorted(Case.objects.values_list("tracking_number", flat=True)) == numbers

    # And a third, later, continues the sequence
    third = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 10, 13, 15))
    assert third.tracking_number == "YX-20261013-0003"
