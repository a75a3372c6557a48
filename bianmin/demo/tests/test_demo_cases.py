import datetime
import io
from collections import Counter

from django.core.management import call_command

from bianmin.cases import services
from bianmin.cases.clock import clock
from bianmin.cases.models import Case
from bianmin.complaints.models import Complaint
from bianmin.core.audit import verify_chain
from bianmin.core.models import OutboundMessage
from bianmin.core.testing import intake, user
from bianmin.demo.cases import load_demo_cases
from bianmin.demo.duty import load_demo_duty
from bianmin.demo.public_voice import load_demo_public_voice
from bianmin.demo.supervision import load_demo_supervision
from bianmin.duty.models import DutyShift
from bianmin.licences.models import Licence
from bianmin.ratings.models import Rating, Rectification
from bianmin.supervision.models import AccountabilityRecord, Alert, SupervisionOrder

TODAY = datetime.date(2026, 11, 26)  # a Thursday; its 30 working days reach back over 国庆 2026


def test_demo_cases_give_supervision_every_kind_of_case(county):
    created = load_demo_cases(today=TODAY)

    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert created == sum(statuses.values()) == 66
    assert statuses == {
        "approved": 30,
        "closed": 5,
        "accepted": 19,
        "denied": 3,
        "received": 5,
        "withdrawn": 1,
        "suspended": 1,
        "supplement_requested": 1,
        "refused": 1,
    }
    colours = Counter(clock(case, TODAY)["colour"] for case in Case.objects.select_related("version"))
    assert colours == {"done": 40, "green": 15, "red": 6, "yellow": 3, "paused": 2}
    assert Case.objects.filter(supplement_count=2).count() == 1
    # Applications wait at the town halls too, one of them relayed by 白沙村's agent.
    towns = Case.objects.exclude(receiving_site__code="YX").order_by("pk")
    assert list(towns.values_list("item__code", "receiving_site__code", "relay_site__code", "channel")) == [
        ("MZ-0004", "BS", None, "window"),
        ("MZ-0001", "BS", "BS01", "agency"),
        ("MZ-0003", "FT", None, "window"),
        ("MZ-0001", "BS", None, "window"),
        ("MZ-0001", "BS", None, "window"),
    ]
    # Results go back where the applicants came (结果反馈): two 白沙镇 cases decided at the county, one result on its
    # way to the town, one arrived there to hand over; five county results handed over with signed receipts; each
    # licence issued where the item issues one.
    on_its_way, arrived = towns.filter(status="approved")
    assert (on_its_way.current_site.code, on_its_way.sent_from_site.code, on_its_way.result_arrived_at) == (
        "BS",
        "YX",
        None,
    )
    assert (arrived.current_site.code, arrived.result_received_by.username) == ("BS", "baisha_clerk")
    closed = Case.objects.filter(status="closed")
    assert closed.filter(delivery_signed_at__isnull=False, delivered_by__username="county_clerk").count() == 5
    assert Licence.objects.filter(case__in=closed).count() == 5
    assert Licence.objects.filter(case__in=[on_its_way, arrived]).count() == 2
    assert Case.objects.filter(extension_days=5).count() == 1
    assert verify_chain().ok
    # A second load changes nothing.
    assert load_demo_cases(today=TODAY) == 0
    assert Case.objects.count() == 66

    # The supervision demo: the first sweep, an order past its due date, an answered order, a record.
    assert load_demo_supervision(today=TODAY) == 2
    orders = list(SupervisionOrder.objects.order_by("pk").values_list("state", "due"))
    assert orders == [("issued", datetime.date(2026, 11, 24)), ("accepted", datetime.date(2026, 11, 23))]
    live = Counter(Alert.objects.filter(state="open").values_list("rule", flat=True))
    assert live["case_overdue_promised"] == colours["red"] - 1  # the red received case is on its acceptance clock
    assert live["repeated_supplement"] == 1
    assert AccountabilityRecord.objects.get().alerts.get().rule == "repeated_supplement"
    assert load_demo_supervision(today=TODAY) == 0
    assert verify_chain().ok


def test_demo_public_voice_has_ratings_a_bad_review_and_a_complaint_in_each_stage(county):
    load_demo_cases(today=TODAY)

    assert load_demo_public_voice(today=TODAY) == 15

    levels = Counter(Rating.objects.values_list("level", flat=True))
    assert levels == {5: 7, 4: 3, 3: 1, 2: 1}
    assert list(Rectification.objects.values_list("state", "rating__level")) == [("open", 2)]

    complaints = list(Complaint.objects.order_by("pk").values_list("channel", "kind", "state", "rating"))
    assert complaints == [
        ("portal", "complaint", "rated", 5),
        ("hotline", "help", "assigned", None),
        ("phone", "consultation", "received", None),
    ]
    assert Complaint.objects.get(channel="hotline").hotline_number == "12345-YX-2026-08812"
    assert Complaint.objects.get(state="rated").accountable_department.code == "SJ"
    assert verify_chain().ok
    # A second load changes nothing.
    assert load_demo_public_voice(today=TODAY) == 0
    assert (Complaint.objects.count(), Rating.objects.count()) == (3, 12)


def test_demo_duty_roster_covers_every_town_hall_on_working_days(county):
    assert load_demo_duty(today=TODAY) == 6 * 2 * 19  # six town halls, two half-days, 19 working days around TODAY
    assert DutyShift.objects.filter(date=TODAY).count() == 12
    assert not DutyShift.objects.filter(date=datetime.date(2026, 11, 28)).exists()  # a Saturday
    assert dict(DutyShift.objects.filter(site__code="BS", date=TODAY).values_list("period", "cadre_name")) == {
        "morning": "柯春燕",
        "afternoon": "石建华",
    }
    assert load_demo_duty(today=TODAY) == 0


def test_loading_the_demo_leaves_no_message_of_its_past_to_send_but_sends_a_new_case_s(county):
    # Given the demo loaded as `make demo` loads it (its cases, complaints and ratings written weeks back)
    call_command("demo_load", "--quiet-accounts", stdout=io.StringIO())
    written = OutboundMessage.objects.count()

    # Then the outbox holds their messages, none waiting for the worker
    assert written > 100
    assert OutboundMessage.objects.filter(sent_at__isnull=True).count() == 0

    # And a case received after the load gets its text message as in production
    case = services.case_submit(actor=user("county_clerk"), intake=intake("SJ-0004", "YX"))
    waiting = OutboundMessage.objects.filter(sent_at__isnull=True)
    assert list(waiting.values_list("object_id", "event")) == [(str(case.pk), "submitted")]
