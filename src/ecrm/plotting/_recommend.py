"""Figures of co-purchase rules and recommenders (:mod:`ecrm.recommend`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _labels
from ._base import axes, finish, legend_above, table_input

__all__ = ["recall_at_k", "rules_scatter"]


def _name(items: tuple) -> str:
    return ", ".join(map(str, items))


def rules_scatter(
    rules: pd.DataFrame, *, top: int = 50, annotate: int = 5, lang: str = "en", ax: Any = None
) -> Any:
    """The strongest co-purchase rules: lift against confidence, point area by support.

    Parameters
    ----------
    rules : pandas.DataFrame
        Output of :func:`ecrm.recommend.association_rules` (sorted by lift).
    top : int
        Rules drawn: the first ``top`` rows.
    annotate : int
        The first rules labelled "antecedent → consequent".
    lang : {"en", "zh"}
        Language of the title and axis labels.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Agrawal, R. and Srikant, R. (1994). Fast algorithms for mining association rules.
    *Proceedings of the 20th VLDB Conference*, 487-499.

    Examples
    --------
    >>> import ecrm
    >>> lines = ecrm.datasets.make_baskets(2_000, 100, random_state=0)
    >>> rules = ecrm.recommend.association_rules(lines, min_support=0.005, order_col="order_id")
    >>> ax = ecrm.plotting.rules_scatter(rules, top=20, annotate=3)
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.texts)
    ('Confidence', 'Lift', 3)
    """
    rules = table_input(rules, "rules_scatter", ["support", "confidence", "lift"])
    _labels.check_lang(lang)
    ax = axes(ax)
    shown = rules.head(top)
    support = shown["support"].to_numpy(dtype=float)
    area = 20 + 300 * support / support.max() if len(shown) else support
    ax.scatter(shown["confidence"], shown["lift"], s=area, alpha=0.6, color="#4C72B0", edgecolor="white")
    for _, row in shown.head(annotate).iterrows():  # a handful of labels
        text = f"{_name(row['antecedent'])} → {_name(row['consequent'])}"
        ax.annotate(
            text, (row["confidence"], row["lift"]), fontsize=8, xytext=(4, 4), textcoords="offset points"
        )
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)

    def word(key: str) -> str:
        return _labels.label(_labels.RECOMMEND_METRICS, key, lang)

    title = f"{_labels.label(_labels.RECOMMEND_TEXT, 'top_rules', lang)} (n = {len(shown)})"
    return finish(ax, title, word("confidence"), word("lift"), lang)


def recall_at_k(evaluation: pd.DataFrame, *, metric: str = "recall", lang: str = "en", ax: Any = None) -> Any:
    """A ranking metric at each list length k, one line per model (bars for one k).

    Parameters
    ----------
    evaluation : pandas.DataFrame
        Output of :func:`ecrm.recommend.evaluate` (indexed by model and k).
    metric : str
        Column to draw: ``"recall"`` (default), ``"precision"``, ``"map"``, ``"ndcg"``,
        ``"hit_rate"`` or ``"coverage"``.
    lang : {"en", "zh"}
        Language of the title and axis labels.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Cremonesi, P., Koren, Y. and Turrin, R. (2010). Performance of recommender
    algorithms on top-N recommendation tasks. *Proceedings of ACM RecSys*, 39-46.

    Examples
    --------
    >>> import ecrm
    >>> lines = ecrm.datasets.make_baskets(2_000, 100, random_state=0)
    >>> table = ecrm.recommend.evaluate(ecrm.recommend.ItemKNN(), lines, split_date="2024-01-01",
    ...                                 k=[1, 5, 10])
    >>> ax = ecrm.plotting.recall_at_k(table)
    >>> [line.get_label() for line in ax.get_lines()]
    ['ItemKNN', 'popularity baseline']
    """
    evaluation = table_input(evaluation, "recall_at_k", [metric])
    _labels.check_lang(lang)
    ax = axes(ax)
    values = evaluation[metric].unstack("k")
    ks = values.columns.to_numpy()
    if ks.size == 1:
        ax.bar(np.arange(len(values)), values.iloc[:, 0].to_numpy(), color="#4C72B0")
        ax.set_xticks(np.arange(len(values)), [str(m) for m in values.index])
        xlabel = None
    else:
        for model, row in values.iterrows():  # one line per model: a handful
            ax.plot(ks, row.to_numpy(), marker="o", label=str(model))
        ax.set_xticks(ks)
        legend_above(ax)
        xlabel = _labels.label(_labels.RECOMMEND_TEXT, "list_length", lang)
    name = (
        _labels.label(_labels.RECOMMEND_METRICS, metric, lang)
        if metric in _labels.RECOMMEND_METRICS
        else metric
    )
    ax.set_ylim(bottom=0)
    title = _labels.label(_labels.RECOMMEND_TEXT, "recall_by_model", lang)
    if metric != "recall":
        title = f"{name} @ k"
    return finish(ax, title, xlabel, name, lang)
