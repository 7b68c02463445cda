"""What the browser tests do over and over: check accessibility, log in, read a translation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import translation
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]

# open_page(locale=..., width=..., height=..., phone=...): a page in a fresh browser context.
OpenPage = Callable[..., Page]

# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the city commits to (see docs/testing-browser.md).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}

RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help, helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({target: node.target, html: node.html, summary: node.failureSummary})),
  }));
}"""


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """The WCAG A and AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Not a <script> tag: the Content-Security-Policy (rightly) refuses inline script on our pages.
        page.evaluate(f"() => {{ {axe_source}\n }}")
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE, AXE_OPTIONS)
    return violations


def describe_violations(violations: list[dict[str, Any]], url: str) -> str:
    """A report a developer can act on: rule, impact, help and the CSS selector of each element."""
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " >>> ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}  {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page, axe_source: str) -> None:
    """Fail with axe-core's findings when the page breaks a WCAG A or AA rule."""
    violations = axe_violations(page, axe_source)
    assert not violations, describe_violations(violations, page.url)


def log_in(page: Page, email: str, *, language: str = "en") -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"/{language}/accounts/login/")
    with translation.override(language):
        page.get_by_label(translation.gettext("E-mail address")).fill(email)
        page.get_by_label(translation.gettext("Password")).fill(PASSWORD)
        page.get_by_role("button", name=translation.gettext("Log in")).click()
        expect(page.get_by_role("button", name=translation.gettext("Log out"))).to_be_visible()


def translated(language: str, message: str) -> str:
    """The message as the site shows it in that language."""
    with translation.override(language):
        return translation.gettext(message)
