"""The yellow thresholds (part of a case's clock) and the log of supervisors' views of personal data (written by the
case pages) move to ``cases``, with their rows: their tables are renamed ``cases_yellowthreshold`` and
``cases_personaldataview`` here, and supervision forgets the models; ``cases.0010`` takes them over as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(name='yellowthreshold', table='cases_yellowthreshold'),
        migrations.AlterModelTable(name='personaldataview', table='cases_personaldataview'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='PersonalDataView'),
                migrations.DeleteModel(name='YellowThreshold'),
            ],
        ),
    ]
