"""Figures of the purchase and retention models (ecrm.clv).

Holdout tracking and conditional expectations (calibration against holdout), the
model's against the actual numbers of customers by repeat purchases, the
frequency/recency matrices of P(alive) and of expected purchases, a customer's P(alive)
over time, the CLV distribution and the sBG survival curve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _labels
from ..clv import CLVModel, HoldoutResult, SBGModel
from ._base import axes, finish, fitted_input, legend_above, legend_outside, plain_numbers, table_input
from ._summary import summary_histograms

__all__ = [
    "alive_history",
    "clv_distribution",
    "clv_tracking",
    "conditional_expectations",
    "expected_purchases_matrix",
    "p_alive_matrix",
    "purchase_frequency_fit",
    "sbg_survival",
]


def _text(key: str, lang: str, **fields: object) -> str:
    return _labels.label(_labels.CLV_FIGURES, key, lang).format(**fields)


def clv_tracking(result: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Weekly cumulative repeat purchases of the cohort, actual against the model.

    Parameters
    ----------
    result : ecrm.clv.HoldoutResult
        Output of :func:`ecrm.clv.evaluate_holdout`.
    lang : {"en", "zh"}
        Label language.
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
    fitted_input(result, HoldoutResult, "clv_tracking", "tracking")
    _labels.check_lang(lang)
    ax = axes(ax)
    track = result.tracking
    ax.plot(track.index, track["actual"], color="#333333", label=_text("actual", lang))
    ax.plot(track.index, track["predicted"], color="#C44E52", linestyle="--", label=_text("model", lang))
    split = track.index[track["week_end"] <= track.attrs["calibration_end"]]
    if len(split):
        ax.axvline(
            split[-1], color="grey", linewidth=0.8, linestyle=":", label=_text("calibration_end", lang)
        )
    legend_above(ax)
    return finish(
        ax, _text("tracking_title", lang), _text("week", lang), _text("cumulative_repeat", lang), lang
    )


def conditional_expectations(
    result: Any, split: pd.DataFrame | None = None, *, lang: str = "en", ax: Any = None
) -> Any:
    """Calibration against holdout: mean holdout purchases by calibration frequency 0..7+.

    Parameters
    ----------
    result : ecrm.clv.HoldoutResult or ecrm.clv.CLVModel
        Output of :func:`ecrm.clv.evaluate_holdout`, or a model fitted on ``split``.
    split : pandas.DataFrame, optional
        With a model: the :func:`ecrm.clv.calibration_holdout` frame it was fitted on.
    lang : {"en", "zh"}
        Label language.
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

    The same from a calibration/holdout split and a model of one's choice:

    >>> split = ecrm.clv.calibration_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                      calibration_end="1997-09-30", time_unit="W")
    >>> model = ecrm.clv.CLVModel(purchase_model="paretonbd").fit(split)
    >>> ax = ecrm.plotting.conditional_expectations(model, split)
    >>> ax.get_lines()[1].get_ydata()[-2:].round(2).tolist()
    [3.82, 6.4]
    """
    if isinstance(result, CLVModel):  # a model with its own calibration/holdout split
        fitted_input(result, CLVModel, "conditional_expectations", "params_")
    else:
        fitted_input(result, HoldoutResult, "conditional_expectations", "conditional")
    _labels.check_lang(lang)
    if split is None:
        table = result.conditional
    else:
        from ..clv._holdout import conditional_table, holdout_comparison

        table = conditional_table(holdout_comparison(result, split))
    ax = axes(ax)
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", color="#333333", label=_text("actual", lang))
    ax.plot(x, table["predicted"], marker="s", color="#C44E52", linestyle="--", label=_text("model", lang))
    ax.set_xticks(x, [str(k) for k in table.index])
    legend_above(ax)
    return finish(
        ax,
        _text("conditional_title", lang),
        _text("calibration_purchases", lang),
        _text("holdout_mean", lang),
        lang,
    )


def purchase_frequency_fit(model: Any, *, max_frequency: int = 7, lang: str = "en", ax: Any = None) -> Any:
    """Customers by number of repeat purchases in calibration: the model's against the actual.

    The model's count for ``x`` repeat purchases is the sum over the fitted customers of
    P(X(T) = x) at each customer's own age ``T``; the last bar gathers ``max_frequency``
    and more.

    Parameters
    ----------
    model : ecrm.clv.CLVModel
        A fitted model.
    max_frequency : int
        The last bar is ``max_frequency+``.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (Figure 1).

    Examples
    --------
    >>> import ecrm
    >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
    ...                             time_unit="W")
    >>> ax = ecrm.plotting.purchase_frequency_fit(ecrm.clv.CLVModel(spend_model=None).fit(cal))
    >>> [t.get_text() for t in ax.get_xticklabels()][-1]
    '7+'
    """
    fitted_input(model, CLVModel, "purchase_frequency_fit", "params_")
    _labels.check_lang(lang)
    patterns = model.patterns_
    k = np.arange(max_frequency)
    actual = np.bincount(
        np.minimum(patterns["frequency"].to_numpy(), max_frequency).astype(int),
        weights=patterns["n_customers"].to_numpy(),
        minlength=max_frequency + 1,
    )[: max_frequency + 1]
    ages = patterns.groupby("T")["n_customers"].sum()
    expected = np.zeros(max_frequency + 1)
    for age, count in ages.items():  # one call per distinct age, vectorised over counts
        probs = model.probability_of_purchases(age, k).to_numpy()
        expected[:max_frequency] += count * probs
        expected[max_frequency] += count * max(1.0 - probs.sum(), 0.0)
    ax = axes(ax)
    x = np.arange(max_frequency + 1)
    ax.bar(x - 0.2, actual, width=0.4, color="#333333", label=_text("actual", lang))
    ax.bar(x + 0.2, expected, width=0.4, color="#C44E52", label=_text("model", lang))
    ax.set_xticks(x, [str(v) for v in k] + [f"{max_frequency}+"])
    plain_numbers(ax.yaxis)
    legend_above(ax)
    return finish(
        ax,
        _text("frequency_fit_title", lang),
        _text("repeat_purchases", lang),
        _text("customers", lang),
        lang,
    )


def _grid(model: Any, max_frequency: int | None, max_recency: float | None):
    """A summary grid (frequency x recency) at the largest age of the fitted customers."""
    model._check_fitted()
    patterns = model.patterns_
    age = float(patterns["T"].max())
    if max_frequency is None:
        order = np.argsort(patterns["frequency"].to_numpy())
        cum = np.cumsum(patterns["n_customers"].to_numpy()[order])
        max_frequency = int(patterns["frequency"].to_numpy()[order][np.searchsorted(cum, 0.99 * cum[-1])])
    t_max = age if max_recency is None else float(max_recency)
    discrete = model.purchase_model == "bgbb"
    recencies = np.arange(int(t_max) + 1, dtype=float) if discrete else np.linspace(0, t_max, 60)
    freq, rec = np.meshgrid(np.arange(int(max_frequency) + 1), recencies, indexing="ij")
    rec = np.where(freq == 0, 0.0, rec)  # with no repeat purchase, recency is 0 (row 0 is flat)
    valid = freq <= rec if discrete else np.ones(freq.shape, dtype=bool)  # BG/BB: one per opportunity
    valid |= freq == 0
    summary = pd.DataFrame(
        {"frequency": freq[valid], "recency": rec[valid], "T": np.full(int(valid.sum()), age)}
    )
    summary.attrs["time_unit"] = model.time_unit_
    return summary, valid, freq.shape, age, t_max


def _matrix(model, values_of, max_frequency, max_recency, ax, colour_label, title, lang, vmax=None):
    summary, valid, shape, age, t_max = _grid(model, max_frequency, max_recency)
    grid = np.full(shape, np.nan)
    grid[valid] = values_of(summary).to_numpy()
    ax = axes(ax)
    image = ax.imshow(
        grid, origin="lower", aspect="auto", extent=(0, t_max, -0.5, shape[0] - 0.5),
        vmin=0, vmax=vmax, cmap="viridis",
    )  # fmt: skip
    ax.figure.colorbar(image, ax=ax, label=colour_label)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # purchases are whole numbers
    unit = (
        _text(f"unit_{model.time_unit_}", lang)
        if model.time_unit_ in ("D", "W", "M")
        else _text("period", lang)
    )
    return finish(
        ax, title(f"{age:,.0f}", unit), _text("recency", lang, unit=unit), _text("frequency", lang), lang
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
        Label language.
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
    fitted_input(model, CLVModel, "p_alive_matrix", "params_")
    _labels.check_lang(lang)

    def title(age, unit):
        return _text("p_alive_title", lang, age=age, unit=unit)

    return _matrix(
        model, model.p_alive, max_frequency, max_recency, ax, _text("p_alive", lang), title, lang, 1.0
    )


def expected_purchases_matrix(
    model: Any,
    t: float,
    *,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    lang: str = "en",
    ax: Any = None,
) -> Any:
    """Expected purchases in the next ``t`` by frequency and recency, at the largest age.

    Parameters
    ----------
    model : ecrm.clv.CLVModel
        A fitted model.
    t : float
        Length of the future window in the model's ``time_unit_``.
    max_frequency, max_recency
        As in :func:`p_alive_matrix`.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (eq. 10, Figure 5).

    Examples
    --------
    >>> import ecrm
    >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
    ...                             time_unit="W")
    >>> ax = ecrm.plotting.expected_purchases_matrix(ecrm.clv.CLVModel(spend_model=None).fit(cal), 39)
    >>> ax.get_title()
    'Expected purchases in the next 39 weeks (customer age 39 weeks)'
    """
    fitted_input(model, CLVModel, "expected_purchases_matrix", "params_")
    _labels.check_lang(lang)

    def values_of(summary):
        return model.expected_purchases(t, summary)

    def title(age, unit):
        return _text("expected_title", lang, t=f"{t:g}", age=age, unit=unit)

    return _matrix(
        model, values_of, max_frequency, max_recency, ax, _text("expected_purchases", lang), title, lang
    )


def alive_history(history: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Each customer's probability alive over time.

    Parameters
    ----------
    history : pandas.DataFrame
        Output of :meth:`ecrm.clv.CLVModel.p_alive_history` (one column per customer).
    lang : {"en", "zh"}
        Label language.
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
    >>> tx = ecrm.datasets.load_cdnow_sample()
    >>> cal = ecrm.customer_summary(tx, as_of="1997-09-30", time_unit="W")
    >>> model = ecrm.clv.CLVModel(spend_model=None).fit(cal)
    >>> ax = ecrm.plotting.alive_history(model.p_alive_history(tx, [1, 2], end="1997-09-30"))
    >>> len(ax.get_lines())
    2
    """
    history = table_input(history, "alive_history")
    _labels.check_lang(lang)
    ax = axes(ax)
    for customer in history.columns:
        ax.plot(history.index, history[customer], label=str(customer))
    ax.set_ylim(0, 1.02)
    legend_outside(ax)
    return finish(ax, _text("alive_history_title", lang), _text("date", lang), _text("p_alive", lang), lang)


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
        Label language.
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
    clv = table_input(clv, "clv_distribution", [] if isinstance(clv, pd.Series) else ["clv"], series=True)
    _labels.check_lang(lang)
    values = np.asarray(clv["clv"] if isinstance(clv, pd.DataFrame) else clv, dtype=float)
    values = values[np.isfinite(values)]  # customers without a CLV (left out of the spend model)
    label = _text("clv", lang)
    ax = summary_histograms(pd.DataFrame({label: values}), label, bins=bins, lang=lang, ax=ax)
    mean = float(np.mean(values))
    ax.axvline(mean, color="#C44E52", linestyle="--", label=_text("mean", lang, value=f"{mean:,.2f}"))
    legend_above(ax)
    return finish(
        ax, _text("clv_title", lang, n=f"{len(values):,}"), label, _text("customers_log", lang), lang
    )


def sbg_survival(model: Any, periods: int | None = None, *, lang: str = "en", ax: Any = None) -> Any:
    """Observed survival of each cohort and the sBG model's survival curve, projected.

    Parameters
    ----------
    model : ecrm.clv.SBGModel
        A fitted model.
    periods : int, optional
        Last period of the curve; default twice the longest observed cohort.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing* 21(1), 76-90 (Figure 6).

    Examples
    --------
    >>> import ecrm
    >>> active = ecrm.datasets.load_retention_cohorts()["high_end"].iloc[:8]
    >>> ax = ecrm.plotting.sbg_survival(ecrm.clv.SBGModel().fit(active), 12)
    >>> len(ax.get_lines())  # the observed cohort, the model, the end of the data
    3
    """
    fitted_input(model, SBGModel, "sbg_survival", "params_")
    _labels.check_lang(lang)
    observed = model.observed_
    last = periods if periods is not None else 2 * (len(observed) - 1)
    curve = model.survival(int(last))
    ax = axes(ax)
    for cohort in observed.columns:
        ax.plot(np.arange(len(observed)), observed[cohort], marker="o", linestyle="none",
                label=f"{_text('observed', lang)}: {cohort}")  # fmt: skip
    ax.plot(curve.index, curve.to_numpy(), color="#C44E52", linestyle="--", label=_text("model", lang))
    ax.axvline(len(observed) - 1, color="grey", linewidth=0.8, linestyle=":")
    ax.set_ylim(0, 1.02)
    legend_outside(ax)
    return finish(
        ax, _text("survival_title", lang), _text("period", lang), _text("surviving_share", lang), lang
    )
