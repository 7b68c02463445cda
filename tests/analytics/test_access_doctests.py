"""The examples in the access modules' docstrings run and stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["costs", "decay", "measures", "deserts", "scenario"]


@pytest.mark.parametrize("name", MODULES)
def test_it_keeps_the_docstring_examples_true(name: str) -> None:
    module = importlib.import_module(f"analytics.access.{name}")

    results = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)

    assert results.attempted > 0
    assert results.failed == 0
