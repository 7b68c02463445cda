"""Saved searches: keeping a search, and one e-mail per new match through the task worker and SMTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import User
from learningcity.catalogue import services as catalogue_services
from learningcity.catalogue.models import Opportunity, Status
from learningcity.search import services
from learningcity.search.models import SavedSearch, SavedSearchAlert
from tests.factories import World, make_opportunity, make_user

# The worker closes and reopens database connections between tasks, as it does in production; that
# needs real commits, so these tests use a transactional database instead of one wrapping transaction.
# Serialized rollback: the flush after each test then leaves no rows that a later browser test
# (which restores the migrated data) would collide with, whatever the order tests run in.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def resident(world: World, role: str = "resident", language: str = "en") -> User:
    user = world.users[role]
    assert user is not None
    user.preferred_language = language
    user.save()
    return user


def save(world: World, user: User, query: str, name: str = "My search") -> SavedSearch:
    return services.saved_search_create(user=user, city=world.city, name=name, query=query)


def theatre(world: World, **fields: Any) -> Opportunity:
    """A theatre class submitted for review (not yet public)."""
    values: dict[str, Any] = {"title_fr": "Cours de théâtre", "title_en": "Theatre class", "kind": "course"}
    return make_opportunity(world.org_a, status=Status.PENDING, **{**values, **fields})


def publish(world: World, opportunity: Opportunity) -> None:
    catalogue_services.opportunity_publish(opportunity=opportunity, by=world.users["coordinator"])


def english(name: str, *args: Any) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def sent_to(smtp_sink: Any, address: str) -> list[Any]:
    return [message for message in smtp_sink.messages if message["To"] == address]


def test_it_emails_the_owner_in_english_when_a_matching_opportunity_is_published(world: World, smtp_sink: Any) -> None:
    alice = resident(world, language="en")
    save(world, alice, "q=theatre&kind=course", name="Drama for me")
    opportunity = theatre(world)
    run_worker()
    assert sent_to(smtp_sink, alice.email) == [], "nothing is announced before it is published"
    publish(world, opportunity)
    run_worker()
    [message] = sent_to(smtp_sink, alice.email)
    assert message["Subject"] == "New for your saved search: Theatre class"
    body = message.get_content()
    assert "Hello Alice," in body
    assert "“Drama for me”" in body
    assert f"/en/opportunities/{opportunity.pk}/theatre-class/" in body
    assert "/en/search/saved/" in body
    assert SavedSearchAlert.objects.filter(opportunity=opportunity).count() == 1


def test_it_emails_the_owner_in_french(world: World, smtp_sink: Any) -> None:
    bob = resident(world, "other_resident", language="fr")
    save(world, bob, "q=théâtre", name="Théâtre")
    opportunity = theatre(world)
    publish(world, opportunity)
    run_worker()
    [message] = sent_to(smtp_sink, bob.email)
    assert "Cours de théâtre" in message["Subject"]
    body = message.get_content()
    assert body.startswith("Bonjour Bob,")
    assert f"/fr/opportunities/{opportunity.pk}/cours-de-theatre/" in body
    assert "/fr/search/saved/" in body


def test_it_never_announces_the_same_opportunity_twice(world: World, smtp_sink: Any) -> None:
    alice = resident(world)
    save(world, alice, "q=theatre")
    opportunity = theatre(world)
    publish(world, opportunity)
    run_worker()
    catalogue_services.opportunity_archive(opportunity=opportunity, by=world.users["coordinator"])
    publish(world, Opportunity.objects.get(pk=opportunity.pk))
    run_worker()
    assert len(sent_to(smtp_sink, alice.email)) == 1


def test_it_sends_one_email_per_owner_and_opportunity(world: World, smtp_sink: Any) -> None:
    alice, bob = resident(world), resident(world, "other_resident")
    save(world, alice, "q=theatre", name="Theatre")
    save(world, alice, "kind=course", name="Courses")
    save(world, bob, "kind=course", name="Bob's courses")
    publish(world, theatre(world))
    run_worker()
    [to_alice] = sent_to(smtp_sink, alice.email)
    assert "“Theatre”" in to_alice.get_content()
    assert "“Courses”" in to_alice.get_content()
    [to_bob] = sent_to(smtp_sink, bob.email)
    assert "“Theatre”" not in to_bob.get_content()
    assert SavedSearchAlert.objects.count() == 3


def test_it_sends_nothing_for_a_search_the_opportunity_does_not_match(world: World, smtp_sink: Any) -> None:
    alice = resident(world)
    save(world, alice, "q=python")
    save(world, alice, "kind=course&free=on&age=5")
    save(world, alice, "q=theatre&district=02")
    publish(world, theatre(world))
    run_worker()
    assert sent_to(smtp_sink, alice.email) == []
    assert SavedSearchAlert.objects.count() == 0


def test_it_sends_nothing_when_alerts_are_off(world: World, smtp_sink: Any) -> None:
    alice = resident(world)
    saved = save(world, alice, "q=theatre")
    services.saved_search_set_alerts(saved_search=saved, by=alice, alerts=False)
    publish(world, theatre(world))
    run_worker()
    assert sent_to(smtp_sink, alice.email) == []


def test_it_queues_nothing_when_nobody_in_the_city_wants_alerts(world: World) -> None:
    publish(world, theatre(world))
    assert DBTaskResult.objects.count() == 1, "only the provider's review e-mail"


def test_it_queues_nothing_when_a_published_listing_is_edited(world: World) -> None:
    save(world, resident(world), "q=aquarelle")
    before = DBTaskResult.objects.count()
    catalogue_services.opportunity_update(
        opportunity=world.published, by=world.users["provider_staff"], fields={"title_en": "Watercolours"},
        relations={},
    )  # fmt: skip
    assert DBTaskResult.objects.count() == before


def test_it_skips_a_saved_search_that_is_no_longer_valid(world: World, smtp_sink: Any) -> None:
    alice = resident(world)
    saved = save(world, alice, "q=theatre&district=02")
    SavedSearch.objects.filter(pk=saved.pk).update(query="q=theatre&district=gone")
    save(world, alice, "q=theatre", name="Still fine")
    publish(world, theatre(world))
    run_worker()
    [message] = sent_to(smtp_sink, alice.email)
    assert "“Still fine”" in message.get_content()
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_it_keeps_only_search_parameters_and_starts_on_the_first_page(world: World) -> None:
    saved = save(world, resident(world), "?q=theatre&page=3&kind=course&kind=workshop&utm_source=x&free=")
    assert saved.query == "q=theatre&kind=course&kind=workshop"


@pytest.mark.parametrize(
    ("name", "query", "field", "words"),
    [
        ("", "q=theatre", "name", "Give the search a name"),
        ("   ", "q=theatre", "name", "Give the search a name"),
        ("x" * 101, "q=theatre", "name", "at most 100"),
        ("Bad", "kind=knitting", "query", "cannot be saved"),
        ("Bad", "near=91,0", "query", "-90 to 90"),
        ("Bad", "q=" + "a" * 300, "query", "200"),
    ],
)
def test_it_refuses_a_search_it_cannot_keep(world: World, name: str, query: str, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        save(world, resident(world), query, name=name)
    assert words in " ".join(raised.value.message_dict[field])
    assert SavedSearch.objects.count() == 0


def test_it_keeps_at_most_twenty_searches_per_person(world: World) -> None:
    alice = resident(world)
    for number in range(services.MAX_SAVED_SEARCHES):
        save(world, alice, f"q=word{number}", name=f"Search {number}")
    with pytest.raises(ValidationError, match="at most 20 saved searches"):
        save(world, alice, "q=one-more")
    save(world, resident(world, "other_resident"), "q=theatre")
    assert SavedSearch.objects.filter(user=alice).count() == 20


def test_it_saves_the_search_posted_from_the_search_page(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("resident")
    response = client.post(
        english("search:saved"), {"name": "Evening courses", "query": "q=théâtre&kind=course&time=evening"}, follow=True
    )  # fmt: skip
    assert response.status_code == 200
    content = response.content.decode()
    assert "Search saved." in content
    assert "Evening courses" in content
    assert "Kind: Course" in content
    assert "Time of day: Evening (from 6 pm)" in content
    assert "“théâtre”" in content
    assert "q=th%C3%A9%C3%A2tre&amp;kind=course&amp;time=evening" in content


def test_it_explains_why_a_search_was_not_saved(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("resident").post(english("search:saved"), {"name": "", "query": "kind=course"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "The search was not saved" in content
    assert "Give the search a name" in content
    assert 'value="kind=course"' in content, "the search is kept, so the person only adds a name"
    assert SavedSearch.objects.count() == 0


def test_its_owner_turns_alerts_off_and_on_and_deletes(world: World, client_for: Callable[[str], Client]) -> None:
    saved = save(world, resident(world), "q=theatre", name="Drama")
    client = client_for("resident")
    client.post(reverse("search:saved-alerts", args=[saved.pk]), {"alerts": "off"})
    assert SavedSearch.objects.get(pk=saved.pk).alerts is False
    client.post(reverse("search:saved-alerts", args=[saved.pk]))
    assert SavedSearch.objects.get(pk=saved.pk).alerts is True
    response = client.post(english("search:saved-delete", saved.pk), follow=True)
    assert "Saved search “Drama” deleted." in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_services_refuse_someone_elses_search(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    saved = save(world, resident(world), "q=theatre")
    bob = make_user("carol@resident.test")
    with pytest.raises(PermissionDenied):
        services.saved_search_delete(saved_search=saved, by=bob)
    with pytest.raises(PermissionDenied):
        services.saved_search_set_alerts(saved_search=saved, by=bob, alerts=False)
    assert SavedSearch.objects.get(pk=saved.pk).alerts is True


def test_a_refused_address_neither_blocks_others_nor_counts_as_told(
    world: World, smtp_sink: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smtplib

    from django.core.mail import send_mail as real_send_mail

    from learningcity.search import tasks

    alice, bob = resident(world), resident(world, "other_resident")
    save(world, alice, "q=theatre")
    save(world, bob, "q=theatre")

    def refuse_bob(subject: str, body: str, sender: str, recipients: list[str]) -> int:
        if recipients == [bob.email]:
            raise smtplib.SMTPRecipientsRefused({bob.email: (550, b"No such mailbox")})
        return real_send_mail(subject, body, sender, recipients)

    monkeypatch.setattr(tasks, "send_mail", refuse_bob)
    publish(world, theatre(world))
    run_worker()
    assert len(sent_to(smtp_sink, alice.email)) == 1
    assert not SavedSearchAlert.objects.filter(saved_search__user=bob).exists(), "Bob was not told"
