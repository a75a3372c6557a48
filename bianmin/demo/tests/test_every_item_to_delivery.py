"""Every demo item can be finished by the demo's own people: one case of each, from intake to delivery.

No move is scripted: at every turn the test asks ``cases.workflow.actions_available`` of each demo account that sees
the case (the people of the sites and departments it is at) and calls the service of a forward move as an account
that has it, so it proves what the pages offer as "what may I do now" and keeps working when a move is added or
changes. The superuser never acts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Prefetch

from bianmin.accounts.models import User
from bianmin.cases import services
from bianmin.cases.access import scope_keys
from bianmin.cases.models import Case, CaseAccess, DeliveryMethod, ReviewTask, Status
from bianmin.cases.workflow import actions_available, steps_for
from bianmin.catalog.models import ServiceItem, StepTier
from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, intake
from bianmin.demo import catalog_items
from bianmin.demo import county as demo_county
from bianmin.org.models import Role, SiteLevel
from bianmin.org.selectors import user_scope

# Moves that turn aside (refusal, supplement, suspension, extension, withdrawal): never taken here.
DETOURS = {
    "refuse",
    "withdraw",
    "request_supplement",
    "receive_supplement",
    "suspend",
    "resume",
    "request_extension",
    "decide_extension",
}
# Forward moves in the order they are preferred; a move this list does not know comes before handing over.
FIRST = ["accept", "complete_task", "decide", "issue_certificate", "collect_fee"]
LAST = ["mark_ready", "deliver"]
# Who receives an application at each level (a window of that site): the village room's agent, a town's clerk.
RECEIVERS = {SiteLevel.VILLAGE: ("BS01", "baishacun_agent"), SiteLevel.TOWN: ("FT", "futu_clerk")}
COUNTY_RECEIVER = ("YX", "county_clerk")


def _receiver(item: ServiceItem) -> tuple[str, str]:
    levels = item.current_version.accepting_level_list
    for level in (SiteLevel.VILLAGE, SiteLevel.TOWN):
        if level in levels:
            return RECEIVERS[level]
    return COUNTY_RECEIVER


def _fresh(case: Case) -> Case:
    return (
        Case.objects.select_related("item", "version", "department", "current_site", "receiving_site", "relay_site")
        .prefetch_related(Prefetch("tasks", ReviewTask.objects.select_related("site")), "extensions")
        .get(pk=case.pk)
    )


def _call(action: str, actor: User, case: Case, now: datetime.datetime) -> None:
    """The service of ``action``, with what a person at the window would give it."""
    if action == "complete_task":
        task = steps_for(actor, case)[0]
        services.case_complete_task(actor=actor, task=task, outcome=ReviewTask.Outcome.AGREE, now=now)
    elif action == "decide":
        services.case_decide(actor=actor, case=case, approve=True, now=now)
    elif action == "collect_fee":
        rules = list(case.version.fees.all())
        fixed = sum((rule.amount for rule in rules if rule.amount is not None), Decimal("0"))
        amount = fixed + (Decimal("10") if any(rule.amount is None for rule in rules) else 0)
        services.case_collect_fee(
            actor=actor, case=case, fee_rule_ids=[rule.pk for rule in rules], amount=amount, now=now
        )
    elif action == "mark_ready":
        services.case_mark_ready(actor=actor, case=case, method=DeliveryMethod.WINDOW, now=now)
    else:
        getattr(services, f"case_{action}")(actor=actor, case=case, now=now)


def _next_move(case: Case, people: list[tuple[User, set[int]]], done: set[str]) -> tuple[str, User] | None:
    """A forward move someone who sees the case may make now, by preference, and who makes it."""
    keys = set(CaseAccess.objects.filter(case=case).values_list("key", flat=True))
    offered: dict[str, User] = {}
    for person, person_keys in people:
        if not person_keys & keys:
            continue
        for action in actions_available(person, case, on=datetime.date(2026, 3, 3)):
            offered.setdefault(action, person)
    forward = [
        action for action in offered if action not in DETOURS and (action == "complete_task" or action not in done)
    ]
    ranked = sorted(
        forward,
        key=lambda action: (
            FIRST.index(action)
            if action in FIRST
            else len(FIRST) + 1 + LAST.index(action)
            if action in LAST
            else len(FIRST)
        ),
    )
    return (ranked[0], offered[ranked[0]]) if ranked else None


@pytest.fixture
def demo_people(county) -> list[tuple[User, set[int]]]:
    """Every demo account that works on cases (not the superuser, the centre administrator or the supervisor), with
    the access keys of the cases it sees."""
    names = {
        username for username, _name, role, *_rest in demo_county.STAFF if role not in ("centre_admin", "supervisor")
    }
    people = list(User.objects.filter(username__in=names).order_by("username"))
    return [(person, set(scope_keys(user_scope(person)))) for person in people]


def test_one_case_of_every_demo_item_goes_from_intake_to_delivery_with_the_demo_accounts(county, demo_people):
    items = list(ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).select_related("current_version"))
    assert sorted(item.code for item in items) == sorted(entry["code"] for entry in catalog_items.ITEMS)
    stuck = {}
    cases = []
    for item in items:
        site, receiver = _receiver(item)
        now = at(2026, 3, 3, 9)
        case = services.case_submit(actor=User.objects.get(username=receiver), intake=intake(item.code, site), now=now)
        cases.append(case.pk)
        done: set[str] = set()
        for _turn in range(30):
            case = _fresh(case)
            if case.status == Status.CLOSED:
                break
            move = _next_move(case, demo_people, done)
            if move is None:
                stuck[item.code] = (case.get_status_display(), [t.name for t in case.tasks.all() if t.state == "open"])
                break
            action, actor = move
            now += datetime.timedelta(minutes=5)
            _call(action, actor, case, now)
            done.add(action)
    assert stuck == {}
    assert Case.objects.exclude(status=Status.CLOSED).count() == 0
    # Nobody but the demo's people acted (not the superuser), and nothing was left to the system.
    moves = AuditEvent.objects.filter(action__startswith="case.", object_id__in=[str(pk) for pk in cases])
    assert moves.count() >= 3 * len(items)
    assert set(moves.values_list("actor__username", flat=True)) <= {person.username for person, _keys in demo_people}


def test_a_town_level_step_is_done_at_the_town_by_its_reviewer(county, demo_people):
    # Given NY-0001 农村宅基地审批 and MZ-0004 received at the 浮屠镇 hall and taken forward by whoever may
    for code, town_step in (("NY-0001", "镇级审核"), ("MZ-0004", "镇级审核")):
        item = ServiceItem.objects.get(code=code)
        assert item.current_version.steps.get(name=town_step).tier == StepTier.TOWN
        case = services.case_submit(
            actor=User.objects.get(username="futu_clerk"), intake=intake(code, "FT"), now=at(2026, 3, 3, 9)
        )
        now = at(2026, 3, 3, 10)
        done: set[str] = set()
        while True:
            case = _fresh(case)
            if case.status == Status.CLOSED:
                break
            action, actor = _next_move(case, demo_people, done)
            _call(action, actor, case, now)
            done.add(action)
            now += datetime.timedelta(minutes=5)

        # Then the town's step was held at the town and done by its reviewer (镇分管领导), the county's by the head
        step = case.tasks.get(name=town_step)
        assert (step.site.code, step.completed_by.username) == ("FT", "futu_leader")
        decision = case.tasks.get(is_decision=True)
        assert decision.site.code == "YX"
        assert case.decided_by.username == f"{code[:2].lower()}_head"
        assert (
            case.tasks.filter(role=Role.DEPARTMENT_HEAD, site__level=SiteLevel.TOWN)
            .exclude(completed_by__username="futu_leader")
            .count()
            == 0
        )
