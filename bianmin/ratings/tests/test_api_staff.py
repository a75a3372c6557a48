"""The ratings pages' staff operations over the API: one rectification task, its moves through the same services,
the appeal with its evidence file and the supervisor's decision, the appeals waiting, and the month's figures."""

from __future__ import annotations

import json

import pytest

from bianmin.core.models import AuditEvent
from bianmin.core.testing import at, delivered, logged_in, picture
from bianmin.ratings.models import Appeal, Channel, Level, Rating, Rectification
from bianmin.ratings.services import rating_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RATED = at(2026, 9, 30)
BASE = "/api/v1/ratings/rectifications"


def bad_review() -> Rating:
    case = delivered(now=at(2026, 9, 29))
    return rating_submit(
        actor=None,
        case=case,
        channel=Channel.ONLINE,
        level=Level.VERY_DISSATISFIED,
        indicators={"handling_efficiency": 1},
        tags=["slow"],
        comment="太慢了。",
        now=RATED,
    )


def post(client, path: str, body: dict):
    return client.post(f"{BASE}/{path}", json.dumps(body), content_type="application/json")


def test_the_handler_verifies_rectifies_and_records_the_outcome(county, time_machine):
    time_machine.move_to(at(2026, 10, 8), tick=False)
    task = Rectification.objects.get(rating=bad_review())
    clerk, head = logged_in("county_clerk"), logged_in("market_head")

    detail = clerk.get(f"{BASE}/{task.pk}").json()
    assert {key: detail[key] for key in ("state", "level", "comment", "tags", "due", "is_overdue", "actions")} == {
        "state": "open",
        "level": 1,
        "comment": "太慢了。",
        "tags": ["slow"],
        "due": "2026-10-13",
        "is_overdue": False,
        "actions": ["verify"],
    }
    assert head.get(f"{BASE}/{task.pk}").json()["actions"] == ["verify", "appeal"]

    verified = post(clerk, f"{task.pk}/verify", {"is_founded": True, "findings": "办理超时属实。"})
    assert verified.status_code == 200
    assert (verified.json()["state"], verified.json()["is_founded"], verified.json()["findings"]) == (
        "verified",
        True,
        "办理超时属实。",
    )
    rectified = post(clerk, f"{task.pk}/rectify", {"measures": "已优化流程。"})
    assert (rectified.json()["state"], rectified.json()["measures"]) == ("rectified", "已优化流程。")

    # The review was named: the outcome waits for the call back (409), which changes nothing
    events = AuditEvent.objects.count()
    early = post(head, f"{task.pk}/record-outcome", {"outcome": "完成。"})
    assert (early.status_code, early.json()["code"]) == (409, "callback_required")
    assert AuditEvent.objects.count() == events
    called = post(clerk, f"{task.pk}/call-back", {"note": "申请人认可。"})
    assert (called.json()["state"], called.json()["callback_note"]) == ("called_back", "申请人认可。")
    done = post(head, f"{task.pk}/record-outcome", {"outcome": "整改完成。"})
    assert (done.json()["state"], done.json()["outcome"], done.json()["actions"]) == ("done", "整改完成。", [])

    # Another town's clerk does not find it; a blank text is refused before any service runs
    assert logged_in("futu_clerk").get(f"{BASE}/{task.pk}").status_code == 404
    assert post(clerk, f"{task.pk}/rectify", {"measures": ""}).status_code == 422


def test_an_appeal_with_its_evidence_is_upheld_by_the_supervisor(county, time_machine):
    time_machine.move_to(at(2026, 10, 8), tick=False)
    task = Rectification.objects.get(rating=bad_review())
    head, supervisor = logged_in("market_head"), logged_in("supervisor")

    # Only the department's leads appeal (the handler is refused, nothing written)
    clerk = logged_in("county_clerk")
    refused = clerk.post(f"{BASE}/{task.pk}/appeal", {"reason": "误评。"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert Appeal.objects.count() == 0

    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("call.png", picture("PNG"), content_type="image/png")
    filed = head.post(f"{BASE}/{task.pk}/appeal", {"reason": "评价人误选。", "evidence": evidence})
    assert filed.status_code == 200
    appeal = Appeal.objects.get()
    assert filed.json()["state"] == "appealed"
    assert filed.json()["appeals"] == [
        {
            "id": appeal.pk,
            "state": "filed",
            "reason": "评价人误选。",
            "has_evidence": True,
            "evidence_name": appeal.evidence_name,
            "filed_by_id": appeal.filed_by_id,
            "filed_at": "2026-10-08T02:00:00Z",
            "decided_by_id": None,
            "decided_at": None,
            "decision_note": "",
        }
    ]
    download = head.get(f"{BASE}/{task.pk}/appeals/{appeal.pk}/evidence")
    assert (download.status_code, b"".join(download.streaming_content)) == (200, appeal.evidence.open("rb").read())
    assert head.get(f"{BASE}/{task.pk}/appeals/999999/evidence").status_code == 404

    pending = supervisor.get("/api/v1/ratings/appeals").json()
    assert (pending["count"], pending["items"][0]["rectification_id"], pending["items"][0]["tracking_number"]) == (
        1,
        task.pk,
        task.case.tracking_number,
    )
    assert head.get("/api/v1/ratings/appeals").status_code == 403

    upheld = post(supervisor, f"{task.pk}/uphold", {"note": "证据充分。"})
    assert (upheld.json()["state"], upheld.json()["appeals"][0]["state"]) == ("excluded", "upheld")
    assert Rating.objects.get().is_excluded is True
    again = post(supervisor, f"{task.pk}/reject", {"note": "重复。"})
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


def test_the_figures_of_a_month_and_the_filtered_list(county, time_machine, django_assert_num_queries):
    time_machine.move_to(at(2026, 10, 8), tick=False)
    task = Rectification.objects.get(rating=bad_review())
    head = logged_in("market_head")

    body = head.get("/api/v1/ratings/figures?month=2026-09&by=department").json()
    assert (body["start"], body["end"], body["by"]) == ("2026-09-01", "2026-09-30", "department")
    assert [(row["name"], row["total"], row["bad"], row["good_rate"]) for row in body["rows"]] == [
        ("县市场监督管理局", 1, 1, "0.00")
    ]
    assert (body["total"]["name"], body["total"]["total"]) == ("合计", 1)
    assert body["indicators"] == [
        {"code": "handling_efficiency", "label": body["indicators"][0]["label"], "average": "1.00", "count": 1}
    ]
    assert [(tag["code"], tag["count"]) for tag in body["tags"]] == [("slow", 1)]
    assert head.get("/api/v1/ratings/figures?month=2026-13").status_code == 422
    assert head.get("/api/v1/ratings/figures?month=0000-01").status_code == 422
    assert logged_in("county_clerk").get("/api/v1/ratings/figures").status_code == 403

    head.get(f"{BASE}?limit=1")
    with django_assert_num_queries(5):  # session, user, their roles, the page, the count
        listed = head.get(f"{BASE}?state=open").json()
    assert [item["id"] for item in listed["items"]] == [task.pk]
    assert head.get(f"{BASE}?state=done").json()["count"] == 0
    assert head.get(f"{BASE}?overdue=true").json()["count"] == 0
    time_machine.move_to(at(2026, 10, 14), tick=False)
    assert logged_in("market_head").get(f"{BASE}?overdue=true").json()["count"] == 1
