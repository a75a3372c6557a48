import pytest

from bianmin.complaints.models import Channel, Complaint, ComplaintKind, ComplaintSubject
from bianmin.complaints.services import Complainant, ComplaintIn, complaint_receive
from bianmin.core.testing import at

NAME, PHONE, ID = "王小明", "13912345678", "420222199203034567"


def complaint_in(**changes) -> ComplaintIn:
    values = {
        "kind": ComplaintKind.COMPLAINT,
        "subject": ComplaintSubject.WINDOW,
        "text": "窗口工作人员态度生硬。",
        "complainant": Complainant(name=NAME, phone=PHONE, id_number=ID),
    }
    values.update(changes)
    return ComplaintIn(**values)


@pytest.fixture
def make_complaint():
    def make(*, channel: str = Channel.PORTAL, actor=None, now=None, **changes) -> Complaint:
        return complaint_receive(actor=actor, channel=channel, data=complaint_in(**changes), now=now or at(2026, 9, 29))

    return make
