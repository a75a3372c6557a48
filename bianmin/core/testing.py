"""The test kit's plain helpers, shared by every app's tests; its fixtures are in the root ``conftest.py``.

- People: the demo county's staff by username (``user("county_clerk")``, ``logged_in("supervisor", language="en")``),
  and new accounts holding a role, assigned through the org services (``role_holder``, ``department_head``).
- Cases, in each state, made through the case services as a clerk or the worker makes them (``received``,
  ``accepted``, ``supplement_requested``, ``suspended``, ``overdue``, ``decided``, ``delivered``), so that their
  access rows, counters, clocks, notices and audit events are what production writes. Without ``now`` a service
  reads the (frozen) wall clock; the tests of the law's clocks pass it.
- ``DemoRows``: what a loader writes, read once and written again by plain inserts (the fixtures ``county`` and
  ``county_organisation``).

There is no factory_boy here: a case is never a row with attributes but the result of a series of moves, each of
which checks permission and state, computes working-day clocks and keeps the access rows and counters. Building it
with model factories would bypass exactly what the tests rely on, and a factory whose traits call the services
would only wrap these functions in a class.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from bianmin.cases.idnumbers import resident_id_check_character
from bianmin.core.errors import DomainError

if TYPE_CHECKING:
    from django.db.models import Model
    from django.test import Client

    from bianmin.accounts.models import User
    from bianmin.cases.models import Case
    from bianmin.cases.services import Intake


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block raises DomainError with exactly this code."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value}"


def picture(kind: str = "PNG", *, size: tuple[int, int] = (4, 3), trailer: bytes = b"", description: str = "") -> bytes:
    """A real picture (PNG or JPEG) of ``size`` pixels, with ``trailer`` appended after its end (a polyglot's
    payload rides there) and ``description`` in its EXIF metadata."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    options = {}
    if description:
        exif = Image.Exif()
        exif[0x010E] = description  # ImageDescription
        options["exif"] = exif.tobytes()
    image.save(output, format=kind, **options)
    return output.getvalue() + trailer


def audit_tamper(sql: str, params: list | None = None) -> None:
    """Run an UPDATE or DELETE on the audit event table as a database superuser would.

    On PostgreSQL the append-only trigger (core migration 0005) refuses both; a superuser can switch ordinary
    triggers off for the session, as here for this one statement. The application's role is no superuser and owns
    nothing (docs/CONFIGURATION.md), so it cannot.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


# --- Time ------------------------------------------------------------------------------------------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    """A moment in Beijing time: the services take ``now`` so the tests own the clock."""
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


# --- People ----------------------------------------------------------------------------------------------------------

# The demo county's window clerk of each site that has one: the county centre, the towns 白沙镇 and 浮屠镇.
CLERK_OF = {"YX": "county_clerk", "BS": "baisha_clerk", "FT": "futu_clerk"}


def _speaks(client: Client, language: str) -> None:
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def user(username: str) -> User:
    """The account named ``username`` (the demo county's, in most tests)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def logged_in(username: str, *, language: str | None = None, **client_options) -> Client:
    """A test client signed in as ``username``; with ``language``, its pages come in that language (the cookie the
    language switch sets), e.g. ``"en"`` where a test asserts the English msgids."""
    from django.test import Client

    client = Client(**client_options)
    client.force_login(user(username))
    if language:
        _speaks(client, language)
    return client


def visitor(*, language: str | None = None) -> Client:
    """A test client of someone who has not signed in (a citizen on the portal); with ``language``, as above."""
    from django.test import Client

    client = Client()
    if language:
        _speaks(client, language)
    return client


@contextmanager
def text_drawn_in_pdfs() -> Iterator[list[str]]:
    """Every string drawn with the platform's PDF font inside the block, as ReportLab is asked to set it."""
    from reportlab.pdfbase import pdfmetrics

    from bianmin.core.pdf import register_fonts

    font = pdfmetrics.getFont(register_fonts().body)
    split = font.splitString
    drawn: list[str] = []

    def recording(text, doc, encoding="utf-8"):
        drawn.append(text if isinstance(text, str) else text.decode(encoding))
        return split(text, doc, encoding)

    font.splitString = recording
    try:
        yield drawn
    finally:
        del font.splitString


def assert_only_the_platform_font(document: bytes, drawn: list[str], tmp_path) -> None:
    """Every font of the PDF ``document`` is an embedded subset of the platform's font (poppler's ``pdffonts``
    reads it back), and every character of ``drawn`` has a glyph in that font: none prints as .notdef."""
    import subprocess

    from reportlab.pdfbase import pdfmetrics

    from bianmin.core.pdf import register_fonts

    path = tmp_path / "fonts.pdf"
    path.write_bytes(document)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    # name, type…, encoding, emb, sub, uni, object, id
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing
    for row in rows:
        assert row[0].endswith("+WenQuanYiMicroHei") and row[-5:-2] == ["yes", "yes", "yes"], listing
    assert drawn, "nothing was drawn with the platform's font"
    face = pdfmetrics.getFont(register_fonts().body).face
    missing = sorted({character for text in drawn for character in text if ord(character) not in face.charToGlyph})
    assert not missing, f"drawn without a glyph: {missing}"


def joins_as_written_statements() -> int:
    """The statements a ``core.queries.joins_as_written`` block adds to a request's count: on PostgreSQL its
    transaction or savepoint (begin and end) and the setting's two changes; none on SQLite."""
    from django.db import connection

    return 4 if connection.vendor == "postgresql" else 0


def sqlite_plan(run: Callable[[], object], *, analyse: bool = True) -> list[str]:
    """SQLite's plan of the one statement ``run`` executes, explained with the parameters it was executed with
    (Django's captured SQL has them written in as constants, which SQLite plans differently: a partial index whose
    condition is an IN list matches constants only, core/queries.py), after ``ANALYZE`` unless ``analyse`` is false
    (production's databases have statistics)."""
    from django.db import connection

    executed: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    assert len(executed) == 1, executed
    sql, params = executed[0]
    with connection.cursor() as cursor:
        if analyse:
            cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def page_text(response) -> str:
    """The page as a person reads it: entities such as &#x27; decoded."""
    import html

    return html.unescape(response.content.decode())


def phone_code_sent(phone: str) -> str:
    """The six-digit code last sent by SMS to ``phone`` (read from the outbox)."""
    import re

    from bianmin.core.models import OutboundMessage

    message = OutboundMessage.objects.filter(recipient=phone, event="phone_code").order_by("-pk").first()
    return re.search(r"\d{6}", message.body).group()


def role_holder(
    username: str,
    role: str,
    *,
    site: str | None = None,
    department: str | None = None,
    window: str | None = None,
    **account,
) -> User:
    """A new account ``username`` (with the ``account`` fields, e.g. ``full_name``, ``is_staff``) holding ``role``
    at the site with that code, or for that department, or at that window number of the site; assigned by the
    system through ``org.services.role_assign``, as the demo loader assigns its staff."""
    from bianmin.accounts.models import User
    from bianmin.org import services as org
    from bianmin.org.models import Department, Site, Window

    person = User.objects.create(username=username, **account)
    where = Site.objects.get(code=site) if site else None
    org.role_assign(
        actor=None,
        user=person,
        role=role,
        site=where,
        department=Department.objects.get(code=department) if department else None,
        window=Window.objects.get(site=where, number=window) if window else None,
    )
    return person


def department_head(department_code: str, *, full_name: str = "") -> User:
    """The head of that department, ``<code>_head``: the demo county's (every department but SJ and ZR, whose heads are
    market_head and land_head), else a new one."""
    from bianmin.accounts.models import User
    from bianmin.org.models import Role

    existing = User.objects.filter(username=f"{department_code.lower()}_head").first()
    if existing is not None:
        return existing
    return role_holder(
        f"{department_code.lower()}_head",
        Role.DEPARTMENT_HEAD,
        department=department_code,
        is_staff=True,
        full_name=full_name,
    )


# --- Cases -----------------------------------------------------------------------------------------------------------

# 张三's resident identity number: 18 characters, the last one its check character.
ID_NUMBER = "42022219900101123" + resident_id_check_character("42022219900101123")
# Another applicant's (a namesake's), for a test that needs a second person's open case of the same item at another
# site or by another channel: one applicant's would be a duplicate application (禁止两头受理, cases.services).
OTHER_ID_NUMBER = "42022219850505432" + resident_id_check_character("42022219850505432")


def intake(
    item_code: str,
    site_code: str,
    *,
    channel: str = "window",
    complete: bool = True,
    relay: str = "",
    authorisation: str = "",
    delivery: str = "where_applied",
    id_number: str = ID_NUMBER,
    duplicate_reason: str = "",
) -> Intake:
    """张三's application for the item at the site, every material of the item's current version checked (with
    ``complete=False`` the first one missing); ``relay`` and ``authorisation`` for an agent's application;
    ``delivery`` where the result goes back (``DeliveryChoice``); ``id_number`` another applicant's document
    (``OTHER_ID_NUMBER``), ``duplicate_reason`` the clerk's reason to register it beside the applicant's open case of
    the item elsewhere."""
    from bianmin.cases.services import Applicant, Intake, MaterialCheck
    from bianmin.catalog.models import ServiceItem
    from bianmin.org.models import Site

    item = ServiceItem.objects.select_related("current_version").get(code=item_code)
    materials = [
        MaterialCheck(name=m.name, requirement_id=m.pk, original_seen=True, copy_kept=True)
        for m in item.current_version.materials.all()
    ]
    if not complete and materials:
        materials[0].state = "missing"
        materials[0].problem = "未提供"
        materials[0].original_seen = materials[0].copy_kept = False  # nothing to check: it is not there
    return Intake(
        item=item,
        applicant=Applicant(
            name="张三",
            id_type="resident_id",
            id_number=id_number,
            phone="13800000000",
            address="阳新县白沙镇白沙村三组",
        ),
        channel=channel,
        receiving_site=Site.objects.get(code=site_code),
        materials=materials,
        relay_site=Site.objects.get(code=relay) if relay else None,
        agency_authorisation=authorisation,
        delivery=delivery,
        duplicate_reason=duplicate_reason,
    )


class _SiteClerk:
    def __repr__(self) -> str:
        return "the window clerk of the site"


SITE_CLERK = _SiteClerk()  # the default actor of the case factories: CLERK_OF[site]


def _actor(by: str | User | _SiteClerk | None, site: str) -> User | None:
    """``by`` as the services want it: a username or an account, None for the system (the worker, the law)."""
    if by is SITE_CLERK:
        return user(CLERK_OF[site])
    return user(by) if isinstance(by, str) else by


def received(
    item: str = "SJ-0004", site: str = "YX", *, now: datetime.datetime | None = None, by=SITE_CLERK, **intake_options
) -> Case:
    """An application received at the site's window (or as ``intake_options`` say) by ``by``."""
    from bianmin.cases import services

    return services.case_submit(actor=_actor(by, site), intake=intake(item, site, **intake_options), now=now)


def supplement_requested(
    item: str = "SJ-0004",
    site: str = "YX",
    *,
    problems: tuple[tuple[str, str], ...] = (("营业执照", "缺失"),),
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    by=SITE_CLERK,
) -> Case:
    """An application received at ``received_at`` (else ``now``) and sent back with one supplement notice."""
    from bianmin.cases import services

    case = received(item, site, now=received_at or now, by=by)
    services.case_request_supplement(actor=_actor(by, site), case=case, problems=list(problems), now=now)
    case.refresh_from_db()
    return case


def accepted(
    item: str = "SJ-0004",
    site: str = "YX",
    *,
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    by=SITE_CLERK,
    **intake_options,
) -> Case:
    """An application received at ``received_at`` (else ``now``) and accepted at ``now``, both by ``by``: its clocks
    run and its first review step is open."""
    from bianmin.cases import services

    case = received(item, site, now=received_at or now, by=by, **intake_options)
    return services.case_accept(actor=_actor(by, site), case=case, now=now)


def overdue(item: str = "SJ-0004", site: str = "YX", *, by=SITE_CLERK, **intake_options) -> Case:
    """Received Monday 2026-03-02 and accepted Tuesday 03-03: SJ-0004's promised 5 working days end on 03-10, its
    first review step (材料审查, 1 working day) on 03-04; a sweep from 03-11 finds both overdue."""
    return accepted(item, site, received_at=at(2026, 3, 2), now=at(2026, 3, 3), by=by, **intake_options)


def suspended(
    item: str = "SJ-0004",
    site: str = "YX",
    *,
    kind: str = "hearing",
    reason: str = "听证",
    expected_days: int = 5,
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    by=SITE_CLERK,
) -> Case:
    """An accepted case stopped for a special procedure (a hearing by default) at ``now``: every clock waits."""
    from bianmin.cases import services

    case = accepted(item, site, received_at=received_at, now=now, by=by)
    services.case_suspend(
        actor=_actor(by, site), case=case, kind=kind, reason=reason, expected_days=expected_days, now=now
    )
    case.refresh_from_db()
    return case


def steps_done(case: Case, *, by: str | User | None = None, now: datetime.datetime | None = None) -> Case:
    """Every review step before the decision completed with "agree", one after another as they open (by the
    system unless ``by`` is given): the decision is open."""
    from bianmin.cases import services
    from bianmin.cases.models import ReviewTask

    actor = _actor(by, "")
    while task := case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False).order_by("pk").first():
        services.case_complete_task(actor=actor, task=task, outcome=ReviewTask.Outcome.AGREE, now=now)
    case.refresh_from_db()
    return case


def decided(
    item: str = "SJ-0004",
    site: str = "YX",
    *,
    approve: bool = True,
    reasons: str = "",
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    by=SITE_CLERK,
    decided_by: str | User | None = "admin",
) -> Case:
    """An accepted case whose review steps are done and which is approved (or denied, with ``reasons``) by
    ``decided_by`` (the superuser by default, who may take any step), all at ``now``."""
    from bianmin.cases import services

    case = accepted(item, site, received_at=received_at, now=now, by=by)
    steps_done(case, by=decided_by, now=now)
    services.case_decide(actor=_actor(decided_by, site), case=case, approve=approve, reasons=reasons, now=now)
    case.refresh_from_db()
    return case


def delivered(
    item: str = "SJ-0004",
    site: str = "YX",
    *,
    approve: bool = True,
    reasons: str = "",
    received_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
    by=SITE_CLERK,
    decided_by: str | User | None = "admin",
) -> Case:
    """A decided case handed over at the window and closed: an approved one with its certificate issued and its fee
    collected first (the item's first fee rule)."""
    from bianmin.cases import services

    case = decided(
        item, site, approve=approve, reasons=reasons, received_at=received_at, now=now, by=by, decided_by=decided_by
    )
    actor = _actor(decided_by, site)
    if approve:
        services.case_issue_certificate(actor=actor, case=case, now=now)
        if case.version.has_fee:
            rule = case.version.fees.order_by("pk").first()
            services.case_collect_fee(actor=actor, case=case, fee_rule_ids=[rule.pk], amount=rule.amount, now=now)
    handed_over(case, by=_actor(by, site), now=now)
    case.refresh_from_db()
    return case


def handed_over(case: Case, *, by: User | None = None, now: datetime.datetime | None = None) -> Case:
    """A decided (and certified, paid) case's result handed over where it goes back (结果反馈): marked ready, sent
    to its delivery site and received there by the system when it is another site, then handed over by ``by``."""
    from bianmin.cases import services

    if case.ready_at is None:
        case = services.case_mark_ready(actor=None, case=case, now=now)
    if case.result_arrived_at is None:
        case = services.case_receive_result(actor=None, case=case, now=now)
    return services.case_deliver(actor=by, case=case, now=now)


# --- Loaded data, replayed -------------------------------------------------------------------------------------------


def _tables() -> list[type[Model]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _contents(model: type[Model]) -> dict:
    fields = [field.attname for field in model._meta.concrete_fields]
    return {row[0]: row for row in model._base_manager.order_by("pk").values_list("pk", *fields)}


class DemoRows:
    """The rows ``load`` writes, read once and written again by plain inserts: the demo county in a tenth of a second
    instead of the seconds a load through the services takes (each record validated, indexed and audited).

    Taken, in a transaction rolled back at once, on a database holding only what the migrations and the calendar
    seed write, and replayed on one in that state: the same rows, ids, hashes of the audit chain and counters as
    ``load`` writes. Refuses a loader that deletes rows or points at rows it did not write (their ids may differ
    after a flush).
    """

    def __init__(self, load: Callable[[], object]) -> None:
        from django.db import transaction

        tables = _tables()
        before = {model: _contents(model) for model in tables}
        with transaction.atomic():
            load()
            after = {model: _contents(model) for model in tables}
            transaction.set_rollback(True)
        self.inserts: list[tuple[type[Model], list[dict]]] = []
        self.updates: list[tuple[type[Model], list[dict]]] = []
        written: dict[type[Model], set] = {}
        for model in tables:
            fields = ["pk", *(field.attname for field in model._meta.concrete_fields)]
            old, new = before[model], after[model]
            assert set(old) <= set(new), f"{model.__name__}: the loader deleted rows; replaying it cannot"
            added = [dict(zip(fields[1:], new[pk][1:], strict=True)) for pk in new if pk not in old]
            changed = [dict(zip(fields[1:], new[pk][1:], strict=True)) for pk in old if old[pk] != new[pk]]
            if added:
                self.inserts.append((model, added))
                written[model] = set(new) - set(old)
            if changed:
                self.updates.append((model, changed))
        self._check_references(written)

    def _check_references(self, written: dict) -> None:
        for model, rows in self.inserts:
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.related_model
                foreign = {row[field.attname] for row in rows} - {None} - written.get(target, set())
                assert not foreign, (
                    f"{model.__name__}.{field.name} points at {target.__name__} rows the loader did not write"
                )

    def replay(self) -> None:
        """Write the rows again (in a transaction; committed if none is open)."""
        from django.core.management.color import no_style
        from django.db import connection, transaction

        with transaction.atomic():
            for model, rows in self.inserts:
                model._base_manager.bulk_create([model(**row) for row in rows], batch_size=500)
            for model, rows in self.updates:
                for row in rows:
                    model._base_manager.filter(pk=row[model._meta.pk.attname]).update(**row)
            sequences = connection.ops.sequence_reset_sql(no_style(), [model for model, _rows in self.inserts])
            if sequences:
                with connection.cursor() as cursor:
                    for statement in sequences:
                        cursor.execute(statement)
