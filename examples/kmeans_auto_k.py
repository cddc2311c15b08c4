"""How many customer segments does CDNOW have? k-means with an automatic choice of k.

An analyst wants data-driven segments instead of fixed RFM cut-offs, and asks the usual
question: how many? KMeansSegmenter fits k = 2..8 on recency, frequency and spend (log1p
of the skewed ones, standardised), scores every k with four criteria, and names the
clusters from their profiles. The criteria do not have to agree, and the script shows
where they do and do not; then it compares the chosen clusters with the RFM segments.

Run: python examples/kmeans_auto_k.py
"""

from __future__ import annotations

import pandas as pd
from threadpoolctl import threadpool_limits

import ecrm
from ecrm.segmentation import KMeansSegmenter

K_RANGE = (2, 8)
CRITERIA = ("silhouette", "calinski_harabasz", "davies_bouldin", "elbow")


def main() -> None:
    customers = ecrm.customer_summary(ecrm.datasets.load_cdnow(), as_of="1998-06-30")
    print(f"{len(customers):,} CDNOW customers; features recency_days, n_orders, total_spend\n")

    fits = {}
    # Three features of 23,570 customers: one thread is faster than spinning up several.
    with threadpool_limits(1):
        for criterion in CRITERIA:
            fits[criterion] = KMeansSegmenter(
                k_range=K_RANGE, criterion=criterion, sample_size=5_000, n_init=4, random_state=0
            ).fit(customers)
    scores = pd.concat([fits[c].k_scores_[c] for c in CRITERIA], axis=1)
    scores.insert(0, "inertia", fits["silhouette"].k_scores_["inertia"])
    print("Every k, every criterion (silhouette and Calinski-Harabasz: higher is better;")
    print("Davies-Bouldin: lower is better; elbow: distance below the inertia chord):")
    print(scores.round(3).to_string())
    print("\nChosen k: " + ", ".join(f"{c} {fits[c].n_clusters_}" for c in CRITERIA))

    segmenter = fits["silhouette"]
    names = segmenter.name_segments()
    profiles = segmenter.profiles_
    revenue = customers["total_spend"].groupby(segmenter.labels_).sum() / customers["total_spend"].sum()
    table = pd.DataFrame(
        {
            "name": names,
            "customers": profiles["size"],
            "share": profiles["share"].round(3),
            "revenue_share": revenue.round(3),
            "median_recency_days": profiles["recency_days_median"],
            "median_orders": profiles["n_orders_median"],
            "median_spend": profiles["total_spend_median"].round(2),
        }
    )
    print(f"\nThe silhouette's k = {segmenter.n_clusters_} clusters:")
    print(table.to_string())

    # A finer cut for the CRM team: the elbow's k, with its names.
    elbow = fits["elbow"]
    if elbow.n_clusters_ != segmenter.n_clusters_:
        print(f"\nThe elbow's k = {elbow.n_clusters_} names the clusters:")
        shares = elbow.profiles_["share"]
        for cluster, name in elbow.name_segments().items():
            print(f"  {cluster}: {name} ({shares[cluster]:.1%})")

    rfm = ecrm.rfm.segment(ecrm.rfm.score(customers))["segment"]
    crosstab = pd.crosstab(
        rfm, pd.Series(names.to_numpy()[segmenter.labels_], index=customers.index, name="cluster")
    )
    print("\nRFM segment x cluster (customers):")
    print(crosstab.to_string())
    top = names[0]
    print(
        f"\n'{top}' is {profiles.loc[0, 'share']:.1%} of the customers and {revenue[0]:.1%} of the revenue."
    )


if __name__ == "__main__":
    main()
