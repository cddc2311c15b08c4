"""Figures of the loyalty-point ledger."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._display import column_label
from ._base import axes, finish, legend_above, legend_outside, phrase, plain_numbers, table_input

__all__ = ["points_flow", "tier_mix"]


def points_flow(summary: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Points issued, redeemed and expired per period, with the net change as a line.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :meth:`ecrm.loyalty.Ledger.summary`.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    IFRS Foundation (2014). IFRS 15 *Revenue from Contracts with Customers*, B39-B47
    (points issued defer revenue; redemption and breakage release it).

    Examples
    --------
    >>> import ecrm
    >>> ledger = ecrm.loyalty.Ledger(ecrm.datasets.make_loyalty_events(50))
    >>> ax = ecrm.plotting.points_flow(ledger.summary())
    >>> ax.get_ylabel()
    'Points'
    """
    summary = table_input(summary, "points_flow", ["issued", "redeemed", "expired", "net_change"])
    ax = axes(ax)
    x = np.arange(len(summary))
    width = 0.27
    for i, (col, color) in enumerate(
        (("issued", "#4C72B0"), ("redeemed", "#55A868"), ("expired", "#C44E52"))
    ):
        ax.bar(
            x + (i - 1) * width, summary[col].to_numpy(), width, label=column_label(col, lang), color=color
        )
    ax.plot(
        x, summary["net_change"].to_numpy(), color="black", marker=".", label=column_label("net_change", lang)
    )
    ax.axhline(0, color="grey", linewidth=0.5)
    _period_ticks(ax, summary.index)
    plain_numbers(ax.yaxis)
    legend_above(ax)
    return finish(ax, phrase("points_flow", lang), phrase("period", lang), phrase("points", lang), lang)


def _period_ticks(ax: Any, periods: pd.Index) -> None:
    """Period labels, every n-th one so that at most twelve show, horizontal."""
    step = max(1, -(-len(periods) // 12))
    positions = np.arange(0, len(periods), step)
    ax.set_xticks(positions, [str(periods[i]) for i in positions], rotation=45, ha="right")


def tier_mix(history: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """Members per tier at the end of each period, as stacked bars.

    Parameters
    ----------
    history : pandas.DataFrame
        Output of :meth:`ecrm.loyalty.Ledger.tier_history` (tier columns first, then
        ``upgrades`` and ``downgrades``, which are not drawn).
    lang : {"en", "zh"}
        Language of the title and labels (tier names are drawn as given).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    IFRS Foundation (2014). IFRS 15, B40 (tier benefits as part of the material right).

    Examples
    --------
    >>> import ecrm
    >>> ledger = ecrm.loyalty.Ledger(ecrm.datasets.make_loyalty_events(50))
    >>> ax = ecrm.plotting.tier_mix(ledger.tier_history())
    >>> ax.get_xlabel()
    'Period'
    """
    history = table_input(history, "tier_mix")
    ax = axes(ax)
    tiers = [c for c in history.columns if c not in ("upgrades", "downgrades")]
    x = np.arange(len(history))
    bottom = np.zeros(len(history))
    colors = ["#A8A9AD", "#D4AF37", "#222222", "#4C72B0", "#55A868"]
    for i, tier in enumerate(tiers):
        values = history[tier].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, label=str(tier), color=colors[i % len(colors)])
        bottom += values
    _period_ticks(ax, history.index)
    plain_numbers(ax.yaxis)
    handles, labels = ax.get_legend_handles_labels()
    legend_outside(ax, handles=handles[::-1], labels=labels[::-1])  # top tier on top, as stacked
    return finish(ax, phrase("tier_mix", lang), phrase("period", lang), column_label("members", lang), lang)
