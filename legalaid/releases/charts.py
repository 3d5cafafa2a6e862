"""Indicator charts, drawn by the app as inline SVG from a release's published cells.

Like :mod:`legalaid.trainings.chart`: no script and no style attribute (the CSP forbids
inline styles); shapes carry classes styled in ``static/app.css``, geometry is plain SVG
attributes, and every text is escaped. Horizontal bars, one per category, so that long
category names stay readable. A suppressed value has no bar: the word "suppressed"
stands in its place, never a bar of length 0. Each chart goes with a data table.
"""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

from legalaid.releases.presentation import ChartData

WIDTH = 560
LABEL = 190  # room for the category names
VALUE = 90  # room for the value written after each bar
TOP, ROW, BOTTOM = 8, 26, 26
BAR = 16
PLOT = WIDTH - LABEL - VALUE
LABEL_CHARS = 26
#: Steps of the value axis.
TICKS = 5

_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


def nice_top(largest: float, *, whole: bool = True) -> float:
    """A round axis end at or above ``largest``: 1, 2 or 5 times a power of ten.

    Cut in :data:`TICKS` equal steps; for counts (``whole``) at least 5, so that every
    tick is a whole number.
    """
    if whole:
        largest = max(largest, TICKS)
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 5, 10):
        if largest <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:g}"


def bar_chart(chart: ChartData) -> Markup:
    """A horizontal bar chart of ``chart.bars``, or empty markup without bars."""
    if not chart.bars:
        return Markup("")
    chart_id = _SAFE_ID.sub("-", chart.chart_id)
    numbers = [shown.number for _label, shown in chart.bars if shown.number is not None]
    top = 100.0 if chart.is_share else nice_top(max(numbers, default=0))
    height = TOP + ROW * len(chart.bars) + BOTTOM

    def x(value: float) -> float:
        return round(LABEL + value / top * PLOT, 1)

    parts: list[str] = [
        f'<svg class="indicator-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(chart.description)}</desc>',
    ]
    plot_bottom = TOP + ROW * len(chart.bars)
    for step in range(TICKS + 1):
        tick = top * step / TICKS
        label = f"{_number(tick)}%" if chart.is_share else _number(tick)
        parts.append(
            f'<line class="chart-grid" x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" '
            f'y2="{plot_bottom}"/>'
            f'<text class="chart-tick" x="{x(tick)}" y="{plot_bottom + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    suppressed = _("suppressed")
    for index, (label, shown) in enumerate(chart.bars):
        y = TOP + index * ROW
        middle = y + ROW / 2 + 4
        parts.append(
            f'<text class="chart-label" x="{LABEL - 8}" y="{middle}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        if shown.number is None:
            kind = "chart-suppressed" if shown.suppressed else "chart-undefined"
            text = suppressed if shown.suppressed else shown.text
            parts.append(
                f'<text class="chart-value {kind}" x="{LABEL + 4}" y="{middle}">'
                f"{escape(text)}</text>"
            )
            continue
        end = x(min(shown.number, top))
        width = round(end - LABEL, 1)
        parts.append(
            f'<rect class="chart-bar" x="{LABEL}" y="{y + (ROW - BAR) / 2}" width="{width}" '
            f'height="{BAR}"><title>{escape(label)}: {escape(shown.text)}</title></rect>'
            f'<text class="chart-value" x="{end + 4}" y="{middle}">{escape(shown.text)}</text>'
        )
    parts.append(
        f'<line class="chart-axis-line" x1="{LABEL}" y1="{TOP}" x2="{LABEL}" y2="{plot_bottom}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text only
