"""What the pathway pages show: the step tree with links and rules in words, progress as text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learningcity.passport.models import Pathway, PathwayStep, StepKind, StepRule
from learningcity.passport.pathways import Holdings, PathwayProgress, StepProgress, needed_for, progress

NOTHING_HELD = Holdings(achievements=frozenset(), opportunities=frozenset())


def safe_reverse(name: str, *args: Any) -> str | None:
    """The page's address, or None while that page does not exist (another part of the passport)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def rule_text(rule: str, required_count: int | None, total: int) -> str:
    """How parts combine, in words: "All of these", "One of these", "2 of 3"."""
    if rule == StepRule.ANY:
        return _("One of these")
    if rule == StepRule.N_OF_M:
        count = needed_for(rule, required_count, total)
        return _("%(count)s of %(total)s") % {"count": count, "total": total}
    return _("All of these")


def progress_text(item: PathwayProgress) -> str:
    """ "3 of 5 steps" for the progress bar."""
    return ngettext("%(done)s of %(needed)s step", "%(done)s of %(needed)s steps", item.needed) % {
        "done": min(item.done_count, item.needed),
        "needed": item.needed,
    }


def steps_text(total: int) -> str:
    return ngettext("%(count)s step", "%(count)s steps", total) % {"count": total}


@dataclass
class StepView:
    """One step as a page shows it."""

    step: PathwayStep
    title: str
    kind_label: str
    url: str | None
    done: bool
    rule: str = ""
    children: list[StepView] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.step.kind == StepKind.GROUP


def step_url(step: PathwayStep) -> str | None:
    """The achievement's public page, or the listing's page."""
    if step.kind == StepKind.ACHIEVEMENT and step.achievement is not None:
        return safe_reverse("passport:achievement", step.achievement.uuid)
    if step.kind == StepKind.OPPORTUNITY and step.opportunity is not None:
        return reverse("catalogue:opportunity", args=[step.opportunity.pk, step.opportunity.slug])
    return None


def step_view(item: StepProgress) -> StepView:
    step = item.step
    if step.kind == StepKind.GROUP:
        title = step.title or _("A group of steps")
        kind_label = _("Group")
    else:
        title = step.title
        kind_label = _("Achievement") if step.kind == StepKind.ACHIEVEMENT else _("Listing to attend")
    children = [step_view(child) for child in item.children]
    rule = rule_text(step.rule, step.required_count, len(children)) if step.kind == StepKind.GROUP else ""
    return StepView(step, title, kind_label, step_url(step), item.done, rule, children)


@dataclass
class PathwayView:
    """A pathway with its progress for one person (or for no one: nothing done)."""

    pathway: Pathway
    progress: PathwayProgress
    steps: list[StepView]
    rule: str
    progress_text: str
    steps_text: str


def pathway_view(pathway: Pathway, held: Holdings | None = None) -> PathwayView:
    """Everything a page needs to show the pathway and how far `held` goes in it."""
    found = progress(pathway, held or NOTHING_HELD)
    return PathwayView(
        pathway=pathway,
        progress=found,
        steps=[step_view(item) for item in found.steps],
        rule=rule_text(pathway.rule, pathway.required_count, len(found.steps)),
        progress_text=progress_text(found),
        steps_text=steps_text(len(found.steps)),
    )
