"""The migrations declare exactly what the models declare.

On SQLite the test database is made from the models (conftest.py); PostgreSQL's run of the suite applies the
migrations, and ``make demo`` and ``make bench-smoke`` apply them on SQLite. What keeps the two the same is this
test: a model changed without its migration fails here, on both databases."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration(settings):
    settings.MIGRATION_MODULES = {}  # the migrations on disk, which the SQLite test database was not made from
    out = io.StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)

    assert out.getvalue() == "No changes detected\n"
