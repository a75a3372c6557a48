"""Who may do what to a case, and who sees it. Every refusal also leaves the case exactly as it was: same
status and clocks, no audit event, no notice.

The demo county's staff (bianmin/demo/county.py): county_clerk (clerk, YX), market_chief (chief representative
SJ, delegation accept/supplement/approve/deny/issue_certificate 2026-01-01..2027-12-31), market_head (head SJ),
land_chief (chief ZR, delegation accept/supplement), land_head (head ZR), baisha_clerk / baisha_agent (BS town),
futu_clerk (FT town), baishacun_agent (BS01 village), supervisor (read-only, county). Heads of other
departments (NY, FG) are created here, as the demo has none.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from bianmin.accounts.models import User
from bianmin.cases import permissions, services
from bianmin.cases.models import Case, Notice, ReviewTask, Status
from bianmin.cases.selectors import cases_visible_to
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.models import AuditEvent
from bianmin.core.testing import OTHER_ID_NUMBER as OTHER_ID
from bianmin.core.testing import at, department_head, intake, user
from bianmin.org.models import Delegation, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


@pytest.fixture
def spring_2026():
    """Wall clock inside the delegations' validity (permissions.can checks a delegation on today's date)."""
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        yield


def state(case: Case) -> tuple:
    """Everything a refused action must leave as it was."""
    case.refresh_from_db()
    return (
        case.status,
        case.current_site_id,
        case.accepted_on,
        case.promised_due,
        case.statutory_due,
        case.suspended_days,
        case.decided_at,
        case.certificate_number,
        case.closed_at,
        AuditEvent.objects.count(),
        Notice.objects.filter(case=case).count(),
        list(case.tasks.order_by("pk").values_list("state", "due", "completed_by")),
    )


def denied(case: Case, call) -> None:
    """``call`` raises PermissionDenied and changes nothing."""
    before = state(case)
    with pytest.raises(PermissionDenied):
        call()
    assert state(case) == before


def open_task(case: Case) -> ReviewTask:
    return case.tasks.get(state=ReviewTask.State.OPEN, is_parallel=False)


def complete(case: Case, actor: User, on: datetime.datetime) -> None:
    services.case_complete_task(actor=actor, task=open_task(case), outcome="agree", now=on)


def visible(username: str, case: Case) -> bool:
    return cases_visible_to(user(username)).filter(pk=case.pk).exists()


def sj0004_at_decision() -> Case:
    """SJ-0004 received 03-02, accepted 03-03, both review steps done: the decision is open."""
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    case = services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3))
    complete(case, user("market_chief"), at(2026, 3, 4))
    complete(case, user("market_chief"), at(2026, 3, 5))
    return case


# --- The supervisor reads everything and changes nothing ----------------------------------------------------------


def test_the_supervisor_sees_every_case_and_can_do_nothing(county):
    supervisor = user("supervisor")
    county_case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    town_case = services.case_submit(actor=user("baisha_clerk"), intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))
    other_town = services.case_submit(actor=user("futu_clerk"), intake=intake("MZ-0001", "FT"), now=at(2026, 3, 2))
    relayed = services.case_submit(
        actor=user("baishacun_agent"),
        now=at(2026, 3, 2),
        intake=intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书", id_number=OTHER_ID),
    )

    # Sees every case on every tier
    assert set(cases_visible_to(supervisor)) == {county_case, town_case, other_town, relayed}

    # Cannot receive
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=supervisor, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    assert Case.objects.count() == 4

    # Cannot act before acceptance
    denied(county_case, lambda: services.case_accept(actor=supervisor, case=county_case, now=at(2026, 3, 3)))
    denied(
        county_case, lambda: services.case_refuse(actor=supervisor, case=county_case, reasons="x", now=at(2026, 3, 3))
    )
    denied(
        county_case,
        lambda: services.case_request_supplement(
            actor=supervisor, case=county_case, problems=[("营业执照", "未提供")], now=at(2026, 3, 3)
        ),
    )
    denied(
        county_case, lambda: services.case_withdraw(actor=supervisor, case=county_case, reason="x", now=at(2026, 3, 3))
    )

    # Nor after it
    case = services.case_accept(actor=user("county_clerk"), case=county_case, now=at(2026, 3, 3))
    denied(
        case,
        lambda: services.case_complete_task(
            actor=supervisor, task=open_task(case), outcome="agree", now=at(2026, 3, 4)
        ),
    )
    denied(
        case,
        lambda: services.case_suspend(
            actor=supervisor, case=case, kind="inspection", reason="x", expected_days=2, now=at(2026, 3, 4)
        ),
    )
    denied(
        case,
        lambda: services.case_request_extension(actor=supervisor, case=case, days=2, reason="x", now=at(2026, 3, 4)),
    )
    denied(case, lambda: services.case_decide(actor=supervisor, case=case, approve=True, now=at(2026, 3, 4)))
    for action in (
        "accept",
        "refuse",
        "request_supplement",
        "suspend",
        "resume",
        "request_extension",
        "decide_extension",
        "decide",
        "issue_certificate",
        "collect_fee",
        "mark_ready",
        "deliver",
        "withdraw",
    ):
        assert permissions.can(supervisor, action, case, on=D(2026, 3, 4)) is False, action


# --- Sites: a clerk acts on his own site's cases ------------------------------------------------------------------


def test_another_towns_clerk_cannot_accept_or_see_a_case(county):
    # Given NY-0001 received at 白沙镇
    case = services.case_submit(actor=user("baisha_clerk"), intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))

    # 浮屠镇's clerk, the county clerk (the case is at the town) and the village agent cannot accept it
    for outsider in ("futu_clerk", "county_clerk", "baishacun_agent"):
        denied(
            case, lambda outsider=outsider: services.case_accept(actor=user(outsider), case=case, now=at(2026, 3, 3))
        )
    assert not visible("futu_clerk", case)

    # 白沙镇's clerk can
    case = services.case_accept(actor=user("baisha_clerk"), case=case, now=at(2026, 3, 3))
    assert case.status == Status.ACCEPTED


def test_a_town_clerk_cannot_receive_at_another_town(county):
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=user("futu_clerk"), intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=user("baishacun_agent"), intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))
    assert not Case.objects.exists()


# --- Chief representatives: within the recorded delegation (首席代表制) -----------------------------------------------


def test_a_chief_with_accept_and_supplement_only_accepts_but_does_not_decide(county, spring_2026):
    land_chief = user("land_chief")
    # Given ZR-0003 不动产转移登记 received at the county
    case = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0003", "YX"), now=at(2026, 3, 2))

    # land_chief (delegation: accept, supplement) accepts it
    case = services.case_accept(actor=land_chief, case=case, now=at(2026, 3, 3))
    assert (case.status, case.accepted_by) == (Status.ACCEPTED, land_chief)
    complete(case, land_chief, at(2026, 3, 4))  # 审核
    complete(case, land_chief, at(2026, 3, 4, 15))  # 登簿

    # But he cannot decide it, nor issue its certificate
    denied(case, lambda: services.case_decide(actor=land_chief, case=case, approve=True, now=at(2026, 3, 5)))
    denied(
        case, lambda: services.case_decide(actor=land_chief, case=case, approve=False, reasons="x", now=at(2026, 3, 5))
    )
    # Nor act for another department
    sj = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    denied(sj, lambda: services.case_accept(actor=land_chief, case=sj, now=at(2026, 3, 3)))

    # The ZR department head decides
    services.case_decide(actor=user("land_head"), case=case, approve=True, now=at(2026, 3, 5))
    denied(case, lambda: services.case_issue_certificate(actor=land_chief, case=case, now=at(2026, 3, 6)))
    case.refresh_from_db()
    assert (case.status, case.decided_by) == (Status.APPROVED, user("land_head"))


def test_a_chief_decides_only_within_the_delegations_dates(county):
    chief = user("market_chief")
    with time_machine.travel(at(2026, 3, 2, 8), tick=False):
        case = sj0004_at_decision()
    delegation = Delegation.objects.get(assignment__user=chief)
    assert (delegation.valid_from, delegation.valid_to) == (D(2026, 1, 1), D(2027, 12, 31))

    # The boundaries of 阳市监〔2026〕12号
    assert permissions.can(chief, "decide", case, on=D(2025, 12, 31)) is False
    assert permissions.can(chief, "decide", case, on=D(2026, 1, 1)) is True
    assert permissions.can(chief, "decide", case, on=D(2027, 12, 31)) is True
    assert permissions.can(chief, "decide", case, on=D(2028, 1, 1)) is False

    # When the delegation has lapsed (today 2028-01-04), he cannot decide
    with time_machine.travel(at(2028, 1, 4, 9), tick=False):
        denied(case, lambda: services.case_decide(actor=chief, case=case, approve=True, now=at(2028, 1, 4)))
        # the head of the department needs no delegation
        assert permissions.can(user("market_head"), "decide", case) is True

    # Within it he can
    with time_machine.travel(at(2026, 3, 6, 9), tick=False):
        services.case_decide(actor=chief, case=case, approve=True, now=at(2026, 3, 6))
    case.refresh_from_db()
    assert (case.status, case.decided_by) == (Status.APPROVED, chief)


def test_a_chief_cannot_decide_another_departments_case(county, spring_2026):
    case = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0003", "YX"), now=at(2026, 3, 2))
    case = services.case_accept(actor=user("land_chief"), case=case, now=at(2026, 3, 3))

    for outsider in ("market_chief", "market_head"):
        denied(
            case,
            lambda outsider=outsider: services.case_decide(
                actor=user(outsider), case=case, approve=True, now=at(2026, 3, 5)
            ),
        )
        denied(
            case,
            lambda outsider=outsider: services.case_complete_task(
                actor=user(outsider), task=open_task(case), outcome="agree", now=at(2026, 3, 4)
            ),
        )


def test_a_chief_delegated_to_approve_only_cannot_deny(county, spring_2026):
    """Delegation.Decision distinguishes APPROVE and DENY: a denial needs the "deny" delegation."""
    chief = user("market_chief")
    Delegation.objects.filter(assignment__user=chief).update(decisions=["accept", "approve", "supplement"])
    case = sj0004_at_decision()

    denied(
        case,
        lambda: services.case_decide(
            actor=chief, case=case, approve=False, reasons="经营场所不符合要求", now=at(2026, 3, 6)
        ),
    )

    services.case_decide(actor=chief, case=case, approve=True, now=at(2026, 3, 6))
    case.refresh_from_db()
    assert case.status == Status.APPROVED


def test_a_window_clerk_does_not_decide_a_licence(county):
    """Only an immediate item is decided by the clerk at the window (即办件). A committed or joint item whose
    last step happens to be a clerk's (ZR-0003 缮证发证, FG-0003 汇总出件) is decided by the department head or a
    chief representative with the delegation, never by the general intake clerk."""
    clerk, land_chief = user("county_clerk"), user("land_chief")
    zr = services.case_submit(actor=clerk, intake=intake("ZR-0003", "YX"), now=at(2026, 3, 2))
    zr = services.case_accept(actor=clerk, case=zr, now=at(2026, 3, 3))
    complete(zr, land_chief, at(2026, 3, 4))
    complete(zr, land_chief, at(2026, 3, 4, 15))
    assert zr.tasks.get(is_decision=True).role == Role.CLERK

    denied(zr, lambda: services.case_decide(actor=clerk, case=zr, approve=True, now=at(2026, 3, 5)))

    fg = services.case_submit(actor=clerk, intake=intake("FG-0003", "YX"), now=at(2026, 3, 2))
    fg = services.case_accept(actor=clerk, case=fg, now=at(2026, 3, 3))
    assert fg.tasks.get(is_decision=True).role == Role.CLERK
    assert permissions.can(clerk, "decide", fg, on=D(2026, 3, 3)) is False


# --- 7. An escalated case: who acts at the town, who at the county -----------------------------------------------


def test_escalated_case_is_handled_by_the_town_then_decided_by_the_county_head(county):
    baisha_clerk, baisha_agent, ny_head = user("baisha_clerk"), user("baisha_agent"), department_head("NY")
    county_clerk, land_head = user("county_clerk"), user("land_head")
    baisha_leader, futu_leader = user("baisha_leader"), user("futu_leader")

    # Given NY-0001 received and accepted at 白沙镇
    case = services.case_submit(actor=baisha_clerk, intake=intake("NY-0001", "BS"), now=at(2026, 3, 2))
    case = services.case_accept(actor=baisha_clerk, case=case, now=at(2026, 3, 3))

    # At the town: the town agent's on-site review; the county does not do it
    assert visible("baisha_clerk", case) and visible("ny_head", case) and visible("baisha_leader", case)
    assert not visible("county_clerk", case) and not visible("futu_clerk", case)
    assert not visible("futu_leader", case)
    for outsider in (ny_head, county_clerk, user("futu_clerk"), user("futucun_agent"), baisha_clerk, baisha_leader):
        denied(
            case,
            lambda outsider=outsider: services.case_complete_task(
                actor=outsider, task=open_task(case), outcome="agree", now=at(2026, 3, 10)
            ),
        )
    # The town's window may still suspend or withdraw it, the county's window may not
    assert permissions.can(baisha_clerk, "suspend", case, on=D(2026, 3, 10)) is True
    assert permissions.can(county_clerk, "suspend", case, on=D(2026, 3, 10)) is False
    complete(case, baisha_agent, at(2026, 3, 10))

    # The town's review (镇级审核) is the town's reviewer's, at the town: not the county's head, not another town's
    case.refresh_from_db()
    assert case.current_site.code == "BS"
    for outsider in (ny_head, futu_leader, baisha_clerk, baisha_agent, county_clerk):
        denied(
            case,
            lambda outsider=outsider: services.case_complete_task(
                actor=outsider, task=open_task(case), outcome="agree", now=at(2026, 3, 11)
            ),
        )
    complete(case, baisha_leader, at(2026, 3, 11))

    # At the county: the NY head decides; the town no longer acts on it
    case.refresh_from_db()
    assert case.current_site.code == "YX"
    assert visible("baisha_clerk", case) and visible("county_clerk", case) and not visible("futu_clerk", case)
    assert permissions.can(baisha_clerk, "suspend", case, on=D(2026, 3, 11)) is False
    assert permissions.can(county_clerk, "suspend", case, on=D(2026, 3, 11)) is True
    for outsider in (baisha_clerk, county_clerk, land_head, user("market_head"), baisha_leader):
        denied(
            case,
            lambda outsider=outsider: services.case_decide(
                actor=outsider, case=case, approve=True, now=at(2026, 3, 12)
            ),
        )
    services.case_decide(actor=ny_head, case=case, approve=True, now=at(2026, 3, 12))
    case.refresh_from_db()
    assert (case.status, case.decided_by) == (Status.APPROVED, ny_head)
    assert list(audit_events_for(case).values_list("action", "actor__username")) == [
        ("case.submit", "baisha_clerk"),
        ("case.accept", "baisha_clerk"),
        ("case.complete_task", "baisha_agent"),
        ("case.complete_task", "baisha_leader"),
        ("case.forward", "baisha_leader"),
        ("case.approve", "ny_head"),
    ]


def test_a_village_agent_relays_but_does_not_accept(county):
    agent = user("baishacun_agent")
    case = services.case_submit(
        actor=agent,
        now=at(2026, 3, 2),
        intake=intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书", id_number=OTHER_ID),
    )

    denied(case, lambda: services.case_accept(actor=agent, case=case, now=at(2026, 3, 3)))
    denied(
        case,
        lambda: services.case_request_supplement(
            actor=agent, case=case, problems=[("申请书", "未签字")], now=at(2026, 3, 3)
        ),
    )
    assert visible("baishacun_agent", case) and visible("baisha_clerk", case)
    assert not visible("futucun_agent", case) and not visible("futu_clerk", case)


# --- Accounts ---------------------------------------------------------------------------------------------------


def test_an_inactive_account_can_do_nothing(county):
    clerk = user("county_clerk")
    case = services.case_submit(actor=clerk, intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))
    User.objects.filter(pk=clerk.pk).update(is_active=False)

    denied(case, lambda: services.case_accept(actor=user("county_clerk"), case=case, now=at(2026, 3, 3)))
    assert not cases_visible_to(user("county_clerk")).exists()


def test_the_department_head_acts_on_any_step_of_his_department(county):
    market_head = user("market_head")
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2))

    case = services.case_accept(actor=market_head, case=case, now=at(2026, 3, 3))
    complete(case, market_head, at(2026, 3, 4))  # a chief representative's step
    complete(case, market_head, at(2026, 3, 5))
    services.case_decide(actor=market_head, case=case, approve=True, now=at(2026, 3, 6))

    case.refresh_from_db()
    assert (case.status, case.accepted_by, case.decided_by) == (Status.APPROVED, market_head, market_head)


def test_a_clerk_cannot_receive_at_another_town_by_naming_a_relay_site(county):
    """A relaying site belongs to applications through an agent only: at the window, the receiving site itself
    must be the clerk's."""
    with pytest.raises(DomainError) as refused:
        services.case_submit(
            actor=user("baisha_clerk"), intake=intake("MZ-0001", "FT", relay="BS"), now=at(2026, 3, 2, 9)
        )

    assert refused.value.code == "intake_invalid"
    assert not Case.objects.exists()
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=user("baisha_clerk"), intake=intake("MZ-0001", "FT"), now=at(2026, 3, 2, 9))
    assert not Case.objects.exists()


def test_a_village_agent_relays_only_from_their_own_room_to_the_level_above_it(county):
    agent = user("baishacun_agent")
    with pytest.raises(DomainError):
        services.case_submit(actor=agent, intake=intake("SJ-0004", "YX", relay="BS01"), now=at(2026, 3, 2, 9))
    with pytest.raises(PermissionDenied):
        services.case_submit(
            actor=agent,
            intake=intake("MZ-0001", "FT", channel="agency", relay="FT01", authorisation="委托书"),
            now=at(2026, 3, 2, 9),
        )
    assert not Case.objects.exists()

    # Naming another town as the receiving site changes nothing: the case goes up from the agent's room.
    case = services.case_submit(
        actor=agent,
        intake=intake("MZ-0001", "FT", channel="agency", relay="BS01", authorisation="委托书"),
        now=at(2026, 3, 2, 9),
    )
    assert (case.receiving_site.code, case.relay_site.code) == ("BS", "BS01")


def test_a_chief_representative_receives_at_the_window_of_their_own_site(county):
    case = services.case_submit(actor=user("market_chief"), intake=intake("SJ-0004", "YX"), now=at(2026, 3, 2, 9))

    assert case.receiving_site.code == "YX"
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=user("market_chief"), intake=intake("MZ-0001", "BS"), now=at(2026, 3, 2, 9))
