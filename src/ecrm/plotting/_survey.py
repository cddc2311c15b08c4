"""Figures of survey scores: NPS bars, NPS trends, score distributions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _schema
from .._labels import NPS_CATEGORIES, SURVEY_METRICS, check_lang
from ._base import axes, finish, legend_above, legend_outside, phrase, table_input

__all__ = ["nps_bar", "nps_trend", "score_distribution"]

# Detractor red, passive grey, promoter green.
_COLOURS = {"detractor": "#C44E52", "passive": "#B0B0B0", "promoter": "#55A868"}


def _as_table(result: pd.DataFrame | pd.Series) -> pd.DataFrame:
    return result.to_frame().T if isinstance(result, pd.Series) else result


def nps_bar(result: pd.DataFrame | pd.Series, *, lang: str = "en", ax: Any = None) -> Any:
    """Stacked detractor / passive / promoter shares per group, with NPS and interval.

    Parameters
    ----------
    result : DataFrame or Series
        Output of :func:`ecrm.survey.nps` (grouped or not).
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per group, the NPS and its interval written right of the bar, the legend
        below the axes.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "score": [10, 9, 7, 2, 3, 5, 8, 10]})
    >>> ax = ecrm.plotting.nps_bar(ecrm.survey.nps(df, by="g"))
    >>> ax.get_xlabel()
    'Share of responses (%)'
    """
    shares = ["promoter_share", "passive_share", "detractor_share", "nps"]
    result = table_input(result, "nps_bar", shares, series=True)
    check_lang(lang)
    table = _as_table(result)
    ax = axes(ax, figsize=(6.4, 0.45 * len(table) + 1.8))
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for key in ("detractor", "passive", "promoter"):
        width = 100 * table[f"{key}_share"].to_numpy(dtype=float)
        ax.barh(y, width, left=left, color=_COLOURS[key], label=NPS_CATEGORIES[key][lang])
        left += width
    for i, row in enumerate(table.itertuples()):  # one label per bar drawn
        text = f"NPS {row.nps:.0f}"
        if np.isfinite(row.ci_low):
            text += f" [{row.ci_low:.0f}, {row.ci_high:.0f}]"
        ax.text(101, i, text, va="center", fontsize=9)
    names = [", ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in table.index]
    ax.set_yticks(y, names if isinstance(result, pd.DataFrame) else [""])
    ax.set_xlim(0, 130)
    ax.set_xticks(range(0, 101, 20))
    ax.invert_yaxis()
    legend_above(ax)
    return finish(ax, SURVEY_METRICS["nps"][lang], phrase("share_of_responses", lang), None, lang)


def nps_trend(trend: pd.DataFrame, *, lang: str = "en", ax: Any = None) -> Any:
    """NPS per period as a line with its interval band; significant changes marked.

    Parameters
    ----------
    trend : DataFrame
        Output of :func:`ecrm.survey.nps_trend` (one line per group when grouped).
    lang : {"en", "zh"}
        Label language of the title.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician* 70. Preprint arXiv:1601.07235.

    Examples
    --------
    >>> import ecrm
    >>> s = ecrm.datasets.make_surveys(2_000, 300, random_state=0)
    >>> ax = ecrm.plotting.nps_trend(ecrm.survey.nps_trend(s, score_col="nps_score"))
    >>> ax.get_ylabel()
    'NPS'
    """
    trend = table_input(trend, "nps_trend", ["nps", "ci_low", "ci_high", "significant"])
    check_lang(lang)
    ax = axes(ax)
    if trend.index.nlevels == 1:
        groups = [(None, trend)]
    else:  # one line per group: a handful of groups, not one per row
        levels = list(range(trend.index.nlevels - 1))
        by = levels[0] if len(levels) == 1 else levels  # a scalar level keeps scalar keys
        groups = list(trend.groupby(level=by, sort=False, observed=True))
    for key, part in groups:
        period = part.index.get_level_values(-1)
        line = ax.plot(period, part["nps"], marker="o", label=None if key is None else str(key))[0]
        ax.fill_between(period, part["ci_low"], part["ci_high"], color=line.get_color(), alpha=0.2)
        flagged = part["significant"].to_numpy(dtype=bool)
        ax.scatter(
            period[flagged],
            part["nps"].to_numpy()[flagged],
            s=80,
            facecolors="none",
            edgecolors="black",
            zorder=3,
        )
    ax.axhline(0, color="grey", linewidth=0.8)
    if len(groups) > 1:
        legend_outside(ax)
    title = phrase(
        "nps_trend", lang, nps=SURVEY_METRICS["nps"][lang], level=f"{trend.attrs.get('level', 0.95):.0%}"
    )
    return finish(ax, title, phrase("period", lang), "NPS", lang)


def score_distribution(
    scores: Any, *, scale: tuple[int, int] = (0, 10), lang: str = "en", ax: Any = None
) -> Any:
    """Bar chart of how many responses gave each score; NPS colours on the 0..10 scale.

    Parameters
    ----------
    scores : Series, list or array of int
        Answers on ``scale`` (validated as in :func:`ecrm.survey.nps`).
    scale : (int, int)
        Lowest and highest answer.
    lang : {"en", "zh"}
        Label language.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import ecrm
    >>> ax = ecrm.plotting.score_distribution([10, 9, 9, 7, 3])
    >>> len(ax.patches), [p.get_facecolor()[:3] for p in ax.get_legend().get_patches()][0]
    (11, (0.7686274509803922, 0.3058823529411765, 0.3215686274509804))
    """
    from .. import survey

    check_lang(lang)
    low, high = _schema.scale(scale, "scale", "score_distribution")
    frame = survey._as_frame(scores, "score", "score_distribution")
    values, _ = survey._scores(frame, "score", (low, high), "score_distribution", "raise")
    counts = np.bincount(values - low, minlength=high - low + 1)
    points = np.arange(low, high + 1)
    ax = axes(ax)
    if (low, high) == survey.NPS_SCALE:
        from matplotlib.patches import Patch

        keys = np.array(list(NPS_CATEGORIES))[survey._categories(points)]
        colours = [_COLOURS[k] for k in keys]
        # Legend patches in the bars' own colours (an empty bar() takes the default colour).
        handles = [
            Patch(color=_COLOURS[k], label=NPS_CATEGORIES[k][lang])
            for k in ("detractor", "passive", "promoter")
        ]
        legend_above(ax, handles=handles)
    else:
        colours = ["#4C72B0"] * len(points)
    ax.bar(points, counts, color=colours)
    ax.set_xticks(points)
    return finish(
        ax,
        phrase("score_distribution", lang, n=values.size),
        phrase("score", lang),
        phrase("responses", lang),
        lang,
    )
