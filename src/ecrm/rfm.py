"""RFM: recency, frequency and monetary scores 1..bins, and named customer segments.

:func:`score` turns transactions (or the output of :func:`ecrm.customer_summary`) into
one row per customer with scores ``1..bins`` (``bins`` the best), :func:`segment` names
the scores with the "standard" 10-segment grid, the Chinese eight-class scheme "cn8" or
a user's own map, and :func:`segment_summary` describes each segment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _labels, _schema, _summaries, _time
from .errors import SchemaError
from .summary import customer_summary
from .transactions import EngineTransactions, Transactions

__all__ = ["STANDARD_MAP", "score", "segment", "segment_summary"]

MONETARY = ("total", "mean")
METHODS = ("quantile", "fixed")
SCHEMES = ("standard", "cn8")
THRESHOLDS = ("mean", "median")
METRICS = ("recency", "frequency", "monetary")
MIN_BINS, MAX_BINS = 2, 10
# Columns by which a frame is recognised as customer_summary output.
SUMMARY_COLUMNS = ("recency_days", "n_orders", "total_spend")
SCORE_COLUMNS = ("r_score", "f_score", "m_score")

#: The "standard" scheme: patterns on the first two characters of ``rfm_code`` (the R and
#: F scores, 5 bins) to keys of ``_labels.RFM_STANDARD``. Every one of the 25 R x F cells
#: matches exactly one pattern.
STANDARD_MAP: dict[str, str] = {
    "[1-2][1-2]": "hibernating",
    "[1-2][3-4]": "at_risk",
    "[1-2]5": "cant_lose_them",
    "3[1-2]": "about_to_sleep",
    "33": "need_attention",
    "[3-4][4-5]": "loyal_customers",
    "41": "promising",
    "51": "new_customers",
    "[4-5][2-3]": "potential_loyalists",
    "5[4-5]": "champions",
}
_STANDARD_BINS = 5


def _check_bins(bins: object) -> int:
    return _schema.integer(bins, "bins", low=MIN_BINS, high=MAX_BINS)  # type: ignore[return-value]


def _numeric(frame: pd.DataFrame, column: str, what: str, *, non_negative: bool) -> np.ndarray:
    """A finite float column; negative values refused when ``non_negative``."""
    values = _schema.amounts(frame, column, what).to_numpy()
    if non_negative and (values < 0).any():
        raise _schema.bad_rows(what, column, "has negative values", frame, values < 0)
    return values


def _quantile_scores(values: np.ndarray, bins: int) -> np.ndarray:
    """``1 + floor(bins * L / n)``, L the number of values strictly below each value.

    ``bins * L / n >= k`` holds exactly when the value exceeds the order statistic of
    rank ``ceil(k * n / bins)``, so the ``bins - 1`` order statistics (an O(n)
    partition, no full sort) and one ``searchsorted`` give every score.
    """
    n = values.size
    k = np.arange(1, bins)
    ranks = -(-k * n // bins) - 1  # ceil(k n / bins), 0-based
    thresholds = np.partition(values, np.unique(ranks))[ranks]
    return np.searchsorted(thresholds, values, side="left") + 1


def _fixed_scores(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """1 + the number of cut points strictly below each value (right-closed intervals)."""
    return np.searchsorted(cuts, values, side="left") + 1


def _check_edges(edges: object, bins: int) -> dict[str, np.ndarray]:
    if not isinstance(edges, Mapping):
        raise SchemaError(
            "method='fixed' needs edges={'recency': [...], 'frequency': [...], 'monetary': [...]}, "
            f"each with bins - 1 = {bins - 1} increasing cut points; got {edges!r}"
        )
    missing = [m for m in METRICS if m not in edges]
    unknown = [k for k in edges if k not in METRICS]
    if missing or unknown:
        raise SchemaError(
            f"edges: expected exactly the keys {list(METRICS)}; missing {missing}, unknown {unknown}"
        )
    out = {}
    for metric in METRICS:
        try:
            cuts = np.asarray(edges[metric], dtype=float)
        except (TypeError, ValueError):
            raise SchemaError(f"edges[{metric!r}]={edges[metric]!r} is not a list of numbers") from None
        if cuts.ndim != 1 or cuts.size != bins - 1:
            raise SchemaError(f"edges[{metric!r}] has {cuts.size} cut point(s); bins={bins} needs {bins - 1}")
        if not np.isfinite(cuts).all():
            raise SchemaError(f"edges[{metric!r}]={cuts.tolist()} has non-finite cut points")
        if (np.diff(cuts) <= 0).any():
            raise SchemaError(f"edges[{metric!r}]={cuts.tolist()} is not strictly increasing")
        out[metric] = cuts
    return out


def _check_weights(weights: object) -> np.ndarray:
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise SchemaError(f"weights={weights!r} is not three numbers (wr, wf, wm)") from None
    if w.shape != (3,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise SchemaError(
            f"weights={weights!r}: expected three finite, non-negative numbers (wr, wf, wm), not all zero"
        )
    return w


def _code_width(bins: int) -> int:
    """Characters per score in ``rfm_code``: 1, or 2 (zero-padded) when bins = 10."""
    return len(str(bins))


def _all_codes(bins: int) -> np.ndarray:
    """Every ``rfm_code`` in R, F, M order, as an object array indexed by the cell number."""
    width = _code_width(bins)
    digits = [f"{s:0{width}d}" for s in range(1, bins + 1)]
    return np.array([r + f + m for r in digits for f in digits for m in digits], dtype=object)


def _cell(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
    """Cell number ``((r-1) * bins + (f-1)) * bins + (m-1)`` of each customer's scores."""
    return ((r - 1) * bins + (f - 1)) * bins + (m - 1)


def score(
    data: pd.DataFrame | Transactions,
    *,
    bins: int = 5,
    monetary: str = "total",
    method: str = "quantile",
    edges: Mapping[str, Sequence[float]] | None = None,
    weights: Sequence[float] | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    as_of: object = None,
) -> pd.DataFrame:
    """Score every customer 1..bins on recency, frequency and monetary value.

    Parameters
    ----------
    data : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        Raw transactions (or :func:`ecrm.transactions`, also on an engine: then the
        summary is computed there and only one row per customer comes back to be
        scored), or the output of
        :func:`ecrm.customer_summary` (recognised by its columns ``recency_days``,
        ``n_orders`` and ``total_spend``, one row per customer). A frame with the
        transaction columns (``customer_col``, ``date_col``, ``amount_col``) is read as
        transactions even when summary columns were joined to it. Transactions are
        summarised with ``customer_col``, ``date_col``, ``amount_col``, ``order_col`` and
        ``as_of``, exactly as :func:`ecrm.customer_summary` does.
    bins : int
        Number of scores, 2 to 10. ``bins`` is the best score.
    monetary : {"total", "mean"}
        M is the total spend (``total_spend``) or the mean spend per order
        (``avg_order_value``).
    method : {"quantile", "fixed"}
        ``"quantile"``: scores from percentile ranks (rule below). ``"fixed"``: scores
        from business-defined cut points given in ``edges``.
    edges : dict, optional
        With ``method="fixed"``: ``{"recency": [...], "frequency": [...], "monetary":
        [...]}``, each ``bins - 1`` strictly increasing cut points. Intervals are closed
        on the right, like :func:`pandas.cut`: with recency cuts ``[30, 60, 90, 180]``,
        0-30 days scores 5, 31-60 scores 4, ..., over 180 scores 1; with frequency cuts
        ``[1, 2, 3, 5]``, 1 order scores 1, 4 or 5 orders score 4, 6 or more score 5.
    weights : sequence of three floats, optional
        ``(wr, wf, wm)``: ``rfm_score`` becomes ``wr*r + wf*f + wm*m`` (float) instead of
        the plain sum (int).
    customer_col, date_col, amount_col, order_col : str
        Transaction columns (ignored for a summary).
    as_of : date-like, optional
        Snapshot date for transactions. A summary already has one (its
        ``attrs["as_of"]``); passing a different ``as_of`` with a summary is an error.

    Returns
    -------
    pandas.DataFrame
        One row per customer, same index as the summary (customer ids), columns

        - ``recency_days``: days from the last purchase to ``as_of``;
        - ``frequency``: number of orders (``n_orders``);
        - ``monetary``: total spend, or mean spend per order;
        - ``r_score``, ``f_score``, ``m_score``: ints 1..bins, bins the best (most
          recent, most frequent, highest spend);
        - ``rfm_code``: the three scores as a string, e.g. ``"534"`` (two zero-padded
          digits per score when ``bins=10``, e.g. ``"100305"``);
        - ``rfm_score``: ``r + f + m``, or the weighted sum.

        ``attrs`` holds ``as_of``, ``rfm_bins``, ``rfm_method`` and ``rfm_monetary``.

    Raises
    ------
    ecrm.errors.SchemaError
        An empty frame, missing columns, negative or missing recency / frequency, missing
        or infinite monetary values, ``bins`` outside 2..10, bad ``edges`` (wrong count,
        unsorted, missing keys) or ``weights``, and every transaction error of
        :func:`ecrm.customer_summary`.

    Notes
    -----
    **Quantile rule.** A customer's score is one plus the number of whole ``1/bins``
    shares of the population that the customer strictly beats::

        score = 1 + floor(bins * L / n)

    where ``n`` is the number of customers and ``L`` the number of customers with a
    strictly worse value (lower frequency or monetary; *larger* recency_days). ``L`` is
    the same for identical values, so identical values always share a score, however
    heavy the ties; a score can therefore be empty. Customers who beat nobody score 1,
    so one-time buyers (half of a typical cohort) get F = 1; a value held by at most
    ``n / bins`` customers at the top scores ``bins``. A single customer, or a
    population where everyone has the same value, scores 1. The computation is
    vectorised: ``bins - 1`` order statistics by partition and one ``searchsorted``.

    Ties, by hand: frequencies ``[1, 1, 1, 1, 1, 1, 2, 2, 3, 7]`` (n = 10, bins = 5).
    Six customers with 1 order beat nobody: ``1 + floor(5*0/10) = 1``; those with 2
    beat six: ``1 + floor(5*6/10) = 4``; 3 beats eight: ``1 + floor(40/10) = 5``; 7
    beats nine: ``1 + floor(45/10) = 5``. F scores 2 and 3 are empty. ``pandas.qcut``
    on the same values raises "Bin edges must be unique"; ranking first with
    ``rank(method="first")`` gives customers with the same frequency different scores.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus. (RFM
    analysis: recency, frequency and monetary quintile codes.)

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> summary = pd.DataFrame(
    ...     {"recency_days": [5, 5, 40, 90, 200, 200, 200, 300, 365, 400],
    ...      "n_orders": [1, 1, 1, 1, 1, 1, 2, 2, 3, 7],
    ...      "total_spend": [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100]},
    ...     index=pd.Index(list("abcdefghij"), name="customer_id"))
    >>> scored = ecrm.rfm.score(summary)
    >>> scored[["r_score", "f_score", "m_score", "rfm_code", "rfm_score"]].T
    customer_id    a    b    c    d    e    f    g    h    i    j
    r_score        5    5    4    4    2    2    2    2    1    1
    f_score        1    1    1    1    1    1    4    4    5    5
    m_score        1    1    2    2    3    3    4    4    5    5
    rfm_code     511  511  412  412  213  213  244  244  155  155
    rfm_score      7    7    7    7    6    6   10   10   11   11

    Business cut points instead of quantiles:

    >>> fixed = ecrm.rfm.score(summary, method="fixed", edges={
    ...     "recency": [30, 60, 90, 180], "frequency": [1, 2, 3, 5],
    ...     "monetary": [25, 50, 75, 95]})
    >>> fixed["rfm_code"].tolist()
    ['511', '511', '412', '312', '112', '113', '123', '124', '134', '155']
    """
    bins = _check_bins(bins)
    _time.check_choice(monetary, "monetary", MONETARY)
    _time.check_choice(method, "method", METHODS)
    if method == "fixed":
        cuts = _check_edges(edges, bins)
    elif edges is not None:
        raise SchemaError("edges are only used with method='fixed'; pass method='fixed' or drop edges")
    w = None if weights is None else _check_weights(weights)
    if as_of is not None:
        _schema.timestamp(as_of, None, "as_of", "rfm.score")  # a date, whatever the input

    # A log (an engine's is summarised there, scored here) or a frame.
    is_log = isinstance(data, (Transactions, EngineTransactions))
    frame = data if is_log else _schema.check_frame(data, "rfm.score")
    # A frame is a summary by what it is, not by a few columns: transaction rows that
    # carry summary columns (tx.merge(summary)) are transactions.
    is_summary = not is_log and _is_summary(frame, (customer_col, date_col, amount_col))
    if is_summary:
        what = "customer summary"
        _summaries.one_row_per_customer(frame, what, customer_col)
        known = frame.attrs.get("as_of")
        if as_of is not None and (known is None or pd.Timestamp(as_of) != known):
            raise SchemaError(
                f"rfm.score: as_of={as_of!r} given with a customer summary computed as of {known}; "
                "pass as_of to ecrm.customer_summary, or give raw transactions"
            )
        summary = frame
    else:
        what = "transactions"
        summary = customer_summary(
            frame,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
            as_of=as_of,
        )
    m_col = "total_spend" if monetary == "total" else "avg_order_value"
    _schema.require_columns(summary, list(dict.fromkeys([*SUMMARY_COLUMNS, m_col])), what)
    recency = _numeric(summary, "recency_days", what, non_negative=True)
    frequency = _numeric(summary, "n_orders", what, non_negative=True)
    money = _numeric(summary, m_col, what, non_negative=False)

    if method == "quantile":
        # Recency: fewer days is better, so rank the negated values.
        r = _quantile_scores(-recency, bins)
        f = _quantile_scores(frequency, bins)
        m = _quantile_scores(money, bins)
    else:
        r = bins + 1 - _fixed_scores(recency, cuts["recency"])
        f = _fixed_scores(frequency, cuts["frequency"])
        m = _fixed_scores(money, cuts["monetary"])
    total = r + f + m if w is None else w[0] * r + w[1] * f + w[2] * m

    out = pd.DataFrame(
        {
            "recency_days": summary["recency_days"].to_numpy(),
            "frequency": summary["n_orders"].to_numpy(),
            "monetary": money,
            "r_score": r.astype(np.int64),
            "f_score": f.astype(np.int64),
            "m_score": m.astype(np.int64),
            "rfm_code": _all_codes(bins)[_cell(r, f, m, bins)],
            "rfm_score": total,
        },
        index=summary.index.copy(),
    )
    out.attrs.update(
        as_of=summary.attrs.get("as_of"), rfm_bins=bins, rfm_method=method, rfm_monetary=monetary
    )
    return out


def _is_summary(frame: pd.DataFrame, tx_columns: tuple[str, str, str]) -> bool:
    """Whether ``frame`` is a customer summary (else transactions); neither is an error."""
    found = [c in frame.columns for c in SUMMARY_COLUMNS]
    has_tx = [c in frame.columns for c in tx_columns]
    if not any(found) and not any(has_tx):
        raise SchemaError(
            f"rfm.score: expected transactions (columns {list(tx_columns)}, see customer_col=...) or a "
            f"customer summary (columns {list(SUMMARY_COLUMNS)}); available columns: "
            f"{[str(c) for c in frame.columns][:20]}"
        )
    return not all(has_tx) and (all(found) or not any(has_tx))


def _scores(scored: pd.DataFrame, columns: Sequence[str], bins: int, what: str) -> list[np.ndarray]:
    """Integer score columns, each checked to lie in 1..bins."""
    _schema.require_columns(scored, list(columns), what)
    out = []
    for column in columns:
        values = _numeric(scored, column, what, non_negative=False)
        bad = (values < 1) | (values > bins) | (values != np.round(values))
        if bad.any():
            raise _schema.bad_rows(
                what, column, f"has values that are not whole scores 1..{bins}", scored, bad
            )
        out.append(values.astype(np.int64))
    return out


def _bins_of(scored: pd.DataFrame, standard: bool, what: str) -> int:
    """The number of bins of scores whose ``attrs["rfm_bins"]`` is gone (a CSV round trip).

    The highest score is a lower bound (a top score can be empty under heavy ties), so
    5-bin scores are recognised only by a 5 among them: the 5-bin grid is never applied
    to scores that stop below it. Other schemes use the highest score.
    """
    _schema.require_columns(scored, list(SCORE_COLUMNS), what)
    top = max(float(pd.to_numeric(scored[c], errors="coerce").max()) for c in SCORE_COLUMNS)
    if not np.isfinite(top):
        return _STANDARD_BINS  # bad values: the score check names them
    if standard and top < _STANDARD_BINS:
        raise SchemaError(
            f"{what}: scheme='standard' needs 5-bin scores, but attrs['rfm_bins'] is missing (e.g. after "
            f"a CSV round trip) and the highest score is {top:g}: these look like {top:g}-bin scores; "
            "score with bins=5, or set scored.attrs['rfm_bins'] = 5 if they are 5-bin scores whose top "
            "bins are empty"
        )
    return _STANDARD_BINS if standard else int(min(max(top, MIN_BINS), MAX_BINS))


def _compile_map(segment_map: Mapping[str, str], bins: int) -> tuple[np.ndarray, list[str]]:
    """Segment number of every rfm_code cell, and the segment names in map order.

    Each pattern is a regular expression matched at the start of the code, so a
    two-score pattern such as ``"5[4-5]"`` classifies on R and F whatever M is.
    """
    if not isinstance(segment_map, Mapping) or not segment_map:
        raise SchemaError(
            f"segment_map must be a non-empty dict of code pattern -> name, got {segment_map!r}"
        )
    names = list(dict.fromkeys(segment_map.values()))
    compiled = []
    for pattern, name in segment_map.items():
        try:
            compiled.append((re.compile(pattern), names.index(name)))
        except (re.error, TypeError) as err:
            raise SchemaError(
                f"segment_map: pattern {pattern!r} is not a regular expression ({err})"
            ) from None
    codes = _all_codes(bins)
    lookup = np.full(codes.size, -1, dtype=np.int64)
    unmapped, doubly = [], []
    for cell, code in enumerate(codes):  # at most 10**3 codes, not customers
        hits = [(pattern.pattern, seg) for pattern, seg in compiled if pattern.match(code)]
        if not hits:
            unmapped.append(code)
        elif len(hits) > 1:
            doubly.append(f"{code} ({', '.join(repr(p) for p, _ in hits)})")
        else:
            lookup[cell] = hits[0][1]
    if unmapped or doubly:
        parts = []
        if unmapped:
            parts.append(f"{len(unmapped)} code(s) match no pattern, e.g. {unmapped[:10]}")
        if doubly:
            parts.append(f"{len(doubly)} code(s) match more than one pattern, e.g. {doubly[:5]}")
        raise SchemaError(
            f"segment_map must map every code of {bins} bins to exactly one segment: " + "; ".join(parts)
        )
    return lookup, names


def segment(
    scored: pd.DataFrame,
    *,
    scheme: str = "standard",
    lang: str = "en",
    segment_map: Mapping[str, str] | None = None,
    threshold: str = "mean",
) -> pd.DataFrame:
    """Name every scored customer's segment.

    Parameters
    ----------
    scored : pandas.DataFrame
        Output of :func:`score` (``r_score``, ``f_score``, ``m_score``). The number of
        bins is read from ``attrs["rfm_bins"]``; when it is gone (a CSV round trip) it
        is taken from the highest score, and the standard scheme refuses scores whose
        highest is below 5.
    scheme : {"standard", "cn8"}
        ``"standard"``: the 10-segment grid on R x F scores (5 bins only), given by
        :data:`STANDARD_MAP`:

        R1-2 F1-2 hibernating; R1-2 F3-4 at risk; R1-2 F5 can't lose them; R3 F1-2
        about to sleep; R3 F3 need attention; R3-4 F4-5 loyal customers; R4 F1
        promising; R5 F1 new customers; R4-5 F2-3 potential loyalists; R5 F4-5
        champions.

        ``"cn8"``: the eight-class scheme of Chinese e-commerce. R, F and M are each
        "high" when the customer's score is strictly above the population's ``threshold``
        of that score (R high = recent); the three highs and lows give 重要价值客户
        (important value: R, F, M high), 重要发展客户 (important development: F low),
        重要保持客户 (important retention: R low), 重要挽留客户 (important win-back: R,
        F low), and the same four "general" (一般) classes when M is low. The thresholds
        used are in ``attrs["rfm_thresholds"]``.
    lang : {"en", "zh"}
        Language of the segment names of both schemes.
    segment_map : dict, optional
        Your own scheme, replacing ``scheme``: ``{pattern: name}`` where each pattern is a
        regular expression matched at the start of ``rfm_code`` (so ``"5[4-5]"`` reads R
        and F only). Every possible code must match exactly one pattern; names are used
        as given (``lang`` does not apply) and ordered as in the map.
    threshold : {"mean", "median"}
        Threshold of "high" in the cn8 scheme.

    Returns
    -------
    pandas.DataFrame
        A copy of ``scored`` with an ordered categorical column ``segment`` (every
        category present, best first).

    Raises
    ------
    ecrm.errors.SchemaError
        Missing score columns, scores that are not whole numbers in 1..bins, the
        standard scheme on other than 5 bins, a ``segment_map`` leaving a code unmapped
        or mapping it twice (the codes are named), an unknown scheme, lang or threshold.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    The "standard" names follow the RFM segment list popularised by Putler ("RFM
    analysis for successful customer segmentation"), in the 25-cell R x F form shared
    by many open notebooks; "cn8" is the 八大类客户 scheme of Chinese CRM practice.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> scored = pd.DataFrame({"r_score": [5, 5, 3, 1], "f_score": [5, 1, 3, 5],
    ...                        "m_score": [5, 1, 2, 4]})
    >>> ecrm.rfm.segment(scored)["segment"].tolist()
    ['Champions', 'New customers', 'Need attention', "Can't lose them"]
    >>> out = ecrm.rfm.segment(scored, scheme="cn8", lang="zh")
    >>> out["segment"].tolist()
    ['重要价值客户', '一般发展客户', '一般挽留客户', '重要保持客户']
    >>> out.attrs["rfm_thresholds"]
    {'r_score': 3.5, 'f_score': 3.5, 'm_score': 3.0}
    """
    what = "rfm.segment"
    _labels.check_lang(lang)
    _time.check_choice(scheme, "scheme", SCHEMES)
    _time.check_choice(threshold, "threshold", THRESHOLDS)
    _schema.check_frame(scored, what)
    standard = segment_map is None and scheme == "standard"
    known = scored.attrs.get("rfm_bins")
    bins = _check_bins(known) if known is not None else _bins_of(scored, standard, what)
    out = scored.copy()

    if segment_map is not None or scheme == "standard":
        if segment_map is None and bins != _STANDARD_BINS:
            raise SchemaError(
                f"scheme='standard' is defined on 5 bins but the scores have {bins}; "
                "score with bins=5 or pass your own segment_map"
            )
        if segment_map is not None and scheme != "standard":
            raise SchemaError("pass either scheme= or segment_map=, not both")
        lookup, names = _compile_map(STANDARD_MAP if segment_map is None else segment_map, bins)
        r, f, m = _scores(scored, SCORE_COLUMNS, bins, what)
        codes = lookup[_cell(r, f, m, bins)]
        if segment_map is None:
            # Re-number from map order (names are label keys) to the table's display order.
            table_order = {key: i for i, key in enumerate(_labels.RFM_STANDARD)}
            codes = np.array([table_order[key] for key in names])[codes]
            dtype = _labels.categorical(list(_labels.RFM_STANDARD), _labels.RFM_STANDARD, lang).dtype
        else:
            dtype = pd.CategoricalDtype(names, ordered=True)
    else:
        r, f, m = _scores(scored, SCORE_COLUMNS, bins, what)
        stat = np.mean if threshold == "mean" else np.median
        cut = {c: float(stat(v)) for c, v in zip(SCORE_COLUMNS, (r, f, m), strict=True)}
        low_r, low_f, low_m = (v <= cut[c] for c, v in zip(SCORE_COLUMNS, (r, f, m), strict=True))
        # RFM_CN8 order: important (M high) before general; within each, (R, F) = HH, HL, LH, LL.
        codes = 4 * low_m + 2 * low_r + low_f
        dtype = _labels.categorical(list(_labels.RFM_CN8), _labels.RFM_CN8, lang).dtype
        out.attrs["rfm_thresholds"] = cut
    out["segment"] = pd.Categorical.from_codes(codes, dtype=dtype)
    out.attrs["rfm_scheme"] = "custom" if segment_map is not None else scheme
    return out


def _actions(categories: pd.Index) -> list[str] | None:
    """Recommended actions for the categories of a built-in scheme, else None."""
    for table in (_labels.RFM_STANDARD, _labels.RFM_CN8):
        for lang in _labels.LANGS:
            if list(categories) == [table[k][lang] for k in table]:
                return [_labels.label(_labels.RFM_ACTIONS, k, lang) for k in table]
    return None


def segment_summary(segmented: pd.DataFrame) -> pd.DataFrame:
    """Size, revenue and mean R, F, M of every segment, with a recommended action.

    Parameters
    ----------
    segmented : pandas.DataFrame
        Output of :func:`segment` (columns ``segment``, ``recency_days``,
        ``frequency``, ``monetary``).

    Returns
    -------
    pandas.DataFrame
        One row per segment (every category, in order; empty segments have count 0 and
        NaN means), columns ``n_customers``, ``customer_share``, ``revenue``,
        ``revenue_share`` (shares are fractions of 1), ``mean_recency_days``,
        ``mean_frequency``, ``mean_monetary`` and ``action``: a short recommended action
        in the language of the segment names (None for a custom ``segment_map``).
        Revenue is the customers' total spend: ``monetary``, or ``monetary * frequency``
        when scored with ``monetary="mean"`` (``attrs["rfm_monetary"]``).

    Raises
    ------
    ecrm.errors.SchemaError
        An empty frame, missing columns, customers without a segment (NaN), missing,
        infinite or text values of recency, frequency or monetary.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Chicago: Probus.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> scored = pd.DataFrame({"recency_days": [3, 10, 400], "frequency": [9, 1, 2],
    ...                        "monetary": [500.0, 20.0, 80.0], "r_score": [5, 5, 1],
    ...                        "f_score": [5, 1, 2], "m_score": [5, 1, 3]})
    >>> table = ecrm.rfm.segment_summary(ecrm.rfm.segment(scored))
    >>> table.loc[["Champions", "Hibernating"], ["n_customers", "revenue", "revenue_share"]]
                 n_customers  revenue  revenue_share
    segment
    Champions              1    500.0            0.833333
    Hibernating            1     80.0            0.133333
    >>> table.loc["Champions", "action"]
    'Reward them: early access to new products, ask for reviews and referrals'
    """
    what = "rfm.segment_summary"
    frame = _schema.check_frame(segmented, what)
    _schema.require_columns(frame, ["segment", "recency_days", "frequency", "monetary"], what)
    # Every customer is counted in the shares, so every one needs a segment and values.
    unsegmented = frame["segment"].isna().to_numpy()
    if unsegmented.any():
        raise _schema.bad_rows(what, "segment", "has no segment (NaN)", frame, unsegmented)
    values = {
        c: _schema.amounts(frame, c, what).to_numpy() for c in ("recency_days", "frequency", "monetary")
    }
    revenue = values["monetary"]
    if frame.attrs.get("rfm_monetary") == "mean":
        revenue = revenue * values["frequency"]
    parts = pd.DataFrame({"segment": frame["segment"].array, "revenue": revenue, **values})
    grouped = parts.groupby("segment", observed=False, sort=True)
    out = pd.DataFrame(
        {
            "n_customers": grouped.size(),
            "revenue": grouped["revenue"].sum(),
            "mean_recency_days": grouped["recency_days"].mean(),
            "mean_frequency": grouped["frequency"].mean(),
            "mean_monetary": grouped["monetary"].mean(),
        }
    )
    out.insert(1, "customer_share", out["n_customers"] / len(frame))
    out.insert(3, "revenue_share", out["revenue"] / revenue.sum() if revenue.sum() else np.nan)
    actions = _actions(out.index) if isinstance(out.index, pd.CategoricalIndex) else None
    out["action"] = actions if actions is not None else None
    out.index.name = "segment"
    return out
