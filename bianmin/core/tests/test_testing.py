"""The test kit (bianmin/core/testing.py, conftest.py): the replayed demo county is what the loader leaves, and each
case factory leaves its case in its state with the access rows a rebuild computes."""

from __future__ import annotations

import datetime

import pytest

from bianmin.cases.access import cases_index_rebuild
from bianmin.cases.models import Case, CaseAccess, Status
from bianmin.core import testing
from bianmin.core.audit import verify_chain
from bianmin.core.models import AuditEvent
from bianmin.demo.loader import load_demo
from bianmin.org.models import Role, RoleAssignment


@pytest.mark.parametrize(("rows", "with_catalog"), [("county", True), ("organisation", False)])
def test_the_replayed_demo_is_what_the_loader_leaves(demo_rows, db, rows, with_catalog):
    demo_rows[rows].replay()
    events = AuditEvent.objects.count()

    assert verify_chain().ok
    # The loader finds everything in place: it writes nothing, and nothing is audited.
    assert set(load_demo(with_catalog=with_catalog).values()) == {0}
    assert AuditEvent.objects.count() == events


def test_people_hold_the_role_they_are_made_with(county):
    head = testing.department_head("NY", full_name="NY局长")  # the demo county's
    new_head = testing.department_head("SJ", full_name="SJ局长")  # the demo's SJ head is market_head
    supervisor = testing.role_holder("supervisor_bs", Role.SUPERVISOR, site="BS", full_name="白沙镇纪委")

    assert (head.username, head.full_name, head.is_staff) == ("ny_head", "蔡国庆", True)
    assert (new_head.username, new_head.full_name) == ("sj_head", "SJ局长")
    assert list(RoleAssignment.objects.filter(user=head).values_list("role", "department__code", "site")) == [
        (Role.DEPARTMENT_HEAD, "NY", None)
    ]
    assert list(RoleAssignment.objects.filter(user=supervisor).values_list("role", "site__code")) == [
        (Role.SUPERVISOR, "BS")
    ]
    client = testing.logged_in("supervisor_bs", language="en")
    assert client.get("/supervision/").status_code == 200
    assert client.get("/").headers["Content-Language"] == "en"


def access_rows() -> list[tuple]:
    fields = [field.attname for field in CaseAccess._meta.concrete_fields if not field.primary_key]
    return list(CaseAccess.objects.order_by("case_id", "key").values_list(*fields))


MONDAY, TUESDAY = testing.at(2026, 3, 2), testing.at(2026, 3, 3)
FACTORIES = {
    "received": (lambda: testing.received(now=MONDAY), Status.RECEIVED),
    "supplement_requested": (lambda: testing.supplement_requested(now=MONDAY), Status.SUPPLEMENT_REQUESTED),
    "accepted": (lambda: testing.accepted(received_at=MONDAY, now=TUESDAY), Status.ACCEPTED),
    "suspended": (lambda: testing.suspended(now=MONDAY), Status.SUSPENDED),
    "overdue": (testing.overdue, Status.ACCEPTED),
    "approved": (lambda: testing.decided("ZR-0004", now=MONDAY), Status.APPROVED),
    "denied": (lambda: testing.decided(approve=False, reasons="条件不符", now=MONDAY), Status.DENIED),
    "delivered": (lambda: testing.delivered("ZR-0004", now=MONDAY), Status.CLOSED),
    "delivered_denied": (lambda: testing.delivered(approve=False, reasons="条件不符", now=MONDAY), Status.CLOSED),
}


@pytest.mark.parametrize("state", FACTORIES)
def test_a_factory_leaves_its_case_in_its_state_as_the_services_keep_it(county, state):
    make, status = FACTORIES[state]

    case = make()

    assert case.status == status
    rows = access_rows()
    cases_index_rebuild()
    assert access_rows() == rows
    assert Case.objects.get(pk=case.pk).status == status
    if state == "overdue":
        assert (case.promised_due, case.tasks.get(state="open").due) == (
            datetime.date(2026, 3, 10),
            datetime.date(2026, 3, 4),
        )
    if state.startswith("delivered"):
        assert case.closed_at == MONDAY
