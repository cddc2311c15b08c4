"""Synthetic customer-service tickets with realistic response and resolution times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema
from ..errors import SchemaError

__all__ = ["make_tickets"]

# Channel: share of tickets and how fast it is answered (multiplies the median delay).
TICKET_CHANNELS = {"chat": (0.35, 0.25), "email": (0.35, 1.5), "phone": (0.15, 0.1), "app": (0.15, 1.0)}
TICKET_CATEGORIES = {"delivery": 0.35, "product": 0.2, "refund": 0.2, "account": 0.1, "complaint": 0.15}
_SECONDS_PER_HOUR = 3_600


def make_tickets(
    n_tickets: int = 5_000,
    start: object = "2024-01-01",
    end: object = "2024-03-31",
    random_state: int | None = 0,
    *,
    n_customers: int | None = None,
    n_agents: int = 20,
    response_median_hours: float = 6.0,
    resolution_median_hours: float = 30.0,
    csat_response_rate: float = 0.4,
) -> pd.DataFrame:
    """Draw synthetic customer-service tickets observed at the end of ``end``.

    Creation times are uniform over the window. The first response comes after a
    log-normal delay (median ``response_median_hours`` times a channel factor: phone
    and chat are fast, email slow) and the resolution after a further log-normal delay
    (median ``resolution_median_hours``). Slow resolutions need more contacts
    (``1 + Poisson``) and earn lower satisfaction scores (1-5, rated by a share
    ``csat_response_rate`` of resolved tickets). Events after the end of ``end`` have
    not happened yet, so recent tickets are still unanswered or open, as in a live
    ticket system.

    Parameters
    ----------
    n_tickets : int
        Number of tickets.
    start, end : date-like
        Creation window (``end`` inclusive, to the end of that day).
    random_state : int or None
        Seed; the same seed gives the same data.
    n_customers : int, optional
        Number of distinct customer ids to draw from (default ``n_tickets // 2``).
    n_agents : int
        Number of agents (``"A01"``, ``"A02"``, ...).
    response_median_hours, resolution_median_hours : float
        Median first-response delay (before the channel factor) and median delay from
        first response to resolution.
    csat_response_rate : float
        Share of resolved tickets with a satisfaction score.

    Returns
    -------
    pandas.DataFrame
        Sorted by creation time with columns ``ticket_id``, ``customer_id``,
        ``created_at``, ``first_response_at``, ``resolved_at`` (NaT = not yet),
        ``contacts`` (NaN while open), ``channel``, ``agent``, ``category``, ``csat``.

    References
    ----------
    Brown, L., Gans, N., Mandelbaum, A., Sakov, A., Shen, H., Zeltyn, S. and Zhao, L.
    (2005). Statistical analysis of a telephone call center. *Journal of the American
    Statistical Association* 100(469), 36-50 (log-normal service times).

    Examples
    --------
    >>> import ecrm
    >>> t = ecrm.datasets.make_tickets(1_000, random_state=1)
    >>> len(t), t["ticket_id"].is_unique
    (1000, True)
    >>> bool((t["first_response_at"].dropna() >= t.loc[t["first_response_at"].notna(), "created_at"]).all())
    True
    """
    what = "make_tickets"
    _schema.integer(n_tickets, "n_tickets", what, low=1)
    _schema.integer(n_agents, "n_agents", what, low=1)
    _schema.positive(response_median_hours, "response_median_hours", what)
    _schema.positive(resolution_median_hours, "resolution_median_hours", what)
    _schema.probability(csat_response_rate, "csat_response_rate", what)
    n_customers = max(1, n_tickets // 2) if n_customers is None else n_customers
    _schema.integer(n_customers, "n_customers", what, low=1)
    start_ts, end_ts = (
        _schema.timestamp(start, None, "start", what).normalize(),
        _schema.timestamp(end, None, "end", what).normalize() + pd.Timedelta(days=1),
    )
    window_hours = (end_ts - start_ts) / pd.Timedelta(hours=1)
    if window_hours <= 0:
        raise SchemaError(f"make_tickets: end={end} is before start={start}")

    rng = np.random.default_rng(random_state)
    created = np.sort(rng.uniform(0, window_hours, n_tickets))
    names = list(TICKET_CHANNELS)
    shares = np.array([TICKET_CHANNELS[c][0] for c in names])
    speed = np.array([TICKET_CHANNELS[c][1] for c in names])
    channel = rng.choice(len(names), size=n_tickets, p=shares)
    response = created + rng.lognormal(np.log(response_median_hours * speed[channel]), 1.0)
    work = rng.lognormal(np.log(resolution_median_hours), 0.9, n_tickets)
    resolved = response + work
    contacts = 1 + rng.poisson(0.08 * np.log1p(work), n_tickets)
    score = 5.3 - 0.6 * np.log1p((resolved - created) / 24) - 0.4 * (contacts - 1)
    csat = np.clip(np.round(score + rng.normal(0, 0.8, n_tickets)), 1, 5)
    # Snapshot at the end of the window: later events have not happened.
    responded, is_resolved = response < window_hours, resolved < window_hours
    rated = is_resolved & (rng.uniform(size=n_tickets) < csat_response_rate)

    def times(hours: np.ndarray, happened: np.ndarray) -> pd.Series:
        seconds = np.floor(np.where(happened, hours, 0) * _SECONDS_PER_HOUR).astype(np.int64)
        out = start_ts + pd.to_timedelta(seconds, unit="s")
        return pd.Series(out, dtype="datetime64[ns]").where(happened)

    categories = list(TICKET_CATEGORIES)
    category = rng.choice(len(categories), size=n_tickets, p=np.array(list(TICKET_CATEGORIES.values())))
    agents = [f"A{i + 1:02d}" for i in range(n_agents)]
    return pd.DataFrame(
        {
            "ticket_id": np.arange(1, n_tickets + 1),
            "customer_id": rng.integers(1, n_customers + 1, n_tickets),
            "created_at": times(created, np.ones(n_tickets, dtype=bool)),
            "first_response_at": times(response, responded),
            "resolved_at": times(resolved, is_resolved),
            "contacts": np.where(is_resolved, contacts, np.nan),
            "channel": pd.Categorical.from_codes(channel, categories=names),
            "agent": pd.Categorical.from_codes(rng.integers(0, n_agents, n_tickets), categories=agents),
            "category": pd.Categorical.from_codes(category, categories=categories),
            "csat": np.where(rated, csat, np.nan),
        }
    )
