"""Load the building blocks, audiences and languages every city shares."""

from django.db import migrations


def load(apps, schema_editor):
    from learningcity.catalogue.reference import load_reference_data

    load_reference_data(
        building_block=apps.get_model("catalogue", "BuildingBlock"),
        audience_label=apps.get_model("catalogue", "AudienceLabel"),
        language=apps.get_model("catalogue", "Language"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
