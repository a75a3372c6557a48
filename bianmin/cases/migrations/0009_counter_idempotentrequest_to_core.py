"""The gap-free counters and the API's stored answers now belong to ``core`` (its migration 0006 took over the
models and renamed their tables): ``cases`` forgets them without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_decided_at_index_status'),
        ('core', '0006_counter_idempotentrequest_from_cases'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Counter'),
                migrations.DeleteModel(name='IdempotentRequest'),
            ],
        ),
    ]
