"""Migration 0006 on a database that already has cases: each gets its own query code, and files stored under
their uploaded names move to random names with the uploaded name kept beside them."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from bianmin.core.testing import OTHER_ID_NUMBER, at, intake, user

from .. import services
from ..models import Case

pytestmark = pytest.mark.django_db

migration = importlib.import_module("bianmin.cases.migrations.0006_query_code_and_random_file_names")


def test_existing_cases_get_a_query_code_each_and_their_files_random_names(county, django_capture_on_commit_callbacks):
    # Given two cases from before the query code, one with a scan stored under its uploaded name (as in the demo)
    cases = [services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0002", "YX"), now=at(2026, 6, 1))]
    cases.append(services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0002", "YX"), now=at(2026, 6, 1)))
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(query_code="")
    legacy = default_storage.save("cases/materials/2026/12/身份证.pdf", ContentFile(b"%PDF-1.4 old scan"))
    material = cases[0].materials.first()
    material.file, material.file_name = legacy, ""
    material.save()
    missing = cases[1].materials.first()
    missing.file, missing.file_name = "cases/materials/2026/12/lost.pdf", ""
    missing.save()

    # When the migration's data steps run
    editor = SimpleNamespace(connection=connection)
    with django_capture_on_commit_callbacks(execute=True):
        migration.fill_query_codes(apps, editor)
        migration.move_material_files(apps, editor)

    # Then every case has a code of 8 digits, each its own
    codes = list(Case.objects.filter(pk__in=[case.pk for case in cases]).values_list("query_code", flat=True))
    assert all(re.fullmatch(r"\d{8}", code) for code in codes) and codes[0] != codes[1]
    # … the scan lives under a random name, the old name is gone, the uploaded name is kept
    material.refresh_from_db()
    assert re.fullmatch(r"cases/materials/[0-9a-f]{32}\.pdf", material.file.name)
    assert material.file.read() == b"%PDF-1.4 old scan"
    assert material.file_name == "身份证.pdf"
    assert not default_storage.exists(legacy)
    # … and a file that cannot be read is left where it was, its name recorded
    missing.refresh_from_db()
    assert (missing.file.name, missing.file_name) == ("cases/materials/2026/12/lost.pdf", "lost.pdf")


feedback_migration = importlib.import_module("bianmin.cases.migrations.0012_result_feedback_delivery")


def test_a_relayed_result_from_before_the_delivery_site_is_folded_into_it(county):
    # Given two cases from before result feedback: a relayed one whose result was marked ready with the method
    # "relay" while it was at the town, and a town case still under review (no delivery site yet)
    relayed = services.case_submit(
        actor=user("baishacun_agent"),
        intake=intake("MZ-0001", "BS01", channel="agency", relay="BS01", authorisation="委托书"),
        now=at(2026, 6, 1),
    )
    services.case_accept(actor=user("baisha_clerk"), case=relayed, now=at(2026, 6, 1))
    waiting = services.case_submit(
        actor=user("baisha_clerk"), intake=intake("MZ-0001", "BS", id_number=OTHER_ID_NUMBER), now=at(2026, 6, 1)
    )
    Case.objects.filter(pk=relayed.pk).update(
        status="approved", delivery_method="relay", delivery_site=None, ready_at=at(2026, 6, 5)
    )
    Case.objects.filter(pk=waiting.pk).update(delivery_method="", delivery_site=None)

    # When the migration's data step runs
    feedback_migration.fold_relay_into_delivery_site(apps, SimpleNamespace(connection=connection))

    # Then the relayed result waits at the village room, sent from the town and arrived when it was ready
    relayed.refresh_from_db()
    assert (relayed.delivery_method, relayed.delivery_site.code, relayed.current_site.code) == (
        "window",
        "BS01",
        "BS01",
    )
    assert (relayed.sent_from_site.code, relayed.result_arrived_at) == ("BS", at(2026, 6, 5))
    # … the room's agent finds it among the results to hand over (its access rows were written again)
    from ..selectors import cases_in_work_queue

    assert cases_in_work_queue(user("baishacun_agent"), "handover").filter(case_id=relayed.pk).exists()
    # … and the other goes back to the town, where it was received
    waiting.refresh_from_db()
    assert (waiting.delivery_method, waiting.delivery_site.code) == ("window", "BS")


def test_the_material_history_migration_counts_what_acceptance_waits_for_and_settles_old_duplicate_rows(county):
    from ..models import CaseMaterial

    material_history = importlib.import_module("bianmin.cases.migrations.0013_material_history_and_duplicates")
    # Given, as before the migration: a case whose supplement added a second row and left the first one missing,
    # and a case with a material missing and no supplement yet (the count column at its default)
    supplied = services.case_submit(actor=user("county_clerk"), intake=intake("ZR-0002", "YX"), now=at(2026, 6, 1))
    first = supplied.materials.order_by("position").first()
    CaseMaterial.objects.filter(pk=first.pk).update(state="missing", problem="未提供", original_seen=False)
    CaseMaterial.objects.create(case=supplied, name=first.name, state="provided", position=99)
    waiting = services.case_submit(
        actor=user("county_clerk"), intake=intake("SJ-0004", "YX", complete=False), now=at(2026, 6, 1)
    )
    Case.objects.update(materials_outstanding=0)

    # When the migration's data step runs
    material_history.count_outstanding_materials(apps, SimpleNamespace(connection=connection))

    # Then the old missing row reads as supplied, and only the case really missing a material waits for it
    first.refresh_from_db()
    assert first.state == "provided"
    counts = dict(Case.objects.values_list("pk", "materials_outstanding"))
    assert counts == {supplied.pk: 0, waiting.pk: 1}
