"""The pre- vs post-test chart, drawn by the app as inline SVG.

No script and no style attribute (the CSP forbids inline styles): shapes carry classes
styled in ``static/app.css``, and geometry is plain SVG attributes. Every text is escaped.
Each point is the officers with one (pre, post) pair; above the diagonal they improved,
above the dashed line by at least the indicator's points.
"""

from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from legalaid.trainings.queries import IMPROVEMENT_POINTS, ScorePoint

SIZE = 320
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40
PLOT = SIZE - LEFT - RIGHT  # square plot: the same scale on both axes
TICKS = (0, 25, 50, 75, 100)


def _x(score: float) -> float:
    return round(LEFT + score / 100 * PLOT, 1)


def _y(score: float) -> float:
    return round(TOP + (100 - score) / 100 * PLOT, 1)


def _kind(point: ScorePoint) -> str:
    if point.post - point.pre >= IMPROVEMENT_POINTS:
        return "chart-point-up"
    if point.post > point.pre:
        return "chart-point-some"
    if point.post == point.pre:
        return "chart-point-same"
    return "chart-point-down"


def score_chart(points: list[ScorePoint], *, chart_id: str = "score-chart") -> Markup:
    """An SVG scatter of post- against pre-test scores, or empty markup without points."""
    if not points:
        return Markup("")
    officers = sum(point.officers for point in points)
    improved = sum(point.officers for point in points if point.post > point.pre)
    title = _("Pre-test and post-test scores")
    description = ngettext(
        "%(num)d officer with both scores; %(improved)d scored higher after the training.",
        "%(num)d officers with both scores; %(improved)d scored higher after the training.",
        officers,
        improved=improved,
    )
    parts: list[str] = [
        f'<svg class="score-chart" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect class="chart-area" x="{LEFT}" y="{TOP}" width="{PLOT}" height="{PLOT}"/>',
    ]
    for tick in TICKS:
        parts.append(
            f'<line class="chart-grid" x1="{_x(tick)}" y1="{TOP}" x2="{_x(tick)}" '
            f'y2="{TOP + PLOT}"/>'
            f'<line class="chart-grid" x1="{LEFT}" y1="{_y(tick)}" x2="{LEFT + PLOT}" '
            f'y2="{_y(tick)}"/>'
            f'<text class="chart-tick" x="{_x(tick)}" y="{TOP + PLOT + 14}" '
            f'text-anchor="middle">{tick}</text>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_y(tick) + 4}" '
            f'text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<line class="chart-diagonal" x1="{_x(0)}" y1="{_y(0)}" x2="{_x(100)}" y2="{_y(100)}"/>'
    )
    parts.append(
        f'<line class="chart-threshold" x1="{_x(0)}" y1="{_y(IMPROVEMENT_POINTS)}" '
        f'x2="{_x(100 - IMPROVEMENT_POINTS)}" y2="{_y(100)}"/>'
    )
    for point in points:
        radius = round(3.5 + 2 * math.sqrt(point.officers - 1), 1)
        label = ngettext(
            "Pre %(pre)d, post %(post)d: %(num)d officer",
            "Pre %(pre)d, post %(post)d: %(num)d officers",
            point.officers,
            pre=point.pre,
            post=point.post,
        )
        parts.append(
            f'<circle class="chart-point {_kind(point)}" cx="{_x(point.pre)}" '
            f'cy="{_y(point.post)}" r="{radius}"><title>{escape(label)}</title></circle>'
        )
    # Outside the f-string: Babel's extractor does not look inside f-strings.
    pre_axis, post_axis = _("Pre-test score"), _("Post-test score")
    parts.append(
        f'<text class="chart-axis" x="{LEFT + PLOT / 2}" y="{SIZE - 6}" '
        f'text-anchor="middle">{escape(pre_axis)}</text>'
        f'<text class="chart-axis" x="12" y="{TOP + PLOT / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + PLOT / 2})">{escape(post_axis)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text only
