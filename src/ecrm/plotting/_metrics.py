"""Figures of operating KPIs and acquisition cohorts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _labels, _schema
from .._display import column_label, kind_of
from ._base import (
    axes,
    contrast_text,
    date_axis,
    finish,
    legend_above,
    legend_outside,
    phrase,
    plain_numbers,
    table_input,
)

__all__ = ["cohort_heatmap", "kpi_trend", "retention_curves"]


def _cohort_title(cohorts: pd.DataFrame, lang: str) -> str:
    key = "cohort_revenue" if cohorts.attrs.get("value") == "revenue" else "cohort_customers"
    return phrase(key + ("_share" if cohorts.attrs.get("normalize") else ""), lang)


def _periods_since(cohorts: pd.DataFrame, lang: str) -> str:
    freq = str(cohorts.attrs.get("freq", "M"))[:1]
    return phrase(f"periods_since_{freq}" if freq in "DWMQY" else "periods_since", lang)


def cohort_heatmap(
    cohorts: pd.DataFrame, *, annotate: bool | None = None, lang: str = "en", ax: Any = None
) -> Any:
    """Heatmap of a cohort table: cohorts down, periods since acquisition across.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Output of :func:`ecrm.metrics.cohort_retention`.
    annotate : bool, optional
        Write each cell's value (as a percentage when normalised); default when the
        table has at most 24 x 24 cells.
    lang : {"en", "zh"}
        Language of the title and labels.
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
    'Quarters since acquisition'
    """
    cohorts = table_input(cohorts, "cohort_heatmap")
    values = cohorts.to_numpy(dtype=float)
    # Cells big enough for their labels: two thirds of an inch per column, half per row.
    ax = axes(ax, figsize=(max(6.4, 0.65 * values.shape[1] + 2.5), max(3.5, 0.45 * values.shape[0] + 2.0)))
    normalized = bool(cohorts.attrs.get("normalize"))
    # Period 0 is 100% by construction; scale colours on the later periods.
    later = values[:, 1:] if normalized and values.shape[1] > 1 else values
    top = np.nanmax(later) if np.isfinite(later).any() else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="Blues", vmin=0, vmax=top)
    bar = ax.figure.colorbar(image, ax=ax)
    if normalized:
        from matplotlib.ticker import PercentFormatter

        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        plain_numbers(bar.ax.yaxis)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in cohorts.columns])
    ax.set_yticks(range(values.shape[0]), [str(c) for c in cohorts.index])
    if annotate is None:
        annotate = values.shape[0] <= 24 and values.shape[1] <= 24
    if annotate:
        rows, cols = np.nonzero(np.isfinite(values))
        for r, c in zip(rows, cols, strict=True):
            label = f"{values[r, c]:.0%}" if normalized else f"{values[r, c]:,.0f}"
            colour = contrast_text(image, min(values[r, c], top))
            ax.text(c, r, label, ha="center", va="center", fontsize=8, color=colour)
    return finish(
        ax, _cohort_title(cohorts, lang), _periods_since(cohorts, lang), phrase("cohort", lang), lang
    )


def retention_curves(cohorts: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """One line per cohort: retained share (or value) by periods since acquisition.

    Parameters
    ----------
    cohorts : pandas.DataFrame
        Output of :func:`ecrm.metrics.cohort_retention`.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
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
    cohorts = table_input(cohorts, "retention_curves")
    ax = axes(ax)
    for cohort, row in cohorts.iterrows():  # one line per cohort: a handful of rows
        observed = row.dropna()
        ax.plot(observed.index, observed.to_numpy(), marker=".", label=str(cohort))
    if len(cohorts) <= 12:
        legend_outside(ax, title=phrase("cohort", lang))
    value = "revenue" if cohorts.attrs.get("value") == "revenue" else "customers"
    ylabel = phrase("share_of_period0" if cohorts.attrs.get("normalize") else value, lang)
    return finish(ax, _cohort_title(cohorts, lang), _periods_since(cohorts, lang), ylabel, lang)


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
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        One line per column, each in its own style so that equal series (GMV and net
        revenue without returns) stay visible; the y label names what the columns
        measure when they share one (revenue), the legend names them, outside the data.

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
    kpis = table_input(kpis, "kpi_trend", _schema.columns(columns, "columns", "kpi_trend"))
    _labels.check_lang(lang)
    ax = axes(ax)

    def name(column: str) -> str:
        return (
            _labels.label(_labels.KPIS, column, lang)
            if column in _labels.KPIS
            else column_label(column, lang)
        )

    # Later lines dashed and thinner, so a line lying on an earlier one still shows.
    styles = [
        {"linewidth": 3.0, "alpha": 0.6},
        {"linewidth": 1.5, "linestyle": "--"},
        {"linewidth": 1.5, "linestyle": ":"},
    ]
    grouped = isinstance(kpis.index, pd.MultiIndex)
    for i, column in enumerate(columns):
        series = kpis[column]
        style = styles[i % len(styles)]
        if grouped:
            table = series.unstack(level=0)
            for group in table.columns:  # one line per group: a handful
                ax.plot(
                    table.index.to_timestamp(),
                    table[group].to_numpy(),
                    label=f"{name(column)}: {group}",
                    **style,
                )
        else:
            ax.plot(series.index.to_timestamp(), series.to_numpy(), marker=".", label=name(column), **style)
    date_axis(ax)
    plain_numbers(ax.yaxis)
    legend_above(ax)
    freq = str(kpis.attrs.get("freq", "M"))[:1]
    kinds = {kind_of(c) for c in columns}
    if len(columns) == 1:
        ylabel = name(columns[0])
    elif kinds == {"money"}:
        ylabel = phrase("revenue", lang)
    else:
        ylabel = phrase("value", lang)
    title = phrase(f"kpis_per_{freq}" if freq in "DWMQY" else "kpis_per_period", lang)
    return finish(ax, title, phrase("period", lang), ylabel, lang)
