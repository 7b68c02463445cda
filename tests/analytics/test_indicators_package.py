"""The indicators package as a whole: pure, installable, documented, and its docstring examples stay true."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analytics.indicators import COLUMNS, load_framework

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "analytics"
DOCS = ROOT / "docs" / "indicators.md"
MODULES = ["framework", "_grid", "statistics", "compute", "suppression"]


def test_it_never_imports_django() -> None:
    probe = "import sys, analytics.indicators; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"

    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603

    assert completed.stdout.strip() == "[]"


def test_it_reads_its_framework_from_a_zipped_installation(tmp_path: Path) -> None:
    # importlib.resources finds framework.yaml inside a zip too, where a path next to __file__ would not exist.
    archive = tmp_path / "analytics.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in PACKAGE.rglob("*"):
            if path.is_file() and path.suffix in {".py", ".yaml"}:
                bundle.write(path, path.relative_to(PACKAGE.parent))
    probe = (
        "import analytics.indicators as i; "
        "print(i.__file__.startswith(sys.argv[1]), len(i.load_framework().indicators))"
    )

    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, sys.argv[1]); {probe}", str(archive)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert completed.stdout.split() == ["True", str(len(load_framework().indicators))]


@pytest.mark.parametrize("name", MODULES)
def test_it_keeps_the_docstring_examples_true(name: str) -> None:
    module = importlib.import_module(f"analytics.indicators.{name}")

    results = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)

    assert results.attempted > 0
    assert results.failed == 0


def test_the_documentation_lists_every_indicator_and_output_column() -> None:
    text = DOCS.read_text(encoding="utf-8")

    assert [indicator.code for indicator in load_framework().indicators if f"`{indicator.code}`" not in text] == []
    assert [column for column in COLUMNS if f"`{column}`" not in text] == []


def test_the_documentation_names_the_framework_version() -> None:
    assert f"version {load_framework().version}" in DOCS.read_text(encoding="utf-8")
