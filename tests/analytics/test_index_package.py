"""The index package as a whole: pure (no Django), and its docstring examples stay true."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = [
    "tree",
    "screening",
    "imputation",
    "outliers",
    "normalisation",
    "weighting",
    "aggregation",
    "pipeline",
    "sobol",
    "trends",
]


def test_it_never_imports_django() -> None:
    probe = "import sys, analytics.index; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"

    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603

    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize("name", MODULES)
def test_it_keeps_the_docstring_examples_true(name: str) -> None:
    module = importlib.import_module(f"analytics.index.{name}")

    results = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)

    assert results.attempted > 0
    assert results.failed == 0
