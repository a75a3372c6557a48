"""What supervision and the public's voice leave beside a county's cases, for the benchmark dataset (bench/dataset.py).

- **Alerts and the inbox**: the product's own sweep, run once on the dataset's "today" (every alert the open cases
  deserve, with the messages it sends).
- **Supervision orders**: one for every 25th alert raised (issued that day, most awaiting a response), and one for
  every 400th case decided after its promised deadline over the three years (responded to and accepted, or withdrawn).
- **Accountability records**: one for every tenth order of the past, naming the order.
- **Ratings** (好差评): three in ten closed cases rated by the applicant, at the window or online, one in twenty of
  them a bad review, with the indicators of its channel filled in.
- **Complaints**: one for every 300th case, about that case, most of them finished and rated; those of the last
  month still open.

Rows are written by ``bulk_create`` in batches from a stream over the cases (ids, sites, dates), one random stream
seeded like the cases, so a dataset is the same each time it is built.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 5_000
SEED = 20261205


def add_records(today: datetime.date) -> dict[str, int]:
    """Write every kind of record above; returns how many of each."""
    from bianmin.supervision.sweep import sweep

    now = datetime.datetime.combine(today, datetime.time(10), tzinfo=SHANGHAI)
    rng = random.Random(SEED)
    counts = {}
    started = time.perf_counter()
    result = sweep(now=now, full=True)
    counts["alerts"] = result.total_raised
    counts["inbox messages"] = result.notified
    counts["orders"] = _orders(rng, now)
    counts["accountability"] = _accountability(rng)
    counts["ratings"] = _ratings(rng)
    counts["complaints"] = _complaints(rng, now)
    print(
        "dataset: records beside the cases: "
        + ", ".join(f"{count:,} {kind}" for kind, count in counts.items())
        + f" in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return counts


def _batched(rows: Iterator, model) -> int:
    from django.db import transaction

    written, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            with transaction.atomic():
                model.objects.bulk_create(batch)
            written += len(batch)
            batch.clear()
    if batch:
        with transaction.atomic():
            model.objects.bulk_create(batch)
        written += len(batch)
    return written


def _supervisor_id() -> int:
    from bianmin.accounts.models import User

    return User.objects.get(username="supervisor").pk


def _orders(rng: random.Random, now: datetime.datetime) -> int:
    from django.db.models import F

    from bianmin.cases.models import Case
    from bianmin.supervision.models import Alert, SupervisionOrder

    issuer = _supervisor_id()
    State = SupervisionOrder.State

    def today_s() -> Iterator[SupervisionOrder]:
        alerts = (
            Alert.objects.filter(case__isnull=False)
            .order_by("pk")
            .values_list("pk", "case_id", "department_id", "site_id")
            .iterator(chunk_size=BATCH)
        )
        for number, (alert_id, case_id, department_id, site_id) in enumerate(alerts):
            if number % 25 or department_id is None:
                continue
            yield SupervisionOrder(
                number=f"DB-A{alert_id}",
                alert_id=alert_id,
                case_id=case_id,
                department_id=department_id,
                site_id=site_id,
                instruction="请核查超期原因并限期整改。",
                due_days=5,
                due=now.date() + datetime.timedelta(days=7),
                state=State.RESPONDED if rng.random() < 0.3 else State.ISSUED,
                issued_by_id=issuer,
                issued_at=now,
            )

    def past() -> Iterator[SupervisionOrder]:
        late = (
            Case.objects.filter(decided_at__isnull=False, promised_due__isnull=False)
            .filter(decided_at__date__gt=F("promised_due"))
            .order_by("pk")
            .values_list("pk", "department_id", "current_site_id", "decided_at")
            .iterator(chunk_size=BATCH)
        )
        for number, (case_id, department_id, site_id, decided_at) in enumerate(late):
            if number % 400:
                continue
            issued_at = decided_at + datetime.timedelta(hours=rng.randint(2, 72))
            state = State.WITHDRAWN if rng.random() < 0.05 else State.ACCEPTED
            yield SupervisionOrder(
                number=f"DB-C{case_id}",
                case_id=case_id,
                department_id=department_id,
                site_id=site_id,
                instruction="超期办结，请说明原因并提出整改措施。",
                due_days=5,
                due=(issued_at + datetime.timedelta(days=7)).date(),
                state=state,
                issued_by_id=issuer,
                issued_at=issued_at,
                closed_at=issued_at + datetime.timedelta(days=rng.randint(2, 9)),
            )

    return _batched(today_s(), SupervisionOrder) + _batched(past(), SupervisionOrder)


def _accountability(rng: random.Random) -> int:
    from bianmin.supervision.models import AccountabilityRecord, SupervisionOrder

    recorder = _supervisor_id()
    Measure = AccountabilityRecord.Measure
    orders = list(
        SupervisionOrder.objects.filter(state=SupervisionOrder.State.ACCEPTED)
        .order_by("pk")
        .values_list("pk", "department_id", "site_id", "closed_at")
    )
    records, links = [], []
    for number, (order_id, department_id, site_id, closed_at) in enumerate(orders):
        if number % 10:
            continue
        measure = rng.choice([Measure.CRITICISM, Measure.CRITICISM, Measure.ADMONITION, Measure.DEDUCTION])
        records.append(
            AccountabilityRecord(
                finding="办件超期，经督办已整改。",
                department_id=department_id,
                site_id=site_id,
                measure=measure,
                points=2 if measure == Measure.DEDUCTION else None,
                decided_on=(closed_at + datetime.timedelta(days=3)).date(),
                recorded_by_id=recorder,
                recorded_at=closed_at + datetime.timedelta(days=3),
            )
        )
        links.append(order_id)
    created = AccountabilityRecord.objects.bulk_create(records, batch_size=BATCH)
    Link = AccountabilityRecord.orders.through
    Link.objects.bulk_create(
        [
            Link(accountabilityrecord_id=record.pk, supervisionorder_id=order_id)
            for record, order_id in zip(created, links, strict=True)
        ],
        batch_size=BATCH,
    )
    return len(created)


def _ratings(rng: random.Random) -> int:
    from bianmin.cases.models import Case, Status
    from bianmin.ratings.models import Channel, Level, Rating

    def rows() -> Iterator[Rating]:
        closed = (
            Case.objects.filter(status=Status.CLOSED, closed_at__isnull=False)
            .order_by("pk")
            .values_list("pk", "channel", "closed_at", "current_site_id", "department_id", "received_by_id", "item_id")
            .iterator(chunk_size=BATCH)
        )
        for case_id, case_channel, closed_at, site_id, department_id, staff_id, item_id in closed:
            if rng.random() >= 0.3:
                continue
            bad = rng.random() < 0.05
            level = rng.choice((Level.DISSATISFIED, Level.VERY_DISSATISFIED)) if bad else rng.choice((5, 5, 5, 4, 3))
            rated_at = closed_at + datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 3))
            channel = Channel.WINDOW if case_channel == "window" else Channel.ONLINE
            indicators = (
                {"service_efficiency": level, "service_level": level, "service_attitude": level}
                if channel == Channel.WINDOW
                else {"handling_efficiency": level, "guide_accuracy": level, "convenience": level, "operability": level}
            )
            yield Rating(
                case_id=case_id,
                channel=channel,
                level=level,
                comment="等了很久才办好。" if bad else "",
                rated_at=rated_at,
                rated_on=rated_at.astimezone(SHANGHAI).date(),
                site_id=site_id,
                department_id=department_id,
                staff_id=staff_id,
                item_id=item_id,
                **indicators,
            )

    return _batched(rows(), Rating)


def _complaints(rng: random.Random, now: datetime.datetime) -> int:
    from bianmin.cases.models import Case
    from bianmin.complaints.models import Channel, Complaint, ComplaintSubject

    State = Complaint.State
    month_ago = now - datetime.timedelta(days=30)

    def rows() -> Iterator[Complaint]:
        cases = (
            Case.objects.order_by("pk")
            .values_list("pk", "received_at", "current_site_id", "department_id", "received_by_id")
            .iterator(chunk_size=BATCH)
        )
        for number, (case_id, received_at, site_id, department_id, staff_id) in enumerate(cases):
            if number % 300:
                continue
            received = received_at + datetime.timedelta(days=rng.randint(1, 20))
            if received > now:
                received = now - datetime.timedelta(hours=rng.randint(1, 48))
            is_open = received >= month_ago
            state = rng.choice((State.RECEIVED, State.ACCEPTED, State.HANDLING)) if is_open else State.RATED
            finished = None if is_open else received + datetime.timedelta(days=rng.randint(3, 15))
            yield Complaint(
                number=f"DB-T{case_id}",
                channel=rng.choice((Channel.PORTAL, Channel.PHONE, Channel.HOTLINE)),
                subject=ComplaintSubject.CASE,
                text="办理时间太长，多次催问没有答复。",
                case_id=case_id,
                staff_id=staff_id,
                name="张三",
                phone="13800000000",
                site_id=site_id,
                department_id=department_id,
                state=state,
                received_at=received,
                acceptance_due=(received + datetime.timedelta(days=2)).date(),
                handling_days=None if state == State.RECEIVED else 10,
                due=(received + datetime.timedelta(days=14)).date(),
                accepted_at=None if state == State.RECEIVED else received + datetime.timedelta(hours=4),
                replied_at=finished,
                reply="" if is_open else "已核实，已督促窗口改进。",
                finished_at=finished,
                rating=None if is_open else rng.choice((5, 4, 3)),
                rated_at=finished,
            )

    return _batched(rows(), Complaint)
