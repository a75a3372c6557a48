"""The gap-free counters and the API's stored answers move from ``cases`` to ``core`` (numbering and idempotency
serve every app), with their rows: the models are taken over as they are (no table is created) and their tables
renamed, ``cases_counter`` to ``core_counter`` and ``cases_idempotentrequest`` to ``core_idempotentrequest``.
Their content types follow, so nothing that refers to them is left pointing at ``cases``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("counter", "idempotentrequest")


def content_types_follow(apps, schema_editor, source="cases", target="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, source="core", target="cases")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0005_audit_append_only_message_claim'),
        ('cases', '0008_decided_at_index_status'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Counter',
                    fields=[
                        ('key', models.CharField(max_length=60, primary_key=True, serialize=False)),
                        ('value', models.PositiveIntegerField(default=0)),
                    ],
                    options={'db_table': 'cases_counter'},
                ),
                migrations.CreateModel(
                    name='IdempotentRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100)),
                        ('method', models.CharField(max_length=8)),
                        ('path', models.CharField(max_length=300)),
                        ('status', models.PositiveSmallIntegerField()),
                        ('body', models.JSONField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cases_idempotentrequest',
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='idempotency_key_unique')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='counter', table=None),
        migrations.AlterModelTable(name='idempotentrequest', table=None),
        migrations.RunPython(content_types_follow, content_types_back, elidable=True),
    ]
