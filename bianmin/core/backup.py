"""Backups of the database and the uploaded files, and their restoration (`manage.py backup` / `manage.py restore`).

A backup is a directory: the database (SQLite: a copy made with SQLite's online backup API, consistent while the
server writes; PostgreSQL: ``pg_dump --format=custom`` of one snapshot), the uploaded files (``MEDIA_ROOT``) as
``media.tar``, and ``manifest.json`` with the time, the database vendor, the audit chain's head in that same
snapshot and the SHA-256 of every file. The audit checkpoint key and file are deliberately not part of it: they are
what a restored chain is checked against (README, "Backup and restore").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
FORMAT_VERSION = 1


class BackupError(DomainError):
    code = "backup_failed"
    status = 400


@dataclass(frozen=True)
class AuditHeadCopy:
    sequence: int
    hash: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _postgresql_environment() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump and pg_restore from the settings; the password through the environment."""
    database = connection.settings_dict
    options = []
    if database.get("HOST"):
        options += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        options += ["--port", str(database["PORT"])]
    if database.get("USER"):
        options += ["--username", str(database["USER"])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client programs.") % {"program": command[0]}
        ) from None
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": command[0], "error": result.stderr.strip()[-2000:]}
        )


def _head_in(cursor) -> AuditHeadCopy:
    cursor.execute("SELECT last_sequence, last_hash FROM core_audithead WHERE id = 1")
    row = cursor.fetchone()
    return AuditHeadCopy(sequence=row[0], hash=row[1]) if row else AuditHeadCopy(sequence=0, hash="0" * 64)


def _backup_sqlite(target: Path) -> AuditHeadCopy:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # SQLite's online backup: page by page, restarted by SQLite if another connection writes meanwhile, so
        # the copy is one consistent state of the database while the server keeps running.
        connection.connection.backup(destination)
        return _head_in(destination.cursor())
    finally:
        destination.close()


def _backup_postgresql(target: Path) -> AuditHeadCopy:
    options, env = _postgresql_environment()
    # pg_dump reads the snapshot this transaction exports, so the head recorded is the head of the dump.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        head = _head_in(cursor)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--snapshot",
                snapshot,
                "--file",
                str(target),
                *options,
                str(connection.settings_dict["NAME"]),
            ],
            env,
        )
    return head


def _archive_media(target: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as archive:
        if media_root.is_dir():
            archive.add(media_root, arcname="media")


def backup_create(output: Path) -> dict:
    """Write a backup into ``output`` (a new or empty directory) and return its manifest."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(_("%(path)s is not an empty directory: choose a new one.") % {"path": output})
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    output.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    database_file = output / DATABASE_FILES[vendor]
    head = _backup_sqlite(database_file) if vendor == "sqlite" else _backup_postgresql(database_file)
    _archive_media(output / MEDIA_ARCHIVE)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "database_vendor": vendor,
        "database_file": database_file.name,
        "audit_head": {"sequence": head.sequence, "hash": head.hash},
        "files": {name: file_sha256(output / name) for name in sorted([database_file.name, MEDIA_ARCHIVE])},
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


# --- Restore --------------------------------------------------------------------------------------------------


def backup_read_verified(source: Path) -> dict:
    """The manifest of the backup in ``source``, after checking every file against its SHA-256."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        vendor = manifest["database_vendor"]
        database_file = manifest["database_file"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(
            _("%(path)s holds no readable backup manifest (%(manifest)s).") % {"path": source, "manifest": MANIFEST}
        ) from None
    if not isinstance(files, dict) or database_file not in files or MEDIA_ARCHIVE not in files:
        raise BackupError(_("The backup manifest does not list the database and the media archive."))
    for name, expected in files.items():
        path = source / Path(name).name
        if not path.is_file() or file_sha256(path) != expected:
            raise BackupError(
                _("The backup file %(name)s does not match its checksum: it is damaged or was changed.")
                % {"name": name}
            )
    if vendor != connection.vendor:
        raise BackupError(
            _("This is a %(backup)s backup; the configured database is %(target)s.")
            % {"backup": vendor, "target": connection.vendor}
        )
    return manifest


def _refuse_non_empty_target() -> None:
    if connection.introspection.table_names():
        raise BackupError(
            _("The configured database is not empty: restore only into a new, empty database. Nothing was restored.")
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            _("MEDIA_ROOT (%(path)s) is not empty: restore only into an empty directory. Nothing was restored.")
            % {"path": media_root}
        )


def _restore_sqlite(database_file: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    draft = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(database_file, draft)
    os.replace(draft, target)


def _restore_postgresql(database_file: Path) -> None:
    options, env = _postgresql_environment()
    connection.close()
    _run(
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            *options,
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(database_file),
        ],
        env,
    )


def _extract_media(archive_path: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path) as archive:
        members = [member for member in archive.getmembers() if member.name.startswith("media/")]
        for member in members:
            member.name = member.name.removeprefix("media/")
        # The "data" filter refuses absolute paths, links out of the directory and device files.
        archive.extractall(media_root, members=members, filter="data")


def backup_restore(source: Path) -> dict:
    """Check the backup in ``source`` and restore it into the configured (empty) database and MEDIA_ROOT."""
    manifest = backup_read_verified(source)
    _refuse_non_empty_target()
    database_file = source / manifest["database_file"]
    if connection.vendor == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgresql(database_file)
    _extract_media(source / MEDIA_ARCHIVE)
    return manifest
