"""The purchase models' input as distinct patterns, and their scores joined back.

The purchase models depend on a customer only through ``(frequency, recency, T)``, and
ecrm fits them on the distinct patterns with their counts. So a log of any size, on any
engine, goes in as one small table: :func:`patterns` (computed where the data lives), a
model is fitted on it locally (``CLVModel(...).fit(table, weights="n_customers")``),
and :func:`score` computes each pattern's scores once and joins them back onto the
customers, on the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _engine, _time
from ..summary import customer_summary
from ..transactions import EngineTransactions, Transactions
from ._input import number
from ._model import CLVModel

_KEYS = ["frequency", "recency", "T"]


def patterns(
    transactions: pd.DataFrame | Transactions | EngineTransactions,
    *,
    as_of: object = None,
    freq: str = "D",
    time_unit: str = "W",
    monetary: bool = False,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> pd.DataFrame:
    """The distinct ``(frequency, recency, T)`` of the customers, with how many share each.

    What the purchase models are fitted on, as one small table: on an engine
    (:class:`ecrm.EngineTransactions`) the summary and the counts run there and only
    the patterns come back, however many customers there are.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        The log (see :func:`ecrm.transactions`).
    as_of, freq, time_unit, customer_col, date_col, amount_col, order_col
        As in :func:`ecrm.customer_summary`.
    monetary : bool
        Add ``monetary_value`` to the pattern (for the Gamma-Gamma spend model; there
        are then about as many patterns as repeat customers).

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` [, ``monetary_value``] and
        ``n_customers``, one row per distinct pattern, sorted; ``attrs`` holds
        ``as_of``, ``freq`` and ``time_unit`` (so a model fitted on it knows its unit).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284
    (the likelihood depends on a customer through (x, t_x, T) only).

    Examples
    --------
    >>> import ecrm
    >>> table = ecrm.clv.patterns(ecrm.datasets.load_cdnow(), as_of="1997-09-30")
    >>> len(table), int(table["n_customers"].sum())  # 8,685 patterns for 23,570 customers
    (8685, 23570)
    >>> model = ecrm.clv.CLVModel(spend_model=None).fit(table, weights="n_customers")
    >>> model.params_["estimate"].round(3).tolist()  # as fitted on the full summary
    [0.252, 4.789, 0.723, 2.161]
    """
    keys = _KEYS + (["monetary_value"] if monetary else [])
    if isinstance(transactions, EngineTransactions):
        _time.check_freq(freq)
        _time.check_choice(time_unit, "time_unit", tuple(_time.UNIT_DAYS))
        log = _engine.prepare(
            transactions,
            as_of,
            "net",
            "patterns",
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
        )
        table = _engine.clv_patterns(log, freq=freq, time_unit=time_unit, monetary=monetary)
        as_of = log.as_of
    else:
        summary = customer_summary(
            transactions,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
            as_of=as_of,
            freq=freq,
            time_unit=time_unit,
        )
        table = summary.groupby(keys, sort=False).size().rename("n_customers").reset_index()
        as_of = summary.attrs["as_of"]
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    table.attrs.update(as_of=as_of, freq=freq, time_unit=time_unit)
    return table


def score(
    model: CLVModel,
    transactions: pd.DataFrame | Transactions | EngineTransactions,
    *,
    as_of: object = None,
    t: float | None = None,
    native: bool = False,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> Any:
    """Score every customer of a log with a fitted purchase model, once per pattern.

    The log is summarised as the model was (its ``time_unit_`` and period), each distinct
    ``(frequency, recency, T)`` is scored once, and the scores are joined back onto the
    customers; on an engine the join runs there, so with ``native=True`` nothing per
    customer is collected.

    Parameters
    ----------
    model : CLVModel
        A fitted model (e.g. on :func:`patterns`).
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        The log to score, summarised as of ``as_of``.
    t : float, optional
        Also ``expected_purchases`` in the next ``t`` time units.
    native : bool
        On an engine: return its lazy frame (customer id as column ``customer_id``)
        instead of collecting to pandas.
    customer_col, date_col, amount_col, order_col : str
        As in :func:`ecrm.customer_summary`.

    Returns
    -------
    pandas.DataFrame or the engine's lazy frame
        Per customer: ``frequency``, ``recency``, ``T``, ``p_alive`` [and
        ``expected_purchases``], indexed by customer id.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (eq. 10 and 11).

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.load_cdnow()
    >>> model = ecrm.clv.CLVModel(spend_model=None).fit(
    ...     ecrm.clv.patterns(tx, as_of="1997-09-30"), weights="n_customers")
    >>> scores = ecrm.clv.score(model, tx, as_of="1997-09-30", t=39)
    >>> scores.loc[[1, 3, 4], ["frequency", "recency", "p_alive", "expected_purchases"]].round(3)
                 frequency  recency  p_alive  expected_purchases
    customer_id
    1                    0    0.000    1.000               0.200
    3                    2   12.857    0.364               0.617
    4                    2   30.429    0.729               1.233
    """
    model._check_fitted()
    if t is not None:
        t = number(t, "t", "score", low=0.0)
    freq, unit = model._period, model.time_unit_ or "D"

    def scores(table: pd.DataFrame) -> pd.DataFrame:
        out = {"p_alive": model.p_alive(table).to_numpy()}
        if t is not None:
            out["expected_purchases"] = model.expected_purchases(t, table).to_numpy()
        return pd.DataFrame(out, index=table.index)

    keywords = {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col}
    if isinstance(transactions, EngineTransactions):
        log = _engine.prepare(transactions, as_of, "net", "score", **keywords, order_col=order_col)
        return _engine.clv_score(log, freq=freq, time_unit=unit, scores=scores, native=native)
    summary = customer_summary(
        transactions, **keywords, order_col=order_col, as_of=as_of, freq=freq, time_unit=unit
    )
    out = summary[_KEYS].copy()
    values = scores(summary)
    for name in values.columns:
        out[name] = values[name].to_numpy(dtype=np.float64)
    out.attrs.update(as_of=summary.attrs["as_of"], freq=freq, time_unit=unit)
    return out
