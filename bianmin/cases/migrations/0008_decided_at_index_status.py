"""On PostgreSQL the decision-time index also carries the status (INCLUDE), so a drill-down's count (which leaves
drafts out, as every list of cases does) reads the index alone instead of every decided case's row.

SQLite has no INCLUDE: its index would be the same, and it is left alone (made again, it would come last among the
table's indexes, which changes how SQLite picks between indexes of a database not yet analysed)."""

from django.db import migrations, models

COLUMNS = '"decided_at", "promised_due", "statutory_due", "certificate_due"'


def _remake(include: str):
    def remake(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "case_decided_at_idx"')
        schema_editor.execute(f'CREATE INDEX "case_decided_at_idx" ON "cases_case" ({COLUMNS}){include}')

    return remake


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_open_steps_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_remake(' INCLUDE ("status")'), _remake(""))],
            state_operations=[
                migrations.RemoveIndex(model_name="case", name="case_decided_at_idx"),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(
                        fields=["decided_at", "promised_due", "statutory_due", "certificate_due"],
                        include=["status"],
                        name="case_decided_at_idx",
                    ),
                ),
            ],
        ),
    ]
