"""Everything ecrm.clv reads from its user, checked in one place.

Scalar arguments, customer summaries (one row per customer, consistent columns, a
known time unit), transactions (through the one call that validates them) and the
distinct patterns the models are fitted on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _schema, _summaries
from ..errors import SchemaError
from ..transactions import Transactions, as_transactions
from ._base import Patterns

SUMMARY_COLUMNS = ("frequency", "recency", "T")


# ------------------------------------------------------------------ scalar arguments
def number(
    value: object,
    name: str,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> float:
    """``value`` as a float (a whole number when ``integer``): :func:`ecrm._schema.number`."""
    return _schema.number(value, name, what, low=low, high=high, low_open=low_open, whole=integer)  # type: ignore[return-value]


def numbers_array(
    values: object, name: str, what: str, *, low: float = 0.0, integer: bool = False
) -> np.ndarray:
    """A scalar or a sequence of numbers (each checked like :func:`number`) as a 1-D array."""
    items = np.atleast_1d(np.asarray(values, dtype=object)) if not np.isscalar(values) else [values]
    if len(items) == 0:
        raise SchemaError(f"{what}: {name} is empty")
    return np.array([number(v, name, what, low=low, integer=integer) for v in np.ravel(items)])


def choice(value: object, name: str, choices: tuple) -> object:
    """Raise a SchemaError unless ``value`` is one of ``choices`` (:func:`ecrm._schema.choice`)."""
    return _schema.choice(value, name, choices)


# -------------------------------------------------------------------- summaries
def summary(
    frame: object,
    what: str,
    *,
    need_monetary: bool = False,
    weights: str | None = None,
    discrete: bool = False,
) -> dict[str, np.ndarray]:
    """Validate a customer summary (or a pattern table with ``weights``) and return its columns.

    A summary has one row per customer (:func:`ecrm._summaries.one_row_per_customer`):
    a transaction frame with summary columns joined to it (``tx.merge(summary)``) is
    refused, not scored row by row.
    """
    frame = _schema.check_frame(frame, what)
    columns = list(SUMMARY_COLUMNS) + (["monetary_value"] if need_monetary else [])
    _schema.require_columns(frame, columns + ([weights] if weights is not None else []), what)
    _summaries.one_row_per_customer(frame, what)
    out = {c: _schema.amounts(frame, c, what).to_numpy() for c in columns}  # finite floats
    f, r, t = out["frequency"], out["recency"], out["T"]
    checks = [
        ("frequency", (f < 0) | (f != np.floor(f)), "is not a non-negative whole number"),
        ("recency", r < 0, "is negative"),
        ("T", r > t, "is smaller than recency"),
        ("recency", (f == 0) & (r != 0), "is not 0 where frequency is 0"),
    ]
    if discrete:  # BG/BB: whole opportunities, at most one purchase in each
        checks += [
            ("recency", r != np.floor(r), "is not a whole number of periods (BG/BB counts opportunities)"),
            ("T", t != np.floor(t), "is not a whole number of periods (BG/BB counts opportunities)"),
            ("frequency", f > r, "is larger than recency (at most one purchase per opportunity)"),
        ]
    for column, bad, problem in checks:
        if bad.any():
            raise _schema.bad_rows(what, column, problem, frame, bad, show=columns)
    if weights is not None:
        w = _schema.amounts(frame, weights, what).to_numpy()
        if (w <= 0).any():
            raise _schema.bad_rows(what, weights, "is not a positive count of customers", frame, w <= 0)
        out["weights"] = w
    return out


# ------------------------------------------------------------------ transactions
def transactions(
    data: object,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str,
    as_of: object = None,
    what: str = "transactions",
) -> Transactions:
    """The one place ecrm.clv reads transactions: the log, cut at ``as_of``."""
    log = as_transactions(
        data, what=what, customer_col=customer_col, date_col=date_col, amount_col=amount_col
    )
    return log.upto(as_of, what=what)


# ---------------------------------------------------------------------- patterns
def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of equal-length columns: (first row of each pattern, inverse, counts).

    Each column is factorised on its own and the codes combined into one integer key,
    so the work is a few hash passes over integers, never a lexicographic sort of floats.
    """
    first, inverse, counts, _ = _distinct(columns)
    return first, inverse, counts


def _distinct(columns):
    """:func:`distinct_rows` plus each column's (codes, uniques)."""
    factors = [pd.factorize(col) for col in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for codes, uniques in factors:
        if size * max(len(uniques), 1) >= 2**62:  # keep the packed key inside int64
            key = pd.factorize(key)[0].astype(np.int64)
            size = int(key.max()) + 1 if key.size else 1
        key = key * len(uniques) + codes
        size *= max(len(uniques), 1)
    inverse, distinct = pd.factorize(key)
    counts = np.bincount(inverse, minlength=len(distinct))
    # Codes number the patterns in order of first appearance: a pattern's first row is
    # where the running maximum of the codes reaches it.
    seen = np.maximum.accumulate(inverse)
    first = np.flatnonzero(np.concatenate([[True], seen[1:] > seen[:-1]])) if inverse.size else inverse
    return first, inverse, counts, factors


def patterns(cols: dict[str, np.ndarray], weights: np.ndarray | None = None) -> tuple[Patterns, np.ndarray]:
    """The distinct ``(frequency, recency, T)`` patterns, weighted, and each row's pattern."""
    f, r, t = (cols[c] for c in SUMMARY_COLUMNS)
    first, inverse, counts, factors = _distinct((f, r, t))
    w = counts.astype(float) if weights is None else np.bincount(inverse, weights=weights)
    data = Patterns(f[first].astype(float), r[first], t[first], w)
    # The per-column factorisations give the patterns' groupings for free.
    groups = []
    for codes, uniques in factors:
        at = codes[first]
        groups.append(
            (np.asarray(uniques, dtype=float), at, np.bincount(at, weights=w, minlength=len(uniques)))
        )
    data.__dict__.update(by_x=groups[0], by_tx=groups[1], by_T=groups[2])  # seed the cached groupings
    return data, inverse
