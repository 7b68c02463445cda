"""Load the building blocks, audiences and languages every city shares."""

from django.db import migrations


def load(apps, schema_editor):
    from learningcity.catalogue.reference import AUDIENCE_LABELS, BUILDING_BLOCKS, LANGUAGES

    building_block = apps.get_model("catalogue", "BuildingBlock")
    for position, (code, name_fr, name_en) in enumerate(BUILDING_BLOCKS, start=1):
        building_block.objects.update_or_create(
            code=code, defaults={"position": position, "name_fr": name_fr, "name_en": name_en}
        )
    audience = apps.get_model("catalogue", "AudienceLabel")
    for code, name_fr, name_en in AUDIENCE_LABELS:
        audience.objects.update_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en})
    language = apps.get_model("catalogue", "Language")
    for code, name_fr, name_en in LANGUAGES:
        language.objects.update_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
