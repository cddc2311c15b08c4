"""Figures of the loyalty-point ledger."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._base import axes, finish

__all__ = ["points_flow", "tier_mix"]


def points_flow(summary: pd.DataFrame, *, ax: Any = None) -> Any:
    """Points issued, redeemed and expired per period, with the net change as a line.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :meth:`ecrm.loyalty.Ledger.summary`.
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
    'points'
    """
    ax = axes(ax)
    x = np.arange(len(summary))
    width = 0.27
    for i, (col, color) in enumerate(
        (("issued", "#4C72B0"), ("redeemed", "#55A868"), ("expired", "#C44E52"))
    ):
        ax.bar(x + (i - 1) * width, summary[col].to_numpy(), width, label=col, color=color)
    ax.plot(x, summary["net_change"].to_numpy(), color="black", marker=".", label="net change")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.set_xticks(x, [str(p) for p in summary.index], rotation=90, fontsize=7)
    ax.legend(fontsize=8)
    return finish(ax, "Points issued, redeemed and expired per period", "period", "points")


def tier_mix(history: pd.DataFrame, *, ax: Any = None) -> Any:
    """Members per tier at the end of each period, as stacked bars.

    Parameters
    ----------
    history : pandas.DataFrame
        Output of :meth:`ecrm.loyalty.Ledger.tier_history` (tier columns first, then
        ``upgrades`` and ``downgrades``, which are not drawn).
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
    'period'
    """
    ax = axes(ax)
    tiers = [c for c in history.columns if c not in ("upgrades", "downgrades")]
    x = np.arange(len(history))
    bottom = np.zeros(len(history))
    colors = ["#A8A9AD", "#D4AF37", "#222222", "#4C72B0", "#55A868"]
    for i, tier in enumerate(tiers):
        values = history[tier].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, label=str(tier), color=colors[i % len(colors)])
        bottom += values
    ax.set_xticks(x, [str(p) for p in history.index], rotation=90, fontsize=7)
    ax.legend(fontsize=8)
    return finish(ax, "Members per tier at period end", "period", "members")
