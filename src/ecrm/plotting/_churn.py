"""Figures of churn models: ROC, lift, calibration and feature importance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._display import column_label
from ._base import axes, finish, legend_above, phrase, table_input

__all__ = ["calibration_curve", "feature_importance", "lift_curve", "roc"]


def _scores(y_true: Any, scores: Any, probability: bool = False) -> Mapping[str, np.ndarray]:
    """One score array, or a mapping name -> scores drawn as separate curves; labels and
    scores are checked as :func:`ecrm.churn.score_metrics` checks them (SchemaError)."""
    from ..churn import score_metrics

    named = dict(scores) if isinstance(scores, Mapping) else {"model": scores}
    for values in named.values():
        score_metrics(y_true, values, probability=probability)
    return {str(k): np.asarray(v, dtype=float) for k, v in named.items()}


def roc(y_true: Any, scores: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """ROC curves of one or more churn scores, with their AUC in the legend.

    Parameters
    ----------
    y_true : array-like of bool
        ``churned`` labels.
    scores : array-like or dict of name -> array-like
        Churn scores (higher = more likely to churn), e.g. ``{"model": p, "BG/NBD": -e}``;
        the names are drawn as given.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Fawcett, T. (2006). An introduction to ROC analysis. *Pattern Recognition Letters*
    27(8), 861-874.

    Examples
    --------
    >>> from ecrm import plotting
    >>> ax = plotting.roc([0, 1, 1, 0], {"model": [0.2, 0.9, 0.6, 0.4]})
    >>> ax.get_legend().get_texts()[0].get_text()
    'model (AUC 1.00)'
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    ax = axes(ax)
    for name, s in _scores(y_true, scores).items():
        fpr, tpr, _ = roc_curve(y_true, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y_true, s):.2f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label=phrase("chance", lang))
    ax.set_aspect("equal")
    legend_above(ax, ncol=1)
    return finish(
        ax, phrase("roc", lang), phrase("false_positive_rate", lang), phrase("true_positive_rate", lang), lang
    )


def lift_curve(y_true: Any, scores: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Lift of targeting the top share of customers by churn score.

    Lift at share *q* = churn rate among the top *q* of customers / overall churn rate.

    Parameters
    ----------
    y_true : array-like of bool
    scores : array-like or dict of name -> array-like
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Neslin, S. A. et al. (2006). Defection detection. *Journal of Marketing Research*
    43(2), 204-211.

    Examples
    --------
    >>> from ecrm import plotting
    >>> plotting.lift_curve([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4], lang="zh").get_ylabel()
    '提升度'
    """
    ax = axes(ax)
    y = np.asarray(y_true, dtype=float)
    for name, s in _scores(y_true, scores).items():
        ranked = y[np.argsort(-s, kind="stable")]
        share = np.arange(1, len(y) + 1) / len(y)
        ax.plot(share, (np.cumsum(ranked) / np.arange(1, len(y) + 1)) / y.mean(), label=name)
    ax.axhline(1.0, ls="--", color="grey", label=phrase("random", lang))
    legend_above(ax)
    return finish(ax, phrase("lift_curve", lang), phrase("share_targeted", lang), phrase("lift", lang), lang)


def calibration_curve(y_true: Any, proba: Any, *, n_bins: int = 10, lang: str = "en", ax: Any = None) -> Any:
    """Reliability diagram: observed churn rate against predicted probability.

    Bins are quantiles of the predicted probability, so each holds as many customers.

    Parameters
    ----------
    y_true : array-like of bool
    proba : array-like or dict of name -> array-like
        Churn probabilities.
    n_bins : int
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Niculescu-Mizil, A. and Caruana, R. (2005). Predicting good probabilities with
    supervised learning. *ICML*, 625-632.

    Examples
    --------
    >>> from ecrm import plotting
    >>> plotting.calibration_curve([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4], n_bins=2).get_xlabel()
    'Predicted churn probability'
    """
    from sklearn.calibration import calibration_curve as reliability

    ax = axes(ax)
    for name, p in _scores(y_true, proba, probability=True).items():
        observed, predicted = reliability(y_true, p, n_bins=n_bins, strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=phrase("model", lang) if name == "model" else name)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label=phrase("perfectly_calibrated", lang))
    ax.set_aspect("equal")
    legend_above(ax)
    return finish(
        ax,
        phrase("calibration", lang),
        phrase("predicted_probability", lang),
        phrase("observed_rate", lang),
        lang,
    )


def feature_importance(importance: pd.DataFrame, *, top: int = 15, lang: str = "en", ax: Any = None) -> Any:
    """Horizontal bars of permutation importance with one-standard-deviation whiskers.

    Parameters
    ----------
    importance : pandas.DataFrame
        Output of :meth:`ecrm.churn.ChurnModel.feature_importance`.
    top : int
        Number of features shown, most important at the top.
    lang : {"en", "zh"}
        Language of the title, labels and feature names.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Breiman, L. (2001). Random forests. *Machine Learning* 45(1), 5-32.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm import plotting
    >>> imp = pd.DataFrame({"importance_mean": [0.1], "importance_std": [0.01]}, index=["recency_days"])
    >>> plotting.feature_importance(imp).get_xlabel()
    'Drop in ROC AUC when the feature is shuffled'
    """
    importance = table_input(importance, "feature_importance", ["importance_mean", "importance_std"])
    ax = axes(ax)
    shown = importance.sort_values("importance_mean", ascending=False).head(top).iloc[::-1]
    names = [column_label(str(name), lang) for name in shown.index]
    ax.barh(names, shown["importance_mean"], xerr=shown["importance_std"], color="#4C72B0")
    return finish(
        ax, phrase("feature_importance", lang), phrase("importance_drop", lang), phrase("feature", lang), lang
    )
