"""Who took part, as the indicators count them: family members are people of their own, groups are not people."""

from __future__ import annotations

from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.enrolment.models import Registration
from learningcity.monitoring.indicator_tables import participations
from tests.factories import World


def test_a_child_registered_by_a_parent_counts_at_the_childs_age_and_a_class_is_left_out(world: World) -> None:
    session = world.published.sessions.first()
    assert session is not None
    year = session.start.year
    parent = world.users["resident"]
    assert parent is not None
    parent.year_of_birth, parent.sex, parent.district = year - 40, "F", world.city.districts.first()
    parent.save()
    child = FamilyMember.objects.create(account=parent, name="Léa", year_of_birth=year - 8)
    Registration.objects.create(user=parent, session=session)
    Registration.objects.create(user=parent, session=session, family_member=child)
    staff = world.users["provider_staff"]
    assert staff is not None
    Registration.objects.create(user=staff, session=session, group_name="CM1 B", places=24,
                                created_at=timezone.now())  # fmt: skip
    table = participations(world.city, year)
    assert len(table) == 2, "the class of 24 is places, not two dozen people of the staff member's age"
    people = {int(row["person_id"]): row for row in table.to_dict("records")}
    assert (people[parent.pk]["age_band"], people[-child.pk]["age_band"]) == ("25-44", "6-10")
    assert people[-child.pk]["sex"] == "none", "a family member's sex is not recorded"
    assert people[-child.pk]["district"] == people[parent.pk]["district"] == "01"
