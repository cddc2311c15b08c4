"""A synthetic campaign: assignments and transactions with known effects by segment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema
from ..errors import SchemaError
from ._synthetic import make_transactions

__all__ = ["CAMPAIGN_RESPONSE", "make_campaign"]

#: Default probability that a treated customer makes one extra order because of the
#: campaign, by segment: customers drifting away respond most ("persuadables"); recent
#: buyers would buy anyway and long-lapsed ones rarely come back.
CAMPAIGN_RESPONSE = {"active": 0.02, "at_risk": 0.12, "lapsed": 0.01}
#: Days since the last purchase that end the "active" and "at_risk" segments.
SEGMENT_RECENCY = (60, 240)


def make_campaign(
    n_customers: int = 20_000,
    start: object = "2024-06-01",
    window_days: int = 30,
    random_state: int | None = 0,
    *,
    treatment_share: float = 0.5,
    response: dict[str, float] | None = None,
    history_days: int = 540,
    return_truth: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame] | tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Draw a campaign sent on ``start``: who was treated, and what everyone bought.

    Purchase history over the ``history_days`` before ``start`` follows a BG/NBD process
    with Gamma-Gamma order values (:func:`make_transactions`, CDNOW parameters, customers
    acquired uniformly over the history). Each customer's segment is read from their
    history at ``start``: ``active`` (last purchase within 60 days), ``at_risk`` (61 to
    240 days) or ``lapsed``. Customers are then split at random, exactly
    ``round(treatment_share * n)`` into the treatment group.

    In the ``window_days`` from ``start``, every customer still alive keeps buying at
    their own rate (Poisson orders, Gamma order values) whatever their group; a treated
    customer in addition makes one extra order with probability ``response[segment]``.
    So the true effect differs by segment and is known for every customer, and spend
    before ``start`` is correlated with spend in the window through the customer's
    purchase rate and order value (the correlation CUPED uses).

    Parameters
    ----------
    n_customers : int
        Number of customers (all have at least one purchase before ``start``).
    start : date-like
        Send date: the window is ``[start, start + window_days)``.
    window_days : int
        Window length in days (>= 1); the data end on its last day.
    random_state : int or None
        Seed; the same seed gives the same data.
    treatment_share : float
        Share of customers treated (0.5 for an A/B test, 0.9 for a 10% holdout).
    response : dict, optional
        Extra-order probability per segment; default :data:`CAMPAIGN_RESPONSE`.
    history_days : int
        Length of the history before ``start``.
    return_truth : bool
        Also return each customer's latent values and expected outcomes.

    Returns
    -------
    (assignments, transactions) or (assignments, transactions, truth)
        ``assignments``: ``customer_id``, ``group`` ("treatment"/"control") and
        ``segment`` (ordered categorical active < at_risk < lapsed). ``transactions``:
        ``customer_id``, ``order_id``, ``order_date``, ``amount``, sorted by customer and
        date. ``truth`` (indexed by ``customer_id``): ``segment``, ``treated``, ``alive``
        (still buying at ``start``), ``lam`` (orders per week), ``mean_order_value``,
        ``response`` (extra-order probability), and the expected window outcomes under
        each group, ``p_convert_control``, ``p_convert_treatment``,
        ``revenue_control``, ``revenue_treatment``: the true effect of any group of
        customers is the mean of the treatment minus control columns over them.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building
    and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

    Examples
    --------
    >>> import ecrm
    >>> assignments, tx, truth = ecrm.datasets.make_campaign(5_000, random_state=1, return_truth=True)
    >>> assignments["group"].value_counts().tolist()
    [2500, 2500]
    >>> effect = (truth["p_convert_treatment"] - truth["p_convert_control"]).groupby(truth["segment"],
    ...                                                                              observed=True).mean()
    >>> effect.round(3)
    segment
    active     0.016
    at_risk    0.112
    lapsed     0.010
    dtype: float64
    """
    what = "make_campaign"
    _schema.integer(n_customers, "n_customers", what, low=2)
    _schema.integer(window_days, "window_days", what, low=1)
    _schema.integer(history_days, "history_days", what, low=2)
    _schema.probability(treatment_share, "treatment_share", what, strict=True)
    probs = dict(CAMPAIGN_RESPONSE if response is None else response)
    if set(probs) != set(CAMPAIGN_RESPONSE):
        raise SchemaError(
            f"make_campaign: response={response!r} must give a probability in [0, 1] for each of "
            f"{list(CAMPAIGN_RESPONSE)}"
        )
    for key, value in probs.items():
        _schema.probability(value, f"response[{key!r}]", what)
    start_ts = _schema.timestamp(start, None, "start", what).normalize()
    rng = np.random.default_rng(random_state)
    history, latent = make_transactions(
        n_customers,
        start_ts - pd.Timedelta(days=history_days),
        start_ts - pd.Timedelta(days=1),
        random_state=rng.integers(2**32),
        acquisition_days=history_days,
        return_truth=True,
    )
    params = history.attrs["params"]
    history = history[["customer_id", "order_id", "order_date", "amount"]]

    # Segment from the history: days since the last purchase at the send date. Rows
    # are sorted by customer and date, so each customer's last row ends their block.
    customer = history["customer_id"].to_numpy()
    last_row = np.flatnonzero(np.r_[customer[1:] != customer[:-1], True])
    last_day = history["order_date"].to_numpy()[last_row].astype("datetime64[D]")
    recency = (np.datetime64(start_ts.date()) - last_day).astype(np.int64)
    segment_code = np.searchsorted(np.array(SEGMENT_RECENCY), recency, side="left")
    segments = list(CAMPAIGN_RESPONSE)
    q = np.array([probs[s] for s in segments])[segment_code]

    n = n_customers
    treated = np.zeros(n, dtype=bool)
    treated[rng.permutation(n)[: round(treatment_share * n)]] = True

    # Window: the customer's own Poisson orders if alive, plus the campaign's extra order.
    weeks = window_days / 7.0
    alive = latent["alive"].to_numpy()
    lam = latent["lam"].to_numpy()
    nu = latent["nu"].to_numpy()
    mean_value = params["p"] / nu
    base_orders = rng.poisson(np.where(alive, lam * weeks, 0.0))
    extra = treated & (rng.uniform(size=n) < q)
    who = np.repeat(np.arange(n), base_orders + extra)
    day_offset = rng.uniform(0, window_days, who.size)
    amount = np.maximum(np.round(rng.gamma(params["p"], 1 / nu[who]), 2), 0.01)
    seconds = np.floor(day_offset * 86_400).astype(np.int64)
    window = pd.DataFrame(
        {
            "customer_id": who + 1,
            "order_id": history["order_id"].max() + 1 + np.arange(who.size),
            "order_date": (start_ts + pd.to_timedelta(seconds, unit="s")).astype("datetime64[ns]"),
            "amount": amount,
        }
    )
    transactions = pd.concat([history, window], ignore_index=True)
    transactions = transactions.sort_values(["customer_id", "order_date"], kind="stable", ignore_index=True)

    segment = pd.Categorical.from_codes(segment_code, categories=segments, ordered=True)
    ids = np.arange(1, n + 1)
    assignments = pd.DataFrame(
        {"customer_id": ids, "group": np.where(treated, "treatment", "control"), "segment": segment}
    )
    assignments.attrs.update(start=start_ts, window_days=window_days, response=probs)
    if not return_truth:
        return assignments, transactions
    p_control = np.where(alive, 1 - np.exp(-lam * weeks), 0.0)
    revenue_control = np.where(alive, lam * weeks, 0.0) * mean_value
    truth = pd.DataFrame(
        {
            "segment": segment,
            "treated": treated,
            "alive": alive,
            "lam": lam,
            "mean_order_value": mean_value,
            "response": q,
            "p_convert_control": p_control,
            "p_convert_treatment": 1 - (1 - p_control) * (1 - q),
            "revenue_control": revenue_control,
            "revenue_treatment": revenue_control + q * mean_value,
        },
        index=pd.Index(ids, name="customer_id"),
    )
    return assignments, transactions, truth
