"""Synthetic e-commerce orders drawn from known BG/NBD and Gamma-Gamma parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema, _time
from ..errors import SchemaError

__all__ = ["CDNOW_PARAMS", "make_transactions"]

#: Published CDNOW estimates in weekly units: BG/NBD (Fader, Hardie and Lee 2005) and
#: Gamma-Gamma (Fader and Hardie 2013), the defaults of :func:`make_transactions`.
CDNOW_PARAMS = {
    "r": 0.243,
    "alpha": 4.414,
    "a": 0.793,
    "b": 2.426,
    "p": 6.25,
    "q": 3.74,
    "gamma": 15.44,
}
CHANNELS = {"web": 0.5, "app": 0.35, "store": 0.15}
CATEGORIES = {"music": 0.3, "books": 0.25, "electronics": 0.2, "home": 0.15, "beauty": 0.1}
_SECONDS_PER_DAY = 86_400


def _grouped_offsets(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of ``sizes``, each element's group index and position within its group."""
    group = np.repeat(np.arange(sizes.size), sizes)
    starts = np.cumsum(sizes) - sizes
    return group, np.arange(group.size) - starts[group]


def _categorical(rng: np.random.Generator, shares: dict[str, float], n: int) -> pd.Categorical:
    names = list(shares)
    codes = rng.choice(len(names), size=n, p=np.array(list(shares.values())))
    return pd.Categorical.from_codes(codes, categories=names)


def make_transactions(
    n_customers: int = 10_000,
    start: object = "2023-01-01",
    end: object = "2024-06-30",
    random_state: int | None = 0,
    *,
    r: float = CDNOW_PARAMS["r"],
    alpha: float = CDNOW_PARAMS["alpha"],
    a: float = CDNOW_PARAMS["a"],
    b: float = CDNOW_PARAMS["b"],
    p: float = CDNOW_PARAMS["p"],
    q: float = CDNOW_PARAMS["q"],
    gamma: float = CDNOW_PARAMS["gamma"],
    time_unit: str = "W",
    acquisition_days: int | None = None,
    return_rate: float = 0.0,
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Draw synthetic orders from a BG/NBD purchase process and Gamma-Gamma spend.

    Each customer makes a first purchase on a day drawn uniformly from the first
    ``acquisition_days`` of the window, then repeat purchases as a Poisson process with
    rate ``lambda ~ Gamma(r, alpha)`` per ``time_unit``; after every repeat purchase the
    customer drops out with probability ``p_i ~ Beta(a, b)`` (BG/NBD, Fader, Hardie and
    Lee 2005). Every order's value is ``Gamma(p, nu)`` with ``nu ~ Gamma(q, gamma)`` per
    customer (Gamma-Gamma, Fader and Hardie 2013). Order times have a time of day.

    The draw is vectorised (event times from grouped exponential spacings, no loop
    over customers), so a million customers take seconds.

    Parameters
    ----------
    n_customers : int
        Number of customers (all of them buy at least once).
    start, end : date-like
        The observation window; orders fall on or before the end of ``end``.
    random_state : int or None
        Seed; the same seed gives the same data.
    r, alpha, a, b : float
        BG/NBD parameters, rates per ``time_unit`` (defaults: CDNOW, weekly).
    p, q, gamma : float
        Gamma-Gamma spend parameters (defaults: CDNOW).
    time_unit : {"D", "W", "M"}
        Unit of the purchase rate ``lambda``.
    acquisition_days : int, optional
        Length of the acquisition window; default a quarter of the observation window.
    return_rate : float
        Share of orders followed by a full refund: a row with the same ``order_id``, the
        negated amount and a date 1 to 30 days later (left out if after ``end``).
    return_truth : bool
        Also return the latent per-customer values.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        Orders sorted by customer and date with columns ``customer_id``, ``order_id``,
        ``order_date``, ``amount``, ``quantity``, ``channel``, ``category``; ``attrs``
        holds the parameters. With ``return_truth``, also a frame indexed by
        ``customer_id`` with ``lam``, ``p_drop``, ``nu``, ``first_purchase``,
        ``alive`` (not dropped out by ``end``) and ``n_repeat``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.make_transactions(1_000, random_state=1)
    >>> tx["customer_id"].nunique()
    1000
    >>> sorted(tx.attrs["params"])
    ['a', 'alpha', 'b', 'gamma', 'p', 'q', 'r']
    """
    what = "make_transactions"
    _schema.integer(n_customers, "n_customers", what, low=1)
    _time.check_choice(time_unit, "time_unit", tuple(_time.UNIT_DAYS))
    params = {"r": r, "alpha": alpha, "a": a, "b": b, "p": p, "q": q, "gamma": gamma}
    for name, value in params.items():
        _schema.positive(value, name, what)
    _schema.number(return_rate, "return_rate", what, low=0, high=1, high_open=True)
    start_ts, end_ts = (
        _schema.timestamp(start, None, "start", what).normalize(),
        _schema.timestamp(end, None, "end", what).normalize(),
    )
    window_days = (end_ts - start_ts).days + 1
    if window_days < 1:
        raise SchemaError(f"make_transactions: end={end} is before start={start}")
    acquisition = acquisition_days if acquisition_days is not None else max(1, window_days // 4)
    _schema.integer(acquisition, "acquisition_days", what, low=1, high=window_days)

    rng = np.random.default_rng(random_state)
    unit = _time.UNIT_DAYS[time_unit]
    birth = rng.uniform(0, acquisition, n_customers)  # days after start
    horizon = (window_days - birth) / unit  # T in time units
    lam = rng.gamma(r, 1 / alpha, n_customers)
    p_drop = rng.beta(a, b, n_customers)
    nu = rng.gamma(q, 1 / gamma, n_customers)
    n_events = rng.poisson(lam * horizon)  # Poisson events in (0, T]
    n_before_drop = rng.geometric(p_drop)  # dropout after this repeat
    n_repeat = np.minimum(n_events, n_before_drop)

    # Sorted uniform event times from exponential spacings, grouped by customer: the
    # first n_repeat of a customer's n_events sorted times are the repeat purchases.
    group, pos = _grouped_offsets(n_events + 1)
    spacing = np.cumsum(rng.exponential(size=group.size))
    ends = np.cumsum(n_events + 1) - 1
    before = np.concatenate(([0.0], spacing[ends[:-1]]))
    fraction = (spacing - before[group]) / (spacing[ends] - before)[group]
    keep = pos < n_repeat[group]
    repeat_customer, repeat_time = group[keep], fraction[keep] * horizon[group[keep]]

    customer = np.concatenate((np.arange(n_customers), repeat_customer))
    offset_days = np.concatenate((birth, birth[repeat_customer] + repeat_time * unit))
    order = np.lexsort((offset_days, customer))
    customer, offset_days = customer[order], offset_days[order]
    n_orders = customer.size
    seconds = np.minimum(np.floor(offset_days * _SECONDS_PER_DAY), window_days * _SECONDS_PER_DAY - 1)
    order_date = start_ts + pd.to_timedelta(seconds.astype(np.int64), unit="s")
    amount = np.maximum(np.round(rng.gamma(p, 1 / nu[customer]), 2), 0.01)
    frame = pd.DataFrame(
        {
            "customer_id": customer + 1,
            "order_id": np.arange(1, n_orders + 1),
            "order_date": order_date.astype("datetime64[ns]"),
            "amount": amount,
            "quantity": 1 + rng.poisson(0.6, n_orders),
            "channel": _categorical(rng, CHANNELS, n_orders),
            "category": _categorical(rng, CATEGORIES, n_orders),
        }
    )
    if return_rate > 0:
        returned = frame[rng.uniform(size=n_orders) < return_rate].copy()
        returned["order_date"] += pd.to_timedelta(rng.integers(1, 31, len(returned)), unit="D")
        returned["amount"] = -returned["amount"]
        returned = returned[returned["order_date"] < end_ts + pd.Timedelta(days=1)]
        frame = pd.concat([frame, returned]).sort_values(["customer_id", "order_date"], kind="stable")
        frame = frame.reset_index(drop=True)
    frame.attrs["params"] = params
    frame.attrs["time_unit"] = time_unit
    if not return_truth:
        return frame
    truth = pd.DataFrame(
        {
            "lam": lam,
            "p_drop": p_drop,
            "nu": nu,
            "first_purchase": start_ts + pd.to_timedelta(np.floor(birth * _SECONDS_PER_DAY), unit="s"),
            "alive": n_before_drop > n_events,
            "n_repeat": n_repeat,
        },
        index=pd.Index(np.arange(1, n_customers + 1), name="customer_id"),
    )
    return frame, truth
