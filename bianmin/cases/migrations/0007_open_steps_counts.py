from django.db import migrations, models


def fill_open_steps(apps, schema_editor):
    """The open review steps of department heads and chief representatives on the rows and in the counts (the
    services keep them from now on). Cases that never had access rows (migrated from before 0004, which leaves
    the rows to this migration) get everything: clock columns, rows and counts."""
    from bianmin.cases.access import cases_index_rebuild, open_steps_fill

    Case, CaseAccess = apps.get_model("cases", "Case"), apps.get_model("cases", "CaseAccess")
    if not Case.objects.exists():
        return  # nothing to fill (and the live statements may name columns of later migrations, e.g. 0012's)
    if not CaseAccess.objects.exists():
        cases_index_rebuild(clock_counts=False)
    else:
        open_steps_fill()


# The column is added by hand: on SQLite Django would copy the whole access table (millions of rows) to add a
# NOT NULL column, where ALTER TABLE … ADD COLUMN with a constant default is immediate on SQLite and PostgreSQL.
ADD_COLUMN = 'ALTER TABLE "cases_caseaccess" ADD COLUMN "open_steps" smallint DEFAULT 0 NOT NULL'


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_query_code_and_random_file_names'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(ADD_COLUMN, 'ALTER TABLE "cases_caseaccess" DROP COLUMN "open_steps"'),
            ],
            state_operations=[
                migrations.AddField(
                    model_name='caseaccess',
                    name='open_steps',
                    field=models.SmallIntegerField(db_default=0, default=0),
                ),
            ],
        ),
        migrations.AddField(
            model_name='casecount',
            name='open_steps',
            field=models.SmallIntegerField(db_default=0, default=0),
        ),
        migrations.RemoveConstraint(
            model_name='casecount',
            name='case_count_unique',
        ),
        migrations.AddConstraint(
            model_name='casecount',
            constraint=models.UniqueConstraint(
                fields=('key', 'status', 'is_current', 'open_steps'), name='case_count_unique'
            ),
        ),
        migrations.RunPython(fill_open_steps, migrations.RunPython.noop),
    ]
