"""首问负责制: the first staff member asked owns the inquiry until it is answered or handed over on record."""

import pytest

from bianmin.cases.inquiries import (
    handover_candidates,
    inquiries_owned_by,
    inquiry_answer,
    inquiry_handover,
    inquiry_log,
)
from bianmin.cases.models import Inquiry
from bianmin.core.audit import audit_events_for
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.testing import at, logged_in, user
from bianmin.org.models import Department, Site


def logged(username: str = "county_clerk", question: str = "办食品经营许可要带什么？") -> Inquiry:
    return inquiry_log(
        actor=user(username),
        asked_by="王大妈",
        contact="13800001111",
        question=question,
        site=Site.objects.get(code="YX"),
        now=at(2026, 3, 2),
    )


# --- Services ---------------------------------------------------------------------------------------------------


def test_the_first_person_asked_logs_and_owns_the_inquiry(county):
    inquiry = logged()

    assert inquiry.owner == user("county_clerk") and inquiry.logged_by == user("county_clerk")
    assert inquiry.state == Inquiry.State.OPEN
    assert list(inquiries_owned_by(user("county_clerk"))) == [inquiry]
    events = list(audit_events_for(inquiry))
    assert [(event.action, event.actor_label) for event in events] == [("inquiry.log", "county_clerk")]


def test_the_owner_answers_and_the_inquiry_closes(county):
    inquiry = logged()

    inquiry_answer(
        actor=user("county_clerk"), inquiry=inquiry, answer="申请书、营业执照等，详见服务指南。", now=at(2026, 3, 2, 11)
    )

    inquiry.refresh_from_db()
    assert inquiry.state == Inquiry.State.ANSWERED and inquiry.answered_at == at(2026, 3, 2, 11)
    assert [event.action for event in audit_events_for(inquiry)] == ["inquiry.log", "inquiry.answer"]
    with pytest.raises(DomainError) as closed:
        inquiry_answer(actor=user("county_clerk"), inquiry=inquiry, answer="再次回答")
    assert closed.value.code == "inquiry_closed"


def test_only_the_owner_may_answer_or_hand_over(county):
    inquiry = logged()

    with pytest.raises(PermissionDenied):
        inquiry_answer(actor=user("market_chief"), inquiry=inquiry, answer="我来答")
    with pytest.raises(PermissionDenied):
        inquiry_handover(actor=user("market_chief"), inquiry=inquiry, to_user=user("land_chief"))

    inquiry.refresh_from_db()
    assert inquiry.state == Inquiry.State.OPEN and inquiry.owner == user("county_clerk")
    assert inquiry.handovers == []
    assert [event.action for event in audit_events_for(inquiry)] == ["inquiry.log"]


def test_handover_to_a_named_colleague_is_on_record(county):
    inquiry = logged()
    market = Department.objects.get(code="SJ")

    inquiry_handover(
        actor=user("county_clerk"),
        inquiry=inquiry,
        to_user=user("market_chief"),
        to_department=market,
        note="涉及食品经营许可，请市场监管窗口答复",
        now=at(2026, 3, 2, 10),
    )

    inquiry.refresh_from_db()
    assert inquiry.owner == user("market_chief") and inquiry.owner_department == market
    assert inquiry.handovers == [
        {
            "who": "county_clerk",
            "who_name": "王晓燕",
            "when": at(2026, 3, 2, 10).isoformat(),
            "to_user": "market_chief",
            "to_user_name": "张志强",
            "to_department": "SJ",
            "to_department_name": "县市场监督管理局",
            "note": "涉及食品经营许可，请市场监管窗口答复",
        }
    ]
    event = list(audit_events_for(inquiry))[-1]
    assert event.action == "inquiry.handover" and event.payload["to_user"] == "market_chief"
    with pytest.raises(PermissionDenied):
        inquiry_answer(actor=user("county_clerk"), inquiry=inquiry, answer="已移交后不能再答")
    inquiry_answer(actor=user("market_chief"), inquiry=inquiry, answer="需申请书等六项材料")
    inquiry.refresh_from_db()
    assert inquiry.state == Inquiry.State.ANSWERED


def test_handover_to_a_department_lets_its_staff_answer(county):
    inquiry = logged()

    inquiry_handover(actor=user("county_clerk"), inquiry=inquiry, to_department=Department.objects.get(code="SJ"))

    assert inquiry in inquiries_owned_by(user("market_head"))
    assert inquiry not in inquiries_owned_by(user("county_clerk"))
    with pytest.raises(PermissionDenied):
        inquiry_answer(actor=user("land_chief"), inquiry=inquiry, answer="不是我的部门")
    inquiry_answer(actor=user("market_head"), inquiry=inquiry, answer="已答复")
    inquiry.refresh_from_db()
    assert inquiry.owner == user("market_head")


@pytest.mark.parametrize(
    ("to_user", "code"),
    [
        (None, "handover_target_missing"),
        ("county_clerk", "handover_target_invalid"),
        ("supervisor", "handover_target_invalid"),
    ],
)
def test_handover_needs_another_staff_member_or_a_department(county, to_user, code):
    inquiry = logged()

    with pytest.raises(DomainError) as refused:
        inquiry_handover(actor=user("county_clerk"), inquiry=inquiry, to_user=user(to_user) if to_user else None)

    assert refused.value.code == code
    inquiry.refresh_from_db()
    assert inquiry.owner == user("county_clerk") and inquiry.handovers == []


def test_read_only_supervisors_do_not_log_inquiries(county):
    with pytest.raises(PermissionDenied):
        logged("supervisor")
    assert not Inquiry.objects.exists()


def test_an_inquiry_needs_who_asked_and_what(county):
    with pytest.raises(DomainError) as refused:
        inquiry_log(actor=user("county_clerk"), asked_by=" ", question="?", site=Site.objects.get(code="YX"))
    assert refused.value.code == "inquiry_incomplete"


def test_colleagues_to_hand_over_to_are_staff_in_scope(county):
    names = set(handover_candidates(user("baisha_clerk")).values_list("username", flat=True))

    # the town hall's agent and reviewer (镇分管领导), the village room's agent
    assert names == {"baisha_agent", "baisha_leader", "baishacun_agent"}


# --- The page -------------------------------------------------------------------------------------------------


def test_log_an_inquiry_on_the_page_and_see_it_on_my_work(county):
    client = logged_in("baisha_clerk", language="en")

    response = client.post(
        "/workbench/cases/inquiries/", {"asked_by": "柯大爷", "contact": "13900002222", "question": "低保怎么申请？"}
    )

    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert inquiry.site.code == "BS" and inquiry.owner == user("baisha_clerk")
    page = client.get("/workbench/cases/inquiries/").content.decode()
    assert "柯大爷" in page and "低保怎么申请？" in page
    assert f'action="/workbench/cases/inquiries/{inquiry.pk}/handover/"' in page
    queue = client.get("/workbench/cases/")
    assert queue.context["counts"]["inquiries"] == 1
    assert "柯大爷" in queue.content.decode()


def test_the_log_form_shows_its_errors(county):
    response = logged_in("baisha_clerk", language="en").post(
        "/workbench/cases/inquiries/", {"asked_by": "", "question": ""}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Inquiry.objects.exists()


def test_answer_and_hand_over_on_the_page(county):
    first = logged()
    second = logged(question="营业执照丢了怎么补？")
    client = logged_in("county_clerk", language="en")

    client.post(f"/workbench/cases/inquiries/{first.pk}/answer/", {f"answer{first.pk}-answer": "见服务指南"})
    client.post(
        f"/workbench/cases/inquiries/{second.pk}/handover/",
        {f"handover{second.pk}-to_user": user("market_chief").pk, f"handover{second.pk}-note": "请市场监管答复"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Inquiry.State.ANSWERED and first.answer == "见服务指南"
    assert second.owner == user("market_chief")
    assert second.handovers[0]["note"] == "请市场监管答复"
    assert (
        "营业执照丢了怎么补？"
        in logged_in("market_chief", language="en").get("/workbench/cases/inquiries/").content.decode()
    )


def test_someone_else_cannot_answer_on_the_page(county):
    inquiry = logged()

    response = logged_in("land_chief", language="en").post(
        f"/workbench/cases/inquiries/{inquiry.pk}/answer/", {f"answer{inquiry.pk}-answer": "越权答复"}
    )

    # Somebody else's inquiry is not found by its id (as another town's case is not).
    assert response.status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.state == Inquiry.State.OPEN and inquiry.answer == ""


def test_a_supervisor_sees_no_log_form(county):
    page = logged_in("supervisor", language="en").get("/workbench/cases/inquiries/").content.decode()

    assert 'name="asked_by"' not in page
