"""Figures of the customer lifecycle: stage counts over time and the transition matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ._base import axes, contrast_text, date_axis, finish, legend_outside, phrase, plain_numbers, table_input

__all__ = ["lifecycle_area", "transition_heatmap"]


def lifecycle_area(counts: pd.DataFrame, *, share: bool = False, lang: str = "en", ax: Any = None) -> Any:
    """Stacked area of customers per lifecycle stage over time.

    Parameters
    ----------
    counts : pandas.DataFrame
        Output of :func:`ecrm.lifecycle.stage_counts`: one row per period end, one column
        per stage. Stages nobody is ever in are left out of the legend.
    share : bool
        Draw shares of the customer base instead of counts.
    lang : {"en", "zh"}
        Language of the title and labels (stage names are drawn as given).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*, ch. 22.

    Examples
    --------
    >>> import ecrm
    >>> h = ecrm.lifecycle.history(ecrm.datasets.load_cdnow_sample(), freq="M")
    >>> ax = ecrm.plotting.lifecycle_area(ecrm.lifecycle.stage_counts(h))
    >>> ax.get_ylabel()
    'Customers'
    """
    counts = table_input(counts, "lifecycle_area", numbers="all")
    ax = axes(ax)
    used = counts.loc[:, counts.sum(axis=0) > 0]
    values = used.to_numpy(dtype=float)
    if share:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    colours = _stage_colours(len(counts.columns))[np.asarray(counts.sum(axis=0) > 0)]
    ax.stackplot(used.index, values.T, labels=[str(c) for c in used.columns], colors=colours, alpha=0.9)
    ax.margins(x=0)
    date_axis(ax)
    # The legend lists the stages as the stack shows them: the last, drawn on top, first.
    handles, labels = ax.get_legend_handles_labels()
    legend_outside(ax, handles=handles[::-1], labels=labels[::-1])
    ylabel = phrase("share_of_customers" if share else "customers", lang)
    return finish(ax, phrase("lifecycle_area", lang), phrase("period_end", lang), ylabel, lang)


def _stage_colours(n: int) -> np.ndarray:
    """One colour per stage, in stage order: blues and greens for the live stages, then
    amber for at risk and grey for churned (the default seven-stage scheme)."""
    palette = ["#9ecae1", "#6baed6", "#3182bd", "#31a354", "#74c476", "#fdae6b", "#bdbdbd"]
    if n != len(palette):
        import matplotlib

        cmap = matplotlib.colormaps["tab10"]
        return np.array([cmap(i % 10) for i in range(n)], dtype=object)
    return np.array(palette, dtype=object)


def transition_heatmap(matrix: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Heat map of a stage-to-stage transition matrix, each cell annotated.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`ecrm.lifecycle.transitions` (counts or row shares). Stages with
        no customer at either date are left out.
    lang : {"en", "zh"}
        Language of the title and labels (stage names are drawn as given).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Pfeifer, P. E. and Carraway, R. L. (2000). Modeling customer relationships as Markov
    chains. *Journal of Interactive Marketing* 14(2), 43-55.

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.load_cdnow_sample()
    >>> m = ecrm.lifecycle.transitions(tx, start="1997-09-30", end="1998-06-30", normalize=True)
    >>> ax = ecrm.plotting.transition_heatmap(m)
    >>> ax.get_xlabel()
    'Stage on 1998-06-30'
    """
    matrix = table_input(matrix, "transition_heatmap")  # (NaN rows: a stage nobody started in)
    if matrix.shape[0] != matrix.shape[1]:
        raise SchemaError(
            f"transition_heatmap: expected a square stage x stage matrix (lifecycle.transitions), "
            f"got {matrix.shape[0]} x {matrix.shape[1]}"
        )
    ax = axes(ax)
    filled = matrix.fillna(0)
    keep = (filled.sum(axis=1) > 0).to_numpy() | (filled.sum(axis=0) > 0).to_numpy()
    shown = matrix.loc[keep, keep]
    values = shown.to_numpy(dtype=float)
    image = ax.imshow(np.nan_to_num(values), cmap="Blues", aspect="auto")
    # transitions() returns integer counts, or float row shares when normalize=True.
    shares = not all(pd.api.types.is_integer_dtype(t) for t in shown.dtypes)
    for (i, j), value in np.ndenumerate(values):
        text = "" if np.isnan(value) else (f"{value:.0%}" if shares else f"{value:,.0f}")
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize="small",
            color=contrast_text(image, value),
        )
    ax.set_xticks(range(len(shown.columns)), [str(c) for c in shown.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(shown.index)), [str(c) for c in shown.index])
    plain_numbers(ax.figure.colorbar(image, ax=ax).ax.yaxis)
    start, end = matrix.attrs.get("start"), matrix.attrs.get("end")
    xlabel = (
        phrase("stage_on", lang, date=f"{end:%Y-%m-%d}") if end is not None else phrase("stage_end", lang)
    )
    ylabel = (
        phrase("stage_on", lang, date=f"{start:%Y-%m-%d}")
        if start is not None
        else phrase("stage_start", lang)
    )
    return finish(ax, phrase("transitions", lang), xlabel, ylabel, lang)
