"""Every interface text exists in French."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[1] / "src/learningcity/locale/fr/LC_MESSAGES/django.po"


@pytest.mark.parametrize("selection", ["--untranslated", "--only-fuzzy"])
def test_it_translates_every_interface_text_into_french(selection: str) -> None:
    # msgattrib comes with Debian's gettext, which `make` installs; fuzzy entries are ignored at run time.
    command = ["msgattrib", selection, "--no-wrap", str(CATALOGUE)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 (fixed arguments)
    entries = [line for line in result.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert entries == [], f"translate these in {CATALOGUE.name}, then run `make messages`"
