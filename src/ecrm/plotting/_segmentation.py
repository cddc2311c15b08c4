"""Figures of k-means segmentation (:class:`ecrm.segmentation.KMeansSegmenter`)."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from .._display import column_label
from ..segmentation import KMeansSegmenter
from ._base import (
    axes,
    contrast_text,
    finish,
    fitted_input,
    legend_above,
    legend_outside,
    phrase,
    plain_numbers,
)

__all__ = ["cluster_profiles", "cluster_scatter", "k_selection", "silhouette"]


def _sample(n: int, max_points: int, random_state: int) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, max_points, replace=False))


def k_selection(segmenter: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """The selection criterion (left axis) and inertia (right axis) against k.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted with ``n_clusters="auto"``.
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The criterion axes (the inertia axes is its twin); one legend names both lines
        and the chosen k, outside the data.

    References
    ----------
    Satopaa, V. et al. (2011). Finding a "kneedle" in a haystack. *ICDCS Workshops*.

    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(k_range=(2, 4), n_init=3).fit(cust)
    >>> ax = ecrm.plotting.k_selection(seg)
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_legend().get_texts()][1:]
    ('Silhouette', ['Inertia (within-cluster sum of squares), right axis', 'chosen k = 2'])
    """
    fitted_input(segmenter, KMeansSegmenter, "k_selection", "cluster_centers_")
    ax = axes(ax)
    scores = segmenter.k_scores_
    ks = scores.index.to_numpy()
    criterion = [c for c in scores.columns if c != "inertia"]
    lines = []
    if criterion:
        lines += ax.plot(
            ks, scores[criterion[0]], "o-", color="#4C72B0", label=column_label(criterion[0], lang)
        )
    twin = ax.twinx()
    inertia = phrase("right_axis", lang, label=column_label("inertia", lang))
    lines += twin.plot(ks, scores["inertia"], "s:", color="#DD8452", label=inertia)
    twin.set_ylabel(column_label("inertia", lang))
    plain_numbers(twin.yaxis)
    chosen = ax.axvline(segmenter.n_clusters_, color="grey", linestyle="--", linewidth=1)
    chosen.set_label(phrase("chosen_k", lang, k=segmenter.n_clusters_))
    lines.append(chosen)
    ax.set_xticks(ks)
    legend_above(ax, handles=lines)
    return finish(
        ax,
        phrase("k_selection", lang, k=segmenter.n_clusters_),
        phrase("n_clusters", lang),
        column_label(criterion[0], lang) if criterion else "",
        lang,
    )


def silhouette(segmenter: Any, X: Any, *, max_points: int = 5000, lang: str = "en", ax: Any = None) -> Any:
    """Silhouette plot: every sampled customer's silhouette, sorted within its cluster.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
    X : pandas.DataFrame or array-like
        Customers to draw (e.g. the fit data); up to ``max_points`` drawn at random.
    max_points : int
    lang : {"en", "zh"}
        Language of the title, labels and legend (clusters are named by
        :meth:`~ecrm.segmentation.KMeansSegmenter.name_segments`).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
    validation of cluster analysis. *J. Comput. Appl. Math.* 20, 53-65.

    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(n_clusters=3, n_init=3).fit(cust)
    >>> ecrm.plotting.silhouette(seg, cust).get_xlabel()
    'Silhouette coefficient'
    """
    fitted_input(segmenter, KMeansSegmenter, "silhouette", "cluster_centers_")
    from sklearn.metrics import silhouette_samples

    ax = axes(ax)
    Z = segmenter._preprocess(X)
    rows = _sample(len(Z), max_points, segmenter.random_state)
    Z = Z[rows]
    labels = segmenter.predict(X)[rows]
    values = silhouette_samples(Z, labels) if len(np.unique(labels)) > 1 else np.zeros(len(Z))
    names = segmenter.name_segments(lang)
    bottom = 0
    for k in range(segmenter.n_clusters_):
        mine = np.sort(values[labels == k])
        ax.fill_betweenx(np.arange(bottom, bottom + len(mine)), 0, mine, label=str(names.iloc[k]))
        bottom += len(mine)
    ax.axvline(values.mean(), color="black", linestyle="--", linewidth=1)
    legend_outside(ax)
    return finish(
        ax,
        phrase("silhouettes", lang, mean=values.mean()),
        phrase("silhouette_coefficient", lang),
        phrase("customers", lang),
        lang,
    )


def cluster_scatter(
    segmenter: Any, X: Any, *, max_points: int = 5000, lang: str = "en", ax: Any = None
) -> Any:
    """Customers on the first two principal components of the scaled features, by cluster.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
    X : pandas.DataFrame or array-like
        Customers to draw; up to ``max_points`` drawn at random.
    max_points : int
    lang : {"en", "zh"}
        Language of the title, labels and legend.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Jolliffe, I. T. (2002). *Principal Component Analysis*, 2nd ed. Springer.

    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(n_clusters=3, n_init=3).fit(cust)
    >>> ecrm.plotting.cluster_scatter(seg, cust).get_xlabel()
    'PC1'
    """
    fitted_input(segmenter, KMeansSegmenter, "cluster_scatter", "cluster_centers_")
    from sklearn.decomposition import PCA

    ax = axes(ax)
    Z = segmenter._preprocess(X)
    rows = _sample(len(Z), max_points, segmenter.random_state)
    pca = PCA(n_components=min(2, Z.shape[1])).fit(Z)
    points = pca.transform(Z[rows])
    centers = pca.transform(segmenter.cluster_centers_)
    if points.shape[1] == 1:
        points, centers = (
            np.column_stack([points, np.zeros(len(points))]),
            np.column_stack([centers, np.zeros(len(centers))]),
        )
    labels = segmenter.predict(X)[rows]
    names = segmenter.name_segments(lang)
    for k in range(segmenter.n_clusters_):
        mine = labels == k
        ax.scatter(points[mine, 0], points[mine, 1], s=6, alpha=0.5, label=str(names.iloc[k]))
    ax.scatter(centers[:, 0], centers[:, 1], marker="X", s=120, color="black", label=phrase("centres", lang))
    legend_outside(ax, markerscale=2)
    return finish(ax, phrase("cluster_scatter", lang), "PC1", "PC2", lang)


def cluster_profiles(segmenter: Any, *, lang: str = "en", ax: Any = None) -> Any:
    """Heat map of the standardised feature means (cluster centres) per cluster.

    Clusters are named (:meth:`~ecrm.segmentation.KMeansSegmenter.name_segments`) and
    each cell is written in the colour that reads on it.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
    lang : {"en", "zh"}
        Language of the title, labels, feature and cluster names.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    MacQueen, J. (1967). Some methods for classification and analysis of multivariate
    observations. *Proc. 5th Berkeley Symposium* 1, 281-297.

    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(n_clusters=3, n_init=3).fit(cust)
    >>> ax = ecrm.plotting.cluster_profiles(seg)
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_xticklabels()]
    ('Cluster', ['Days since last purchase', 'Orders', 'Total spend'])
    """
    fitted_input(segmenter, KMeansSegmenter, "cluster_profiles", "cluster_centers_")
    centers = segmenter.cluster_centers_
    ax = axes(ax, figsize=(6.4, 0.7 * len(centers) + 2.2))
    limit = max(float(np.abs(centers).max()), 1e-9)
    image = ax.imshow(centers, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(centers):
        ax.text(j, i, f"{value:+.2f}", ha="center", va="center", color=contrast_text(image, value))
    features = [column_label(f, lang) for f in segmenter.features_]
    ax.set_xticks(range(len(features)), features, rotation=15 if len(features) > 3 else 0)
    names = [textwrap.fill(str(n), 18) for n in segmenter.name_segments(lang)]  # long names on two lines
    ax.set_yticks(range(segmenter.n_clusters_), names)
    ax.figure.colorbar(image, ax=ax, label=phrase("standardised_mean", lang))
    return finish(
        ax, phrase("cluster_profiles", lang), phrase("feature", lang), column_label("cluster", lang), lang
    )
