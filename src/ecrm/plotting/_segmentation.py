"""Figures of k-means segmentation (:class:`ecrm.segmentation.KMeansSegmenter`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import axes, finish

__all__ = ["cluster_profiles", "cluster_scatter", "k_selection", "silhouette"]

_REFERENCE = """
    References
    ----------
    Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
    validation of cluster analysis. *J. Comput. Appl. Math.* 20, 53-65.
"""


def _sample(n: int, max_points: int, random_state: int) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, max_points, replace=False))


def k_selection(segmenter: Any, *, ax: Any = None) -> Any:
    """The selection criterion (left axis) and inertia (right axis) against k.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted with ``n_clusters="auto"``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The criterion axes (the inertia axes is its twin).

    References
    ----------
    Satopaa, V. et al. (2011). Finding a "kneedle" in a haystack. *ICDCS Workshops*.

    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(k_range=(2, 4), n_init=3).fit(cust)
    >>> ecrm.plotting.k_selection(seg).get_ylabel()
    'silhouette'
    """
    ax = axes(ax)
    scores = segmenter.k_scores_
    ks = scores.index.to_numpy()
    criterion = [c for c in scores.columns if c != "inertia"]
    if criterion:
        ax.plot(ks, scores[criterion[0]], "o-", color="#4C72B0", label=criterion[0])
        ax.axvline(segmenter.n_clusters_, color="grey", linestyle="--", linewidth=1)
    twin = ax.twinx()
    twin.plot(ks, scores["inertia"], "s:", color="#DD8452", label="inertia")
    twin.set_ylabel("inertia")
    ax.set_xticks(ks)
    return finish(
        ax,
        f"Choosing k (chosen k = {segmenter.n_clusters_})",
        "number of clusters k",
        criterion[0] if criterion else "",
    )


def silhouette(segmenter: Any, X: Any, *, max_points: int = 5000, ax: Any = None) -> Any:
    """Silhouette plot: every sampled customer's silhouette, sorted within its cluster.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
    X : pandas.DataFrame or array-like
        Customers to draw (e.g. the fit data); up to ``max_points`` drawn at random.
    max_points : int
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    %s
    Examples
    --------
    >>> import ecrm
    >>> cust = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample())
    >>> seg = ecrm.segmentation.KMeansSegmenter(n_clusters=3, n_init=3).fit(cust)
    >>> ecrm.plotting.silhouette(seg, cust).get_xlabel()
    'silhouette coefficient'
    """
    from sklearn.metrics import silhouette_samples

    ax = axes(ax)
    Z = segmenter._preprocess(X)
    rows = _sample(len(Z), max_points, segmenter.random_state)
    Z = Z[rows]
    labels = segmenter.predict(X)[rows]
    values = silhouette_samples(Z, labels) if len(np.unique(labels)) > 1 else np.zeros(len(Z))
    bottom = 0
    for k in range(segmenter.n_clusters_):
        mine = np.sort(values[labels == k])
        ax.fill_betweenx(np.arange(bottom, bottom + len(mine)), 0, mine, label=f"cluster {k}")
        bottom += len(mine)
    ax.axvline(values.mean(), color="black", linestyle="--", linewidth=1)
    ax.legend(loc="lower right", fontsize="small")
    return finish(ax, f"Silhouettes (mean {values.mean():.3f})", "silhouette coefficient", "customers")


silhouette.__doc__ = silhouette.__doc__ % _REFERENCE


def cluster_scatter(segmenter: Any, X: Any, *, max_points: int = 5000, ax: Any = None) -> Any:
    """Customers on the first two principal components of the scaled features, by cluster.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
    X : pandas.DataFrame or array-like
        Customers to draw; up to ``max_points`` drawn at random.
    max_points : int
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
    for k in range(segmenter.n_clusters_):
        mine = labels == k
        ax.scatter(points[mine, 0], points[mine, 1], s=6, alpha=0.5, label=f"cluster {k}")
    ax.scatter(centers[:, 0], centers[:, 1], marker="X", s=120, color="black", label="centres")
    ax.legend(loc="best", fontsize="small", markerscale=2)
    return finish(ax, "Clusters on the first two principal components", "PC1", "PC2")


def cluster_profiles(segmenter: Any, *, ax: Any = None) -> Any:
    """Heat map of the standardised feature means (cluster centres) per cluster.

    Parameters
    ----------
    segmenter : KMeansSegmenter
        Fitted.
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
    >>> ecrm.plotting.cluster_profiles(seg).get_ylabel()
    'cluster'
    """
    ax = axes(ax)
    centers = segmenter.cluster_centers_
    limit = max(float(np.abs(centers).max()), 1e-9)
    image = ax.imshow(centers, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(centers):
        ax.text(j, i, f"{value:+.2f}", ha="center", va="center", fontsize="small")
    ax.set_xticks(range(len(segmenter.features_)), segmenter.features_)
    ax.set_yticks(range(segmenter.n_clusters_))
    ax.figure.colorbar(image, ax=ax, label="standardised mean")
    return finish(ax, "Cluster profiles (standardised feature means)", "feature", "cluster")
