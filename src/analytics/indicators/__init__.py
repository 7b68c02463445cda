"""Learning city indicators: UNESCO's Key Features framework as data, computed from plain tables.

- `framework`: the areas, sub-areas and default indicators (`framework.yaml`), loaded and checked;
- `compute`: every indicator from tables of participations, population, offers, records and statistics;
- `statistics`: importing official statistics and survey results from CSV;
- `suppression`: small-count suppression, with complementary cells, before publishing breakdowns.

Method and table schemas: docs/indicators.md.
"""

from analytics.indicators.compute import COLUMNS, METHODS, compute_indicators
from analytics.indicators.framework import (
    BREAKDOWNS,
    Area,
    Framework,
    Indicator,
    SubArea,
    Text,
    Unit,
    load_framework,
)
from analytics.indicators.statistics import STATISTIC_COLUMNS, import_statistics
from analytics.indicators.suppression import suppress_small_counts

__all__ = [
    "BREAKDOWNS",
    "COLUMNS",
    "METHODS",
    "STATISTIC_COLUMNS",
    "Area",
    "Framework",
    "Indicator",
    "SubArea",
    "Text",
    "Unit",
    "compute_indicators",
    "import_statistics",
    "load_framework",
    "suppress_small_counts",
]
