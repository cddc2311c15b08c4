"""Synthetic loyalty-point event streams that a :class:`ecrm.loyalty.Ledger` accepts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema
from ..errors import SchemaError

__all__ = ["make_loyalty_events"]

_NS_PER_SECOND = 10**9


def make_loyalty_events(
    n_customers: int = 1_000,
    start: str = "2023-01-01",
    end: str = "2024-12-31",
    *,
    program: object = None,
    earns_per_customer: float = 6.0,
    redeem_prob: float = 0.5,
    reverse_prob: float = 0.03,
    adjust_prob: float = 0.02,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Draw a valid loyalty event stream: earns, redemptions, reversals and adjustments.

    Customers join uniformly over ``[start, end)`` and earn a Poisson number of times
    (mean ``earns_per_customer`` with gamma heterogeneity, shape 2) at uniform times after
    joining; order amounts are log-normal (median about 55), and points are the
    programme's base points (no tier multiplier; build tiered earns with
    :meth:`~ecrm.loyalty.LoyaltyProgram.earn_events`). Each earn is, independently,
    partly redeemed (``redeem_prob``; a uniform share of its points) and partly reversed
    (``reverse_prob``; of what its redemption left) at uniform times within the lot's life
    and before ``end``; ``adjust_prob`` per earn adds a goodwill lot (positive adjust, 10 to
    200 points), of which half is later taken back by a negative adjust.

    Because every debit is tied to a lot it fits in, in time, and lots expire in the order
    they were earned, the FIFO ledger can always serve it (oldest-first is
    earliest-deadline-first), so ``Ledger(make_loyalty_events(...), program)`` never refuses
    the stream.

    Parameters
    ----------
    n_customers : int
        Number of customers (ids 1..n_customers).
    start, end : date-like
        Time span of the events.
    program : ecrm.loyalty.LoyaltyProgram, optional
        Rules used for base points and lot lifetimes (default ``LoyaltyProgram()``).
    earns_per_customer : float
        Mean number of earn events per customer.
    redeem_prob, reverse_prob, adjust_prob : float
        Probabilities per earn, in [0, 1].
    random_state : int, optional
        Seed; same seed, same stream.

    Returns
    -------
    pandas.DataFrame
        ``event_id`` (1.. in time order), ``customer_id``, ``ts``, ``type`` (categorical),
        ``points``, ``ref_event_id`` (nullable, set on reversals), ``amount`` (spend of
        earns, NaN otherwise).

    References
    ----------
    Liu, Y. (2007). The long-term impact of loyalty programs on consumer purchase behavior
    and loyalty. *Journal of Marketing* 71(4), 19-35 (earn and redemption behaviour in a
    points programme).

    Examples
    --------
    >>> from ecrm.datasets import make_loyalty_events
    >>> ev = make_loyalty_events(200, random_state=1)
    >>> ev["type"].value_counts().sort_index().to_dict()
    {'earn': 1148, 'redeem': 534, 'adjust': 24, 'reverse': 30}
    """
    from ..loyalty import EVENT_TYPES, LoyaltyProgram

    program = LoyaltyProgram() if program is None else program
    what = "make_loyalty_events"
    _schema.integer(n_customers, "n_customers", what, low=1)
    for name, p in (
        ("redeem_prob", redeem_prob),
        ("reverse_prob", reverse_prob),
        ("adjust_prob", adjust_prob),
    ):
        _schema.probability(p, name, what)
    t0, t1 = (
        _schema.timestamp(start, None, "start", what).as_unit("ns"),
        _schema.timestamp(end, None, "end", what).as_unit("ns"),
    )
    if not t1 > t0:
        raise SchemaError(f"end={end!r} must be after start={start!r}")
    rng = np.random.default_rng(random_state)
    lo, hi = t0.value, t1.value

    # Earns: Poisson counts with gamma heterogeneity, uniform times after joining.
    rate = rng.gamma(2.0, earns_per_customer / 2.0, n_customers)
    n_earn = rng.poisson(rate)
    join = rng.integers(lo, hi, n_customers)
    cust = np.repeat(np.arange(1, n_customers + 1), n_earn)
    earn_join = np.repeat(join, n_earn)
    earn_ts = earn_join + (rng.random(cust.size) * (hi - earn_join)).astype(np.int64)
    earn_ts -= earn_ts % _NS_PER_SECOND
    amount = np.round(np.exp(rng.normal(4.0, 0.8, cust.size)), 2)
    earn_pts = program._points(amount * program.points_per_unit)
    keep = earn_pts > 0
    cust, earn_ts, amount, earn_pts = cust[keep], earn_ts[keep], amount[keep], earn_pts[keep]
    n = cust.size

    # Goodwill lots (positive adjust).
    goodwill = rng.random(n) < adjust_prob
    gw_cust, gw_ts = cust[goodwill], earn_ts[goodwill] + _NS_PER_SECOND
    gw_pts = rng.integers(10, 201, gw_cust.size)

    like = pd.Series(pd.DatetimeIndex([t0]))

    def within_life(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A uniform instant strictly inside each lot's life and before ``end``; ok mask."""
        last = np.minimum(program._expiry_instants(ts, like) - _NS_PER_SECOND, hi)
        span = last - ts - _NS_PER_SECOND
        ok = span > 0
        when = ts + _NS_PER_SECOND + (rng.random(ts.size) * np.maximum(span, 0)).astype(np.int64)
        return when - when % _NS_PER_SECOND, ok

    red_ts, ok = within_life(earn_ts)
    redeem = ok & (rng.random(n) < redeem_prob)
    red_pts = np.ceil(rng.random(n) * earn_pts).astype(np.int64)
    left = earn_pts - np.where(redeem, red_pts, 0)
    rev_ts, ok = within_life(earn_ts)
    reverse = ok & (left > 0) & (rng.random(n) < reverse_prob)
    rev_pts = np.ceil(rng.random(n) * left).astype(np.int64)
    take_ts, ok = within_life(gw_ts)
    take = ok & (rng.random(gw_cust.size) < 0.5)

    # Earn ids are assigned after the time sort; reversals point at their earn's position.
    blocks = [
        (cust, earn_ts, 0, earn_pts, np.full(n, -1), amount),
        (cust[redeem], red_ts[redeem], 1, red_pts[redeem], np.full(int(redeem.sum()), -1), None),
        (gw_cust, gw_ts, 2, gw_pts, np.full(gw_cust.size, -1), None),
        (gw_cust[take], take_ts[take], 2, -(gw_pts[take] // 2 + 1), np.full(int(take.sum()), -1), None),
        (cust[reverse], rev_ts[reverse], 3, rev_pts[reverse], np.flatnonzero(reverse), None),
    ]
    b_cust = np.concatenate([b[0] for b in blocks])
    b_ts = np.concatenate([b[1] for b in blocks])
    b_type = np.concatenate([np.full(b[0].size, b[2], dtype=np.int8) for b in blocks])
    b_pts = np.concatenate([b[3] for b in blocks])
    b_ref = np.concatenate([b[4] for b in blocks])
    b_amount = np.concatenate([b[5] if b[5] is not None else np.full(b[0].size, np.nan) for b in blocks])
    order = np.lexsort((b_type, b_ts))
    event_id = np.empty(order.size, dtype=np.int64)
    event_id[order] = np.arange(1, order.size + 1)
    ref = np.where(b_ref >= 0, event_id[np.maximum(b_ref, 0)], 0)
    return pd.DataFrame(
        {
            "event_id": event_id[order],
            "customer_id": b_cust[order],
            "ts": pd.DatetimeIndex(b_ts[order].view("datetime64[ns]")),
            "type": pd.Categorical.from_codes(b_type[order], categories=list(EVENT_TYPES)),
            "points": b_pts[order],
            "ref_event_id": pd.arrays.IntegerArray(ref[order], mask=b_ref[order] < 0),
            "amount": b_amount[order],
        }
    )
