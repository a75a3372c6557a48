"""`manage.py backup` and `manage.py restore`: a round trip into a new, empty database (SQLite here; PostgreSQL when
the suite runs on it), a damaged backup and a non-empty target refused with nothing changed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bianmin.core.audit import audit_checkpoint_write, verify_chain
from bianmin.core.backup import file_sha256
from bianmin.core.models import AuditEvent, AuditHead
from bianmin.core.tests.test_audit import append

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(settings.BASE_DIR)
SCAN = b"%PDF-1.4 scan of a business licence\n"


@pytest.fixture
def source(transactional_db, tmp_path, settings):
    """A database with users and audit events (committed: the backup reads what a second connection would), a
    checkpoint of its chain and one uploaded file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases" / "7").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "7" / "scan.pdf").write_bytes(SCAN)
    actor = get_user_model().objects.create_user(username="clerk01", password="not-used-here-1")
    append(4, actor=actor)
    audit_checkpoint_write()
    return tmp_path


def restore_in_new_process(backup: Path, database_url: str, media_root: Path, checkpoint_dir: Path):
    """`manage.py restore` as an operator runs it on the machine being restored (in the default language, Simplified
    Chinese), with the test settings' checkpoint key."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", "--input", str(backup)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bianmin.settings.test",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "AUDIT_CHECKPOINT_DIR": str(checkpoint_dir),
            "BIANMIN_VAR_DIR": str(media_root.parent / "var"),
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_the_backup_directory_has_the_database_the_media_and_a_manifest_of_checksums(source, capsys):
    backup = source / "backup"

    call_command("backup", "--output", str(backup))

    manifest = json.loads((backup / "manifest.json").read_text())
    database_file = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[connection.vendor]
    head = AuditHead.objects.get()
    assert sorted(path.name for path in backup.iterdir()) == sorted([database_file, "manifest.json", "media.tar"])
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["audit_head"] == {"sequence": 4, "hash": head.last_hash}
    assert manifest["files"] == {name: file_sha256(backup / name) for name in (database_file, "media.tar")}
    assert "audit chain head at event no. 4" in capsys.readouterr().out


def test_the_backup_refuses_a_directory_that_is_not_empty(source):
    backup = source / "backup"
    backup.mkdir()
    (backup / "old.txt").write_text("earlier")

    with pytest.raises(CommandError, match="is not an empty directory"):
        call_command("backup", "--output", str(backup))

    assert [path.name for path in backup.iterdir()] == ["old.txt"]


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(source):
    backup = source / "backup"
    call_command("backup", "--output", str(backup))
    before = list(AuditEvent.objects.values_list("sequence", "hash"))

    with pytest.raises(CommandError) as raised:
        call_command("restore", "--input", str(backup))

    assert str(raised.value) == (
        "The configured database is not empty: restore only into a new, empty database. Nothing was restored."
    )
    assert list(AuditEvent.objects.values_list("sequence", "hash")) == before


def _rows_sqlite(path: Path, tables: list[str]) -> dict[str, list[tuple]]:
    # With the converters Django registers for its own connections, so both sides read alike.
    database = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        return {table: database.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}
    finally:
        database.close()


def _rows_here(tables: list[str]) -> dict[str, list[tuple]]:
    """The source's rows as the restored copy is read: through the driver on SQLite, as text on PostgreSQL."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return _rows_postgresql(connection.connection, tables)
    cursor = connection.connection.cursor()
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        rows[table] = [tuple(row) for row in cursor.fetchall()]
    return rows


def _rows_postgresql(database, tables: list[str]) -> dict[str, list[tuple]]:
    # Whole rows as text, times in UTC: the same text for the same data whatever the connection's type adapters.
    cursor = database.cursor()
    cursor.execute("SET TIME ZONE 'UTC'")
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT t::text FROM "{table}" AS t ORDER BY 1')
        rows[table] = cursor.fetchall()
    return rows


TABLES = ["accounts_user", "core_auditevent", "core_audithead", "core_calendarday", "django_migrations"]


def test_sqlite_round_trip_into_a_new_empty_database(source):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite round trip; the PostgreSQL one is test_postgresql_round_trip_into_a_new_empty_database.")
    backup = source / "backup"
    call_command("backup", "--output", str(backup))
    target = source / "restored" / "bianmin.sqlite3"
    target.parent.mkdir()

    result = restore_in_new_process(
        backup, f"sqlite:///{target}", source / "restored" / "media", Path(settings.AUDIT_CHECKPOINT_DIR)
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "审计链完整：共 4 条记录，1 个检查点有效。"
    assert _rows_sqlite(target, TABLES) == _rows_here(TABLES)
    assert (source / "restored" / "media" / "cases" / "7" / "scan.pdf").read_bytes() == SCAN


def test_a_damaged_backup_is_refused_and_nothing_is_restored(source):
    backup = source / "backup"
    call_command("backup", "--output", str(backup))
    damaged = next(path for path in backup.iterdir() if path.name.startswith("database."))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    target = source / "restored" / "bianmin.sqlite3"
    target.parent.mkdir()

    result = restore_in_new_process(
        backup, f"sqlite:///{target}", source / "restored" / "media", Path(settings.AUDIT_CHECKPOINT_DIR)
    )

    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"备份文件 {damaged.name} 与其校验和不符：文件已损坏或被改动。")
    assert not target.exists()
    assert not (source / "restored" / "media").exists()


def test_a_restore_older_than_the_checkpoints_is_reported(source):
    if connection.vendor != "sqlite":
        pytest.skip("Shown on SQLite; the report is the same on PostgreSQL.")
    backup = source / "backup"
    call_command("backup", "--output", str(backup))
    append(2, start=4)
    audit_checkpoint_write()  # written after the backup: the events it signs are not in it
    target = source / "restored" / "bianmin.sqlite3"
    target.parent.mkdir()

    result = restore_in_new_process(
        backup, f"sqlite:///{target}", source / "restored" / "media", Path(settings.AUDIT_CHECKPOINT_DIR)
    )

    assert result.returncode == 1
    assert "数据已恢复，但审计链校验未通过：审计链在序号 6 处断裂：第 6 条记录（检查点签署于" in result.stderr
    assert "或数据库是从早于该检查点的备份恢复的。" in result.stderr
    assert _rows_sqlite(target, ["core_audithead"])["core_audithead"][0][1] == 4


def test_postgresql_round_trip_into_a_new_empty_database(source):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL round trip: the suite runs on SQLite (set DATABASE_URL to a PostgreSQL database).")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (Debian: postgresql-client; .ci/run installs it).")
    import psycopg

    backup = source / "backup"
    call_command("backup", "--output", str(backup))
    database = connection.settings_dict
    target_name = f"{database['NAME']}_restore_{os.getpid()}"
    conninfo = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        admin.execute(f'CREATE DATABASE "{target_name}"')
    try:
        url = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{target_name}"
        )
        result = restore_in_new_process(backup, url, source / "restored" / "media", Path(settings.AUDIT_CHECKPOINT_DIR))

        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "审计链完整：共 4 条记录，1 个检查点有效。"
        with psycopg.connect(dbname=target_name, **conninfo) as restored:
            copied = _rows_postgresql(restored, TABLES)
            trigger = restored.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'core_auditevent_append_only'"
            ).fetchone()[0]
        assert copied == _rows_here(TABLES)
        assert trigger == 1
        assert (source / "restored" / "media" / "cases" / "7" / "scan.pdf").read_bytes() == SCAN
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def test_the_chain_of_the_source_is_untouched_by_the_backup(source):
    call_command("backup", "--output", str(source / "backup"))

    assert verify_chain().ok is True
