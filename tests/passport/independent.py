"""The independent verifier: Open Badges 3.0 credentials checked by third-party code, not ours.

The checking happens in Node.js with Digital Bazaar's Verifiable Credentials libraries (Data
Integrity `eddsa-rdfc-2022`, Bitstring Status List) and panva's `jose` (VC-JWT): see
`tests/passport/verifier/README.md`. This module only carries JSON to and from those scripts, so
that the issue's requirement holds: "The tests verify the platform's credentials with an
independent, well-kept third-party implementation". It imports nothing from the platform.

    results = verify_independently(
        [{"kind": "jwt", "jwt": token}, {"kind": "di", "credential": credential}],
        {did: did_document, status_list_url: status_list_credential, OB_CONTEXT_URL: ob_context()},
    )
    # [{"verified": True, "revoked": False, "errors": []}, ...]
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "verifier"
NODE_MODULES = REPO_ROOT / "node_modules"
OB_CONTEXT_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXT_FILE = REPO_ROOT.parent / "shared" / "schemas" / "openbadges-3.0" / "context-3.0.3.json"
# A few seconds per thousand credentials; generous so a loaded CI machine is not a failure.
TIMEOUT_SECONDS = 600


class IndependentVerifierError(RuntimeError):
    """The independent verifier could not run, or answered something other than its protocol."""


# The copy in ../shared predates 1EdTech's in-place fix of context-3.0.3.json: its type-scoped
# contexts for AchievementSubject and Profile redefine the protected top-level term `image`
# (as `#image-1`, `#image-3`), which every conforming JSON-LD 1.1 processor (jsonld.js, pyld)
# rejects with "protected term redefinition", so no credential could be canonicalized. The
# context published today maps them to `#image`, and `achievement` to `#achievement`.
OB_CONTEXT_FIXES = {
    ("AchievementSubject", "image"): "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image",
    ("AchievementSubject", "achievement"): "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement",
    ("Profile", "image"): "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image",
}


@cache
def ob_context() -> dict[str, Any]:
    """The Open Badges 3.0.3 JSON-LD context as published: ../shared's copy with 1EdTech's fix."""
    context: dict[str, Any] = json.loads(OB_CONTEXT_FILE.read_text(encoding="utf-8"))
    for (type_name, term), iri in OB_CONTEXT_FIXES.items():
        context["@context"][type_name]["@context"][term]["@id"] = iri
    return context


def verify_independently(items: list[dict[str, Any]], documents: dict[str, Any]) -> list[dict[str, Any]]:
    """Verify each item (`{"kind": "di", "credential": {...}}` or `{"kind": "jwt", "jwt": "..."}`).

    `documents` maps every URL or DID the credentials need (DID documents, status list
    credentials, the Open Badges context) to its JSON; nothing else can be loaded. Each result is
    `{"verified": bool, "revoked": bool | None, "errors": [str, ...]}`, in the order of `items`.
    """
    return run_script("verify.mjs", items, documents)


def sign_with_reference(items: list[dict[str, Any]], documents: dict[str, Any]) -> list[dict[str, Any]]:
    """Credentials signed by the reference libraries themselves (test fixtures; see sign.mjs)."""
    return run_script("sign.mjs", items, documents)


def canonize_with_reference(items: list[dict[str, Any]], documents: dict[str, Any]) -> list[str]:
    """The RDFC-1.0 canonical N-Quads of each JSON-LD document, as eddsa-rdfc-2022 hashes them."""
    return run_script("canonize.mjs", items, documents)


def run_script(name: str, items: list[Any], documents: dict[str, Any]) -> list[Any]:
    """Send one request to a script of tests/passport/verifier and return its `results`."""
    node = _node()
    request = json.dumps({"documents": documents, "items": items})
    completed = subprocess.run(  # noqa: S603 (fixed script, our own node_modules; input is JSON on stdin)
        [node, str(SCRIPTS / name)],
        input=request,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise IndependentVerifierError(f"{name} failed (exit {completed.returncode}):\n{completed.stderr.strip()}")
    try:
        results: list[Any] = json.loads(completed.stdout)["results"]
    except (ValueError, KeyError) as error:
        message = f"{name} answered something else than JSON results: {completed.stdout!r}"
        raise IndependentVerifierError(message) from error
    if len(results) != len(items):
        raise IndependentVerifierError(f"{name} answered {len(results)} results for {len(items)} items")
    return results


def _node() -> str:
    """The `node` executable, once the npm packages the scripts need are installed."""
    node = shutil.which("node")
    if node is None:
        raise IndependentVerifierError("Node.js is not installed: the independent verifier needs node 20 or later.")
    if not (NODE_MODULES / "@digitalbazaar" / "vc" / "package.json").is_file():
        raise IndependentVerifierError(
            f"The verifier's npm packages are missing from {NODE_MODULES}: run `make node_modules/.installed` "
            "(npm ci) in the repository root."
        )
    return node
