"""What residents and coordinators see and do on the learning-credit pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.accounts.models import User
from learningcity.catalogue.models import Opportunity
from learningcity.credits import services
from learningcity.credits.models import (
    Account,
    AuditRecord,
    DeclarationStatus,
    Entry,
    IdentityCheck,
    JobSeekerDeclaration,
    Scheme,
)
from learningcity.credits.services import quote, spend_for_registration
from tests.credits.conftest import balance, grant_now, register
from tests.factories import World


def page(client: Client, name: str, *args: object, language: str = "en", query: str = "") -> str:
    with translation.override(language):
        url = reverse(name, args=args)
    response = client.get(url + query)
    assert response.status_code == 200, url
    return response.content.decode()


def spend(world: World, opportunity: Opportunity) -> None:
    resident = world.users["resident"]
    spend_for_registration(register(resident, opportunity), quote(resident, opportunity))  # type: ignore[arg-type]


def test_a_resident_sees_their_balance_history_and_how_it_works(
    world: World, priced: Opportunity, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    spend(world, priced)
    html = page(client_for("resident"), "credits:mine")
    assert "Available to spend now: 10.00\u00a0€" in html
    assert "Learning pass" in html
    assert "Spent on a registration: Watercolour workshop" in html
    assert "If you cancel a registration, the credit it used comes back to you." in html
    assert "The city has checked your identity" in html
    french = page(client_for("resident"), "credits:mine", language="fr")
    assert "Pass formation" in french
    assert "10,00\u00a0€" in french


def test_a_resident_is_told_how_to_get_their_identity_checked(
    world: World, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    html = page(client_for("other_resident"), "credits:mine")
    assert "Available to spend now: 0.00\u00a0€" in html
    assert "Show an identity document" in html
    assert "nobody keeps a copy" in html


def test_the_account_page_shows_the_credit(world: World, credited: Scheme, client_for: Callable[[str], Client]) -> None:
    html = page(client_for("resident"), "accounts:account")
    assert "Available to spend now: 30.00\u00a0€" in html
    assert reverse("credits:mine") in html


def test_the_price_fragment_shows_the_price_net_of_reduction_and_credit(
    world: World, priced: Opportunity, residents: World
) -> None:
    scheme = services.scheme_create(
        city=world.city, by=world.users["coordinator"], districts=[],
        fields={"name_en": "Pass", "amount": Decimal("15"), "budget": Decimal("100"),
                "valid_from": timezone.localdate(), "valid_until": timezone.localdate() + timedelta(days=9)},
    )  # fmt: skip
    grant_now(world, scheme)
    request = RequestFactory().get("/")
    request.user = world.users["resident"]  # type: ignore[assignment]
    with translation.override("en"):
        before = render_to_string("credits/_price.html", {"opportunity": priced}, request=request)
        services.identity_check_record(city=world.city, by=world.users["coordinator"],
                                       user=world.users["resident"], document_kind="passport")  # fmt: skip
        after = render_to_string("credits/_price.html", {"opportunity": priced}, request=request)
    assert "20.00\u00a0€" in before
    assert "8.00\u00a0€ — if you meet these conditions: Students" in before
    assert "You have 15.00\u00a0€ of learning credit. To use it, the city must first check your identity" in before
    assert (
        "<strong>5.00\u00a0€</strong> after 15.00\u00a0€ of learning credit; 0.00\u00a0€ at the reduced price" in after
    )


def test_a_resident_declares_they_look_for_work_and_a_coordinator_accepts(
    world: World, residents: World, client_for: Callable[[str], Client]
) -> None:
    resident = client_for("resident")
    response = resident.post(reverse("credits:job-seeker"), {"evidence_kind": "registration", "honest": "on"})
    html = response.content.decode()
    assert "Reference on your proof: This field is required." in html
    assert 'href="#id_evidence_reference"' in html, "the error summary links to the field"
    declared = {"evidence_kind": "registration", "evidence_reference": "1234567A", "honest": "on"}
    response = resident.post(reverse("credits:job-seeker"), declared)
    assert response.status_code == 302
    declaration = JobSeekerDeclaration.objects.get()
    assert "waiting for a check" in page(resident, "credits:mine")
    coordinator = client_for("coordinator")
    assert "1234567A" in page(coordinator, "credits:job-seekers")
    url = reverse("credits:job-seeker-decide", args=[declaration.pk])
    refused = coordinator.post(url, {"decision": "accept", "valid_until": ""}).content.decode()
    assert "Give the date the job-seeker status ends" in refused
    until = timezone.localdate() + timedelta(days=100)
    assert coordinator.post(url, {"decision": "accept", "valid_until": until.isoformat()}).status_code == 302
    declaration.refresh_from_db()
    assert (declaration.status, declaration.valid_until) == (DeclarationStatus.ACCEPTED, until)
    assert "has accepted your job-seeker status" in page(resident, "credits:mine")
    assert AuditRecord.objects.filter(action="job_seeker_accepted", subject_email="alice@resident.test").exists()


def test_a_coordinator_records_an_identity_check_without_the_document(
    world: World, residents: World, client_for: Callable[[str], Client]
) -> None:
    coordinator = client_for("coordinator")
    url = reverse("credits:identity")
    bad = {"email": "nobody@x.test", "document_kind": "passport", "year_of_birth": "2999"}
    html = coordinator.post(url, bad).content.decode()
    assert "No account has this e-mail address." in html
    assert "Confirm that you have seen the original document." in html
    assert "The year of birth cannot be in the future." in html
    rives = world.city.districts.get(code="02")
    good = {"email": "Alice@Resident.test", "document_kind": "passport", "seen": "on", "year_of_birth": "1990",
            "district": rives.pk}  # fmt: skip
    assert coordinator.post(url, good).status_code == 302
    alice = User.objects.get(email="alice@resident.test")
    assert (alice.year_of_birth, alice.district) == (1990, rives), "what the coordinator confirmed is saved"
    check = IdentityCheck.objects.get()
    assert (check.user, check.checked_by, check.document_kind) == (
        world.users["resident"], world.users["coordinator"], "passport",
    )  # fmt: skip
    stored = {field.name for field in IdentityCheck._meta.get_fields()}
    assert stored == {"id", "user", "city", "document_kind", "checked_by", "checked_at"}, "never the document"
    again = coordinator.post(url, {"email": "alice@resident.test", "document_kind": "passport", "seen": "on"})
    assert "already checked on" in again.content.decode()
    assert IdentityCheck.objects.count() == 1


def test_a_coordinator_opens_a_scheme_and_sees_clear_errors(world: World, client_for: Callable[[str], Client]) -> None:
    coordinator = client_for("coordinator")
    url = reverse("credits:scheme-add")
    bad = {"name_fr": "", "name_en": "", "amount": "-3", "budget": "100", "valid_from": "2030-05-01",
           "valid_until": "2030-04-01", "age_min": "30", "age_max": "20"}  # fmt: skip
    html = coordinator.post(url, bad).content.decode()
    for message in [
        "Give a name in French or in English.",
        "The end date must be on or after the start date.",
        "The maximum age must be at least the minimum age.",
        "Credit per resident (EUR): The credit per resident must be more than zero.",
    ]:
        assert message in html
    assert Scheme.objects.count() == 0
    centre = world.city.districts.get(code="01")
    good = {**bad, "name_fr": "Pass jeunes", "amount": "25.50", "valid_until": "2030-12-31", "age_min": "16",
            "age_max": "25", "districts": [centre.pk]}  # fmt: skip
    response = coordinator.post(url, good)
    scheme = Scheme.objects.get()
    assert response["Location"] == reverse("credits:scheme", args=[scheme.pk])
    html = page(coordinator, "credits:scheme", scheme.pk)
    assert "aged 16 to 25 this year; living in: Centre" in html
    assert "25.50\u00a0€" in html
    assert AuditRecord.objects.filter(action="scheme_created", scheme=scheme).exists()


def test_a_correction_with_a_bad_amount_is_explained_and_changes_nothing(
    world: World, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    account = Account.objects.get(user=world.users["resident"])
    url = reverse("credits:account", args=[account.pk])
    html = client_for("coordinator").post(url, {"amount": "-40", "note": "Oops"}).content.decode()
    assert "Amount (EUR): At most 30.00 € can be taken back." in html
    assert balance(account.user, credited) == Decimal("30.00")
    assert client_for("coordinator").post(url, {"amount": "-4", "note": "Oops"}).status_code == 302
    assert balance(account.user, credited) == Decimal("26.00")


def test_the_ledger_filters_totals_and_reconciles(
    world: World, priced: Opportunity, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    spend(world, priced)
    coordinator = client_for("coordinator")
    html = page(coordinator, "credits:ledger")
    assert "3 entries match these filters" in html
    assert "Held by residents" in html
    assert "<td>Yes</td>" in html
    spent = page(coordinator, "credits:ledger", query="?kind=spend")
    assert "1 entry matches these filters" in spent
    assert "-20.00\u00a0€" in spent
    rives = world.city.districts.get(code="02")
    assert "0 entries match" in page(coordinator, "credits:ledger", query=f"?district={rives.pk}")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "0 entries match" in page(coordinator, "credits:ledger", query=f"?date_from={tomorrow}")
    today = timezone.localdate().isoformat()
    assert "3 entries match" in page(coordinator, "credits:ledger", query=f"?date_from={today}&date_to={today}")
    wrong = page(coordinator, "credits:ledger", query=f"?date_from={tomorrow}&date_to={today}")
    assert "Until: The end date must be on or after the start date." in wrong


def test_the_ledger_csv_cannot_run_formulas_in_a_spreadsheet(
    world: World, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    account = Account.objects.get(user=world.users["resident"])
    services.account_correct(account=account, by=world.users["coordinator"], amount=Decimal("-2"),
                             note='=HYPERLINK("http://evil.test","x")')  # fmt: skip
    response = client_for("coordinator").get(reverse("credits:ledger") + "?kind=correction&download=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["reason"] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[0]["amount_eur"] == "-2.00", "numbers stay numbers"
    assert rows[0]["resident_email"] == "alice@resident.test"
    assert AuditRecord.objects.filter(action="ledger_exported", details="rows=1").exists()


def test_the_coordinator_home_lists_schemes_and_waiting_declarations(
    world: World, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    services.job_seeker_declare(user=world.users["other_resident"], city=world.city, evidence_kind="other",
                                evidence_reference="X")  # fmt: skip
    html = page(client_for("coordinator"), "credits:coordinate")
    assert "Job-seeker declarations (1 waiting)" in html
    assert "Learning pass" in html
    assert "Granted credit to every eligible resident" not in html, "grant_now bypasses the page's audit"
    assert "Created a scheme" in html


def test_a_coordinator_starts_a_grant_from_the_scheme_page(
    world: World, residents: World, client_for: Callable[[str], Client]
) -> None:
    scheme = services.scheme_create(
        city=world.city, by=world.users["coordinator"], districts=[],
        fields={"name_en": "Pass", "amount": Decimal("15"), "budget": Decimal("100"),
                "valid_from": timezone.localdate(), "valid_until": timezone.localdate() + timedelta(days=9)},
    )  # fmt: skip
    coordinator = client_for("coordinator")
    assert "2 residents" in page(coordinator, "credits:scheme", scheme.pk)
    response = coordinator.post(reverse("credits:scheme-grant", args=[scheme.pk]), follow=True)
    assert "The grant has started" in response.content.decode()
    assert "Waiting to run" in response.content.decode()
    again = coordinator.post(reverse("credits:scheme-grant", args=[scheme.pk]), follow=True)
    assert "already under way" in again.content.decode()
    assert Entry.objects.count() == 0, "the worker grants, not the request"


def test_amounts_read_as_euros_in_each_language() -> None:
    from learningcity.credits.templatetags.credits import euros

    with translation.override("fr"):
        assert euros(Decimal("12345.5")) == "12\u00a0345,50\u00a0€"
    with translation.override("en"):
        assert (euros(Decimal("12345.5")), euros(Decimal("-3")), euros(None)) == (
            "12,345.50\u00a0€", "-3.00\u00a0€", "0.00\u00a0€",
        )  # fmt: skip


def test_the_opportunity_page_shows_each_resident_their_own_price(
    priced: Opportunity, credited: Scheme, client_for: Callable[[str], Client]
) -> None:
    address = f"/en/opportunities/{priced.pk}/{priced.slug}/"
    mine = client_for("resident").get(address).content.decode()
    assert "<strong>0.00\u00a0€</strong> after 20.00\u00a0€ of learning credit" in mine
    theirs = client_for("other_resident").get(address).content.decode()
    assert "To use it, the city must first check your identity" in theirs
    anonymous = client_for("anonymous").get(address).content.decode()
    assert "20.00\u00a0€" in anonymous
    assert "learning credit" not in anonymous
