"""Figures of customer-service levels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _labels
from .._display import column_label, value_label
from ._base import axes, finish, legend_above, phrase, table_input

__all__ = ["sla_dashboard"]

_BARS = ("response_within_sla", "resolution_within_sla", "first_contact_resolution")
_BAR_KPI = {
    "response_within_sla": "first_response_time",
    "resolution_within_sla": "resolution_time",
    "first_contact_resolution": "first_contact_resolution",
}


def sla_dashboard(sla: pd.DataFrame, *, target: float = 0.9, lang: str = "en", ax: Any = None) -> Any:
    """Grouped bars of the SLA shares and first-contact resolution, with a target line.

    Parameters
    ----------
    sla : pandas.DataFrame
        Output of :func:`ecrm.service.sla` (one bar group per row).
    target : float
        Target share drawn as a dashed line (default 0.9, the common first-contact
        resolution standard).
    lang : {"en", "zh"}
        Language of the legend.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    ISO 18295-1:2017, *Customer contact centres — Requirements for customer contact
    centres*.

    Examples
    --------
    >>> import ecrm
    >>> s = ecrm.service.sla(ecrm.datasets.make_tickets(500), by="channel")
    >>> ax = ecrm.plotting.sla_dashboard(s)
    >>> len(ax.patches)
    12
    """
    sla = table_input(sla, "sla_dashboard", ["response_within_sla", "resolution_within_sla"])
    _labels.check_lang(lang)
    ax = axes(ax)
    x = np.arange(len(sla))
    width = 0.8 / len(_BARS)
    for i, column in enumerate(_BARS):  # three bar series
        name = _labels.label(_labels.KPIS, _BAR_KPI[column], lang)
        if column != "first_contact_resolution":
            hours = sla.attrs.get("response_hours" if i == 0 else "resolution_hours")
            name = phrase("within_hours", lang, name=name, hours=f"{hours:g}")
        ax.bar(x + (i - 1) * width, sla[column].to_numpy(dtype=float), width, label=name)
    ax.axhline(
        target,
        color="grey",
        linestyle="--",
        linewidth=1,
        label=phrase("target", lang, target=f"{target:.0%}"),
    )
    ax.set_xticks(x, [value_label(g, lang) for g in sla.index])
    ax.set_ylim(0, 1.05)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    legend_above(ax, ncol=2)
    xlabel = column_label(str(sla.index.name), lang) if sla.index.name else ""
    return finish(ax, phrase("sla_dashboard", lang), xlabel, phrase("share_of_tickets", lang), lang)
