"""The yellow thresholds and the log of supervisors' views of personal data belong to ``cases`` now: the models are
taken over as they are, on the tables ``supervision.0002`` renamed (nothing is created), and their content types
follow."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

MOVED = ("yellowthreshold", "personaldataview")


def content_types_follow(apps, schema_editor, source="supervision", target="cases"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, source="cases", target="supervision")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0009_counter_idempotentrequest_to_core'),
        ('catalog', '0002_random_file_names'),
        ('org', '0001_initial'),
        ('supervision', '0002_yellowthreshold_personaldataview_to_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PersonalDataView',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('what', models.CharField(max_length=40, verbose_name='what was seen')),
                        ('viewed_at', models.DateTimeField(verbose_name='seen at')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='personal_data_views', to='cases.case')),
                        ('viewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'personal-data view',
                        'verbose_name_plural': 'personal-data views',
                        'ordering': ['-viewed_at', '-pk'],
                        'indexes': [models.Index(fields=['case', 'viewed_at'], name='data_view_case_idx'), models.Index(fields=['viewer', 'viewed_at'], name='data_view_viewer_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='YellowThreshold',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('days_left', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='working days left')),
                        ('share_used_percent', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='share of the promised limit used (%)')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('department', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='yellow_threshold', to='org.department', verbose_name='department')),
                        ('item', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='yellow_threshold', to='catalog.serviceitem', verbose_name='item')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'yellow threshold',
                        'verbose_name_plural': 'yellow thresholds',
                        'constraints': [models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('department', models.Value(0)), condition=models.Q(('department__isnull', True), ('item__isnull', True)), name='yellow_threshold_one_global'), models.CheckConstraint(condition=models.Q(('department__isnull', True), ('item__isnull', True), _connector='OR'), name='yellow_threshold_one_target'), models.CheckConstraint(condition=models.Q(('days_left__isnull', False), ('share_used_percent__isnull', False), _connector='OR'), name='yellow_threshold_has_a_limit'), models.CheckConstraint(condition=models.Q(('share_used_percent__isnull', True), models.Q(('share_used_percent__gte', 1), ('share_used_percent__lte', 100)), _connector='OR'), name='yellow_threshold_share_is_percent')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back, elidable=True),
    ]
