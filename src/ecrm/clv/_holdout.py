"""Calibration and holdout: split transactions at a date, fit before it, check after it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _schema, _time
from ..errors import SchemaError
from ..summary import customer_summary
from ..transactions import Transactions
from . import _input
from ._model import PURCHASE_MODELS, CLVModel


def calibration_holdout(
    transactions: pd.DataFrame | Transactions,
    *,
    calibration_end: object,
    holdout_end: object = None,
    freq: str = "D",
    time_unit: str = "D",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Per customer: the calibration summary and what they did in the holdout period.

    Customers whose first purchase is on or before ``calibration_end`` form the cohort.
    Their summary as of ``calibration_end`` is followed by their purchases in
    ``(calibration_end, holdout_end]``.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        Raw transactions, or :func:`ecrm.transactions`; rows after ``holdout_end`` are
        left out.
    calibration_end : date-like
        End of the calibration period (inclusive).
    holdout_end : date-like, optional
        End of the holdout period (inclusive); default the last transaction date.
    freq : {"D", "W", "M", "Q", "Y"}
        As in :func:`ecrm.customer_summary`: the calendar period purchases are merged by.
    time_unit : {"D", "W", "M"}
        As in :func:`ecrm.customer_summary`: the unit of ``recency``, ``T`` and
        ``duration_holdout``.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id: ``frequency``, ``recency``, ``T``, ``monetary_value``
        (the calibration summary, ready for :meth:`CLVModel.fit`), then
        ``frequency_holdout`` (purchase periods in the holdout), ``monetary_value_holdout``
        (mean amount of the holdout rows, returns netted in; 0 without any) and
        ``duration_holdout`` (length of the holdout in ``time_unit``). ``attrs`` holds
        ``calibration_end``, ``holdout_end``, ``freq`` and ``time_unit``.

    Raises
    ------
    ecrm.errors.SchemaError
        Bad transactions or dates, or ``holdout_end`` not after ``calibration_end``.

    Notes
    -----
    The columns are lifetimes' ``calibration_and_holdout_data`` with the ``_cal`` suffix
    dropped (``frequency_cal`` is ``frequency``, and so on): on data without returns
    and the same settings (``freq="D"`` is lifetimes' ``freq="D"``, ``time_unit="W"``
    its ``freq_multiplier=7``; ``freq=time_unit="W"`` its ``freq="W"``) the values are
    equal. A return (negative amount) is never a purchase.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import ecrm
    >>> ch = ecrm.clv.calibration_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                   calibration_end="1997-09-30", holdout_end="1998-06-30",
    ...                                   time_unit="W")
    >>> ch.loc[[1, 2], ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]]
                 frequency    recency          T  frequency_holdout  duration_holdout
    customer_id
    1                    2  30.428571  38.857143                  1              39.0
    2                    1   1.714286  38.857143                  0              39.0
    """
    what = "calibration_holdout"
    _time.check_freq(freq)
    _time.check_choice(time_unit, "time_unit", tuple(_time.UNIT_DAYS))
    tx = _input.transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
        as_of=holdout_end, what=what,
    )  # fmt: skip
    return _calibration_holdout(tx, calibration_end, freq, time_unit, what)


def _calibration_holdout(
    tx: Transactions, calibration_end: object, freq: str, time_unit: str, what: str
) -> pd.DataFrame:
    cal_end = _schema.timestamp(calibration_end, tx.date, "calibration_end", what)
    if tx.as_of <= cal_end:
        raise SchemaError(f"{what}: holdout_end={tx.as_of} must be after calibration_end={cal_end}")
    cal = customer_summary(tx, as_of=cal_end, freq=freq, time_unit=time_unit)
    out = cal[["frequency", "recency", "T", "monetary_value"]].copy()

    after = (tx.date > cal_end).to_numpy() & tx.customer.isin(cal.index).to_numpy()
    codes = cal.index.get_indexer(tx.customer[after])
    amount = tx.amount.to_numpy()[after]
    periods = _time.period_ordinal(tx.day[after], freq)
    purchase = amount >= 0
    n = len(cal)
    frequency = np.zeros(n, dtype=np.int64)
    if purchase.any():  # distinct (customer, period) pairs among holdout purchases
        low = periods[purchase].min()
        span = int(periods[purchase].max() - low) + 1
        keys = np.unique(codes[purchase].astype(np.int64) * span + (periods[purchase] - low))
        frequency = np.bincount(keys // span, minlength=n)
    rows = np.bincount(codes, minlength=n)
    spend = np.bincount(codes, weights=amount, minlength=n)
    out["frequency_holdout"] = frequency.astype(np.int64)
    out["monetary_value_holdout"] = np.where(rows > 0, spend / np.maximum(rows, 1), 0.0)
    ends = _time.period_ordinal(_schema.day_number(pd.Series([cal_end, tx.as_of])), freq)
    out["duration_holdout"] = float(_time.duration(ends[:1], ends[1:], freq, time_unit)[0])
    out.attrs.update(
        as_of=cal_end, calibration_end=cal_end, holdout_end=tx.as_of, freq=freq, time_unit=time_unit
    )
    return out


@dataclass(frozen=True)
class HoldoutResult:
    """What :func:`evaluate_holdout` returns.

    Attributes
    ----------
    model : CLVModel
        The model fitted on the calibration period.
    customers : pandas.DataFrame
        Per customer of the calibration cohort (indexed by id): ``frequency``,
        ``recency``, ``T`` of the calibration period, ``actual`` and ``predicted``
        repeat purchases in the holdout period.
    totals : pandas.Series
        ``n_customers``, ``actual`` and ``predicted`` total holdout purchases,
        ``pct_error`` (100 * (predicted - actual) / actual), ``mae`` and
        ``correlation`` of the per-customer predicted and actual counts.
    conditional : pandas.DataFrame
        The conditional-expectation table of Fader, Hardie and Lee (2005): by
        calibration frequency ``0`` .. ``7+`` (an ordered categorical index), the number
        of customers and their mean ``actual`` and ``predicted`` holdout purchases.
    tracking : pandas.DataFrame
        Weekly, from the first purchase to ``holdout_end``: ``actual`` and ``predicted``
        cumulative repeat purchases of the cohort (the model's unconditional
        expectation); ``attrs["calibration_end"]`` marks the split.
    """

    model: CLVModel
    customers: pd.DataFrame
    totals: pd.Series
    conditional: pd.DataFrame
    tracking: pd.DataFrame


def evaluate_holdout(
    transactions: pd.DataFrame,
    *,
    calibration_end: object,
    holdout_end: object,
    purchase_model: str = "bgnbd",
    penalizer: float = 0.0,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> HoldoutResult:
    """Fit on a calibration period and compare predicted with actual holdout purchases.

    The purchase model is fitted on :func:`calibration_holdout` (purchases merged per
    day); each customer's predicted purchases in ``(calibration_end, holdout_end]`` are
    compared with the actual number of purchase days there.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Raw transactions.
    calibration_end, holdout_end : date-like
        End of the calibration period and of the holdout period.
    purchase_model : {"bgnbd", "mbgnbd", "paretonbd"}
        See :class:`CLVModel`.
    penalizer : float
        See :class:`CLVModel`.
    time_unit : {"D", "W", "M"}
        Unit of ``recency``, ``T`` and the rates; weeks by default, as in the papers.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    HoldoutResult
        ``model``, ``customers``, ``totals``, ``conditional`` and ``tracking``.

    Raises
    ------
    ecrm.errors.SchemaError
        Bad transactions, or ``holdout_end`` not after ``calibration_end``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284
    (Figures 2 to 4: tracking and conditional expectations on CDNOW).

    Examples
    --------
    >>> import ecrm
    >>> res = ecrm.clv.evaluate_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                 calibration_end="1997-09-30", holdout_end="1998-06-30")
    >>> res.totals[["actual", "predicted"]].round(1)
    actual       1882.0
    predicted    1653.4
    Name: holdout, dtype: float64
    >>> res.conditional.loc[["0", "7+"]].round(2)
               n_customers  actual  predicted
    frequency
    0                 1411    0.24       0.23
    7+                  64    6.36       6.16
    """
    what = "evaluate_holdout"
    _input.choice(purchase_model, "purchase_model", tuple(m for m in PURCHASE_MODELS if m != "bgbb"))
    _time.check_choice(time_unit, "time_unit", tuple(_time.UNIT_DAYS))
    tx = _input.transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
        as_of=holdout_end, what=what,
    )  # fmt: skip
    split = _calibration_holdout(tx, calibration_end, "D", time_unit, what)
    model = CLVModel(purchase_model=purchase_model, spend_model=None, penalizer=penalizer).fit(split)
    customers = holdout_comparison(model, split)
    actual, predicted = customers["actual"], customers["predicted"]
    totals = pd.Series(
        {
            "n_customers": float(len(customers)),
            "actual": float(actual.sum()),
            "predicted": float(predicted.sum()),
            "pct_error": 100 * (predicted.sum() - actual.sum()) / actual.sum() if actual.sum() else np.nan,
            "mae": float(np.abs(predicted - actual).mean()),
            "correlation": float(np.corrcoef(predicted, actual)[0, 1]) if len(customers) > 1 else np.nan,
        },
        name="holdout",
    )
    return HoldoutResult(
        model=model,
        customers=customers,
        totals=totals,
        conditional=conditional_table(customers),
        tracking=_tracking(model, split, tx, time_unit),
    )


def holdout_comparison(model: CLVModel, split: pd.DataFrame) -> pd.DataFrame:
    """Per customer of a :func:`calibration_holdout` frame: actual and predicted holdout purchases."""
    predicted = model.expected_purchases(float(split["duration_holdout"].iloc[0]), split)
    return split[["frequency", "recency", "T"]].assign(
        actual=split["frequency_holdout"].to_numpy(dtype=float), predicted=predicted.to_numpy()
    )


def conditional_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency 0..7+."""
    labels = [str(k) for k in range(7)] + ["7+"]
    group = pd.Categorical.from_codes(
        np.minimum(customers["frequency"].to_numpy(), 7).astype(int), categories=labels, ordered=True
    )
    table = customers.groupby(group, observed=False).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table.index.name = "frequency"
    return table


def _tracking(model: CLVModel, split: pd.DataFrame, tx: Transactions, time_unit: str) -> pd.DataFrame:
    """Weekly cumulative repeat purchases of the cohort: actual and the model's expectation."""
    in_cohort = tx.customer.isin(split.index).to_numpy() & (tx.amount >= 0).to_numpy()
    day = _schema.day_number(tx.date[in_cohort])
    days = pd.DataFrame({"customer": tx.customer[in_cohort].to_numpy(), "day": day}).drop_duplicates()
    first_day = days.groupby("customer")["day"].transform("min")
    repeat_days = np.sort(days["day"][days["day"] > first_day].to_numpy())
    births, n_born = np.unique(days.groupby("customer")["day"].min().to_numpy(), return_counts=True)

    start = int(births.min())
    end = int(_schema.day_number(pd.Series([tx.as_of]))[0])
    week_ends = np.arange(start + 6, end + 7, 7)  # last day of each week since the first purchase
    week_ends[-1] = min(week_ends[-1], end)
    actual = np.searchsorted(repeat_days, week_ends, side="right")
    # Unconditional E[X(t)] of every birth day at every week end (weeks x birth days).
    age = np.clip(week_ends[:, None] + 1 - births[None, :], 0, None) / _time.UNIT_DAYS[time_unit]
    ages, where = np.unique(age, return_inverse=True)
    expected = model.expected_purchases_new_customer(ages).to_numpy()[where].reshape(age.shape)
    predicted = (expected * n_born).sum(axis=1)
    epoch = np.datetime64("1970-01-01", "D")
    out = pd.DataFrame(
        {"actual": actual.astype(float), "predicted": predicted},
        index=pd.Index(np.arange(1, len(week_ends) + 1), name="week"),
    )
    out.insert(0, "week_end", pd.to_datetime(epoch + week_ends.astype("timedelta64[D]")))
    out.attrs["calibration_end"] = split.attrs["calibration_end"]
    return out
