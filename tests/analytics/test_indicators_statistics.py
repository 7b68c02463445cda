"""Importing statistics and survey results from CSV: good files load, bad lines are named, nothing half-loads."""

from __future__ import annotations

import pytest

from analytics.indicators import import_statistics, load_framework

HEADER = "indicator,area,year,value,source\n"


def test_it_reads_a_well_formed_file() -> None:
    rows = import_statistics(HEADER + "neet-young-people,Nantes,2023,11.2,INSEE\nearly-leavers,Nantes,2023,7,INSEE\n")

    assert rows.to_dict("list") == {
        "indicator": ["neet-young-people", "early-leavers"],
        "area": ["Nantes", "Nantes"],
        "year": [2023, 2023],
        "value": [11.2, 7.0],
        "source": ["INSEE", "INSEE"],
    }
    assert str(rows["year"].dtype) == "int64"
    assert str(rows["value"].dtype) == "float64"


def test_it_reads_a_french_spreadsheet_export() -> None:
    text = "\ufeffSource;Area;Year;Value;Indicator\r\nINSEE;Nantes;2023;11,2;neet-young-people\r\n\r\n"

    rows = import_statistics(text)

    assert list(rows.loc[0, ["indicator", "value", "source"]]) == ["neet-young-people", 11.2, "INSEE"]


def test_it_takes_the_indicator_as_an_argument_for_a_one_indicator_file() -> None:
    rows = import_statistics("area,year,value,source\nNantes,2022,81.5,Eurostat\n", indicator="basic-digital-skills")

    assert rows["indicator"].tolist() == ["basic-digital-skills"]


def test_it_ignores_extra_columns() -> None:
    rows = import_statistics("indicator,area,year,value,source,note\nneet-young-people,Nantes,2023,11.2,INSEE,prov.\n")

    assert list(rows.columns) == ["indicator", "area", "year", "value", "source"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("neet-young-people,Nantes,20x3,11.2,INSEE", "line 3: year '20x3' is not a four-digit year"),
        ("neet-young-people,Nantes,2023,eleven,INSEE", "line 3: value 'eleven' is not a number"),
        ("neet-young-people,Nantes,2023,nan,INSEE", "line 3: value 'nan' is not a number"),
        ("neet-young-people,Nantes,2023,,INSEE", "line 3: value '' is not a number"),
        ("neet-young-people,,2023,11.2,INSEE", "line 3: area is empty"),
        ("neet-young-people,Nantes,2023,11.2,", "line 3: source is empty"),
        (",Nantes,2023,11.2,INSEE", "line 3: indicator is empty"),
        ("neet-young-people,Nantes,2023", "line 3: expected 5 fields, found 3"),
        (
            "early-leavers,Nantes,2022,8.0,INSEE",
            "line 3: repeats indicator 'early-leavers', area 'Nantes', year 2022 from line 2",
        ),
    ],
)
def test_it_names_the_line_and_the_problem(line: str, problem: str) -> None:
    text = HEADER + "early-leavers,Nantes,2022,8.1,INSEE\n" + line + "\n"

    with pytest.raises(ValueError, match="nothing imported") as raised:
        import_statistics(text)

    assert problem in str(raised.value)


def test_it_lists_every_bad_line_at_once() -> None:
    text = HEADER + "a,Nantes,2023,1,INSEE\nb,Nantes,year,1,INSEE\nc,Nantes,2023,1,INSEE\nd,,2023,x,INSEE\n"

    with pytest.raises(ValueError, match="3 problems") as raised:
        import_statistics(text)

    assert str(raised.value) == (
        "statistics CSV: 3 problems, nothing imported:\n"
        "  line 3: year 'year' is not a four-digit year\n"
        "  line 5: area is empty\n"
        "  line 5: value 'x' is not a number"
    )


def test_it_counts_physical_lines_across_quoted_line_breaks_and_blank_lines() -> None:
    text = HEADER + '\nneet-young-people,"Nantes\nMétropole",2023,11.2,INSEE\nearly-leavers,Nantes,20,7,INSEE\n'

    with pytest.raises(ValueError, match="line 5: year '20'"):
        import_statistics(text)


def test_it_caps_a_long_list_of_problems() -> None:
    text = HEADER + "".join(f"x{number},Nantes,year,1,INSEE\n" for number in range(30))

    with pytest.raises(ValueError, match=r"30 problems[\s\S]*and 10 more"):
        import_statistics(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("area,year,value,source\nNantes,2023,1,INSEE\n", "line 1: missing column(s) indicator"),
        ("indicator,area,year,value\nx,Nantes,2023,1\n", "line 1: missing column(s) source"),
        ("indicator,area,year,value,source,area\n", "line 1: column(s) area appear more than once"),
        (HEADER, "a header but no rows"),
    ],
)
def test_it_refuses_a_file_that_cannot_be_read(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_statistics(text)


def test_it_checks_codes_against_the_framework() -> None:
    text = (
        HEADER
        + "neet-young-people,Nantes,2023,11.2,INSEE\nhappiness,Nantes,2023,7,poll\nfree-offers,Nantes,2023,60,us\n"
    )

    with pytest.raises(ValueError, match="2 problems") as raised:
        import_statistics(text, framework=load_framework())

    assert "line 3: unknown indicator 'happiness'" in str(raised.value)
    assert "line 4: indicator 'free-offers' is computed by the platform, not imported" in str(raised.value)


def test_it_refuses_a_row_of_another_indicator_in_a_one_indicator_import() -> None:
    text = HEADER + "early-leavers,Nantes,2023,7,INSEE\n"

    with pytest.raises(ValueError, match="line 2: indicator 'early-leavers' differs from the one imported"):
        import_statistics(text, indicator="neet-young-people")
