"""Pathway pages: the list with progress, one pathway's steps, a guardian's view, and the builder."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.accounts.models import FamilyMember
from learningcity.passport import services
from learningcity.passport.models import (
    Achievement,
    AwardMethod,
    GuardianConsent,
    Pathway,
    PathwayStep,
    StepKind,
    StepRule,
)
from learningcity.passport.pathway_display import safe_reverse
from tests.conftest import ROLES
from tests.factories import World
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"passport:{name}", args=args)


def text_of(response: Any) -> str:
    """The page's visible words, tags removed and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def make_pathway(world: World, *, organisation: Any = "a", published: bool = True, **fields: Any) -> Pathway:
    """A pathway: step "One", a group "Practice" (2 of "Two", "Three", the watercolour listing)."""
    one, two, three = (make_achievement(world, name_en=n, name_fr=f"{n} (fr)") for n in ("One", "Two", "Three"))
    values = {"name_en": "Digital helper", "name_fr": "Aide numérique", "goal_en": "Help neighbours online"}
    pathway = Pathway.objects.create(
        city=world.city, organisation=world.org_a if organisation == "a" else organisation, published=published,
        **{**values, **fields},
    )  # fmt: skip
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=one, position=0)
    group = PathwayStep.objects.create(
        pathway=pathway, kind=StepKind.GROUP, rule=StepRule.N_OF_M, required_count=2, title_en="Practice", position=1
    )
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.ACHIEVEMENT, achievement=two, position=0)
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.ACHIEVEMENT, achievement=three, position=1)
    PathwayStep.objects.create(
        pathway=pathway, parent=group, kind=StepKind.OPPORTUNITY, opportunity=world.published, position=2
    )
    return pathway


def give(world: World, name: str, role: str = "resident", **holder: Any) -> None:
    achievement = Achievement.objects.get(name_en=name)
    who = services.Holder(**holder) if holder else services.Holder(user=world.users[role])
    services.award(achievement, who, by=None, method=AwardMethod.HAND)


# Permissions

# Columns follow ROLES: anonymous, resident, other_resident, provider_staff, other_provider_staff, coordinator.
PAGES: list[tuple[str, Callable[[World, Pathway, Pathway, Pathway], str], list[int]]] = [
    ("list", lambda w, p, d, c: url("pathways"), [200, 200, 200, 200, 200, 200]),
    ("published", lambda w, p, d, c: url("pathway", p.uuid), [200, 200, 200, 200, 200, 200]),
    ("draft of A", lambda w, p, d, c: url("pathway", d.uuid), [404, 404, 404, 200, 404, 404]),
    ("draft of the city", lambda w, p, d, c: url("pathway", c.uuid), [404, 404, 404, 404, 404, 200]),
    ("builder list", lambda w, p, d, c: url("pathway-manage"), [302, 403, 403, 200, 200, 200]),
    ("new", lambda w, p, d, c: url("pathway-add"), [302, 403, 403, 200, 200, 200]),
    ("edit A's", lambda w, p, d, c: url("pathway-edit", d.uuid), [302, 403, 403, 200, 403, 403]),
    ("edit the city's", lambda w, p, d, c: url("pathway-edit", c.uuid), [302, 403, 403, 403, 403, 200]),
]


@pytest.fixture
def three(world: World) -> tuple[Pathway, Pathway, Pathway]:
    published = make_pathway(world)
    draft = Pathway.objects.create(city=world.city, organisation=world.org_a, name_en="A's draft")
    city_draft = Pathway.objects.create(city=world.city, name_en="City draft")
    return published, draft, city_draft


def test_each_page_answers_each_persona(
    world: World, client_for: Callable[[str], Client], three: tuple[Pathway, Pathway, Pathway]
) -> None:
    clients = {role: client_for(role) for role in ROLES}
    for name, page, expected in PAGES:
        address = page(world, *three)
        assert [clients[role].get(address).status_code for role in ROLES] == expected, name


def test_each_builder_action_is_refused_to_all_but_the_issuers_staff(
    world: World, client_for: Callable[[str], Client], three: tuple[Pathway, Pathway, Pathway]
) -> None:
    _published, draft, _city = three
    step = PathwayStep.objects.create(pathway=draft, kind=StepKind.OPPORTUNITY, opportunity=world.published)
    actions = [
        (url("pathway-edit", draft.uuid), {"details-name_en": "Renamed", "details-rule": "all"}),
        (url("pathway-step-add", draft.uuid), {"kind": "group", "group-rule": "any"}),
        (url("pathway-step", draft.uuid, step.pk), {"action": "down"}),
        (url("pathway-publish", draft.uuid), {"action": "withdraw"}),
    ]
    for address, data in actions:
        got = [client_for(role).post(address, data).status_code for role in ROLES]
        assert got == [302, 403, 403, 302, 403, 403], address
    assert client_for("provider_staff").get(url("pathway-add")).status_code == 200
    assert Pathway.objects.get(pk=draft.pk).name_en == "Renamed"


# The public pages


def test_the_list_shows_each_residents_progress_and_what_they_could_join_first(
    world: World, client_for: Callable[[str], Client]
) -> None:
    pathway = make_pathway(world)
    Pathway.objects.create(city=world.city, name_en="Hidden draft")
    give(world, "One")
    response = client_for("resident").get(url("pathways"))
    html = response.content.decode()
    assert "Hidden draft" not in html
    assert html.index("Pathways you could join") < html.index("All pathways")
    assert html.count(f'href="{url("pathway", pathway.uuid)}"') == 2  # suggested, then in the list
    assert '<progress id="progress-' in html
    assert 'max="100" value="50"' in html
    assert "1 of 2 steps" in text_of(response)
    anonymous = client_for("anonymous").get(url("pathways"))
    assert "<progress" not in anonymous.content.decode()
    assert "Digital helper" in text_of(anonymous)
    assert "2 steps" in text_of(anonymous)


def test_a_pathway_shows_its_tree_in_words_with_links_and_whats_done(
    world: World, client_for: Callable[[str], Client]
) -> None:
    pathway = make_pathway(world, completion_achievement=make_achievement(world, name_en="Helper", name_fr="Aide"))
    give(world, "Two")
    response = client_for("resident").get(url("pathway", pathway.uuid))
    text = text_of(response)
    html = response.content.decode()
    assert "To complete the pathway: All of these." in text
    assert "Practice · 2 of 3 · Not yet" in text
    assert "Two (Achievement) · ✓ Done" in text
    assert "One (Achievement) · Not yet" in text
    assert "Watercolour workshop (Listing to attend)" in text
    assert f'href="{reverse("catalogue:opportunity", args=[world.published.pk, world.published.slug])}"' in html
    two = Achievement.objects.get(name_en="Two")
    if safe_reverse("passport:achievement", two.uuid):
        assert f'href="{safe_reverse("passport:achievement", two.uuid)}"' in html
    assert "0 of 2 steps" in text
    assert "You are awarded, automatically, the achievement: Helper" in text
    anonymous = text_of(client_for("anonymous").get(url("pathway", pathway.uuid)))
    assert "Done" not in anonymous
    assert "Log in to see your progress" in anonymous


def test_the_completion_shows_once_held(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any
) -> None:
    done = make_achievement(world, name_en="Helper", name_fr="Aide")
    pathway = make_pathway(world, completion_achievement=done)
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("One", "Two", "Three"):
            give(world, name)
    text = text_of(client_for("resident").get(url("pathway", pathway.uuid)))
    assert "2 of 2 steps · ✓ Completed" in text
    assert "✓ You hold it." in text


def test_a_guardian_sees_a_childs_progress_and_no_one_elses(world: World, client_for: Callable[[str], Client]) -> None:
    guardian = world.users["resident"]
    assert guardian is not None
    child = FamilyMember.objects.create(account=guardian, name="Léa", year_of_birth=timezone.now().year - 9)
    GuardianConsent.objects.create(family_member=child, guardian=guardian)
    pathway = make_pathway(world)
    give(world, "One", family_member=child)
    page = url("pathway", pathway.uuid)
    mine = client_for("resident").get(page)
    assert "0 of 2 steps" in text_of(mine)
    assert f'href="?for={child.pk}"' in mine.content.decode()
    theirs = client_for("resident").get(page, {"for": child.pk})
    assert "Progress of Léa" in text_of(theirs)
    assert "1 of 2 steps" in text_of(theirs)
    assert client_for("resident").get(url("pathways"), {"for": child.pk}).status_code == 200
    for role in ("anonymous", "other_resident", "coordinator"):
        assert client_for(role).get(page, {"for": child.pk}).status_code == 404, role
    assert client_for("resident").get(page, {"for": "me"}).status_code == 404


def test_the_pages_speak_french_under_fr(world: World, client: Client) -> None:
    pathway = make_pathway(world)
    listing = client.get(url("pathways", language="fr"))
    assert '<html lang="fr">' in listing.content.decode()
    assert "Aide numérique" in text_of(listing)
    detail = client.get(url("pathway", pathway.uuid, language="fr"))
    assert "One (fr)" in text_of(detail)
    with translation.override("fr"):
        from django.utils.translation import gettext

        assert gettext("%(count)s of %(total)s") % {"count": 2, "total": 3} in text_of(detail)


# The builder


def test_a_provider_builds_publishes_and_credits_earlier_holders(
    world: World, client_for: Callable[[str], Client]
) -> None:
    staff = client_for("provider_staff")
    one, two = (make_achievement(world, name_en=n, name_fr=n) for n in ("One", "Two"))
    done = make_achievement(world, name_en="Helper", name_fr="Aide")
    give(world, "One")
    give(world, "Two")
    response = staff.post(
        url("pathway-add"),
        {
            "issuer": str(world.org_a.pk), "name_en": "Digital helper", "name_fr": "", "rule": "n_of_m",
            "required_count": "1", "completion_achievement": str(done.pk),
        },
    )  # fmt: skip
    pathway = Pathway.objects.get()
    assert response["Location"] == url("pathway-edit", pathway.uuid)
    assert (pathway.organisation, pathway.rule, pathway.required_count) == (world.org_a, "n_of_m", 1)
    edit = url("pathway-step-add", pathway.uuid)
    group = {"kind": "group", "group-title_en": "Either", "group-rule": "any"}
    assert staff.post(edit, group).status_code == 302
    group_step = pathway.steps.get(kind=StepKind.GROUP)
    for achievement in (one, two):
        data = {"kind": "achievement", "achievement-achievement": achievement.pk, "achievement-parent": group_step.pk}
        assert staff.post(edit, data).status_code == 302
    assert staff.post(edit, {"kind": "opportunity", "listing-opportunity": world.published.pk}).status_code == 302
    assert list(group_step.children.values_list("achievement__name_en", flat=True)) == ["One", "Two"]
    page = text_of(staff.get(url("pathway-edit", pathway.uuid)))
    assert "Either · One of these" in page
    assert "Ready." in page
    response = staff.post(url("pathway-publish", pathway.uuid), {"action": "publish"}, follow=True)
    assert response.redirect_chain[-1][0] == url("pathway", pathway.uuid)
    assert "1 person had already completed it and was awarded its achievement." in text_of(response)
    assert done.awards.get().recipient == world.users["resident"]
    assert Pathway.objects.get().published


def test_a_coordinator_builds_a_city_pathway(world: World, client_for: Callable[[str], Client]) -> None:
    coordinator = client_for("coordinator")
    form = coordinator.get(url("pathway-add")).content.decode()
    assert 'value="city"' in form
    assert f'value="{world.org_a.pk}"' not in form
    response = coordinator.post(url("pathway-add"), {"issuer": "city", "name_fr": "Parcours", "rule": "all"})
    assert response.status_code == 302
    assert Pathway.objects.get().organisation is None


def error_summary(response: Any) -> str:
    html: str = response.content.decode()
    start = html.index('class="errorlist-summary" role="alert"')
    return html[start : html.index("</div>", start)]


def test_bad_input_gets_errors_naming_the_field_and_writes_nothing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    staff = client_for("provider_staff")
    response = staff.post(url("pathway-add"), {"issuer": str(world.org_a.pk), "rule": "n_of_m"})
    summary = error_summary(response)
    assert 'href="#id_name_fr"' in summary
    assert "Give the pathway a name" in summary
    assert 'href="#id_required_count"' in summary
    assert "Say how many steps must be done." in summary
    assert not Pathway.objects.exists()
    pathway = make_pathway(world, published=False)
    one = Achievement.objects.get(name_en="One")
    response = staff.post(
        url("pathway-step-add", pathway.uuid), {"kind": "achievement", "achievement-achievement": one.pk}
    )
    summary = error_summary(response)
    assert 'href="#id_achievement-achievement"' in summary
    assert "already a step of the pathway" in summary
    response = staff.post(
        url("pathway-step-add", pathway.uuid), {"kind": "opportunity", "listing-opportunity": world.draft.pk}
    )
    assert 'href="#id_listing-opportunity"' in error_summary(response)
    assert pathway.steps.count() == 5


def test_publishing_an_incomplete_pathway_says_what_is_missing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    pathway = Pathway.objects.create(city=world.city, organisation=world.org_a, name_en="Empty")
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.GROUP, rule=StepRule.ALL, title_en="Practice")
    response = client_for("provider_staff").post(url("pathway-publish", pathway.uuid), {"action": "publish"})
    assert response.status_code == 200
    summary = error_summary(response)
    assert "The pathway cannot be published yet" in summary
    assert "The group “Practice” has no steps." in summary
    assert not Pathway.objects.get().published


def test_steps_are_reordered_and_removed_from_the_page(world: World, client_for: Callable[[str], Client]) -> None:
    staff = client_for("provider_staff")
    pathway = make_pathway(world, published=False)
    top = list(pathway.steps.filter(parent__isnull=True).order_by("position"))
    assert staff.post(url("pathway-step", pathway.uuid, top[1].pk), {"action": "up"}).status_code == 302
    titles = [step.title for step in pathway.steps.filter(parent__isnull=True).order_by("position")]
    assert titles == ["Practice", "One"]
    staff.post(url("pathway-step", pathway.uuid, top[1].pk), {"action": "remove"})
    assert pathway.steps.count() == 1  # the group went with its three steps
    other = make_pathway(world, published=False, name_en="Other")
    foreign_step = other.steps.first()
    assert foreign_step is not None
    assert staff.post(url("pathway-step", pathway.uuid, foreign_step.pk), {"action": "up"}).status_code == 404


def test_the_listing_select_offers_a_searchs_matches(world: World, client_for: Callable[[str], Client]) -> None:
    pathway = Pathway.objects.create(city=world.city, organisation=world.org_b, name_en="B's")
    staff = client_for("other_provider_staff")
    own_only = staff.get(url("pathway-edit", pathway.uuid)).content.decode()
    assert "Watercolour workshop — Médiathèque A" not in own_only  # B publishes nothing: its own list is empty
    found = staff.get(url("pathway-edit", pathway.uuid), {"listing_q": "watercolour"}).content.decode()
    assert "Watercolour workshop — Médiathèque A" in found
