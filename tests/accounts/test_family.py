"""A guardian keeps a list of family members to register from their own account."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.accounts.services import family_member_add
from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from tests.factories import World


def test_it_adds_a_family_member_and_lists_them(world: World, client: Client) -> None:
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    response = client.post("/en/accounts/family/", {"name": " Léo ", "year_of_birth": "2016"}, follow=True)
    page = response.content.decode()
    assert "Léo is on your family list." in page
    assert "Léo (born in 2016)" in page
    assert FamilyMember.objects.get().account == world.users["resident"]


def test_it_names_the_field_of_a_bad_entry(world: World, client: Client) -> None:
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    next_year = str(timezone.localdate().year + 1)
    response = client.post("/en/accounts/family/", {"name": "", "year_of_birth": next_year})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_year_of_birth"' in page
    assert "cannot be in the future" in page
    assert 'href="#id_name"' in page
    assert not FamilyMember.objects.exists()


def test_only_the_guardian_sees_and_removes_their_family(world: World, client: Client) -> None:
    member = family_member_add(account=world.users["resident"], name="Léo", year_of_birth=2016)  # type: ignore[arg-type]
    client.force_login(world.users["other_resident"])  # type: ignore[arg-type]
    assert "Léo" not in client.get("/en/accounts/family/").content.decode()
    assert client.post(f"/en/accounts/family/{member.pk}/remove/").status_code == 404
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    response = client.post(f"/en/accounts/family/{member.pk}/remove/", follow=True)
    assert "Léo is no longer on your family list." in response.content.decode()
    assert FamilyMember.objects.current().count() == 0
    assert FamilyMember.objects.count() == 1, "kept for past registrations"


def test_someone_registered_for_a_coming_session_stays_on_the_list(world: World, client: Client) -> None:
    alice = world.users["resident"]
    assert alice is not None
    member = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    session = Session.objects.filter(opportunity=world.published).get()
    session.start = timezone.now() + timedelta(days=2)
    session.save()
    Registration.objects.create(user=alice, session=session, family_member=member)
    client.force_login(alice)
    response = client.post(f"/en/accounts/family/{member.pk}/remove/", follow=True)
    assert "cancel it first" in response.content.decode()
    assert FamilyMember.objects.current().count() == 1
