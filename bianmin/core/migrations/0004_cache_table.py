"""The table of the database cache (settings.base.CACHES without REDIS_URL), created by `migrate`.

Created whatever CACHES says at the time, so a deployment that drops REDIS_URL later has its table already.
"""

from django.core.management import call_command
from django.db import migrations

# settings.base.CACHE_TABLE; written out because a migration must not follow later changes of the settings.
CACHE_TABLE = "bianmin_cache"


def create_cache_table(apps, schema_editor):
    # createcachetable makes Django's own schema for the table and does nothing when it exists.
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_auditverification"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table, elidable=False),
    ]
