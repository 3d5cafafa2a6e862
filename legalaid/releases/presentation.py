"""What a release shows: readable periods and categories, cells, tables, cards and charts.

Everything here reads a :class:`FrozenRelease` (the published counts only; the true counts
are never loaded). A suppressed cell is shown as "suppressed", never as a number: neither
0 nor a blank that a reader could take for one. Shares are computed from the published
counts with :meth:`FrozenRelease.share`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale, numbers
from flask_babel import (
    LazyString,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
)
from flask_babel import lazy_gettext as _l

from legalaid.disclosure.suppression import ShareCell
from legalaid.i18n import format_date
from legalaid.indicators.catalogue import MEASURES, Indicator, IndicatorCatalogue
from legalaid.indicators.dimensions import CLINIC, NO_KEY_POPULATION
from legalaid.indicators.periods import PLAN, QUARTER, YEAR, Period
from legalaid.indicators.tables import TOTAL, Key
from legalaid.releases.frozen import FrozenRelease, IndicatorEntry, PublishedTable
from legalaid.vocabulary import Vocabulary
from legalaid.vocabulary import casework as cv
from legalaid.vocabulary.regions import ECONOMIC_REGIONS
from legalaid.vocabulary.trainings import LAW_ENFORCEMENT_AGENCIES, OFFICER_SEXES


def _(text: str, **variables: Any) -> str:
    """``gettext`` typed as returning text (the extractor still sees ``_``)."""
    return str(gettext(text, **variables))


#: Each disaggregation's name as a reader knows it, and the vocabulary of its categories.
DIMENSIONS: dict[str, tuple[LazyString, Vocabulary | None]] = {
    "gender_identity": (_l("Gender identity"), cv.GENDER_IDENTITIES),
    "age_band": (_l("Age group"), cv.AGE_BANDS),
    "key_population": (_l("Key population"), cv.KEY_POPULATIONS),
    "region": (_l("Economic region"), ECONOMIC_REGIONS),
    "settlement": (_l("Settlement"), cv.SETTLEMENTS),
    "disability": (_l("Disability"), cv.DISABILITY),
    "category": (_l("Type of case"), cv.CASE_CATEGORIES),
    "gbv_type": (_l("Type of violence"), cv.GBV_TYPES),
    "discrimination_domain": (_l("Area of discrimination"), cv.DISCRIMINATION_DOMAINS),
    "outcome": (_l("Outcome"), cv.CASE_OUTCOMES),
    "order_kind": (_l("Kind of protection order"), cv.PROTECTION_ORDER_KINDS),
    "service_type": (_l("Type of service"), cv.REFERRAL_SERVICES),
    "agency": (_l("Agency"), LAW_ENFORCEMENT_AGENCIES),
    "sex": (_l("Sex"), OFFICER_SEXES),
    CLINIC: (_l("Clinic"), None),
}


def period_label(period: Period) -> str:
    """``2026Q1`` -> "Q1 2026 (January to March)", ``2026`` -> "Year 2026", the plan..."""
    if period.kind == QUARTER:
        return _(
            "Quarter %(quarter)s of %(year)s (%(first)s to %(last)s)",
            quarter=(period.start.month - 1) // 3 + 1,
            year=period.start.year,
            first=format_date(period.start, "MMMM"),
            last=format_date(period.end, "MMMM"),
        )
    if period.kind == YEAR:
        return _("Year %(year)s", year=period.start.year)
    if period.kind == PLAN:
        return _(
            "Action Plan %(code)s to date (through %(end)s)",
            code=period.code,
            end=format_date(period.end, "long"),
        )
    return period.code


def short_period_label(period: Period) -> str:
    """For chart bars and table rows: "Q1 2026", "2026"."""
    if period.kind == QUARTER:
        return _(
            "Q%(quarter)s %(year)s",
            quarter=(period.start.month - 1) // 3 + 1,
            year=period.start.year,
        )
    if period.kind == PLAN:
        return _("Plan to date")
    return period.code


def dimension_label(name: str) -> str:
    known = DIMENSIONS.get(name)
    return str(known[0]) if known else name


def category_label(dimension: str, code: str, clinic_names: dict[str, str]) -> str:
    if code == TOTAL:
        return _("Total")
    if dimension == CLINIC:
        name = clinic_names.get(code)
        return f"{name} ({code})" if name else code
    if dimension == "key_population" and code == NO_KEY_POPULATION:
        return _("None of these groups")
    known = DIMENSIONS.get(dimension)
    if known is None or known[1] is None:
        return code
    return known[1].label(code)


def layout_label(layout: tuple[str, ...]) -> str:
    if not layout:
        return _("Total")
    if len(layout) == 1:
        return _("By %(dimension)s", dimension=dimension_label(layout[0]).lower())
    return _(
        "By %(first)s and %(second)s",
        first=dimension_label(layout[0]).lower(),
        second=dimension_label(layout[1]).lower(),
    )


# --- cells ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One cell as shown: a number for charts (None when hidden) and its text."""

    number: float | None
    text: str
    suppressed: bool = False
    #: For a share: its two counts ("21 of 50").
    detail: str = ""


class Texts:
    """The words and number formats of the current request, looked up once.

    A release page shows thousands of cells; translating "suppressed" and formatting
    each number through the request's locale every time would cost seconds.
    """

    def __init__(self) -> None:
        self.locale: Locale = get_locale() or Locale.parse("en")
        self.suppressed = _("suppressed")
        self.total = _("Total")
        # The translated template, filled in below (the extractor sees the same msgid).
        self._part_of = str(gettext("%(part)s of %(whole)s"))
        self._counts: dict[int, str] = {}
        self._labels: dict[tuple[str, str], str] = {}

    def count(self, value: int) -> str:
        text = self._counts.get(value)
        if text is None:
            text = self._counts[value] = numbers.format_decimal(value, locale=self.locale)
        return text

    def percent(self, percent: Decimal) -> str:
        return numbers.format_percent(percent / 100, "#,##0.0%", locale=self.locale)

    def part_of(self, part: int, whole: int) -> str:
        return self._part_of % {"part": self.count(part), "whole": self.count(whole)}

    def category(self, dimension: str, code: str, clinic_names: dict[str, str]) -> str:
        key = (dimension, code)
        text = self._labels.get(key)
        if text is None:
            text = self._labels[key] = category_label(dimension, code, clinic_names)
        return text


def percent_text(percent: Decimal) -> str:
    return str(format_percent(percent / 100, "#,##0.0%"))


def shown_count(value: int | None, texts: Texts) -> Shown:
    if value is None:
        return Shown(None, texts.suppressed, suppressed=True)
    return Shown(float(value), texts.count(value))


def shown_share(cell: ShareCell, top: int | None, bottom: int | None, texts: Texts) -> Shown:
    counts = ""
    if top is not None and bottom is not None:
        counts = texts.part_of(top, bottom)
    if cell.status == "published" and cell.percent is not None:
        return Shown(float(cell.percent), texts.percent(cell.percent), detail=counts)
    if cell.status == "undefined":
        # 0 of 0: no share to show, and nothing hidden either.
        return Shown(None, "—", detail=counts)
    return Shown(None, texts.suppressed, suppressed=True, detail=counts)


@dataclass(frozen=True)
class IndicatorCells:
    """The cells of one indicator's table (a count, or a share and its two counts)."""

    texts: Texts
    table: PublishedTable
    denominator: PublishedTable | None = None
    shares: dict[Key, ShareCell] | None = None

    @classmethod
    def of(
        cls,
        release: FrozenRelease,
        entry: IndicatorEntry,
        period_code: str,
        layout: Key,
        texts: Texts,
    ) -> IndicatorCells | None:
        """The indicator's table of that period and layout, if the release holds it."""
        table = release.table(entry.measure, period_code, layout)
        if table is None:
            return None
        if entry.denominator is None:
            return cls(texts, table)
        denominator = release.table(entry.denominator, period_code, layout)
        shares = release.share(entry, period_code, layout)
        if denominator is None or shares is None:
            return None
        return cls(texts, table, denominator, shares)

    @property
    def is_share(self) -> bool:
        return self.shares is not None

    def cell(self, key: Key) -> Shown:
        if self.shares is None or self.denominator is None:
            return shown_count(self.table.values[key], self.texts)
        return shown_share(
            self.shares[key], self.table.values[key], self.denominator.values[key], self.texts
        )


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableView:
    """A table as an accessible HTML table: row headers, column headers, cells."""

    caption: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Shown]]]
    is_share: bool


def table_view(
    cells: IndicatorCells,
    *,
    caption: str,
    value_heading: str,
    clinic_names: dict[str, str],
) -> TableView:
    """One table: a total, a list of categories, or a two-way matrix."""
    table = cells.table
    dims = table.dimensions
    if not dims:
        return TableView(
            caption, "", [value_heading], [(cells.texts.total, [cells.cell(())])], cells.is_share
        )
    if len(dims) == 1:
        dim = dims[0]
        rows = [
            (cells.texts.category(dim.name, code, clinic_names), [cells.cell((code,))])
            for code in (*dim.categories, TOTAL)
        ]
        return TableView(caption, dimension_label(dim.name), [value_heading], rows, cells.is_share)
    first, second = dims[0], dims[1]
    columns = [
        cells.texts.category(second.name, code, clinic_names)
        for code in (*second.categories, TOTAL)
    ]
    rows = [
        (
            cells.texts.category(first.name, row, clinic_names),
            [cells.cell((row, column)) for column in (*second.categories, TOTAL)],
        )
        for row in (*first.categories, TOTAL)
    ]
    heading = _(
        "%(rows)s (rows) by %(columns)s (columns)",
        rows=dimension_label(first.name),
        columns=dimension_label(second.name),
    )
    return TableView(caption, heading, columns, rows, cells.is_share)


def title_of(indicator: Indicator | None, code: str, language: str) -> str:
    return indicator.title.get(language) if indicator is not None else code


def value_heading(entry: IndicatorEntry) -> str:
    return _("Share") if entry.denominator else _("Number")


@dataclass(frozen=True)
class PeriodTables:
    period: Period
    label: str
    tables: list[TableView]


@dataclass(frozen=True)
class IndicatorTables:
    code: str
    title: str
    definition: str
    is_share: bool
    periods: list[PeriodTables]


def release_tables(
    release: FrozenRelease,
    catalogue: IndicatorCatalogue,
    language: str,
    clinic_names: dict[str, str],
    periods_shown: tuple[Period, ...] | None = None,
) -> list[IndicatorTables]:
    """Every table of the release (or of some of its periods): per indicator, per period,
    per layout."""
    texts = Texts()
    found = []
    for entry in release.indicators:
        indicator = catalogue.get(entry.code)
        title = title_of(indicator, entry.code, language)
        periods = []
        for period in release.periods() if periods_shown is None else periods_shown:
            tables = []
            for layout in entry.layouts:
                cells = IndicatorCells.of(release, entry, period.code, layout, texts)
                if cells is None:
                    continue
                caption = _(
                    "%(code)s %(title)s, %(period)s: %(layout)s",
                    code=entry.code,
                    title=title,
                    period=short_period_label(period),
                    layout=layout_label(layout).lower(),
                )
                tables.append(
                    table_view(
                        cells,
                        caption=caption,
                        value_heading=value_heading(entry),
                        clinic_names=clinic_names,
                    )
                )
            if tables:
                periods.append(PeriodTables(period, period_label(period), tables))
        found.append(
            IndicatorTables(
                entry.code,
                title,
                indicator.definition.get(language) if indicator is not None else "",
                entry.denominator is not None,
                periods,
            )
        )
    return found


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    code: str
    title: str
    is_share: bool
    value: Shown
    target: float | None
    target_text: str
    target_year: int
    example_target: bool
    #: For <progress>: the value, capped at the target (None: no bar to draw).
    progress: float | None
    progress_text: str


def _target_text(target: float, is_share: bool) -> str:
    if is_share:
        return percent_text(Decimal(str(target)))
    return str(format_decimal(target))


def indicator_card(
    release: FrozenRelease,
    entry: IndicatorEntry,
    indicator: Indicator | None,
    language: str,
    texts: Texts,
) -> Card:
    """The value of the release's own period against the part of its year's target that
    belongs to that period.

    A year is compared with its target; a quarter of a count of events (cases opened,
    sessions held) with a quarter of the year's target, as the four quarters add up to
    the year; a share with the year's share, which is the same for any part of it. A
    quarter's count of distinct people is not compared at all: the same client may be
    counted in several quarters, so no part of a yearly count of people belongs to one
    quarter. The plan to date has no target: targets are yearly.
    """
    period = release.period
    cells = IndicatorCells.of(release, entry, period.code, (), texts)
    value = cells.cell(()) if cells is not None else Shown(None, "—")
    year = period.end.year
    is_share = entry.denominator is not None
    yearly = (
        indicator.targets.by_year.get(year)
        if indicator is not None and period.kind != PLAN
        else None
    )
    target, target_text = _period_target(yearly, period, indicator, is_share, year)
    example = bool(indicator.targets.example) if indicator is not None else False
    progress: float | None = None
    progress_text = ""
    if target is not None and target > 0 and value.number is not None:
        progress = min(value.number, target)
        reached = Decimal(str(value.number)) * 100 / Decimal(str(target))
        progress_text = _(
            "%(share)s of the target", share=percent_text(reached.quantize(Decimal("0.1")))
        )
    return Card(
        code=entry.code,
        title=title_of(indicator, entry.code, language),
        is_share=is_share,
        value=value,
        target=target,
        target_text=target_text,
        target_year=year,
        example_target=example,
        progress=progress,
        progress_text=progress_text,
    )


def _period_target(
    yearly: float | None,
    period: Period,
    indicator: Indicator | None,
    is_share: bool,
    year: int,
) -> tuple[float | None, str]:
    """The target a period's value is compared with, and how it reads on the card."""
    if yearly is None or indicator is None:
        return None, ""
    if period.kind != QUARTER or is_share:
        return yearly, _(
            "Target for %(year)s: %(target)s",
            year=year,
            target=_target_text(yearly, is_share),
        )
    if not MEASURES[indicator.measure].time_additive:
        return None, _(
            "The target for %(year)s counts people over the whole year; a quarter is not "
            "compared with it.",
            year=year,
        )
    part = float((Decimal(str(yearly)) / 4).quantize(Decimal("0.1")))
    return part, _(
        "A quarter of the target for %(year)s (%(target)s ÷ 4): %(part)s",
        year=year,
        target=_target_text(yearly, False),
        part=_target_text(part, False),
    )


@dataclass(frozen=True)
class ChartData:
    chart_id: str
    title: str
    description: str
    #: What the categories are (the data table's row heading).
    row_heading: str
    value_heading: str
    is_share: bool
    bars: list[tuple[str, Shown]]


def _describe(bars: list[tuple[str, Shown]]) -> str:
    hidden = sum(1 for _label, shown in bars if shown.suppressed)
    parts = [f"{label}: {shown.text}" for label, shown in bars]
    text = "; ".join(parts)
    if hidden:
        text += ". " + _("Suppressed values are not drawn.")
    return text


def quarter_chart(
    release: FrozenRelease, entry: IndicatorEntry, title: str, texts: Texts
) -> ChartData | None:
    """The indicator by quarter, from the release's quarter tables."""
    bars = []
    for period in release.periods():
        if period.kind != QUARTER:
            continue
        cells = IndicatorCells.of(release, entry, period.code, (), texts)
        if cells is not None:
            bars.append((short_period_label(period), cells.cell(())))
    if not bars:
        return None
    return ChartData(
        chart_id=f"chart-{entry.code}-quarters",
        title=_("%(title)s, by quarter", title=title),
        description=_describe(bars),
        row_heading=_("Quarter"),
        value_heading=value_heading(entry),
        is_share=entry.denominator is not None,
        bars=bars,
    )


def chart_dimension(entry: IndicatorEntry) -> str | None:
    """The breakdown drawn on the dashboard: the first one other than the clinic, if any."""
    single = [layout[0] for layout in entry.layouts if len(layout) == 1]
    for name in single:
        if name != CLINIC:
            return name
    return single[0] if single else None


def breakdown_chart(
    release: FrozenRelease,
    entry: IndicatorEntry,
    title: str,
    clinic_names: dict[str, str],
    texts: Texts,
) -> ChartData | None:
    """The indicator by one disaggregation, for the release's own period."""
    name = chart_dimension(entry)
    if name is None:
        return None
    cells = IndicatorCells.of(release, entry, release.period.code, (name,), texts)
    if cells is None:
        return None
    dimension = cells.table.dimensions[0]
    bars = [
        (texts.category(name, code, clinic_names), cells.cell((code,)))
        for code in dimension.categories
    ]
    return ChartData(
        chart_id=f"chart-{entry.code}-{name}",
        title=_(
            "%(title)s, by %(dimension)s", title=title, dimension=dimension_label(name).lower()
        ),
        description=_describe(bars),
        row_heading=dimension_label(name),
        value_heading=value_heading(entry),
        is_share=entry.denominator is not None,
        bars=bars,
    )


@dataclass(frozen=True)
class IndicatorPanel:
    card: Card
    charts: list[ChartData]


def dashboard_panels(
    release: FrozenRelease,
    catalogue: IndicatorCatalogue,
    language: str,
    clinic_names: dict[str, str],
) -> list[IndicatorPanel]:
    texts = Texts()
    panels = []
    for entry in release.indicators:
        indicator = catalogue.get(entry.code)
        card = indicator_card(release, entry, indicator, language, texts)
        charts = [
            chart
            for chart in (
                quarter_chart(release, entry, card.title, texts),
                breakdown_chart(release, entry, card.title, clinic_names, texts),
            )
            if chart is not None
        ]
        panels.append(IndicatorPanel(card, charts))
    return panels


def policy_note(policy: dict[str, Any]) -> dict[str, Any]:
    """The release's own disclosure settings, for the legend."""
    return {
        "k": int(policy.get("k", 5)),
        "show_zero": bool(policy.get("show_zero", True)),
        "rounding": str(policy.get("rounding", "none")),
        "consent": bool(policy.get("require_statistics_consent", True)),
    }


@dataclass(frozen=True)
class InformationLoss:
    """What disclosure control hid of a release: cells, and their share of all cells."""

    hidden: int
    cells: int

    @property
    def percent(self) -> Decimal:
        if not self.cells:
            return Decimal(0)
        return (Decimal(self.hidden) * 100 / Decimal(self.cells)).quantize(Decimal("0.1"))


def information_loss(release: Any) -> InformationLoss:
    return InformationLoss(release.cells_suppressed, release.cells_total)


@dataclass(frozen=True)
class HiddenPreview:
    """What a new version would hide that its previous version published (job page)."""

    rows: tuple[tuple[str, str, str], ...]  # indicator title(s), period, categories
    more: int  # rows left out of the list
    hidden: int
    previous_hidden: int
    cells: int


#: The preview lists this many cells; the rest are counted.
PREVIEW_ROWS = 60


def hidden_preview(
    preview: dict[str, Any],
    catalogue: IndicatorCatalogue,
    language: str,
    clinic_names: dict[str, str],
) -> HiddenPreview:
    titles: dict[str, list[str]] = {}
    for indicator in catalogue.indicator:
        titles.setdefault(indicator.measure, []).append(
            f"{indicator.code} {indicator.title.get(language)}"
        )
    rows = []
    cells = preview.get("newly_hidden", [])
    for cell in cells[:PREVIEW_ROWS]:
        coords = [tuple(pair) for pair in cell["coords"]]
        rows.append(
            (
                "; ".join(titles.get(cell["measure"], [cell["measure"]])),
                cell["period"],
                ", ".join(
                    f"{dimension_label(name)}: {category_label(name, code, clinic_names)}"
                    for name, code in coords
                )
                or str(_("Total")),
            )
        )
    return HiddenPreview(
        rows=tuple(rows),
        more=max(0, len(cells) - PREVIEW_ROWS),
        hidden=int(preview.get("hidden", 0)),
        previous_hidden=int(preview.get("previous_hidden", 0)),
        cells=int(preview.get("cells", 0)),
    )
