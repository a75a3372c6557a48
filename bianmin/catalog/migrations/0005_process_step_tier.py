from django.db import migrations, models


def tiers_as_before(apps, schema_editor):
    """Before tiers, an escalated item's steps of a department head or chief representative were done at the level
    that decides and every other step at the receiving site: the stored steps keep meaning what they did."""
    ProcessStep = apps.get_model("catalog", "ProcessStep")
    steps = ProcessStep.objects.filter(
        version__case_type="escalated", role__in=["department_head", "chief_representative"]
    ).select_related("version")
    for step in steps:
        step.tier = step.version.deciding_level
        step.save(update_fields=["tier"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_topic_translated_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="processstep",
            name="tier",
            field=models.CharField(
                choices=[("receiving", "Receiving site"), ("town", "Town"), ("county", "County")],
                default="receiving",
                max_length=10,
                verbose_name="where",
            ),
        ),
        migrations.RunPython(tiers_as_before, migrations.RunPython.noop),
    ]
