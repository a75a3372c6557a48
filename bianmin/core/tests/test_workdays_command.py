"""`manage.py workdays`: exact output on stdout, warnings on stderr, clear errors (ALL art. 82)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from bianmin.accounts.models import User
from bianmin.core.management.commands.workdays import Command
from bianmin.core.models import AuditEvent, CalendarYear
from bianmin.core.workdays import add_workdays

# These tests assert the message ids; test_messages_are_simplified_chinese_by_default checks zh-Hans.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


NOTICE_2027 = (
    "\ufeff日期,是否工作日,名称\n"
    "2027-01-01,否,元旦\n"
    "2027-02-05,否,春节\n"
    "2027-02-08,否,春节\n"
    "2027-02-09,否,春节\n"
    "2027-02-10,否,春节\n"
    "2027-02-11,否,春节\n"
    "2027-02-13,是,\n"
)


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("workdays", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_add_prints_exactly_the_date():
    assert run("add", "2026-09-30", "5") == ("2026-10-13\n", "")


def test_between_prints_exactly_the_count():
    assert run("between", "2026-09-30", "2026-10-13") == ("5\n", "")
    assert run("between", "2026-10-13", "2026-09-30") == ("-5\n", "")


def test_a_provisional_result_is_printed_with_a_warning_on_stderr():
    stdout, stderr = run("add", "2028-09-29", "1")
    assert stdout == "2028-10-04\n"
    assert stderr == (
        "Warning: the calendar for 2028 is provisional (weekends and fixed-date holidays only); "
        "the result may change when the State Council notice is imported.\n"
    )
    stdout, stderr = run("between", "2026-12-30", "2027-01-04")
    assert stdout == "2\n"
    assert "the calendar for 2027 is provisional" in stderr


def test_outside_the_table_is_a_command_error():
    with pytest.raises(CommandError) as caught:
        run("add", "2003-12-31", "1")
    assert str(caught.value) == (
        "The working-day calendar has no data for 2003-12-31. Ask an administrator to load that year."
    )


def test_outside_the_table_exits_non_zero_from_the_command_line(capsys, monkeypatch):
    # run_from_argv closes the connections when it ends; keep the test database's open.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "workdays", "add", "2003-12-31", "1"])
    assert caught.value.code == 1
    assert "no data for 2003-12-31" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-13-01", "5"), "“2026-13-01” is not a date; write it as YYYY-MM-DD."),
        (("add", "30/09/2026", "5"), "“30/09/2026” is not a date; write it as YYYY-MM-DD."),
        (("between", "2026-09-30", "tomorrow"), "“tomorrow” is not a date; write it as YYYY-MM-DD."),
        (("add", "2026-09-30", "five"), "“five” is not a whole number of working days."),
        (("add", "2026-09-30", "-1"), "“-1” is not a whole number of working days."),
    ],
)
def test_bad_input_is_a_clear_command_error(args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message


def test_seed_prints_a_summary():
    stdout, stderr = run("seed")
    assert stdout.startswith("Calendar seeded: 23 years from the holiday package, ")
    assert stdout.endswith("0 days created, 0 days changed, 0 ordinals updated.\n")
    assert stderr == ""


def test_import_confirms_the_year_and_changes_results(tmp_path):
    notice = tmp_path / "notice-2027.csv"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    assert run("add", "2027-02-04", "1")[0] == "2027-02-05\n"

    stdout, stderr = run("import", str(notice), "--year", "2027")

    assert stdout == "Imported 7 holidays and make-up working days; the calendar for 2027 is confirmed.\n"
    assert stderr == ""
    calendar_year = CalendarYear.objects.get(year=2027)
    assert (calendar_year.status, calendar_year.source, calendar_year.confirmed_by) == (
        "confirmed",
        "import",
        None,
    )
    assert run("add", "2027-02-04", "1") == ("2027-02-12\n", "")
    assert run("add", "2027-02-12", "1") == ("2027-02-13\n", "")  # the make-up Saturday
    event = AuditEvent.objects.get(action="calendar.import")
    assert event.actor is None
    assert event.payload["channel"] == "manage.py"
    assert event.object_id == "2027"


def test_import_names_the_administrator(tmp_path, admin_user):
    notice = tmp_path / "notice-2027.csv"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    run("import", str(notice), "--year", "2027", "--user", admin_user.username)
    assert CalendarYear.objects.get(year=2027).confirmed_by == admin_user
    assert AuditEvent.objects.get(action="calendar.import").actor == admin_user


def test_a_broken_import_lists_every_row_and_changes_nothing(tmp_path):
    notice = tmp_path / "broken.csv"
    notice.write_text(
        "日期,是否工作日,名称\n2027-01-01,否,元旦\n2027-02-30,否,春节\n2026-02-08,否,春节\n2027-01-01,否,元旦\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("import", str(notice), "--year", "2027")
    assert str(caught.value).splitlines() == [
        "The calendar data has 3 errors, so nothing was changed.",
        "Row 3: “2027-02-30” is not a date; write it as YYYY-MM-DD.",
        "Row 4: 2026-02-08 is not in 2027.",
        "Row 5: 2027-01-01 is listed twice (first in row 2).",
    ]
    assert CalendarYear.objects.get(year=2027).status == "provisional"
    assert add_workdays(date(2027, 2, 4), 1).date == date(2027, 2, 5)
    assert not AuditEvent.objects.exists()


def test_import_of_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError) as caught:
        run("import", str(tmp_path / "missing.csv"), "--year", "2027")
    assert str(caught.value).startswith("Cannot read ")


def test_import_by_an_unknown_user_is_refused(tmp_path):
    notice = tmp_path / "notice-2027.csv"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(notice), "--year", "2027", "--user", "nobody")
    assert str(caught.value) == "There is no user “nobody”."


def test_import_by_a_user_without_the_role_is_refused(tmp_path):
    User.objects.create_user(username="clerk", password="correct-horse-9")
    notice = tmp_path / "notice-2027.csv"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(notice), "--year", "2027", "--user", "clerk")
    assert str(caught.value) == "Only a county centre administrator may change the working-day calendar."
    assert CalendarYear.objects.get(year=2027).status == "provisional"


def test_confirm_then_confirm_again():
    assert run("confirm", "2028") == ("The calendar for 2028 is confirmed.\n", "")
    assert run("add", "2028-09-29", "1") == ("2028-10-04\n", "")  # no warning any more
    with pytest.raises(CommandError) as caught:
        run("confirm", "2028")
    assert str(caught.value) == "The working-day calendar for 2028 is already confirmed."


def test_messages_are_simplified_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        run("add", "2026-09-30", "five")

    assert str(caught.value) == "“five”不是有效的工作日天数，须为整数。"
