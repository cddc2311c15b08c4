"""Figures of RFM scores and segments (:mod:`ecrm.rfm`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _schema
from ._base import axes, finish, legend_above, phrase, plain_numbers, table_input

__all__ = ["rfm_distribution", "rfm_heatmap", "segment_bar"]

_VALUES = ("count", "monetary")


def _bins(scored: pd.DataFrame) -> int:
    """Number of score bins: ``attrs["rfm_bins"]``, else the largest score present."""
    if "rfm_bins" in scored.attrs:
        return int(scored.attrs["rfm_bins"])
    return int(scored[["r_score", "f_score", "m_score"]].to_numpy().max())


def rfm_heatmap(scored: pd.DataFrame, value: str = "count", *, lang: str = "en", ax: Any = None) -> Any:
    """R x F grid of customers, coloured by count or by mean monetary value.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`ecrm.rfm.score` (or of :func:`ecrm.rfm.segment`).
    value : {"count", "monetary"}
        Colour each cell by its number of customers or by their mean ``monetary``.
        Empty cells are blank.
    lang : {"en", "zh"}
        Language of the title and labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The grid has R score on the vertical axis (best at the top) and F score on the
        horizontal axis; each cell is annotated with its value.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Examples
    --------
    >>> import ecrm
    >>> scored = ecrm.rfm.score(ecrm.datasets.load_cdnow(), as_of="1998-06-30")
    >>> ax = ecrm.plotting.rfm_heatmap(scored)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('F score', 'R score')
    """
    scored = table_input(scored, "rfm_heatmap", ["r_score", "f_score"], numbers=["r_score", "f_score"])
    _schema.choice(value, "value", _VALUES)
    bins = _bins(scored)
    r = scored["r_score"].to_numpy(dtype=np.int64)
    f = scored["f_score"].to_numpy(dtype=np.int64)
    cell = (bins - r) * bins + (f - 1)  # row 0 = best R, at the top
    counts = np.bincount(cell, minlength=bins * bins).astype(float)
    if value == "count":
        grid = counts
        fmt, label = "{:,.0f}", phrase("customers", lang)
    else:
        sums = np.bincount(cell, weights=scored["monetary"].to_numpy(dtype=float), minlength=bins * bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            grid = sums / counts
        fmt, label = "{:,.0f}", phrase("mean_monetary", lang)
    grid = np.where(counts > 0, grid, np.nan).reshape(bins, bins)

    ax = axes(ax, figsize=(6.5, 5.0))
    image = ax.imshow(grid, cmap="Blues", aspect="auto")
    plain_numbers(ax.figure.colorbar(image, ax=ax, label=label).ax.yaxis)
    ticks = np.arange(bins)
    ax.set_xticks(ticks, [str(s) for s in range(1, bins + 1)])
    ax.set_yticks(ticks, [str(s) for s in range(bins, 0, -1)])
    finite = grid[np.isfinite(grid)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(bins):  # bins**2 cells, not customers
        for j in range(bins):
            if np.isfinite(grid[i, j]):
                colour = "white" if grid[i, j] > middle else "black"
                ax.text(j, i, fmt.format(grid[i, j]), ha="center", va="center", color=colour, fontsize=8)
    title = phrase("rfm_heatmap_count" if value == "count" else "rfm_heatmap_monetary", lang)
    return finish(ax, title, phrase("f_score", lang), phrase("r_score", lang), lang)


def segment_bar(segmented: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Share of customers and share of revenue of every segment, side by side.

    Parameters
    ----------
    segmented : pandas.DataFrame
        Output of :func:`ecrm.rfm.segment`, or of :func:`ecrm.rfm.segment_summary`.
    lang : {"en", "zh"}
        Language of the title, labels and legend (segment names are drawn as given).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal bars, segments in their category order (best at the top), shares in
        percent; the legend sits outside the bars.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Examples
    --------
    >>> import ecrm
    >>> scored = ecrm.rfm.score(ecrm.datasets.load_cdnow(), as_of="1998-06-30")
    >>> ax = ecrm.plotting.segment_bar(ecrm.rfm.segment(scored))
    >>> ax.get_xlabel()
    'Share (%)'
    """
    from ..rfm import segment_summary

    summary = isinstance(segmented, pd.DataFrame) and "revenue_share" in segmented.columns
    shares = ["customer_share", "revenue_share"]
    segmented = table_input(
        segmented, "segment_bar", shares if summary else ["segment"], numbers=shares if summary else ()
    )
    table = segmented if summary else segment_summary(segmented)
    names = [str(name) for name in table.index]
    y = np.arange(len(names))
    height = 0.4
    ax = axes(ax, figsize=(6.4, 0.4 * len(names) + 1.6))
    customers = 100 * table["customer_share"].to_numpy()
    revenue = 100 * table["revenue_share"].to_numpy()
    ax.barh(y - height / 2, customers, height, label=phrase("customers", lang), color="#4C72B0")
    ax.barh(y + height / 2, revenue, height, label=phrase("revenue", lang), color="#DD8452")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    legend_above(ax)
    return finish(ax, phrase("segment_bar", lang), phrase("share_pct", lang), phrase("segment", lang), lang)


def rfm_distribution(scored: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Number of customers at each R, F and M score, as grouped bars.

    Ties show here: a score that no value reaches (for instance F = 2 when half the
    customers buy once) is an empty bar.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`ecrm.rfm.score`.
    lang : {"en", "zh"}
        Language of the title and labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Examples
    --------
    >>> import ecrm
    >>> scored = ecrm.rfm.score(ecrm.datasets.load_cdnow(), as_of="1998-06-30")
    >>> ax = ecrm.plotting.rfm_distribution(scored)
    >>> len(ax.patches)
    15
    """
    scores = ["r_score", "f_score", "m_score"]
    scored = table_input(scored, "rfm_distribution", scores, numbers=scores)
    bins = _bins(scored)
    scores = np.arange(1, bins + 1)
    width = 0.27
    ax = axes(ax)
    for offset, (column, name, colour) in zip(
        (-width, 0.0, width),
        (("r_score", "R", "#4C72B0"), ("f_score", "F", "#DD8452"), ("m_score", "M", "#55A868")),
        strict=True,
    ):
        counts = np.bincount(scored[column].to_numpy(dtype=np.int64), minlength=bins + 1)[1:]
        ax.bar(scores + offset, counts, width, label=name, color=colour)
    ax.set_xticks(scores)
    legend_above(ax)
    return finish(
        ax,
        phrase("rfm_distribution", lang, n=len(scored)),
        phrase("score", lang),
        phrase("customers", lang),
        lang,
    )
