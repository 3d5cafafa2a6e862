"""Indicator charts, drawn by the app as inline SVG from a release's published cells.

Like :mod:`legalaid.trainings.chart`: no script and no style attribute (the CSP forbids
inline styles); shapes carry classes styled in ``static/app.css``, geometry is plain SVG
attributes, and every text is escaped. Horizontal bars, one per category, each under its
category's whole name (wrapped, never cut) in 14 px text. A suppressed value has no bar:
the word "suppressed" stands in its place, never a bar of length 0.
Each chart goes with a data table.
"""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

from legalaid.releases.presentation import ChartData

#: The chart is drawn in CSS pixels (no viewBox): it takes the width of its box, its texts
#: stay 14 px and more on a phone instead of shrinking with the drawing, and the bars and
#: grid are placed in percentages of the width.
LINE = 18  # a line of a category name
BAR = 14
GAP = 12  # between one category's bar and the next one's name
TOP, BOTTOM = 4, 24
#: A category name is wrapped at this many characters, never cut: at 14 px a line of 34
#: characters and the value beside it fit in the 20rem a phone leaves for the chart.
LABEL_CHARS = 34
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


def wrap_label(label: str, width: int = LABEL_CHARS) -> list[str]:
    """The category name in lines of at most ``width`` characters, whole words kept whole
    (a word longer than a line has a line of its own): nothing of it is cut."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _number(value: float) -> str:
    return f"{value:g}"


def _percent(value: float) -> str:
    return f"{round(value, 2):g}%"


def bar_chart(chart: ChartData) -> Markup:
    """A horizontal bar chart of ``chart.bars``, or empty markup without bars.

    Each category has its full name on its own line(s), its value at the right of the
    name's first line, and its bar below the name."""
    if not chart.bars:
        return Markup("")
    chart_id = _SAFE_ID.sub("-", chart.chart_id)
    numbers = [shown.number for _label, shown in chart.bars if shown.number is not None]
    top = 100.0 if chart.is_share else nice_top(max(numbers, default=0))
    rows = [(label, shown, wrap_label(label)) for label, shown in chart.bars]
    plot_bottom = TOP + sum(len(lines) * LINE + BAR + GAP for _l, _s, lines in rows)
    height = plot_bottom + BOTTOM
    parts: list[str] = [
        f'<svg class="indicator-chart" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(chart.description)}</desc>',
    ]
    for step in range(TICKS + 1):
        tick = top * step / TICKS
        label = f"{_number(tick)}%" if chart.is_share else _number(tick)
        at = _percent(step * 100 / TICKS)
        anchor = "start" if step == 0 else "end" if step == TICKS else "middle"
        parts.append(
            f'<line class="chart-grid" x1="{at}" y1="{TOP}" x2="{at}" y2="{plot_bottom}"/>'
            f'<text class="chart-tick" x="{at}" y="{plot_bottom + 18}" '
            f'text-anchor="{anchor}">{escape(label)}</text>'
        )
    suppressed = _("suppressed")
    y = TOP
    for label, shown, lines in rows:
        first = y + LINE - 4
        parts.append(
            f'<text class="chart-label" x="0" y="{first}">'
            + "".join(
                f'<tspan x="0" dy="{0 if index == 0 else LINE}">{escape(line)}</tspan>'
                for index, line in enumerate(lines)
            )
            + "</text>"
        )
        bar_y = y + len(lines) * LINE
        if shown.number is None:
            kind = "chart-suppressed" if shown.suppressed else "chart-undefined"
            text = suppressed if shown.suppressed else shown.text
            parts.append(
                f'<text class="chart-value {kind}" x="100%" y="{first}" text-anchor="end">'
                f"{escape(text)}</text>"
            )
        else:
            width = _percent(min(shown.number, top) / top * 100)
            parts.append(
                f'<text class="chart-value" x="100%" y="{first}" text-anchor="end">'
                f"{escape(shown.text)}</text>"
                f'<rect class="chart-bar" x="0" y="{bar_y}" width="{width}" height="{BAR}">'
                f"<title>{escape(label)}: {escape(shown.text)}</title></rect>"
            )
        y = bar_y + BAR + GAP
    parts.append(f'<line class="chart-axis-line" x1="0" y1="{TOP}" x2="0" y2="{plot_bottom}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text only
