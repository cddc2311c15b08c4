"""Synthetic survey responses (NPS, CSAT, CES) linked to customer ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema
from ..errors import SchemaError

__all__ = ["make_surveys"]

TOUCHPOINTS = {"delivery": 0.5, "support": 0.3, "returns": 0.2}
# Mean shift of the latent satisfaction (in NPS scale points) at each touchpoint.
_TOUCHPOINT_SHIFT = np.array([0.4, -0.3, -1.0])


def make_surveys(
    n_responses: int = 10_000,
    n_customers: int = 2_000,
    start: object = "2024-01-01",
    end: object = "2024-12-31",
    random_state: int | None = 0,
    *,
    customer_ids: object = None,
    effect: pd.Series | None = None,
    mean_score: float = 7.6,
    trend: float = 0.0,
) -> pd.DataFrame:
    """Draw survey answers from a latent-satisfaction model, linked to customer ids.

    Each customer has a latent satisfaction ``u_i ~ Normal(0, 1.2)`` (plus ``effect``);
    each answer adds the touchpoint's shift, a linear drift of ``trend`` points per
    year and ``Normal(0, 1.3)`` noise to ``mean_score``. The 0..10 NPS answer is that value
    rounded and clipped; CSAT (1..5) and CES (1..7, higher = easier) are monotone maps of
    the same value with their own noise, so the three scores are correlated as in real
    surveys. Answers are spread uniformly over the window; respondents are drawn with
    replacement, so some customers answer several times.

    Parameters
    ----------
    n_responses : int
        Number of answers.
    n_customers : int
        Number of customers (ids 1..n_customers) when ``customer_ids`` is not given.
    start, end : date-like
        The survey window (answers fall on whole days within it).
    random_state : int or None
        Seed; the same seed gives the same data.
    customer_ids : array-like, optional
        Ids of the customers who may answer (e.g. ``customer_summary(tx).index``).
    effect : pandas.Series, optional
        Per-customer shift of the latent satisfaction, in NPS points, indexed by
        customer id (e.g. +1 for repeat buyers); its index is the customer ids when
        ``customer_ids`` is not given, and missing ids get 0.
    mean_score : float
        Mean of the latent 0..10 score.
    trend : float
        Drift of the latent score per year (points), for trend examples.

    Returns
    -------
    pandas.DataFrame
        ``response_id``, ``customer_id``, ``date``, ``touchpoint`` (categorical),
        ``nps_score`` (0..10), ``csat_score`` (1..5), ``ces_score`` (1..7), sorted by date.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import ecrm
    >>> s = ecrm.datasets.make_surveys(1_000, 200, random_state=1)
    >>> list(s.columns)
    ['response_id', 'customer_id', 'date', 'touchpoint', 'nps_score', 'csat_score', 'ces_score']
    >>> int(s["nps_score"].min()) >= 0 and int(s["nps_score"].max()) <= 10
    True
    """
    what = "make_surveys"
    _schema.integer(n_responses, "n_responses", what, low=1)
    if customer_ids is not None:
        ids = pd.Index(customer_ids)
    elif effect is not None:
        ids = pd.Index(effect.index)
    else:
        ids = pd.RangeIndex(1, _schema.integer(n_customers, "n_customers", "make_surveys", low=1) + 1)  # type: ignore[operator]
    if len(ids) == 0 or not ids.is_unique:
        raise SchemaError("make_surveys: customer ids must be non-empty and unique")
    start_ts, end_ts = (
        _schema.timestamp(start, None, "start", what).normalize(),
        _schema.timestamp(end, None, "end", what).normalize(),
    )
    window_days = (end_ts - start_ts).days + 1
    if window_days < 1:
        raise SchemaError(f"make_surveys: end={end} is before start={start}")
    shift = np.zeros(len(ids)) if effect is None else effect.reindex(ids).fillna(0.0).to_numpy(float)

    rng = np.random.default_rng(random_state)
    latent = rng.normal(0.0, 1.2, len(ids)) + shift
    who = rng.integers(0, len(ids), n_responses)
    day = rng.integers(0, window_days, n_responses)
    touch = rng.choice(len(TOUCHPOINTS), size=n_responses, p=np.array(list(TOUCHPOINTS.values())))
    value = (
        mean_score
        + latent[who]
        + _TOUCHPOINT_SHIFT[touch]
        + trend * day / 365.25
        + rng.normal(0.0, 1.3, n_responses)
    )
    nps_score = np.clip(np.rint(value), 0, 10).astype(np.int64)
    csat_score = np.clip(np.rint(1 + 4 * (value + rng.normal(0, 0.8, n_responses) - 2) / 8), 1, 5)
    ces_score = np.clip(np.rint(1 + 6 * (value + rng.normal(0, 1.0, n_responses) - 2) / 8), 1, 7)
    order = np.argsort(day, kind="stable")
    frame = pd.DataFrame(
        {
            "response_id": np.arange(1, n_responses + 1),
            "customer_id": ids.to_numpy()[who[order]],
            "date": (start_ts + pd.to_timedelta(day[order], unit="D")).astype("datetime64[ns]"),
            "touchpoint": pd.Categorical.from_codes(touch[order], categories=list(TOUCHPOINTS)),
            "nps_score": nps_score[order],
            "csat_score": csat_score[order].astype(np.int64),
            "ces_score": ces_score[order].astype(np.int64),
        }
    )
    return frame
