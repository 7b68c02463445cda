"""Official statistics and survey results: importing them from CSV, and reading them as indicators.

>>> rows = import_statistics("indicator;area;year;value;source\\nneet-young-people;Nantes;2023;11,2;INSEE\\n")
>>> rows.to_dict("records")
[{'indicator': 'neet-young-people', 'area': 'Nantes', 'year': 2023, 'value': 11.2, 'source': 'INSEE'}]
>>> import_statistics("indicator,area,year,value,source\\nneet-young-people,Nantes,2O23,11.2,INSEE\\n")
Traceback (most recent call last):
ValueError: statistics CSV: 1 problem, nothing imported:
  line 2: year '2O23' is not a four-digit year
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.indicators._inputs import Inputs, NoData, whole_numbers
from analytics.indicators.framework import Framework, Indicator

STATISTIC_COLUMNS = ("indicator", "area", "year", "value", "source")
MAX_PROBLEMS_SHOWN = 20
_YEAR = re.compile(r"\d{4}")
Row = tuple[str, str, int, float, str]


def import_statistics(
    csv_text: str, *, indicator: str | None = None, framework: Framework | None = None
) -> pd.DataFrame:
    """The rows of a statistics CSV, checked; a ValueError lists every bad line and nothing is returned.

    Columns: indicator, area, year, value, source (in any order; others are ignored). A file for a
    single indicator may leave the `indicator` column out and pass `indicator=`. The delimiter is a
    comma, a semicolon or a tab (read from the header); values may use a decimal comma. With
    `framework`, indicator codes must be its statistic or survey indicators.
    """
    text = csv_text.removeprefix("\ufeff")
    if not text.strip():
        raise ValueError("statistics CSV: the file is empty")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip().lower() for name in next(reader)]
    _check_header(header, indicator)
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, int], int] = {}
    for fields in reader:
        if not any(field.strip() for field in fields):
            continue
        line = reader.line_num
        if len(fields) != len(header):
            problems.append(f"line {line}: expected {len(header)} fields, found {len(fields)}")
            continue
        record = {name: field.strip() for name, field in zip(header, fields, strict=True)}
        row, row_problems = _read_row(record, indicator, framework)
        if row is not None and (row[0], row[1], row[2]) in seen:
            earlier = seen[(row[0], row[1], row[2])]
            row_problems.append(f"repeats indicator {row[0]!r}, area {row[1]!r}, year {row[2]} from line {earlier}")
        problems += [f"line {line}: {problem}" for problem in row_problems]
        if row is not None and not row_problems:
            seen[(row[0], row[1], row[2])] = line
            rows.append(row)
    _raise_problems(problems)
    if not rows:
        raise ValueError("statistics CSV: the file has a header but no rows")
    frame = pd.DataFrame(rows, columns=list(STATISTIC_COLUMNS))
    return frame.astype({"year": np.int64, "value": np.float64})


def statistic_rows(inputs: Inputs, indicator: Indicator, year: int) -> pd.DataFrame:
    """Per area, the indicator's latest value at or before `year`: area, data_year, value, source."""
    table = inputs.table("statistics", STATISTIC_COLUMNS)
    years = whole_numbers(table["year"], "statistics.year")
    chosen = (table["indicator"].astype(str).to_numpy() == indicator.code) & (years <= year)
    if not chosen.any():
        raise NoData("statistics")
    found = pd.DataFrame(
        {
            "area": table["area"].astype(str).to_numpy()[chosen],
            "data_year": years[chosen],
            "value": pd.to_numeric(table["value"][chosen], errors="coerce").to_numpy(dtype=np.float64),
            "source": table["source"].astype(str).to_numpy()[chosen],
        }
    )
    if not np.isfinite(found["value"]).all():
        raise ValueError(f"statistics.value must be finite numbers (indicator {indicator.code!r})")
    return found.sort_values("data_year", kind="stable").drop_duplicates("area", keep="last").sort_index()


def _delimiter(text: str) -> str:
    first = text.splitlines()[0]
    return max((",", ";", "\t"), key=first.count)


def _check_header(header: Sequence[str], indicator: str | None) -> None:
    required = [name for name in STATISTIC_COLUMNS if not (name == "indicator" and indicator)]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValueError(
            f"statistics CSV: line 1: missing column(s) {', '.join(missing)}; expected {', '.join(STATISTIC_COLUMNS)}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise ValueError(f"statistics CSV: line 1: column(s) {', '.join(repeated)} appear more than once")


def _read_row(
    record: dict[str, str], indicator: str | None, framework: Framework | None
) -> tuple[Row | None, list[str]]:
    problems: list[str] = []
    code = record.get("indicator", "") or (indicator or "")
    if indicator and code != indicator:
        problems.append(f"indicator {code!r} differs from the one imported ({indicator!r})")
    problems += _indicator_problems(code, framework)
    for name in ("area", "source"):
        if not record[name]:
            problems.append(f"{name} is empty")
    year = record["year"]
    if not _YEAR.fullmatch(year):
        problems.append(f"year {year!r} is not a four-digit year")
    value = _number(record["value"])
    if value is None:
        problems.append(f"value {record['value']!r} is not a number")
    if problems or value is None:
        return None, problems
    return (code, record["area"], int(year), value, record["source"]), problems


def _indicator_problems(code: str, framework: Framework | None) -> list[str]:
    if not code:
        return ["indicator is empty"]
    if framework is None:
        return []
    known = {item.code: item for item in framework.indicators}
    if code not in known:
        return [f"unknown indicator {code!r}"]
    if known[code].source == "platform":
        return [f"indicator {code!r} is computed by the platform, not imported"]
    return []


def _number(text: str) -> float | None:
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma, as French spreadsheets write it
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _raise_problems(problems: Sequence[str]) -> None:
    if not problems:
        return
    shown = "\n".join(f"  {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN])
    more = f"\n  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
    noun = "problem" if len(problems) == 1 else "problems"
    raise ValueError(f"statistics CSV: {len(problems)} {noun}, nothing imported:\n{shown}{more}")
