"""What residents and providers see and do on the enrolment pages, without JavaScript."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.accounts.services import family_member_add
from learningcity.catalogue.models import Session
from learningcity.enrolment import services
from learningcity.enrolment.models import Registration, RegistrationWindow
from tests.enrolment.conftest import bookable, resident, verified
from tests.factories import World


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def test_the_opportunity_page_shows_places_left_and_a_register_button(world: World, alice: User) -> None:
    session = bookable(world, capacity=2)
    page = text(
        Client().get(reverse("catalogue:opportunity", args=[session.opportunity_id]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "2 places left" in page
    assert reverse("enrolment:register", args=[session.pk]) in page
    services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=resident("p2@resident.test"))
    services.registration_create(session=session, by=resident("p3@resident.test"))
    page = text(logged_in(alice).get(reverse("catalogue:opportunity", args=[session.opportunity_id])))
    assert "Full" in page
    assert "1 person waiting" in page
    assert "Join the waitlist" in page
    assert "Alice: Confirmed" in page


def test_a_cancelled_session_shows_as_cancelled_and_takes_no_registration(world: World) -> None:
    session = bookable(world)
    services.session_cancel(session=session, by=world.users["provider_staff"], reason="")
    page = text(Client().get(reverse("catalogue:opportunity", args=[session.opportunity_id])))
    assert "Cancelled" in page
    assert reverse("enrolment:register", args=[session.pk]) not in page


def test_an_unverified_person_is_asked_to_verify_with_a_send_again_button(world: World) -> None:
    session = bookable(world)
    client = logged_in(world.users["resident"])  # type: ignore[arg-type]
    response = client.get(reverse("enrolment:register", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verification"))
    page = text(client.get(response["Location"]))
    assert "Send the link again" in page
    assert f'value="{reverse("enrolment:register", args=[session.pk])}"' in page, "back to the registration afterwards"


def test_a_resident_registers_and_sees_it_in_my_registrations(world: World, alice: User) -> None:
    session = bookable(world, capacity=1)
    client = logged_in(alice)
    form = text(client.get(reverse("enrolment:register", args=[session.pk])))
    assert "Who is coming?" in form
    assert "Me (Alice)" in form
    response = client.post(reverse("enrolment:register", args=[session.pk]), {"kind": "person", "participant": "me"})
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "Registered: your place is confirmed." in page
    assert "Bookbinding workshop" in page
    assert "Coming up" in page


def test_a_full_session_puts_the_resident_on_the_waitlist_with_their_position(world: World, alice: User) -> None:
    session = bookable(world, capacity=1)
    services.registration_create(session=session, by=resident("first@resident.test"))
    client = logged_in(alice)
    response = client.post(
        reverse("enrolment:register", args=[session.pk]), {"kind": "person", "participant": "me"}, follow=True
    )
    page = text(response)
    assert "you are on the waitlist, position 1" in page
    assert "Waitlisted, position 1" in page
    assert "Leave the waitlist" in page


def test_a_refusal_is_explained_on_the_form(world: World, alice: User) -> None:
    session = bookable(world, days=10)
    RegistrationWindow.objects.create(opportunity=session.opportunity, closes_at=timezone.now() - timedelta(hours=1))
    response = logged_in(alice).post(
        reverse("enrolment:register", args=[session.pk]), {"kind": "person", "participant": "me"}
    )
    assert response.status_code == 400
    page = text(response)
    assert 'role="alert"' in page
    assert "Registration has closed." in page
    assert not Registration.objects.exists()


def test_a_group_form_error_names_the_field(world: World) -> None:
    session = bookable(world, capacity=5)
    staff = verified(world.users["provider_staff"])
    response = logged_in(staff).post(
        reverse("enrolment:register", args=[session.pk]),
        {"kind": "group", "group_name": "Class", "group_organisation": str(world.org_a.pk), "places": "9"},
    )
    assert response.status_code == 400
    page = text(response)
    assert 'href="#id_places"' in page, "the error summary links to the field"
    assert "5 places in all" in page


def test_a_guardian_registers_a_child_chosen_on_the_form(world: World, alice: User) -> None:
    session = bookable(world)
    child = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    client = logged_in(alice)
    assert "Léo (2016)" in text(client.get(reverse("enrolment:register", args=[session.pk])))
    client.post(reverse("enrolment:register", args=[session.pk]), {"kind": "person", "participant": str(child.pk)})
    assert Registration.objects.get().family_member == child
    assert "For Léo" in text(client.get(reverse("enrolment:mine")))


def test_a_promoted_resident_confirms_from_my_registrations(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    mine = services.registration_create(session=session, by=alice)
    waiting = services.registration_create(session=session, by=bob)
    logged_in(alice).post(reverse("enrolment:cancel", args=[mine.first.pk]))
    client = logged_in(bob)
    page = text(client.get(reverse("enrolment:mine")))
    assert "A place is free for you" in page
    assert "Confirm by" in page
    client.post(reverse("enrolment:confirm", args=[waiting.first.pk]))
    assert Registration.objects.get(pk=waiting.first.pk).status == "confirmed"
    assert "Coming up" in text(client.get(reverse("enrolment:mine")))


def test_the_roster_lists_people_and_attendance_is_ticked_without_script(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(start=now - timedelta(minutes=10), end=now + timedelta(hours=1))
    staff = logged_in(world.users["provider_staff"])  # type: ignore[arg-type]
    page = text(staff.get(reverse("enrolment:roster", args=[session.pk])))
    assert "1 of 1 places taken" in page
    assert "1 waiting" in page
    assert 'type="checkbox" name="present"' in page
    confirmed = Registration.objects.get(user=alice)
    response = staff.post(reverse("enrolment:roster", args=[session.pk]), {"present": [str(confirmed.pk)]}, follow=True)
    assert "Attendance saved: 1 present, 0 absent." in text(response)
    assert Registration.objects.get(pk=confirmed.pk).attended is True
    overview = text(staff.get(reverse("enrolment:overview", args=[session.opportunity_id])))
    assert "Attendance rate: 100 %" in overview
    assert "No-show rate: 0 %" in overview


def test_the_roster_exports_csv_that_no_spreadsheet_runs_as_a_formula(world: World) -> None:
    session = bookable(world)
    sly = resident("sly@resident.test", display_name='=HYPERLINK("http://evil.example","click")')
    services.registration_create(session=session, by=sly)
    response = logged_in(world.users["coordinator"]).get(reverse("enrolment:roster-csv", args=[session.pk]))  # type: ignore[arg-type]
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Participant"
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][2] == "sly@resident.test"


def test_a_provider_cancels_a_session_from_its_roster(world: World, alice: User) -> None:
    session = bookable(world)
    services.registration_create(session=session, by=alice)
    staff = logged_in(world.users["provider_staff"])  # type: ignore[arg-type]
    form = text(staff.get(reverse("enrolment:session-cancel", args=[session.pk])))
    assert "1 registration (including the waitlist) will be cancelled" in form
    response = staff.post(reverse("enrolment:session-cancel", args=[session.pk]), {"reason": "Ill"}, follow=True)
    assert "This session is cancelled." in text(response)
    assert Registration.objects.get().status == "cancelled"


def test_registration_dates_are_set_in_local_time_and_checked(world: World) -> None:
    session = bookable(world, days=20)
    staff = logged_in(world.users["provider_staff"])  # type: ignore[arg-type]
    url = reverse("enrolment:overview", args=[session.opportunity_id])
    bad = staff.post(url, {"opens_at": "2030-01-10T10:00", "closes_at": "2030-01-09T10:00"})
    assert bad.status_code == 400
    assert "Registration must close after it opens." in text(bad)
    assert staff.post(url, {"opens_at": "2030-01-10T10:00", "closes_at": ""}).status_code == 302
    window = RegistrationWindow.objects.get()
    assert timezone.localtime(window.opens_at).strftime("%H:%M") == "10:00"
    assert "Registration opens on" in text(
        Client().get(reverse("catalogue:opportunity", args=[session.opportunity_id]))
    )


def test_message_choices_are_saved_and_offers_cannot_be_switched_off(world: World, alice: User) -> None:
    client = logged_in(alice)
    page = text(client.get(reverse("enrolment:preferences")))
    assert "disabled" in page
    assert "Always sent" in page
    client.post(reverse("enrolment:preferences"), {"confirmations": "on"})
    preference = alice.message_preference
    assert (preference.confirmations, preference.reminders, preference.cancellations) == (True, False, False)


def test_pages_are_in_french_under_fr(world: World, alice: User) -> None:
    page = text(logged_in(alice).get("/fr/registrations/"))
    assert '<html lang="fr">' in page


def test_the_roster_shows_who_claimed_the_reduced_price(world: World) -> None:
    session = bookable(world)
    claimant = resident("claims@resident.test", display_name="Camille")
    services.registration_create(session=session, by=claimant, reduced_price=True)
    staff = logged_in(world.users["provider_staff"])  # type: ignore[arg-type]
    roster = text(staff.get(reverse("enrolment:roster", args=[session.pk])))
    assert "reduced price claimed" in roster, "the provider checks the conditions at the door"
    rows = list(csv.reader(io.StringIO(staff.get(reverse("enrolment:roster-csv", args=[session.pk])).content.decode())))
    assert rows[0][-1] == "Reduced price claimed"
    assert rows[1][-1] == "yes"
