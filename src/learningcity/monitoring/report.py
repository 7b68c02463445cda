"""The progress report for the UNESCO network: HTML, and PDF through WeasyPrint (nothing fetched)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from learningcity.catalogue.models import City
from learningcity.festival.summary import festival_report
from learningcity.monitoring.dashboard import city_dashboard, dashboard_sections, index_rows
from learningcity.monitoring.models import ReportSection, ReportText

BAR_WIDTH = 360


def report_html(city: City, year: int, language: str) -> str:
    """The whole report as one self-contained HTML document in French or English."""
    with translation.override(language):
        board = city_dashboard(city, year)
        names: dict[str, str] = dict(city.districts.values_list("code", "name"))
        rows = index_rows(board, names)
        context = {
            "city": city, "year": year, "version": board.framework.version, "language": language,
            "sections": dashboard_sections(board, language, names), "index_rows": rows,
            "narrative": report_narrative(city, year, language), "bars": index_bars(rows),
            "chart_height": 24 * len(rows) + 8, "index_indicators": board.index_indicators,
            "festivals": [(summary, [summary.total]) for summary in festival_report(city, year)],
        }  # fmt: skip
        return render_to_string("monitoring/report.html", context)


def report_narrative(city: City, year: int, language: str) -> list[dict[str, str]]:
    """The city's own sections of the year's report in `language`, in report order (empty text: missing)."""
    texts = {text.section: text for text in ReportText.objects.filter(city=city, year=year)}
    return [
        {"section": section, "title": str(title),
         "text": getattr(texts[section], f"text_{language}") if section in texts else ""}
        for section, title in ReportSection.choices
    ]  # fmt: skip


def index_bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A horizontal bar per district (median score) with its 90 % interval as a whisker, in pixels."""
    scale = BAR_WIDTH / 100
    return [
        {"name": row["district"], "y": 24 * position, "width": scale * float(row["score_median"]),
         "low": scale * float(row["score_q05"]), "high": scale * float(row["score_q95"]),
         "score": float(row["score_median"])}
        for position, row in enumerate(rows)
    ]  # fmt: skip


def report_pdf(html: str) -> bytes:
    """The report as PDF."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # WeasyPrint 70 wants a URLFetcher; one that allows only data: addresses fetches nothing.
    return bytes(HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, timeout=1)).write_pdf())
