"""The staff access log: written when staff open pages with other people's data, read by coordinators."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.test import Client

from learningcity.passport.models import Achievement, AwardRequest
from learningcity.privacy.models import StaffAccess
from tests.factories import World
from tests.privacy.conftest import Household, persona


def test_a_provider_viewing_a_roster_is_logged_with_everyone_on_it(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    session = household.session
    assert client_for("provider_staff").get(f"/en/provider/sessions/{session.pk}/roster/").status_code == 200
    entry = StaffAccess.objects.get()
    assert (entry.staff, entry.what, entry.city) == (persona(household.world, "provider_staff"), "roster",
                                                     household.world.city)  # fmt: skip
    assert entry.object_ref == f"session:{session.pk}"
    assert entry.path == f"/en/provider/sessions/{session.pk}/roster/"
    assert set(entry.subjects.all()) == {household.alice, household.bob}


def test_the_roster_download_is_logged_too(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for("coordinator").get(f"/en/provider/sessions/{household.session.pk}/roster.csv").status_code == 200
    assert StaffAccess.objects.get().what == "roster_csv"


def test_the_roster_read_through_the_api_is_logged_too(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("provider_staff").get(f"/api/v1/sessions/{household.session.pk}/roster")
    assert response.status_code == 200
    entry = StaffAccess.objects.get()
    assert (entry.what, entry.object_ref) == ("roster", f"session:{household.session.pk}")
    assert set(entry.subjects.all()) == {household.alice, household.bob}


def test_a_refused_look_is_not_logged_as_an_access(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    assert (
        client_for("other_provider_staff").get(f"/en/provider/sessions/{household.session.pk}/roster/").status_code
        == 403
    )
    assert not StaffAccess.objects.exists()


def test_credit_identity_checks_are_logged(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    from learningcity.credits.services import identity_check_record

    identity_check_record(city=household.world.city, by=persona(household.world, "coordinator"), user=household.alice,
                          document_kind="passport")  # fmt: skip
    assert client_for("coordinator").get("/en/coordinate/credits/identity/").status_code == 200
    entry = StaffAccess.objects.get()
    assert entry.what == "identity_checks"
    assert list(entry.subjects.all()) == [household.alice]


def test_reviewing_an_achievement_request_and_its_evidence_is_logged(  # type: ignore[no-untyped-def]
    world: World, client_for, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    achievement = Achievement.objects.create(city=world.city, organisation=world.org_a, name_fr="A", name_en="A",
                                             criteria_fr="c", criteria_en="c")  # fmt: skip
    request = AwardRequest(achievement=achievement, user=persona(world, "resident"), message="Voici")
    request.evidence_file.save("proof.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    staff = client_for("provider_staff")
    assert staff.get(f"/en/passport/issuer/requests/{request.pk}/").status_code == 200
    assert staff.get(f"/en/passport/requests/{request.pk}/evidence/").status_code == 200
    assert list(StaffAccess.objects.order_by("at", "id").values_list("what", flat=True)) == [
        "award_request", "award_evidence"]  # fmt: skip
    assert client_for("resident").get(f"/en/passport/requests/{request.pk}/evidence/").status_code == 200
    assert StaffAccess.objects.count() == 2, "the person reading their own evidence is not logged"


def test_an_admin_opening_a_persons_page_is_logged(world: World, client: Client) -> None:
    from tests.factories import make_user

    admin = make_user("root@city.test", is_staff=True, is_superuser=True)
    client.force_login(admin)
    resident = persona(world, "resident")
    assert client.get(f"/en/admin/accounts/user/{resident.pk}/change/").status_code == 200
    entry = StaffAccess.objects.get()
    assert (entry.what, entry.city, list(entry.subjects.all())) == ("admin_person", None, [resident])


def test_coordinators_filter_the_log_by_staff_and_by_person(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    client_for("provider_staff").get(f"/en/provider/sessions/{household.session.pk}/roster/")
    client_for("coordinator").get(f"/en/provider/sessions/{household.session.pk}/roster.csv")
    coordinator = client_for("coordinator")
    page = coordinator.get("/en/privacy/access-log/").content.decode()
    assert page.count("<tr>") == 3
    assert "staff@a.test" in page
    assert "coordinator@city.test" in page
    by_staff = coordinator.get("/en/privacy/access-log/", {"staff": "staff@a.test"}).content.decode()
    assert by_staff.count("<tr>") == 2
    assert "Roster downloaded" not in by_staff
    by_person = coordinator.get("/en/privacy/access-log/", {"subject": "bob@resident.test"}).content.decode()
    assert by_person.count("<tr>") == 3
    bad = coordinator.get("/en/privacy/access-log/", {"staff": "not an address"})
    assert bad.status_code == 400
    assert "Staff member (e-mail): Enter a valid email address." in bad.content.decode()


def test_a_resident_sees_who_looked_at_their_data(household: Household, client_for) -> None:  # type: ignore[no-untyped-def]
    client_for("provider_staff").get(f"/en/provider/sessions/{household.session.pk}/roster/")
    page = client_for("resident").get("/en/privacy/my-data/").content.decode()
    assert "Carol" in page
    assert "Session roster" in page
