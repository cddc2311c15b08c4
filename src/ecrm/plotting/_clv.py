"""Figures of the CLV models: holdout tracking, conditional expectations, p_alive, CLV."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import axes, finish, legend_above, phrase
from ._summary import summary_histograms

__all__ = ["clv_distribution", "clv_tracking", "conditional_expectations", "p_alive_matrix"]


def clv_tracking(result: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Weekly cumulative repeat purchases of the cohort, actual against the model.

    Parameters
    ----------
    result : ecrm.clv.HoldoutResult
        Output of :func:`ecrm.clv.evaluate_holdout`.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (Figure 2).

    Examples
    --------
    >>> import ecrm
    >>> res = ecrm.clv.evaluate_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                 calibration_end="1997-09-30", holdout_end="1998-06-30")
    >>> ax = ecrm.plotting.clv_tracking(res)
    >>> [line.get_label() for line in ax.get_lines()[:2]]
    ['Actual', 'Model']
    """
    ax = axes(ax)
    track = result.tracking
    ax.plot(track.index, track["actual"], color="#333333", label=phrase("actual", lang))
    ax.plot(track.index, track["predicted"], color="#C44E52", linestyle="--", label=phrase("model", lang))
    split = track.index[track["week_end"] <= track.attrs["calibration_end"]]
    if len(split):
        ax.axvline(
            split[-1], color="grey", linewidth=0.8, linestyle=":", label=phrase("calibration_end", lang)
        )
    legend_above(ax)
    return finish(
        ax,
        phrase("clv_tracking", lang),
        phrase("week", lang),
        phrase("repeat_purchases_cumulative", lang),
        lang,
    )


def conditional_expectations(result: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Mean holdout purchases by calibration frequency 0..7+, actual against the model.

    Parameters
    ----------
    result : ecrm.clv.HoldoutResult
        Output of :func:`ecrm.clv.evaluate_holdout`.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (Figure 4).

    Examples
    --------
    >>> import ecrm
    >>> res = ecrm.clv.evaluate_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                 calibration_end="1997-09-30", holdout_end="1998-06-30")
    >>> ax = ecrm.plotting.conditional_expectations(res)
    >>> len(ax.get_lines()[0].get_xdata())
    8
    """
    ax = axes(ax)
    table = result.conditional
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", color="#333333", label=phrase("actual", lang))
    ax.plot(x, table["predicted"], marker="s", color="#C44E52", linestyle="--", label=phrase("model", lang))
    ax.set_xticks(x, [str(k) for k in table.index])
    legend_above(ax)
    return finish(
        ax,
        phrase("conditional_expectations", lang),
        phrase("repeat_purchases_calibration", lang),
        phrase("repeat_purchases_holdout", lang),
        lang,
    )


def p_alive_matrix(
    model: Any,
    *,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    lang: str = "en",
    ax: Any = None,
) -> Any:
    """Probability alive by frequency and recency, for a customer of the largest age.

    Parameters
    ----------
    model : ecrm.clv.CLVModel
        A fitted model.
    max_frequency : int, optional
        Largest frequency shown; default the 99th percentile of the fitted customers.
    max_recency : float, optional
        Largest recency shown; default the largest ``T`` (the age every cell uses).
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
    easy way. *Marketing Science* 24(2), 275-284 (eq. 11).

    Examples
    --------
    >>> import ecrm
    >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
    ...                             time_unit="W")
    >>> ax = ecrm.plotting.p_alive_matrix(ecrm.clv.CLVModel(spend_model=None).fit(cal))
    >>> ax.get_xlabel()
    'Time from first to last purchase (weeks)'
    """
    model._check_fitted()
    ax = axes(ax)
    frequency = np.asarray(model._cols["frequency"])
    age = float(np.max(model._cols["T"]))
    f_max = int(np.percentile(frequency, 99)) if max_frequency is None else int(max_frequency)
    t_max = age if max_recency is None else float(max_recency)
    freq_grid, rec_grid = np.meshgrid(np.arange(f_max + 1), np.linspace(0, t_max, 60), indexing="ij")
    alive = model.purchase_fitter_.conditional_probability_alive(
        freq_grid.ravel(), rec_grid.ravel(), np.full(freq_grid.size, age)
    )
    image = ax.imshow(
        np.asarray(alive, dtype=float).reshape(freq_grid.shape),
        origin="lower",
        aspect="auto",
        extent=(0, t_max, -0.5, f_max + 0.5),
        vmin=0,
        vmax=1,
        cmap="viridis",
    )
    ax.figure.colorbar(image, ax=ax, label=phrase("p_alive", lang))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # purchases are whole numbers
    unit = phrase(f"unit_{model.time_unit_}", lang)
    return finish(
        ax,
        phrase("p_alive_matrix", lang, age=f"{age:,.0f}", unit=unit),
        phrase("recency_in", lang, unit=unit),
        phrase("repeat_purchases", lang),
        lang,
    )


def clv_distribution(
    clv: pd.Series | pd.DataFrame, *, bins: int = 50, lang: str = "en", ax: Any = None
) -> Any:
    """Histogram of predicted customer lifetime value on a log count axis.

    Parameters
    ----------
    clv : pandas.Series or pandas.DataFrame
        CLV per customer, or the output of :meth:`ecrm.clv.CLVModel.predict_clv`.
    bins : int
        Number of bins.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using iso-value
    curves for customer base analysis. *Journal of Marketing Research* 42(4), 415-430.

    Examples
    --------
    >>> import ecrm
    >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
    ...                             time_unit="W")
    >>> ax = ecrm.plotting.clv_distribution(ecrm.clv.CLVModel().fit(cal).predict_clv())
    >>> ax.get_xlabel()
    'CLV'
    """
    values = np.asarray(clv["clv"] if isinstance(clv, pd.DataFrame) else clv, dtype=float)
    ax = summary_histograms(pd.DataFrame({"CLV": values}), "CLV", bins=bins, lang=lang, ax=ax)
    mean = float(np.mean(values))
    ax.axvline(mean, color="#C44E52", linestyle="--", label=phrase("mean_value", lang, value=f"{mean:,.2f}"))
    legend_above(ax)
    return finish(
        ax, phrase("clv_distribution", lang, n=len(values)), "CLV", phrase("customers_log", lang), lang
    )
