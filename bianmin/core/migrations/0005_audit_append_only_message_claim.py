"""On PostgreSQL the audit event table refuses UPDATE and DELETE: a trigger raises for every such statement.
Outbound messages get ``claimed_at``, so a message is handed to the SMS gateway at most once (core.notify).

The chain's hashes already reveal an edit; the trigger stops one made through the application's connection, by
mistake or by an injected query. TRUNCATE (the test suite's flush) is a separate event the trigger does not
cover. A superuser or the table's owner can still disable it, which is why the application's role owns nothing
and holds only INSERT and SELECT on the table (docs/CONFIGURATION.md), and why the chain is also anchored in
signed checkpoints outside the database (bianmin/core/audit.py). SQLite has no roles: nothing is created there.
"""

from django.db import migrations, models

TABLE = "core_auditevent"
FUNCTION = "core_auditevent_append_only"

CREATE = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER {FUNCTION} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {FUNCTION} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_cache_table"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
        migrations.AddField(
            model_name="outboundmessage",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed to the gateway at"),
        ),
    ]
