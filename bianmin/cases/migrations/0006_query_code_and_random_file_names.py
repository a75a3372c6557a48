"""Each case gets its own random query code (查询码) for the public tracking page, and materials' files get random
names with the name they were uploaded under kept beside them.

Existing cases are given a code each (on PostgreSQL in one statement from gen_random_uuid(), the server's strong
generator; elsewhere from Python's ``secrets`` in batches). Existing material files are moved to random names;
the old file is deleted once the migration has committed, and a file that cannot be read is left where it is.
"""

import re
import secrets
from pathlib import PurePosixPath

from django.db import migrations, models, transaction

import bianmin.cases.models
import bianmin.core.uploads

BATCH = 2000
RANDOM_NAME = re.compile(r"^cases/materials/[0-9a-f]{32}\.[a-z]+$")


def _code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def fill_query_codes(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET query_code = lpad(((('x' || substr(replace(gen_random_uuid()::text, '-', ''),"
                " 1, 12))::bit(48)::bigint) % 100000000)::text, 8, '0') WHERE query_code = ''"
            )
        return
    ids = list(Case.objects.filter(query_code="").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = [Case(pk=pk, query_code=_code()) for pk in ids[start : start + BATCH]]
        Case.objects.bulk_update(batch, ["query_code"])


def move_material_files(apps, schema_editor):
    from django.core.files.storage import default_storage

    CaseMaterial = apps.get_model("cases", "CaseMaterial")
    name_for = bianmin.core.uploads.RandomName("cases/materials")
    for material in CaseMaterial.objects.exclude(file="").only("pk", "file", "file_name").iterator():
        old = material.file.name
        if RANDOM_NAME.match(old):
            continue
        original = PurePosixPath(old).name[-100:]
        try:
            with default_storage.open(old, "rb") as handle:
                new = default_storage.save(name_for(material, original), handle)
        except OSError:
            CaseMaterial.objects.filter(pk=material.pk).update(file_name=original)
            continue
        CaseMaterial.objects.filter(pk=material.pk).update(file=new, file_name=original)
        transaction.on_commit(lambda old=old: default_storage.delete(old))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_extension_state_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="query_code",
            field=models.CharField(default="", max_length=8, verbose_name="query code"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_query_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="case",
            name="query_code",
            field=models.CharField(
                default=bianmin.cases.models.query_code_new, max_length=8, verbose_name="query code"
            ),
        ),
        migrations.AddField(
            model_name="casematerial",
            name="file_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="casematerial",
            name="file",
            field=models.FileField(
                blank=True,
                upload_to=bianmin.core.uploads.RandomName("cases/materials"),
                verbose_name="scan or upload",
            ),
        ),
        migrations.RunPython(move_material_files, migrations.RunPython.noop, elidable=True),
    ]
