"""The recap's chart: the last months of the rates the form specs mark `chart`."""

from __future__ import annotations

import io
from collections.abc import Sequence

from handlers import texts
from handlers.recap.indicators import TrendPoint


def recap_chart(trend: Sequence[TrendPoint], title: str) -> bytes:
    """PNG of the trend: one line per charted rate (D/S, N/D, poktan attendance, CPR), a
    dotted line at each target."""
    # Imported here: matplotlib (with numpy) is a third of the process's memory, and most
    # processes of a multi-worker deployment never draw (only the leader sends recaps).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [texts.short_month(point.period) for point in trend]
    keys = list(trend[0].values) if trend else []
    targets = trend[0].targets if trend else {}
    plotted = False
    for key in keys:
        points = [(x, v) for x, p in enumerate(trend) if (v := p.values[key]) is not None]
        if points:
            axes.plot(
                [x for x, _ in points],
                [v for _, v in points],
                marker="o",
                label=texts.CHART_LABELS[key],
            )
            plotted = True
    for target in targets.values():
        axes.axhline(target, color="grey", linestyle=":", linewidth=1)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 105)
    axes.set_ylabel(texts.CHART_PERCENT)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    if plotted:
        axes.legend(loc="lower left", fontsize=8)
    else:
        axes.text(0.5, 0.5, texts.CHART_NO_DATA, ha="center", transform=axes.transAxes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
