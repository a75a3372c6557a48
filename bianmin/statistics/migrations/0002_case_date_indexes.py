"""Indexes on the case dates the figures are computed from, so refreshing a day reads that day's cases only.

They live here, as plain SQL the case model does not declare, because the statistics are their only reader;
moving them into ``Case.Meta.indexes`` later only needs ``DROP INDEX IF EXISTS`` first.
"""

from django.db import migrations

INDEXES = [
    ("stat_case_received_on_idx", "cases_case", "received_on"),
    ("stat_case_accepted_on_idx", "cases_case", "accepted_on"),
    ("stat_case_decided_at_idx", "cases_case", "decided_at"),
    ("stat_case_closed_idx", "cases_case", "status, closed_at"),
    ("stat_case_withdrawn_at_idx", "cases_case", "withdrawn_at"),
    ("stat_suspension_started_idx", "cases_suspension", "started_on"),
    ("stat_extension_decided_idx", "cases_extension", "decided_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
