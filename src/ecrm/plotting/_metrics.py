"""Figures of operating KPIs and acquisition cohorts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _labels
from ._base import axes, finish

__all__ = ["cohort_heatmap", "kpi_trend", "retention_curves"]


def _cohort_title(cohorts: pd.DataFrame) -> str:
    what = "Revenue" if cohorts.attrs.get("value") == "revenue" else "Customers"
    return f"{what} retained by acquisition cohort" + (" (share)" if cohorts.attrs.get("normalize") else "")


def cohort_heatmap(cohorts: pd.DataFrame, *, annotate: bool | None = None, ax: Any = None) -> Any:
    """Heatmap of a cohort table: cohorts down, periods since acquisition across.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Output of :func:`ecrm.metrics.cohort_retention`.
    annotate : bool, optional
        Write each cell's value (as a percentage when normalised); default when the
        table has at most 24 x 24 cells.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2010). Customer-base valuation in a contractual
    setting: The perils of ignoring heterogeneity. *Marketing Science* 29(1), 85-93.

    Examples
    --------
    >>> import ecrm
    >>> c = ecrm.metrics.cohort_retention(ecrm.datasets.load_cdnow(), freq="Q")
    >>> ax = ecrm.plotting.cohort_heatmap(c)
    >>> ax.get_xlabel()
    'periods since acquisition'
    """
    ax = axes(ax, figsize=(9.0, 5.0))
    values = cohorts.to_numpy(dtype=float)
    normalized = bool(cohorts.attrs.get("normalize"))
    # Period 0 is 100% by construction; scale colours on the later periods.
    later = values[:, 1:] if normalized and values.shape[1] > 1 else values
    top = np.nanmax(later) if np.isfinite(later).any() else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="Blues", vmin=0, vmax=top)
    ax.figure.colorbar(image, ax=ax)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in cohorts.columns])
    ax.set_yticks(range(values.shape[0]), [str(c) for c in cohorts.index])
    if annotate is None:
        annotate = values.shape[0] <= 24 and values.shape[1] <= 24
    if annotate:
        rows, cols = np.nonzero(np.isfinite(values))
        for r, c in zip(rows, cols, strict=True):
            text = f"{values[r, c]:.0%}" if normalized else f"{values[r, c]:,.0f}"
            colour = "white" if values[r, c] > 0.6 * top else "black"
            ax.text(c, r, text, ha="center", va="center", fontsize=7, color=colour)
    return finish(ax, _cohort_title(cohorts), "periods since acquisition", "acquisition cohort")


def retention_curves(cohorts: pd.DataFrame, *, ax: Any = None) -> Any:
    """One line per cohort: retained share (or value) by periods since acquisition.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Output of :func:`ecrm.metrics.cohort_retention`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2010). *Marketing Science* 29(1), 85-93.

    Examples
    --------
    >>> import ecrm
    >>> c = ecrm.metrics.cohort_retention(ecrm.datasets.load_cdnow())
    >>> ax = ecrm.plotting.retention_curves(c)
    >>> len(ax.get_lines())
    3
    """
    ax = axes(ax)
    for cohort, row in cohorts.iterrows():  # one line per cohort: a handful of rows
        observed = row.dropna()
        ax.plot(observed.index, observed.to_numpy(), marker=".", label=str(cohort))
    if len(cohorts) <= 12:
        ax.legend(title="cohort", fontsize=8)
    ylabel = "share of period 0" if cohorts.attrs.get("normalize") else str(cohorts.attrs.get("value"))
    return finish(ax, _cohort_title(cohorts), "periods since acquisition", ylabel)


def kpi_trend(
    kpis: pd.DataFrame, columns: Sequence[str] = ("net_revenue",), *, lang: str = "en", ax: Any = None
) -> Any:
    """Line chart of KPI columns over periods (one line per column, or per group).

    Parameters
    ----------
    kpis : pandas.DataFrame
        Output of :func:`ecrm.metrics.kpis` (with or without ``by``).
    columns : sequence of str
        KPI columns to draw, e.g. ``("gmv", "net_revenue")``.
    lang : {"en", "zh"}
        Language of the legend for KPIs in the glossary (GMV, AOV, ...).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Farris, P. W. et al. (2010). *Marketing Metrics*, 2nd ed. Pearson.

    Examples
    --------
    >>> import ecrm
    >>> k = ecrm.metrics.kpis(ecrm.datasets.load_cdnow())
    >>> ax = ecrm.plotting.kpi_trend(k, ["gmv", "aov"], lang="zh")
    >>> [line.get_label() for line in ax.get_lines()]
    ['成交总额 (GMV)', '客单价']
    """
    _labels.check_lang(lang)
    ax = axes(ax)

    def name(column: str) -> str:
        return _labels.label(_labels.KPIS, column, lang) if column in _labels.KPIS else column

    grouped = isinstance(kpis.index, pd.MultiIndex)
    for column in columns:
        series = kpis[column]
        if grouped:
            table = series.unstack(level=0)
            for group in table.columns:  # one line per group: a handful
                ax.plot(table.index.to_timestamp(), table[group].to_numpy(), label=f"{name(column)}: {group}")
        else:
            ax.plot(series.index.to_timestamp(), series.to_numpy(), marker=".", label=name(column))
    ax.legend(fontsize=8)
    freq = kpis.attrs.get("freq", "")
    return finish(ax, f"KPIs per period ({freq})", "period", ", ".join(name(c) for c in columns))
