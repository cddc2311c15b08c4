"""Figures of the customer summary."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._display import column_label, lower_first
from ._base import axes, finish, phrase, plain_numbers, table_input

__all__ = ["summary_histograms"]


def summary_histograms(
    summary: pd.DataFrame, column: str = "n_orders", *, bins: int = 30, lang: str = "en", ax: Any = None
) -> Any:
    """Histogram of one customer-summary column, on a log count axis.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`ecrm.customer_summary`.
    column : str
        Column to draw, e.g. ``"n_orders"``, ``"total_spend"``, ``"recency_days"``.
    bins : int
        Number of bins.
    lang : {"en", "zh"}
        Language of the title and labels.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (the skewed purchase-count histogram
    that motivates count models).

    Examples
    --------
    >>> import ecrm
    >>> s = ecrm.customer_summary(ecrm.datasets.load_cdnow())
    >>> ax = ecrm.plotting.summary_histograms(s, "n_orders")
    >>> ax.get_xlabel(), ax.get_title()
    ('Orders', 'Customers by orders (n = 23,570)')
    """
    summary = table_input(summary, "summary_histograms", [column])
    ax = axes(ax)
    values = np.asarray(summary[column], dtype=float)
    values = values[np.isfinite(values)]  # an undefined value has no bar
    ax.hist(values, bins=bins, log=True, color="#4C72B0")
    plain_numbers(ax.yaxis)
    plain_numbers(ax.xaxis)
    name = column_label(column, lang)
    title = phrase("customers_by", lang, what=lower_first(name), n=len(values))
    return finish(ax, title, name, phrase("customers_log", lang), lang)
