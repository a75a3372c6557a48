"""The catalogue's files (blank forms, samples, import workbooks) are stored under random names from now on."""

from django.db import migrations, models

import bianmin.core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="catalogimport",
            name="file",
            field=models.FileField(upload_to=bianmin.core.uploads.RandomName("catalog/imports"), verbose_name="file"),
        ),
        migrations.AlterField(
            model_name="materialrequirement",
            name="blank_form",
            field=models.FileField(
                blank=True, upload_to=bianmin.core.uploads.RandomName("catalog/forms"), verbose_name="blank form"
            ),
        ),
        migrations.AlterField(
            model_name="materialrequirement",
            name="sample",
            field=models.FileField(
                blank=True, upload_to=bianmin.core.uploads.RandomName("catalog/samples"), verbose_name="filled sample"
            ),
        ),
    ]
