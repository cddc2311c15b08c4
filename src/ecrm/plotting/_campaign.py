"""Figures of a campaign: lift by segment, cumulative conversion by group, Qini curves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import _schema
from .._labels import CAMPAIGN_TERMS, CAMPAIGN_WORDS, check_lang
from ..campaign import CampaignResult
from ..errors import SchemaError
from ._base import axes, finish, fitted_input, legend_above, table_input

__all__ = ["cumulative_conversion", "lift_by_segment", "qini_curve"]

_METRICS = ("conversion_rate", "orders_per_customer", "revenue_per_customer")
# Treatment blue, control grey: the holdout is the reference.
_GROUP_COLOURS = {"treatment": "#4C72B0", "control": "#8C8C8C"}


def _say(key: str, lang: str) -> str:
    table = CAMPAIGN_TERMS if key in CAMPAIGN_TERMS else CAMPAIGN_WORDS
    return table[key][lang]


def lift_by_segment(
    result: Any,
    *,
    metric: str = "revenue_per_customer",
    estimate: str | None = None,
    lang: str = "en",
    ax: Any = None,
) -> Any:
    """Lift per segment with its interval, beside the overall lift.

    Parameters
    ----------
    result : ecrm.campaign.CampaignResult
        Output of :func:`ecrm.campaign.evaluate` with ``by=``.
    metric : {"conversion_rate", "orders_per_customer", "revenue_per_customer"}
        Which lift to show.
    estimate : {"raw", "cuped"}, optional
        Default ``"cuped"`` for revenue when CUPED was on, else ``"raw"``.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Segments flagged ``small`` are drawn hollow; filled markers whose interval
        misses 0 have a Holm-adjusted p-value that may still exceed 0.05 (see the table).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65-70.

    Examples
    --------
    >>> import ecrm
    >>> assignments, tx = ecrm.datasets.make_campaign(6_000, random_state=0)
    >>> result = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01", by="segment")
    >>> ax = ecrm.plotting.lift_by_segment(result, metric="conversion_rate")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['active', 'at_risk', 'lapsed']
    """
    fitted_input(result, CampaignResult, "lift_by_segment", "lift")
    check_lang(lang)
    _schema.choice(metric, "metric", _METRICS, "lift_by_segment")
    if result.segments is None:
        raise SchemaError("lift_by_segment: the result has no segments; evaluate with by=")
    if estimate is None:
        estimate = "cuped" if metric == "revenue_per_customer" and result.cuped is not None else "raw"
    seg = result.segments
    picked = (seg.index.get_level_values("metric") == metric) & (
        seg.index.get_level_values("estimate") == estimate
    )
    if not picked.any():
        raise SchemaError(f"lift_by_segment: no {estimate!r} estimate of {metric!r} in the result")
    rows = seg[picked]
    names = [
        ", ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in rows.index.droplevel([-2, -1])
    ]
    ax = axes(ax, figsize=(7.0, 0.5 * len(rows) + 1.8))
    y = np.arange(len(rows))
    lift = rows["lift"].to_numpy(dtype=float)
    err = np.vstack(
        [lift - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - lift]
    )
    small = rows["small"].to_numpy(dtype=bool)
    ax.errorbar(lift, y, xerr=err, fmt="none", ecolor=_GROUP_COLOURS["treatment"], capsize=3)
    ax.scatter(lift[~small], y[~small], color=_GROUP_COLOURS["treatment"], zorder=3)
    ax.scatter(lift[small], y[small], facecolors="white", edgecolors=_GROUP_COLOURS["treatment"], zorder=3)
    overall = result.lift.loc[(metric, estimate), "lift"]
    ax.axvline(0, color="black", linewidth=0.8)
    ax.axvline(overall, color=_GROUP_COLOURS["control"], linestyle="--", linewidth=1)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    level = result.settings.get("level", 0.95)
    title = f"{_say('lift_by_segment', lang)}: {_say(metric, lang)} ({level:.0%})"
    return finish(ax, title, _say("lift", lang), _say("segment", lang), lang)


def cumulative_conversion(result: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Share of each group that has converted, day by day through the window.

    Parameters
    ----------
    result : ecrm.campaign.CampaignResult
        Output of :func:`ecrm.campaign.evaluate`.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). Improving the sensitivity of
    online controlled experiments by utilizing pre-experiment data. *WSDM '13*, 123-132.

    Examples
    --------
    >>> import ecrm
    >>> assignments, tx = ecrm.datasets.make_campaign(3_000, random_state=0)
    >>> result = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01")
    >>> ax = ecrm.plotting.cumulative_conversion(result)
    >>> [line.get_label() for line in ax.get_lines()]
    ['Treatment group', 'Control group (holdout)']
    """
    fitted_input(result, CampaignResult, "cumulative_conversion", "lift")
    check_lang(lang)
    customers = result.customers
    window = float(result.settings.get("window_days", np.nanmax(customers["days_to_convert"])))
    ax = axes(ax)
    treated = customers["treated"].to_numpy(dtype=bool)
    days = customers["days_to_convert"].to_numpy(dtype=float)
    for key, mask in (("treatment", treated), ("control", ~treated)):
        converted = np.sort(days[mask][~np.isnan(days[mask])])
        share = np.arange(1, converted.size + 1) / mask.sum()
        x = np.r_[0.0, converted, window]
        y = np.r_[0.0, share, share[-1] if share.size else 0.0]
        ax.step(x, 100 * y, where="post", color=_GROUP_COLOURS[key], label=_say(key, lang))
    ax.set_xlim(0, window)
    legend_above(ax)
    return finish(ax, _say("cumulative_conversion", lang), _say("days_since_start", lang), "%", lang)


def qini_curve(curves: pd.DataFrame | Mapping[str, pd.DataFrame], *, lang: str = "en", ax: Any = None) -> Any:
    """Qini curves of one or more rankings, with the random-targeting line.

    Parameters
    ----------
    curves : DataFrame or dict of str to DataFrame
        Output of :func:`ecrm.campaign.qini_curve`, or several keyed by a name (e.g. the
        uplift model and "highest churn risk first") computed on the same customers.
        The legend shows each curve's Qini area.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building
    and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

    Examples
    --------
    >>> import ecrm
    >>> curve = ecrm.campaign.qini_curve([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 0])
    >>> ax = ecrm.plotting.qini_curve({"model": curve})
    >>> len(ax.get_lines())
    2
    """
    check_lang(lang)
    named = dict(curves) if isinstance(curves, Mapping) else {_say("model", lang): curves}
    for curve in named.values():
        table_input(curve, "qini_curve", ["share", "incremental", "random"], numbers=["share", "incremental"])
    if not named:
        raise SchemaError("qini_curve: no curves given")
    ax = axes(ax)
    for name, curve in named.items():
        area = curve.attrs.get("qini_area", np.nan)
        ax.plot(100 * curve["share"], curve["incremental"], label=f"{name} (area {area:,.2f})")
    first = next(iter(named.values()))
    ax.plot(
        100 * first["share"],
        first["random"],
        color="black",
        linestyle="--",
        linewidth=1,
        label=_say("random_targeting", lang),
    )
    legend_above(ax)
    return finish(
        ax, _say("qini", lang), f"{_say('share_targeted', lang)} (%)", _say("incremental_outcome", lang), lang
    )
