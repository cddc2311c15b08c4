"""Small published data sets for the discrete-time and contractual models of ecrm.clv."""

from __future__ import annotations

import pandas as pd

from ._cdnow import lifetimes_data_path

__all__ = ["load_donations", "load_retention_cohorts"]

# Fader and Hardie (2007), Table 1: of 1,000 customers who joined in year 0, how many
# were still active at the end of each year (from Berry and Linoff 2004).
_RETENTION = {
    "regular": [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173],
    "high_end": [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394],
}


def load_donations() -> pd.DataFrame:
    """The donations of the 1995 cohort of a nonprofit, as distinct patterns (22 rows).

    11,104 donors first gave in 1995 and had six further yearly opportunities to give
    (1996 to 2001). Each row is a pattern of ``frequency`` (years with a donation),
    ``recency`` (the last of them, 0 for none) and ``T`` (opportunities, 6), with
    ``weights`` the number of donors sharing it.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` and ``weights`` (int64).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. *Marketing Science* 29(6), 1086-1108. The file
    ``donations.csv`` is the copy distributed with lifetimes.

    Examples
    --------
    >>> import ecrm
    >>> d = ecrm.datasets.load_donations()
    >>> int(d["weights"].sum()), d.shape
    (11104, (22, 4))
    """
    raw = pd.read_csv(lifetimes_data_path("donations.csv"))
    return pd.DataFrame(
        {
            "frequency": raw["frequency"].astype("int64"),
            "recency": raw["recency"].astype("int64"),
            "T": raw["periods"].astype("int64"),
            "weights": raw["weights"].astype("int64"),
        }
    )


def load_retention_cohorts() -> pd.DataFrame:
    """Active customers of the "regular" and "high end" cohorts, years 0 to 12.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (year 0 to 12), columns ``regular`` and ``high_end``:
        customers of each cohort of 1,000 still active at the end of the year. Fader and
        Hardie (2007) fit the shifted-beta-geometric model to years 0 to 7 and project
        years 8 to 12.

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing* 21(1), 76-90 (Table 1).

    Examples
    --------
    >>> import ecrm
    >>> ecrm.datasets.load_retention_cohorts().loc[[0, 1, 12]]
            regular  high_end
    period
    0          1000      1000
    1           631       869
    12          173       394
    """
    frame = pd.DataFrame(_RETENTION)
    frame.index.name = "period"
    return frame
