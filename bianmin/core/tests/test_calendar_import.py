"""Loading and correcting the calendar: file parsing, import, confirmation, day edits, and their admin pages.

The 2027 rows below are test data shaped like a State Council notice, not the real one.
"""

from __future__ import annotations

import datetime
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.accounts.models import User
from bianmin.core import workdays
from bianmin.core.errors import DomainError, NotFound, PermissionDenied
from bianmin.core.models import AuditEvent, CalendarDay, CalendarYear
from bianmin.core.workdays import CalendarImportError, CalendarRow, add_workdays, parse_calendar_file

# These tests assert the message ids; test_messages_are_simplified_chinese_by_default checks zh-Hans.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


NOTICE_2027 = (
    "日期,是否工作日,名称\n"
    "2027-01-01,否,元旦\n"
    "2027-02-05,否,春节\n"
    "2027-02-08,否,春节\n"
    "2027-02-09,否,春节\n"
    "2027-02-10,否,春节\n"
    "2027-02-11,否,春节\n"
    "2027-02-13,是,\n"
)
BROKEN_2027 = "日期,是否工作日,名称\n2027-01-01,否,元旦\n2027-02-30,否,春节\n2027-02-08,也许,春节\n2026-02-09,否,春节\n"


def snapshot() -> tuple[list, list, int]:
    days = list(CalendarDay.objects.filter(date__year=2027).values_list())
    years = list(CalendarYear.objects.values_list())
    return days, years, AuditEvent.objects.count()


def csv_upload(text: str, name: str = "notice.csv", *, bom: bool = False) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), "text/csv")


@pytest.fixture
def handler_calls():
    calls: list[list[int]] = []
    workdays.register_calendar_change_handler(calls.append)
    yield calls
    workdays.unregister_calendar_change_handler(calls.append)


# --- Parsing -------------------------------------------------------------------------------------------


def test_parse_csv_with_bom_and_chinese_columns():
    rows = parse_calendar_file(csv_upload(NOTICE_2027, bom=True), "notice.csv")
    assert rows[0] == CalendarRow(date(2027, 1, 1), False, "元旦", 2)
    assert rows[-1] == CalendarRow(date(2027, 2, 13), True, "", 8)
    assert len(rows) == 7


def test_parse_csv_with_english_columns_and_other_words(tmp_path):
    path = tmp_path / "notice.csv"
    path.write_text(
        "name,date,is_workday\n元旦,2027-01-01,holiday\n,,\n春节,2027/02/05,0\n调休上班,2027-02-13,workday\n"
        "春节,2027-02-08,休息\n调休上班,2027-02-20,上班\n劳动节,2027-05-03,1\n",
        encoding="utf-8",
    )
    assert parse_calendar_file(path) == [
        CalendarRow(date(2027, 1, 1), False, "元旦", 2),
        CalendarRow(date(2027, 2, 5), False, "春节", 4),
        CalendarRow(date(2027, 2, 13), True, "调休上班", 5),
        CalendarRow(date(2027, 2, 8), False, "春节", 6),
        CalendarRow(date(2027, 2, 20), True, "调休上班", 7),
        CalendarRow(date(2027, 5, 3), True, "劳动节", 8),
    ]


def test_parse_xlsx_first_sheet():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["日期", "是否工作日", "名称"])
    sheet.append([datetime.datetime(2027, 1, 1), "否", "元旦"])
    sheet.append(["2027-02-13", "是", "调休上班"])
    sheet.append([date(2027, 2, 8), 0, "春节"])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("notice.xlsx", content.getvalue())
    assert parse_calendar_file(upload, upload.name) == [
        CalendarRow(date(2027, 1, 1), False, "元旦", 2),
        CalendarRow(date(2027, 2, 13), True, "调休上班", 3),
        CalendarRow(date(2027, 2, 8), False, "春节", 4),
    ]


def test_parse_lists_every_bad_cell():
    with pytest.raises(CalendarImportError) as caught:
        parse_calendar_file(csv_upload(BROKEN_2027), "notice.csv")
    assert caught.value.code == "calendar_import_invalid"
    assert caught.value.errors == [
        "Row 3: “2027-02-30” is not a date; write it as YYYY-MM-DD.",
        "Row 4: “也许” does not say whether the day is a working day; write 是 or 否.",
    ]


def test_parse_with_a_year_also_lists_rows_the_import_would_refuse():
    with pytest.raises(CalendarImportError) as caught:
        parse_calendar_file(csv_upload(BROKEN_2027 + "2027-01-01,否,元旦\n"), "notice.csv", year=2027)
    assert caught.value.errors == [
        "Row 3: “2027-02-30” is not a date; write it as YYYY-MM-DD.",
        "Row 4: “也许” does not say whether the day is a working day; write 是 or 否.",
        "Row 5: 2026-02-09 is not in 2027.",
        "Row 6: 2027-01-01 is listed twice (first in row 2).",
    ]


@pytest.mark.parametrize(
    ("content", "name", "error"),
    [
        (NOTICE_2027.encode("gbk"), "notice.csv", "The file is not UTF-8 text. Save it as “CSV UTF-8”."),
        (b"", "notice.csv", "The file is empty."),
        (NOTICE_2027.encode(), "notice.txt", "Upload a .csv or .xlsx file."),
        (b"not a workbook", "notice.xlsx", "The file is not a readable Excel (.xlsx) workbook."),
        (
            "日,工作\n2027-01-01,否\n".encode(),
            "notice.csv",
            "The first row must name the columns 日期 (date), 是否工作日 (is_workday) and 名称 (name).",
        ),
    ],
)
def test_parse_refuses_files_it_cannot_read(content, name, error):
    with pytest.raises(CalendarImportError) as caught:
        parse_calendar_file(SimpleUploadedFile(name, content), name)
    assert caught.value.errors == [error]


# --- Import --------------------------------------------------------------------------------------------


def test_a_broken_import_changes_nothing_and_reports_row_and_reason(admin_user):
    before = snapshot()
    rows = [
        (date(2027, 1, 1), False, "元旦"),
        (date(2026, 2, 8), False, "春节"),
        (date(2027, 2, 9), "否", "春节"),
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 10), False, "春" * 41),
    ]
    with pytest.raises(CalendarImportError) as caught:
        workdays.calendar_import(year=2027, rows=rows, actor=admin_user)
    assert caught.value.errors == [
        "Row 2: 2026-02-08 is not in 2027.",
        "Row 3: say whether the day is a working day.",
        "Row 4: 2027-01-01 is listed twice (first in row 1).",
        "Row 5: the name is longer than 40 characters.",
    ]
    assert str(caught.value.message).startswith("The calendar data has 4 errors, so nothing was changed.")
    assert snapshot() == before


def test_an_import_with_no_rows_is_refused():
    with pytest.raises(CalendarImportError) as caught:
        workdays.calendar_import(year=2027, rows=[], actor=None)
    assert caught.value.errors == ["The data lists no holidays or make-up working days for 2027."]


def test_a_good_import_confirms_the_year_and_changes_results(
    admin_user, handler_calls, django_capture_on_commit_callbacks
):
    assert add_workdays(date(2027, 2, 4), 1) == workdays.Deadline(date(2027, 2, 5), is_provisional=True)
    rows = parse_calendar_file(csv_upload(NOTICE_2027), "notice.csv", year=2027)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year = workdays.calendar_import(year=2027, rows=rows, actor=admin_user)

    assert (calendar_year.status, calendar_year.source, calendar_year.confirmed_by) == (
        "confirmed",
        "import",
        admin_user,
    )
    assert calendar_year.confirmed_at is not None
    assert add_workdays(date(2027, 2, 4), 1) == workdays.Deadline(date(2027, 2, 12), is_provisional=False)
    assert add_workdays(date(2027, 2, 12), 1).date == date(2027, 2, 13)  # Saturday, a make-up working day
    assert CalendarDay.objects.get(date=date(2027, 2, 13)).name == "调休上班"  # filled in for a blank name
    assert CalendarDay.objects.get(date=date(2027, 2, 6)).is_workday is False  # the weekend stays off
    assert not CalendarDay.objects.filter(date__year=2027, is_provisional=True).exists()
    assert workdays.provisional_years_needing_confirmation(today=date(2026, 11, 26)) == []
    assert handler_calls == [[2027]]
    event = AuditEvent.objects.get(action="calendar.import")
    assert (event.actor, event.object_type, event.object_id) == (admin_user, "calendar_year", "2027")
    assert event.payload["rows"][0] == ["2027-01-01", False, "元旦"]
    # 2027-02-05 and 02-08..02-11 stop being working days; Saturday 02-13 becomes one; and Friday 10-01,
    # a fixed-date holiday in the provisional rules, is a working day because this test notice omits it.
    assert event.payload["workday_changes"] == 7
    assert workdays.is_workday(date(2027, 10, 1)) is True


def test_ordinals_stay_consistent_after_an_import(admin_user):
    workdays.calendar_import(year=2027, rows=parse_calendar_file(csv_upload(NOTICE_2027), "n.csv"), actor=None)
    running = 0
    for workday, ordinal in CalendarDay.objects.order_by("date").values_list("is_workday", "ordinal"):
        running += workday
        assert ordinal == running


def test_a_year_right_after_the_table_can_be_imported():
    last_year = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()
    new_year = last_year + 1
    workdays.calendar_import(year=new_year, rows=[(date(new_year, 1, 1), False, "元旦")], actor=None)
    assert CalendarYear.objects.get(year=new_year).status == "confirmed"
    assert CalendarDay.objects.filter(date__year=new_year).count() in (365, 366)
    first_working_day = date(new_year, 1, 2)
    while first_working_day.weekday() >= 5:
        first_working_day += datetime.timedelta(days=1)
    assert add_workdays(date(last_year, 12, 31), 1) == workdays.Deadline(first_working_day, is_provisional=False)


def test_a_year_far_from_the_table_is_refused():
    before = snapshot()
    with pytest.raises(CalendarImportError) as caught:
        workdays.calendar_import(year=2040, rows=[(date(2040, 1, 1), False, "元旦")], actor=None)
    assert "2040 must be next to those years" in caught.value.errors[0]
    assert snapshot() == before


def test_importing_needs_a_county_centre_administrator():
    from bianmin.org.models import Role, RoleAssignment, Site, SiteLevel

    county = Site.objects.create(code="YX", name="县行政服务中心", level=SiteLevel.COUNTY, kind="main", path="/YX/")
    town = Site.objects.create(
        code="BS",
        name="白沙镇便民服务中心",
        level=SiteLevel.TOWN,
        kind="branch",
        parent=county,
        path="/YX/BS/",
    )
    clerk = User.objects.create_user(username="clerk", password="correct-horse-9")
    town_admin = User.objects.create_user(username="town-admin", password="correct-horse-9")
    county_admin = User.objects.create_user(username="county-admin", password="correct-horse-9")
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, site=county)
    RoleAssignment.objects.create(user=town_admin, role=Role.CENTRE_ADMIN, site=town)
    RoleAssignment.objects.create(user=county_admin, role=Role.CENTRE_ADMIN, site=county)
    before = snapshot()

    for actor in (clerk, town_admin):
        with pytest.raises(PermissionDenied):
            workdays.calendar_import(year=2027, rows=[(date(2027, 1, 1), False, "元旦")], actor=actor)
        with pytest.raises(PermissionDenied):
            workdays.calendar_year_confirm(year=2028, actor=actor)
    assert snapshot() == before

    workdays.calendar_import(year=2027, rows=[(date(2027, 1, 1), False, "元旦")], actor=county_admin)
    assert CalendarYear.objects.get(year=2027).confirmed_by == county_admin


# --- Confirmation and day edits ------------------------------------------------------------------------


def test_confirming_a_provisional_year(admin_user, handler_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year = workdays.calendar_year_confirm(year=2028, actor=admin_user)
    assert (calendar_year.status, calendar_year.source, calendar_year.confirmed_by) == (
        "confirmed",
        "rules",
        admin_user,
    )
    assert add_workdays(date(2028, 9, 29), 1) == workdays.Deadline(date(2028, 10, 4), is_provisional=False)
    assert handler_calls == [[2028]]
    assert AuditEvent.objects.get(action="calendar.confirm").object_id == "2028"
    with pytest.raises(DomainError) as caught:
        workdays.calendar_year_confirm(year=2028, actor=admin_user)
    assert caught.value.code == "calendar_already_confirmed"
    with pytest.raises(NotFound):
        workdays.calendar_year_confirm(year=1990, actor=admin_user)


def test_editing_a_day_shifts_later_results(admin_user, handler_calls, django_capture_on_commit_callbacks):
    day = CalendarDay.objects.get(date=date(2026, 10, 9))
    with django_capture_on_commit_callbacks(execute=True):
        updated = workdays.calendar_day_update(day=day, is_workday=False, name="临时休息", actor=admin_user)
    assert (updated.is_workday, updated.name) == (False, "临时休息")
    assert add_workdays(date(2026, 9, 30), 5).date == date(2026, 10, 14)
    assert workdays.workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == 4
    assert CalendarYear.objects.get(year=2026).source == "manual"
    assert handler_calls == [[2026]]
    event = AuditEvent.objects.get(action="calendar.day_update")
    assert event.object_id == "2026-10-09"
    assert event.payload == {
        "before": {"is_workday": True, "name": ""},
        "after": {"is_workday": False, "name": "临时休息"},
    }
    running = 0
    for workday, ordinal in CalendarDay.objects.order_by("date").values_list("is_workday", "ordinal"):
        running += workday
        assert ordinal == running


def test_making_a_sunday_a_working_day_and_renaming_only():
    sunday = CalendarDay.objects.get(date=date(2026, 10, 11))
    workdays.calendar_day_update(day=sunday, is_workday=True, name="调休上班", actor=None)
    assert add_workdays(date(2026, 9, 30), 4).date == date(2026, 10, 11)
    ordinal = CalendarDay.objects.get(date=date(2026, 12, 31)).ordinal
    workdays.calendar_day_update(day=sunday, is_workday=True, name="补班", actor=None)
    assert CalendarDay.objects.get(date=date(2026, 12, 31)).ordinal == ordinal
    assert CalendarDay.objects.get(date=date(2026, 10, 11)).name == "补班"


def test_an_unchanged_edit_writes_nothing():
    day = CalendarDay.objects.get(date=date(2026, 10, 1))
    workdays.calendar_day_update(day=day, is_workday=False, name="国庆节", actor=None)
    assert CalendarYear.objects.get(year=2026).source == "package"
    assert not AuditEvent.objects.exists()


# --- The admin pages ------------------------------------------------------------------------------------

IMPORT_URL = "/admin/core/calendaryear/import/"


@pytest.fixture
def admin_client(admin_client, settings):
    """The admin pages follow the language switch's cookie; these tests read the English message ids."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def test_admin_year_list_links_to_the_import(admin_client):
    response = admin_client.get("/admin/core/calendaryear/")
    assert response.status_code == 200
    assert IMPORT_URL in response.content.decode()
    detail = admin_client.get("/admin/core/calendaryear/2027/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()  # read-only: years change through the services


def test_admin_import_shows_every_error_and_changes_nothing(admin_client):
    before = snapshot()
    response = admin_client.post(IMPORT_URL, {"year": 2027, "file": csv_upload(BROKEN_2027)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The calendar data has 3 errors, so nothing was changed." in page
    assert "Row 3: “2027-02-30” is not a date; write it as YYYY-MM-DD." in page
    assert "Row 5: 2026-02-09 is not in 2027." in page
    assert snapshot() == before


def test_admin_import_confirms_the_year(admin_client, admin_user):
    assert admin_client.get(IMPORT_URL).status_code == 200
    response = admin_client.post(IMPORT_URL, {"year": 2027, "file": csv_upload(NOTICE_2027, bom=True)})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).confirmed_by == admin_user
    assert add_workdays(date(2027, 2, 4), 1).date == date(2027, 2, 12)


def test_admin_import_is_closed_to_a_town_administrator(client):
    from bianmin.org.models import Role, RoleAssignment, Site, SiteLevel

    county = Site.objects.create(code="YX", name="县行政服务中心", level=SiteLevel.COUNTY, kind="main", path="/YX/")
    town = Site.objects.create(
        code="BS",
        name="白沙镇便民服务中心",
        level=SiteLevel.TOWN,
        kind="branch",
        parent=county,
        path="/YX/BS/",
    )
    user = User.objects.create_user(username="town-admin", password="correct-horse-9", is_staff=True)
    RoleAssignment.objects.create(user=user, role=Role.CENTRE_ADMIN, site=town)
    client.force_login(user)
    response = client.post(IMPORT_URL, {"year": 2027, "file": csv_upload(NOTICE_2027)})
    assert response.status_code == 403
    assert CalendarYear.objects.get(year=2027).status == "provisional"


def test_admin_confirm_action(admin_client):
    response = admin_client.post(
        "/admin/core/calendaryear/",
        {"action": "confirm_years", "_selected_action": ["2027", "2026"]},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The working-day calendar for 2026 is already confirmed." in page
    assert "Confirmed the calendar for 2027." in page
    assert CalendarYear.objects.get(year=2027).status == "confirmed"


def test_admin_day_edit_goes_through_the_service(admin_client):
    response = admin_client.get("/admin/core/calendarday/2026-10-09/change/")
    assert response.status_code == 200
    response = admin_client.post("/admin/core/calendarday/2026-10-09/change/", {"is_workday": "", "name": "临时休息"})
    assert response.status_code == 302
    assert add_workdays(date(2026, 9, 30), 5).date == date(2026, 10, 14)
    assert CalendarYear.objects.get(year=2026).source == "manual"
    assert AuditEvent.objects.filter(action="calendar.day_update").count() == 1


def test_admin_day_list(admin_client):
    response = admin_client.get("/admin/core/calendarday/", {"date__year": 2026, "date__month": 10})
    assert response.status_code == 200
    assert "调休上班" in response.content.decode()
