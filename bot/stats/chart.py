"""The statistics chart: reports by region and by sphere, as a PNG in the current language.

matplotlib is imported when a chart is drawn, not at start: its import takes about a second.
Only its object-oriented API is used (no pyplot), so drawing in a worker thread shares no state.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _

from bot.core.catalog import Catalog, Entry
from bot.ui.formatting import format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bot.stats.service import Stats

# Bundled with matplotlib, and it covers Kazakh Cyrillic (ә ғ қ ң ө ұ ү һ і).
FONT = "DejaVu Sans"
SIZE_INCHES = (10.0, 12.0)
DPI = 100
MAX_BARS = 20
LABEL_CHARS = 32
BAR_COLOR = "#2f6f9f"


def render_chart(stats: Stats, catalog: Catalog, locale: str) -> bytes:
    buffer = io.BytesIO()
    build_figure(stats, catalog, locale).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def build_figure(stats: Stats, catalog: Catalog, locale: str) -> Figure:
    """Two bar charts, by region above and by sphere below, labelled in the current language."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    regions = [(_name(catalog.region(code), code, locale), n) for code, n in stats.by_region]
    spheres = [(_name(catalog.category(code), code, locale), n) for code, n in stats.by_category]
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    heights = [max(len(regions[:MAX_BARS]), 3), max(len(spheres[:MAX_BARS]), 3)]
    top, bottom = figure.subplots(2, 1, height_ratios=heights)
    _bars(top, _("Reports by region"), regions[:MAX_BARS], locale)
    _bars(bottom, _("Reports by sphere"), spheres[:MAX_BARS], locale)
    return figure


def _bars(axes: Axes, title: str, bars: list[tuple[str, int]], locale: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_title(title, fontfamily=FONT, fontsize=14, loc="left")
    if not bars:
        axes.set_axis_off()
        return
    positions = list(range(len(bars)))
    container = axes.barh(positions, [count for _label, count in bars], color=BAR_COLOR)
    axes.set_yticks(positions, [label for label, _count in bars])
    axes.tick_params(labelfontfamily=FONT, labelsize=9)
    axes.invert_yaxis()
    axes.bar_label(
        container,
        labels=[format_number(count, locale) for _label, count in bars],
        padding=3,
        fontfamily=FONT,
        fontsize=9,
    )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.1)
    axes.spines[["top", "right"]].set_visible(False)


def _name(entry: Entry | None, code: str, locale: str) -> str:
    name = entry.name(locale) if entry else code
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"
