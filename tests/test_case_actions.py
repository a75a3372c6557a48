"""What a person may do with a case now has one answer: for every role of the access matrix and a case of their own
place in every status (and with what else a move needs, or lacks), the case page offers, the API lists
(``allowed_actions``) and the services accept the same moves, and they are ``cases.workflow.actions_available``.

The people and places are the access matrix's (tests/access_matrix_world.py): the town 白沙镇's case relayed from the
village room 白沙村 (BS), the market department's case at the county centre (YX) and the applicant's own online
application (ONLINE), with the cases it keeps per status. This module adds the statuses and facts the matrix does not
need. What the services accept is found by trying every move, with valid input, in a savepoint rolled back at once.
An applicant has no case page or API: their page is the tracking page, which offers a withdrawal or nothing.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from bianmin.accounts.models import User
from bianmin.cases import services
from bianmin.cases.models import Case, Extension, ReviewTask
from bianmin.cases.public_views import TRACKED_SESSION_KEY
from bianmin.cases.workflow import ALLOWED_FROM, actions_available
from bianmin.catalog.models import FeeRule
from bianmin.core.errors import DomainError
from bianmin.core.testing import OTHER_ID_NUMBER, SHANGHAI, intake

from .access_matrix_world import NOW, RECEIVED, ROLES, World, world_build

# Who submits each place's cases, and what (as the matrix's world does).
SUBMITTERS = {
    "BS": ("baishacun_agent", ("XF-0001", "BS01"), {"channel": "agency", "relay": "BS01", "authorisation": "委托书"}),
    "YX": ("county_clerk", ("SJ-0004", "YX"), {}),
    "ONLINE": ("matrix_applicant", ("SJ-0004", "YX"), {"channel": "online", "id_number": OTHER_ID_NUMBER}),
}
AFTER_THE_WINDOW = datetime.datetime(2026, 2, 2, 10, tzinfo=SHANGHAI)  # 5 working days ended on 9 February


def _submit(place: str, *, when: datetime.datetime = RECEIVED, item: str | None = None, complete: bool = True) -> Case:
    username, (code, site), options = SUBMITTERS[place]
    return services.case_submit(
        actor=User.objects.get(username=username),
        intake=intake(item or code, site, complete=complete, **options),
        now=when,
    )


def _accepted(place: str, **options) -> Case:
    case = _submit(place, **options)
    return services.case_accept(actor=None, case=case, now=RECEIVED)


def _reviewed(case: Case, *, parallel: bool = True) -> Case:
    """Every step before the decision done (but the co-departments' reviews, unless ``parallel``)."""
    steps = case.tasks.filter(state=ReviewTask.State.OPEN, is_decision=False)
    if not parallel:
        steps = steps.filter(is_parallel=False)
    while task := steps.order_by("pk").first():
        services.case_complete_task(actor=None, task=task, outcome="agree", now=RECEIVED)
    return case


def _approved(case: Case, *, certificate: bool = False) -> Case:
    services.case_decide(actor=None, case=_reviewed(case), approve=True, now=NOW)
    if certificate:
        services.case_issue_certificate(actor=None, case=case, now=NOW)
    return case


def _ready(place: str) -> Case:
    """Marked ready: the relayed case's result is sent back to the village room (结果反馈), the others' are ready
    where they were decided."""
    case = _approved(_accepted(place), certificate=True)
    return services.case_mark_ready(actor=None, case=case, now=NOW)


def _arrived(place: str) -> Case:
    case = _ready(place)
    if case.result_arrived_at is None:
        case = services.case_receive_result(actor=None, case=case, now=NOW)
    return case


def _extensions_used_up(place: str) -> Case:
    case = _accepted(place)
    superuser = User.objects.get(username="matrix_superuser")
    extension = services.case_request_extension(actor=superuser, case=case, days=10, reason="专家评审", now=NOW)
    services.case_decide_extension(actor=superuser, extension=extension, approve=True, now=NOW)
    return case


# state -> how a place's case gets there (the matrix's own cases are read from its world).
STATES: dict[str, Callable[[World, str], Case]] = {
    "received": lambda world, place: world.places[place].in_status["received"],
    "received_after_the_window": lambda world, place: _submit(place, when=AFTER_THE_WINDOW),
    # A material missing: acceptance waits for the supplement notice or for the clerk's reason it is not needed.
    "received_material_missing": lambda world, place: _submit(place, complete=False),
    "received_material_missing_after_the_window": lambda world, place: _submit(
        place, when=AFTER_THE_WINDOW, complete=False
    ),
    "supplement_requested": lambda world, place: world.places[place].in_status["supplement_requested"],
    "refused": lambda world, place: services.case_refuse(actor=None, case=_submit(place), reasons="不符合条件").case,
    "accepted": lambda world, place: _accepted(place),
    "accepted_extension_requested": lambda world, place: world.places[place].case,
    "accepted_extensions_used_up": lambda world, place: _extensions_used_up(place),
    "accepted_reviewed": lambda world, place: _reviewed(_accepted(place)),
    "suspended": lambda world, place: world.places[place].in_status["suspended"],
    "withdrawn": lambda world, place: services.case_withdraw(actor=None, case=_submit(place), reason="不办了"),
    "approved": lambda world, place: world.places[place].in_status["approved"],
    "approved_certificate_issued": lambda world, place: _approved(_accepted(place), certificate=True),
    "approved_ready": lambda world, place: _ready(place),
    "approved_arrived": lambda world, place: _arrived(place),
    "denied": lambda world, place: (
        services.case_decide(
            actor=None, case=_reviewed(_accepted(place)), approve=False, reasons="不符合条件", now=NOW
        ).case
    ),
    "closed": lambda world, place: services.case_deliver(actor=None, case=_arrived(place), now=NOW),
}
# Facts only the county centre's cases show: a fee (ZR-0004) and a joint review (SJ-0006, with HB and ZJ).
COUNTY_STATES: dict[str, Callable[[World, str], Case]] = {
    "approved_fee_unpaid": lambda world, place: _approved(_accepted(place, item="ZR-0004")),
    "approved_certificate_issued_fee_unpaid": lambda world, place: _approved(
        _accepted(place, item="ZR-0004"), certificate=True
    ),
    "accepted_joint_reviews_open": lambda world, place: _reviewed(_accepted(place, item="SJ-0006"), parallel=False),
}
PLACE_STATES = {"BS": {**STATES}, "YX": {**STATES, **COUNTY_STATES}, "ONLINE": {**STATES}}
PEOPLE = [role for role, spec in ROLES.items() if spec.username]


@pytest.fixture(scope="module")
def cases(demo_rows, django_db_blocker):
    """The matrix's world and a case per place and state, built once for the module, rolled back at its end."""
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    with django_db_blocker.unblock(), transaction.atomic():
        demo_rows["county"].replay()
        world = world_build()
        yield {
            place: {state: build(world, place).pk for state, build in states.items()}
            for place, states in PLACE_STATES.items()
        }
        transaction.set_rollback(True)
    traveller.stop()


class _Rollback(Exception):
    pass


def _accepts(attempt: Callable[[], object]) -> bool:
    """Whether the service takes the move: run it in a savepoint and undo it whatever happened."""
    try:
        with transaction.atomic():
            attempt()
            raise _Rollback
    except _Rollback:
        return True
    except DomainError:
        return False


def _attempts(actor: User, case: Case) -> dict[str, list[Callable[[], object]]]:
    """Every move with valid input (each way it can be made: every step, every delivery method, either decision)."""
    fees = FeeRule.objects.filter(version=case.version, amount__isnull=False)
    return {
        "request_supplement": [
            lambda: services.case_request_supplement(
                actor=actor,
                case=case,
                # Valid: the one notice lists every material still missing (case_request_supplement checks it).
                problems=[("身份证", "复印件不清晰")]
                + [(material.name, "未提供") for material in case.materials.all() if material.is_outstanding],
                repeat_reason="第一次告知后又发现缺件",
            )
        ],
        "receive_supplement": [lambda: services.case_receive_supplement(actor=actor, case=case, materials=[])],
        "waive_material": [
            lambda material=material: services.case_waive_material(
                actor=actor, case=case, material_id=material.pk, reason="申请人为个人，无需营业执照"
            )
            for material in case.materials.all()
            if material.is_outstanding
        ],
        "accept": [lambda: services.case_accept(actor=actor, case=case)],
        "refuse": [lambda: services.case_refuse(actor=actor, case=case, reasons="不符合条件")],
        "complete_task": [
            lambda task=task: services.case_complete_task(actor=actor, task=task, outcome="agree")
            for task in case.tasks.all()
        ],
        "suspend": [
            lambda: services.case_suspend(actor=actor, case=case, kind="hearing", reason="听证", expected_days=5)
        ],
        "resume": [lambda: services.case_resume(actor=actor, case=case)],
        "request_extension": [
            lambda: services.case_request_extension(actor=actor, case=case, days=1, reason="需要现场核查")
        ],
        "decide_extension": [
            lambda extension=extension: services.case_decide_extension(actor=actor, extension=extension, approve=True)
            for extension in case.extensions.filter(state=Extension.State.REQUESTED)
        ],
        "decide": [
            lambda: services.case_decide(actor=actor, case=case, approve=True),
            lambda: services.case_decide(actor=actor, case=case, approve=False, reasons="不符合条件"),
        ],
        "issue_certificate": [lambda: services.case_issue_certificate(actor=actor, case=case)],
        "collect_fee": [
            lambda fee=fee: services.case_collect_fee(actor=actor, case=case, fee_rule_ids=[fee.pk], amount=fee.amount)
            for fee in fees
        ],
        "mark_ready": [
            lambda method=method: services.case_mark_ready(actor=actor, case=case, method=method)
            for method in (None, "window", "post")
        ],
        "receive_result": [lambda: services.case_receive_result(actor=actor, case=case)],
        "deliver": [
            lambda: services.case_deliver(actor=actor, case=case),
            lambda: services.case_deliver(actor=actor, case=case, post_tracking_number="1178000000001"),
        ],
        "record_signature": [lambda: services.case_record_signature(actor=actor, case=case)],
        "withdraw": [lambda: services.case_withdraw(actor=actor, case=case, reason="申请人书面撤回")],
    }


def _accepted_by_services(actor: User, case: Case) -> set[str]:
    return {move for move, attempts in _attempts(actor, case).items() if any(_accepts(a) for a in attempts)}


def _logged_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _page_offers(client: Client, case: Case) -> set[str]:
    """The forms of the case page (a page the person may not see offers nothing)."""
    response = client.get(f"/workbench/cases/{case.pk}/")
    if response.status_code != 200:
        return set()
    return set(re.findall(rf'action="/workbench/cases/{case.pk}/([a-z_]+)/"', response.content.decode()))


def _api_lists(client: Client, case: Case) -> list[str]:
    response = client.get(f"/api/v1/cases/{case.pk}")
    return response.json()["allowed_actions"] if response.status_code == 200 else []


def _tracking_page_offers(client: Client, case: Case) -> set[str]:
    """The applicant's own page of the case, verified in this session as the tracking form does."""
    session = client.session
    session[TRACKED_SESSION_KEY] = {str(case.pk): time.time() + 3600}
    session.save()
    body = client.get(f"/cases/track/{case.tracking_number}/").content.decode()
    return {"withdraw"} if f'action="/cases/track/{case.tracking_number}/withdraw/"' in body else set()


@pytest.mark.parametrize(
    ("role", "state"),
    [
        pytest.param(role, state, id=f"{role} · {state}")
        for role in PEOPLE
        for state in PLACE_STATES[ROLES[role].in_key]
    ],
)
def test_the_page_the_api_and_the_services_agree_on_what_a_person_may_do_now(cases, db, role: str, state: str):
    case = Case.objects.select_related("item", "version", "department", "receiving_site", "current_site").get(
        pk=cases[ROLES[role].in_key][state]
    )
    person = User.objects.get(username=ROLES[role].username)
    available = actions_available(person, case)
    accepted = _accepted_by_services(person, case)
    client = _logged_in(person)

    if role == "applicant":
        shown = {"page": _tracking_page_offers(client, case)}
    else:
        listed = _api_lists(client, case)
        shown = {"page": _page_offers(client, case), "api": set(listed)}
        assert listed in ([], available), "the API lists the moves in the workflow's order"

    assert {"services": accepted, **shown} == {key: set(available) for key in ["services", *shown]}, case.status


def test_the_walk_covers_every_move_someone_may_make_and_every_status(cases, db):
    """The walk is only as good as its cases: each move is available to some role in some state, and each status
    a case can be in after submission appears."""
    seen_moves, seen_statuses = set(), set()
    for role in PEOPLE:
        person = User.objects.get(username=ROLES[role].username)
        for pk in cases[ROLES[role].in_key].values():
            case = Case.objects.get(pk=pk)
            seen_moves |= set(actions_available(person, case))
            seen_statuses.add(case.status)
    assert seen_moves == set(ALLOWED_FROM) - {"submit"}
    assert seen_statuses == {
        "received",
        "supplement_requested",
        "accepted",
        "suspended",
        "approved",
        "denied",
        "refused",
        "withdrawn",
        "closed",
    }
