"""The dashboard's charts: each headline figure's monthly trend drawn on the server as SVG by pygal
(docs/decisions/0016-charts.md), with a title, a text description and the table of its figures beside it.

The SVG is given to the page as an image (a ``data:`` address): the charts' own styles then stay inside the
image, and the page keeps its Content-Security-Policy (no inline styles). The image's alternative text is the
description; the table beside it holds every figure the chart draws, for anyone who cannot see it.
"""

import base64
from dataclasses import dataclass

import pygal
from pygal.style import Style

from openmash.insight.headlines import HEADLINES, Headline
from openmash.insight.trends import Month

# GOV.UK colours, each at least 3:1 against white (WCAG 2.2 non-text contrast), in the order series take them.
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#505a5f")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=COLOURS,
    font_family=FONT,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=13,
)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    image: str  # a data: address of the SVG
    headlines: list[Headline]
    rows: list[tuple[str, list[str]]]  # each month with its figures, as written in the table


def _text(value: float | None, unit: str) -> str:
    if value is None:
        return "No data"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:g} {unit}"


def _month(month: Month) -> str:
    return f"{month.period.first_day:%b %Y}"


def _describe(title: str, headlines: list[Headline], months: list[Month]) -> str:
    """What the chart shows, in words: for each figure, its first and last months with a figure."""
    parts = []
    for headline in headlines:
        known = [(m, m.values[headline.key]) for m in months if m.values[headline.key] is not None]
        if not known:
            parts.append(f"{headline.label}: no data in any month.")
        elif len(known) == 1:
            parts.append(
                f"{headline.label}: {_text(known[0][1], headline.unit)} in {_month(known[0][0])} only."
            )
        else:
            (first, start), (last, end) = known[0], known[-1]
            parts.append(
                f"{headline.label}: {_text(start, headline.unit)} in {_month(first)}, "
                f"{_text(end, headline.unit)} in {_month(last)}."
            )
    return f"Line chart of {title.lower()} by month. " + " ".join(parts)


def _svg(title: str, headlines: list[Headline], months: list[Month]) -> str:
    unit = headlines[0].unit
    chart = pygal.Line(
        style=STYLE,
        js=[],  # no script: the page's policy allows none from elsewhere, and the table carries the values
        disable_xml_declaration=True,
        width=720,
        height=360,
        title=title,
        x_label_rotation=0,
        show_minor_x_labels=True,
        allow_interruptions=True,  # a month with nothing to count is a gap, not a fall to 0
        range=(0, 100) if unit == "%" else None,
        y_title="Percentage" if unit == "%" else unit.capitalize(),
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        truncate_legend=-1,
        dots_size=4,
    )
    chart.x_labels = [_month(month) for month in months]
    for headline in headlines:
        chart.add(headline.label, [month.values[headline.key] for month in months])
    return chart.render(is_unicode=True)


def trend_charts(months: list[Month]) -> list[Chart]:
    """One chart for each group of headline figures that share a unit and a subject (``Headline.chart``)."""
    titles: list[str] = []
    for headline in HEADLINES:
        if headline.chart not in titles:
            titles.append(headline.chart)
    charts = []
    for n, title in enumerate(titles, start=1):
        headlines = [headline for headline in HEADLINES if headline.chart == title]
        svg = _svg(title, headlines, months)
        charts.append(
            Chart(
                slug=f"chart-{n}",
                title=title,
                description=_describe(title, headlines, months),
                image="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
                headlines=headlines,
                rows=[(_month(m), [_text(m.values[h.key], h.unit) for h in headlines]) for m in months],
            )
        )
    return charts
