"""Survey scores with honest uncertainty: NPS, CSAT and CES.

Every score comes with a confidence interval; grouped results (``by=``) are computed for
all groups at once with ``np.bincount`` (no loop over groups), so ten million responses
in a hundred thousand groups take seconds. Scores are validated through
:mod:`ecrm._schema`: values that are not integers on the scale (including NaN) raise a
:class:`~ecrm.errors.SchemaError` listing them, or are dropped with a
:class:`~ecrm.errors.DataDroppedWarning` when ``on_invalid="drop"``.

Conventions: ``nps`` is in points from -100 to 100, ``csat`` in percent (0 to 100), and
every ``*_share`` column is a fraction (0 to 1). Ungrouped calls return a Series (one
value per statistic); grouped calls a DataFrame indexed by the group keys.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from . import _engine, _schema, _time
from ._labels import NPS_CATEGORIES, categorical
from ._stats import group_codes as _group_codes
from ._stats import wilson
from ._stats import z_value as _z
from .errors import DataDroppedWarning, SchemaError

__all__ = [
    "by_segment",
    "ces",
    "csat",
    "link",
    "nps",
    "nps_category",
    "nps_test",
    "nps_trend",
    "sample_size",
]

#: The 0..10 likelihood-to-recommend scale and its category cut-offs (Reichheld 2003).
NPS_SCALE = (0, 10)
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
NPS_METHODS = ("adjusted_wald", "wald", "bootstrap")
CSAT_METHODS = ("wilson", "wald")
ON_INVALID = ("raise", "drop")
# Bootstrap draws are made for this many (group x replicate) cells at a time.
_BOOT_CHUNK = 2_000_000


# --------------------------------------------------------------------------- input


def _as_frame(data: object, score_col: str, what: str) -> pd.DataFrame:
    """A DataFrame view of scores given as a frame, a Series, a list or an array."""
    if isinstance(data, pd.DataFrame):
        frame = _schema.check_frame(data, what)
        _schema.require_columns(frame, [score_col], what)
        return frame
    if isinstance(data, pd.Series):
        frame = data.to_frame(score_col)
    else:
        values = np.asarray(data, dtype=object if not hasattr(data, "dtype") else None)
        if values.ndim != 1:
            raise SchemaError(f"{what}: scores must be one-dimensional, got shape {values.shape}")
        frame = pd.DataFrame({score_col: values})
    if len(frame) == 0:
        raise SchemaError(f"{what}: no responses (0 scores); there is nothing to compute")
    return frame


def _describe_values(values: pd.Series) -> str:
    counts = values.astype(object).map(repr).value_counts(sort=True)
    shown = ", ".join(f"{v} (x{c})" for v, c in counts.head(10).items())
    more = f" and {len(counts) - 10} more" if len(counts) > 10 else ""
    return shown + more


def _scores(
    frame: pd.DataFrame, column: str, scale: tuple[int, int], what: str, on_invalid: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer scores on ``scale`` and the mask of rows kept (None when all are)."""
    _time.check_choice(on_invalid, "on_invalid", ON_INVALID)
    values = frame[column]
    low, high = scale
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"{what}: column {column!r} is boolean; expected integer scores {low}..{high}")
    numeric = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_numeric_dtype(values) else values
    arr = np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(arr) | (arr != np.round(arr)) | (arr < low) | (arr > high)
    if values.dtype == object:  # True among numbers is not a score of 1
        bad |= values.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
    keep = None
    if bad.any():
        problem = (
            f"has values that are not integers in {low}..{high} (NaN included); offending values: "
            f"{_describe_values(values[bad])}"
        )
        if on_invalid == "raise":
            raise _schema.bad_rows(what, column, problem, frame, bad)
        n_bad = int(bad.sum())
        if n_bad == len(frame):
            raise _schema.bad_rows(what, column, problem + "; no valid response is left", frame, bad)
        warnings.warn(
            f"{what}: dropped {n_bad} of {len(frame)} row(s) because column {column!r} {problem}",
            DataDroppedWarning,
            stacklevel=3,
        )
        keep = ~bad
        arr = arr[keep]
    return arr.astype(np.int64), keep


def _by_columns(by: object) -> list[str]:
    return _schema.columns(by, "by")


def _prepare(
    data: object,
    score_col: str,
    by: object,
    scale: tuple[int, int],
    what: str,
    on_invalid: str,
    extra: Sequence[pd.Series] = (),
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None, np.ndarray, pd.Index | None]:
    """Validate input; return (frame, scores, kept-row mask, group codes, group keys,
    multiplicities). Every row is one response (multiplicity None), except for a frame
    on an engine (Polars, DuckDB, Spark, Dask): the scores are checked and counted per
    (group, score) there, and each row of the small table that comes back stands for
    its count of responses."""
    by_cols = [] if by is None else _by_columns(by)
    if _engine.engine_of(data) is not None:
        if extra:
            raise SchemaError(f"{what}: on an engine frame, use nps/csat/ces per group (by=) instead")
        table = _engine.score_counts(data, score_col, by_cols, scale, what, on_invalid)
        scores = table[score_col].to_numpy(dtype=np.int64)
        if not by_cols:
            return table, scores, None, np.zeros(scores.size, dtype=np.intp), None, table["n"].to_numpy()
        codes, index = _group_codes([table[c] for c in by_cols], what)
        return table, scores, None, codes, index, table["n"].to_numpy()
    frame = _as_frame(data, score_col, what)
    if by_cols and not isinstance(data, pd.DataFrame):
        raise SchemaError(f"{what}: by={by!r} needs a DataFrame with those columns, not bare scores")
    _schema.require_columns(frame, by_cols, what)
    scores, keep = _scores(frame, score_col, scale, what, on_invalid)
    keys = [frame[c] for c in by_cols] + list(extra)
    if not keys:
        return frame, scores, keep, np.zeros(scores.size, dtype=np.intp), None, None
    if keep is not None:
        keys = [k[keep] for k in keys]
    codes, index = _group_codes(keys, what)
    return frame, scores, keep, codes, index, None


def _count(codes: np.ndarray, n: int, mult: np.ndarray | None, hits: np.ndarray | None = None) -> np.ndarray:
    """Responses per code (of those where ``hits``), each row counting ``mult`` times."""
    weights = mult if hits is None else (hits if mult is None else hits * mult)
    out = np.bincount(codes, weights=weights, minlength=n)
    return out.astype(np.int64) if hits is None else out


def _weights(frame: pd.DataFrame, weights: object, keep: np.ndarray | None, what: str) -> np.ndarray:
    """Survey weights as finite non-negative float64 over the kept rows."""
    if isinstance(weights, str):
        _schema.require_columns(frame, [weights], what)
        holder, column = frame, weights
    else:
        values = np.asarray(weights)
        if values.shape != (len(frame),):
            raise SchemaError(f"{what}: weights has shape {values.shape}; expected ({len(frame)},)")
        holder, column = pd.DataFrame({"weight": values}, index=frame.index), "weight"
    w = _schema.amounts(holder, column, what).to_numpy()
    negative = w < 0
    if negative.any():
        raise _schema.bad_rows(what, column, "has negative weights", holder, negative)
    return w if keep is None else w[keep]


def _output(table: pd.DataFrame, index: pd.Index | None) -> pd.DataFrame | pd.Series:
    if index is None:
        return table.iloc[0].rename(None)
    table.index = index
    return table


# --------------------------------------------------------------------------- NPS


def _categories(scores: np.ndarray) -> np.ndarray:
    """0 promoter, 1 passive, 2 detractor (the order of NPS_CATEGORIES)."""
    return np.where(scores >= PROMOTER_MIN, 0, np.where(scores > DETRACTOR_MAX, 1, 2))


def _nps_interval(
    p: np.ndarray, d: np.ndarray, n: np.ndarray, method: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wald or adjusted-Wald interval (NPS points, clipped) from shares and sample size."""
    if method == "adjusted_wald":
        # Rocks (2016): add 3 responses, 3/4 of them promoters and 3/4 detractors.
        p, d, n = (p * n + 0.75) / (n + 3), (d * n + 0.75) / (n + 3), n + 3
    centre = p - d
    # Var(p - d) for one trinomial sample: [p(1-p) + d(1-d) + 2pd] / n = [p + d - (p-d)^2] / n.
    half = z * np.sqrt(np.maximum(p + d - centre**2, 0.0) / n)
    return np.clip(100 * (centre - half), -100, 100), np.clip(100 * (centre + half), -100, 100)


def _bootstrap_interval(
    counts: np.ndarray, level: float, n_boot: int, random_state: object
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap: multinomial resamples of every group at once (chunked)."""
    _schema.integer(n_boot, "n_boot", "nps", low=100)
    rng = np.random.default_rng(_schema.random_state(random_state, "random_state", "nps"))  # type: ignore[arg-type]
    n = counts.sum(axis=1)
    low, high = np.empty(len(counts)), np.empty(len(counts))
    step = max(1, _BOOT_CHUNK // n_boot)
    for start in range(0, len(counts), step):  # chunks of groups bound the memory
        part = slice(start, start + step)
        shares = counts[part] / n[part, None]
        draws = rng.multinomial(n[part, None], shares[:, None, :], size=(len(shares), n_boot))
        boot = 100 * (draws[..., 0] - draws[..., 2]) / n[part, None]
        low[part], high[part] = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return low, high


def nps_category(scores: object, *, lang: str = "en", on_invalid: str = "raise") -> pd.Series:
    """Promoter / passive / detractor category of each 0..10 response.

    Parameters
    ----------
    scores : Series, list or array of int
        Likelihood-to-recommend answers on the 0..10 scale.
    lang : {"en", "zh"}
        Label language (推荐者 / 被动者 / 贬损者 in Chinese).
    on_invalid : {"raise", "drop"}
        What to do with values that are not integers 0..10 (including NaN).

    Returns
    -------
    pandas.Series
        Ordered categorical (promoter < passive < detractor, best first), with the index
        of ``scores`` when it is a Series.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import ecrm
    >>> ecrm.survey.nps_category([10, 7, 3]).tolist()
    ['Promoter', 'Passive', 'Detractor']
    >>> ecrm.survey.nps_category([9], lang="zh").tolist()
    ['推荐者']
    """
    frame = _as_frame(scores, "score", "nps_category")
    values, keep = _scores(frame, "score", NPS_SCALE, "nps_category", on_invalid)
    keys = np.array(list(NPS_CATEGORIES))[_categories(values)]
    index = frame.index if keep is None else frame.index[keep]
    name = scores.name if isinstance(scores, pd.Series) else None
    return pd.Series(categorical(keys, NPS_CATEGORIES, lang), index=index, name=name)


def nps(
    data: object,
    *,
    score_col: str = "score",
    by: str | Sequence[str] | None = None,
    ci: str | None = "adjusted_wald",
    level: float = 0.95,
    weights: str | Sequence[float] | None = None,
    n_boot: int = 1000,
    random_state: object = None,
    on_invalid: str = "raise",
) -> pd.DataFrame | pd.Series:
    r"""Net Promoter Score with a confidence interval, overall or per group.

    Responses of 9-10 are promoters, 7-8 passives and 0-6 detractors;
    NPS = 100 (P - D) / n, from -100 to 100.

    Parameters
    ----------
    data : DataFrame, Series, list or array
        0..10 scores, or a frame holding them in ``score_col`` (and the ``by`` columns).
    score_col : str
        Score column of a frame.
    by : str or list of str, optional
        Grouping column(s); every group is computed at once.
    ci : {"adjusted_wald", "wald", "bootstrap"} or None
        Interval method. ``"adjusted_wald"`` (default; Rocks 2016) adds 3 to n and 3/4 to
        both the promoter and the detractor counts, then uses the variance of a
        difference of two proportions from one trinomial sample,
        :math:`\operatorname{Var}(\hat p - \hat d) = [p + d - (p - d)^2] / n`. ``"wald"``
        is the same without the adjustment (degenerate when every answer falls in one
        category). ``"bootstrap"`` is the percentile bootstrap with ``n_boot`` multinomial
        resamples of each group. Bounds are clipped to [-100, 100].
    level : float
        Confidence level.
    weights : str or array-like, optional
        Survey weights (a column name or one weight per row). Shares and NPS are then
        weighted, counts stay raw, and the intervals use Kish's effective sample size
        :math:`n_{\text{eff}} = (\sum w)^2 / \sum w^2` in place of n (reported as
        ``n_eff``). Not available with ``ci="bootstrap"``.
    n_boot, random_state :
        Bootstrap replicates and seed (``ci="bootstrap"`` only).
    on_invalid : {"raise", "drop"}
        Scores that are not integers 0..10 (NaN included) raise a SchemaError listing
        them, or are dropped with a DataDroppedWarning saying how many and why.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``n``, ``promoters``, ``passives``, ``detractors`` (counts),
        ``promoter_share``, ``passive_share``, ``detractor_share`` (fractions), ``nps``,
        ``ci_low``, ``ci_high`` (and ``n_eff`` with weights): a Series without ``by``,
        else one row per group indexed by the ``by`` columns. ``attrs`` holds ``ci`` and
        ``level``. Use :func:`nps_category` for each response's category.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician* 70. Preprint arXiv:1601.07235.

    Kish, L. (1965). *Survey Sampling*. New York: Wiley (effective sample size).

    Examples
    --------
    >>> import ecrm
    >>> r = ecrm.survey.nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 2])
    >>> r[["n", "promoters", "detractors", "nps"]].tolist()
    [10.0, 5.0, 3.0, 20.0]
    >>> round(float(r["ci_low"]), 1), round(float(r["ci_high"]), 1)
    (-30.3, 61.1)
    """
    what = "nps"
    if ci is not None:
        _time.check_choice(ci, "ci", NPS_METHODS)
    z = _z(level)
    frame, scores, keep, codes, index, mult = _prepare(data, score_col, by, NPS_SCALE, what, on_invalid)
    n_groups = 1 if index is None else len(index)
    cell = codes * 3 + _categories(scores)
    counts = _count(cell, 3 * n_groups, mult).reshape(n_groups, 3)
    n = counts.sum(axis=1)
    table = pd.DataFrame(
        {"n": n, "promoters": counts[:, 0], "passives": counts[:, 1], "detractors": counts[:, 2]}
    )
    if weights is None:
        shares, size = counts / n[:, None], n.astype(np.float64)
    else:
        if ci == "bootstrap":
            raise SchemaError("nps: ci='bootstrap' does not support weights; use 'adjusted_wald'")
        if mult is not None:
            raise SchemaError("nps: weights= is not supported on an engine frame; collect it first")
        w = _weights(frame, weights, keep, what)
        mass = np.bincount(cell, weights=w, minlength=3 * n_groups).reshape(n_groups, 3)
        total = mass.sum(axis=1)
        if (total <= 0).any():
            raise SchemaError(
                f"{what}: {int((total <= 0).sum())} group(s) have a total weight of 0; "
                "every group needs some positive weight"
            )
        shares = mass / total[:, None]
        size = total**2 / np.bincount(codes, weights=w * w, minlength=n_groups)
    for i, key in enumerate(("promoter", "passive", "detractor")):
        table[f"{key}_share"] = shares[:, i]
    table["nps"] = 100 * (shares[:, 0] - shares[:, 2])
    if weights is not None:
        table["n_eff"] = size
    if ci is None:
        low = high = np.full(n_groups, np.nan)
    elif ci == "bootstrap":
        low, high = _bootstrap_interval(counts, level, n_boot, random_state)
    else:
        low, high = _nps_interval(shares[:, 0], shares[:, 2], size, ci, z)
    table["ci_low"], table["ci_high"] = low, high
    table.attrs.update(ci=ci, level=level)
    out = _output(table, index)
    out.attrs.update(ci=ci, level=level)
    return out


def _difference(
    a: np.ndarray, b: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NPS(a) - NPS(b) of independent samples from (promoter, passive, detractor) counts.

    Adjusted Wald for each sample (Rocks 2016) and the sum of the two variances; returns
    the raw difference, the interval bounds and the two-sided p-value.
    """

    def adjusted(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = counts.sum(axis=-1) + 3
        p, d = (counts[..., 0] + 0.75) / n, (counts[..., 2] + 0.75) / n
        return p - d, (p + d - (p - d) ** 2) / n

    centre_a, var_a = adjusted(a)
    centre_b, var_b = adjusted(b)
    centre, se = centre_a - centre_b, np.sqrt(var_a + var_b)
    raw = 100 * ((a[..., 0] - a[..., 2]) / a.sum(axis=-1) - (b[..., 0] - b[..., 2]) / b.sum(axis=-1))
    low = np.clip(100 * (centre - z * se), -200, 200)
    high = np.clip(100 * (centre + z * se), -200, 200)
    return raw, low, high, 2 * stats.norm.sf(np.abs(centre / se))


def nps_test(
    a: object,
    b: object,
    *,
    paired: bool = False,
    level: float = 0.95,
    on_invalid: str = "raise",
) -> pd.Series:
    r"""Difference NPS(a) - NPS(b) with its interval and a two-sided p-value.

    Parameters
    ----------
    a, b : Series, list or array of int
        0..10 scores of the two samples.
    paired : bool
        False (default): independent samples. Each NPS gets the adjusted-Wald
        treatment of Rocks (2016) (n + 3, promoters and detractors + 3/4) and the
        variance of the difference is the sum of the two variances; the p-value is the
        normal test of the adjusted difference, so it is below ``1 - level`` exactly when
        the interval excludes 0. True: the same respondents answered twice (``a[i]``
        and ``b[i]`` are one person; Series are aligned on their index). Each answer
        becomes +1 (promoter), 0 (passive) or -1 (detractor), so NPS is 100 x the mean,
        and the per-respondent differences (in {-2, ..., 2}) get a paired t interval and
        t-test. The paired interval collapses to a point when every respondent moved by
        the same amount (then the p-value is 1 for no change, 0 otherwise).
    level : float
        Confidence level.
    on_invalid : {"raise", "drop"}
        As in :func:`nps`; with ``paired=True`` a pair is dropped when either answer is
        invalid.

    Returns
    -------
    pandas.Series
        ``nps_a``, ``nps_b``, ``difference`` (points), ``ci_low``, ``ci_high``,
        ``p_value``, ``n_a``, ``n_b``.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician* 70. Preprint arXiv:1601.07235.

    Examples
    --------
    >>> import ecrm
    >>> a = [10] * 60 + [8] * 20 + [3] * 20   # NPS 40
    >>> b = [10] * 40 + [8] * 20 + [3] * 40   # NPS 0
    >>> t = ecrm.survey.nps_test(a, b)
    >>> float(t["difference"]), round(float(t["p_value"]), 4)
    (40.0, 0.001)
    """
    z = _z(level)
    if not paired:
        counts = []
        for name, sample in (("a", a), ("b", b)):
            frame = _as_frame(sample, "score", f"nps_test ({name})")
            scores, _ = _scores(frame, "score", NPS_SCALE, f"nps_test ({name})", on_invalid)
            counts.append(np.bincount(_categories(scores), minlength=3))
        diff, low, high, p_value = _difference(counts[0], counts[1], z)
        return pd.Series(
            {
                "nps_a": 100 * (counts[0][0] - counts[0][2]) / counts[0].sum(),
                "nps_b": 100 * (counts[1][0] - counts[1][2]) / counts[1].sum(),
                "difference": float(diff),
                "ci_low": float(low),
                "ci_high": float(high),
                "p_value": float(p_value),
                "n_a": float(counts[0].sum()),
                "n_b": float(counts[1].sum()),
            }
        )
    fa, fb = _as_frame(a, "score", "nps_test (a)"), _as_frame(b, "score", "nps_test (b)")
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        if not fa.index.is_unique or not fa.index.sort_values().equals(fb.index.sort_values()):
            raise SchemaError(
                "nps_test: with paired=True, a and b must hold the same respondents "
                "(Series with the same unique index)"
            )
        fb = fb.reindex(fa.index)
    elif len(fa) != len(fb):
        raise SchemaError(
            f"nps_test: with paired=True, a and b need equal lengths, got {len(fa)} and {len(fb)}"
        )
    pairs = pd.DataFrame({"a": fa["score"].to_numpy(), "b": fb["score"].to_numpy()}, index=fa.index)
    valid = np.ones(len(pairs), dtype=bool)
    if on_invalid == "drop":
        for col in ("a", "b"):
            _, keep_col = _scores(pairs, col, NPS_SCALE, "nps_test (paired)", "drop")
            valid &= True if keep_col is None else keep_col
        pairs = pairs[valid]
    contribution = {}
    for col in ("a", "b"):
        scores, _ = _scores(pairs, col, NPS_SCALE, "nps_test (paired)", "raise")
        contribution[col] = 1 - _categories(scores)  # +1 promoter, 0 passive, -1 detractor
    diff = contribution["a"] - contribution["b"]
    n = diff.size
    if n < 2:
        raise SchemaError(f"nps_test: paired=True needs at least 2 pairs, got {n}")
    mean = diff.mean()
    se = diff.std(ddof=1) / np.sqrt(n)
    t_crit = stats.t.ppf(0.5 + level / 2, n - 1)
    p_value = 2 * stats.t.sf(abs(mean) / se, n - 1) if se > 0 else float(mean == 0)
    return pd.Series(
        {
            "nps_a": 100 * contribution["a"].mean(),
            "nps_b": 100 * contribution["b"].mean(),
            "difference": 100 * mean,
            "ci_low": max(-200.0, 100 * (mean - t_crit * se)),
            "ci_high": min(200.0, 100 * (mean + t_crit * se)),
            "p_value": float(p_value),
            "n_a": float(n),
            "n_b": float(n),
        }
    )


def nps_trend(
    data: pd.DataFrame,
    *,
    date_col: str = "date",
    score_col: str = "score",
    freq: str = "M",
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    on_invalid: str = "raise",
) -> pd.DataFrame:
    """NPS per period with adjusted-Wald intervals, flagging significant changes.

    Parameters
    ----------
    data : DataFrame
        Responses with a date column and a 0..10 score column.
    date_col, score_col : str
        Column names.
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period: day, Monday-to-Sunday week, month, quarter or year.
    by : str or list of str, optional
        One trend per group.
    level : float
        Confidence level of the intervals and of the change test.
    on_invalid : {"raise", "drop"}
        As in :func:`nps`.

    Returns
    -------
    pandas.DataFrame
        Indexed by the ``by`` columns (if any) and ``period`` (the period's first day),
        with the columns of :func:`nps` plus ``change`` (points since the group's
        previous period with responses), ``change_p_value`` (two-sided, independent
        samples as in :func:`nps_test`) and ``significant`` (``change_p_value < 1 - level``;
        False for a group's first period).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician* 70. Preprint arXiv:1601.07235.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> df = pd.DataFrame({"date": ["2024-01-05"] * 50 + ["2024-02-05"] * 50,
    ...                    "score": [10] * 20 + [5] * 30 + [10] * 40 + [5] * 10})
    >>> t = ecrm.survey.nps_trend(df)
    >>> t[["nps", "change", "significant"]]
                 nps  change  significant
    period
    2024-01-01 -20.0     NaN        False
    2024-02-01  60.0    80.0         True
    """
    what = "nps_trend"
    _time.check_freq(freq)
    frame = _schema.check_frame(data, what)
    _schema.require_columns(frame, [date_col, score_col], what)
    days = _schema.day_number(_schema.dates(frame, date_col, what))
    start = _time.period_start_day(_time.period_ordinal(days, freq), freq)
    period = pd.Series(
        start.astype("datetime64[D]").astype("datetime64[ns]"), index=frame.index, name="period"
    )
    z = _z(level)
    _, scores, _, codes, index, _ = _prepare(frame, score_col, by, NPS_SCALE, what, on_invalid, [period])
    table = nps(pd.DataFrame({"g": codes, "s": scores}), score_col="s", by="g", level=level)
    table.index = index
    counts = table[["promoters", "passives", "detractors"]].to_numpy()
    group = np.zeros(len(table), dtype=np.intp) if by is None else pd.factorize(index.droplevel(-1))[0]
    has_prev = np.concatenate(([False], group[1:] == group[:-1]))
    prev = np.roll(counts, 1, axis=0)
    diff, _, _, p_value = _difference(counts, prev, z)
    table["change"] = np.where(has_prev, diff, np.nan)
    table["change_p_value"] = np.where(has_prev, p_value, np.nan)
    table["significant"] = has_prev & (p_value < 1 - level)
    table.attrs.update(ci="adjusted_wald", level=level, freq=freq)
    return table


def sample_size(
    margin: float, *, expected_nps: float | None = None, passive_share: float = 0.0, level: float = 0.95
) -> int:
    r"""Responses needed for an adjusted-Wald NPS interval of half-width ``margin``.

    The adjusted-Wald half-width is :math:`z\sqrt{[p' + d' - (p' - d')^2] / (n + 3)}`
    with :math:`p' = (np + 3/4)/(n + 3)` and :math:`d'` alike; the smallest ``n`` whose
    half-width at the expected shares is at most ``margin`` is returned. The shares
    follow from ``expected_nps`` and ``passive_share``; the defaults (NPS 0, no
    passives, the widest case) give a sample that is large enough whatever the truth.

    Parameters
    ----------
    margin : float
        Target margin of error in NPS points (e.g. 5 for +/-5).
    expected_nps : float, optional
        Anticipated NPS in points; None plans for the worst case (0).
    passive_share : float
        Anticipated share of passives (0 is conservative).
    level : float
        Confidence level.

    Returns
    -------
    int

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician* 70. Preprint arXiv:1601.07235.

    Examples
    --------
    >>> import ecrm
    >>> ecrm.survey.sample_size(5)
    1533
    >>> ecrm.survey.sample_size(5, expected_nps=40, passive_share=0.3)
    828
    """
    z = _z(level)
    what = "sample_size"
    margin = _schema.number(margin, "margin", what, low=0, high=100, low_open=True)  # NPS points
    expected_nps = _schema.number(expected_nps, "expected_nps", what, low=-100, high=100, none=True)
    passive_share = _schema.number(passive_share, "passive_share", what, low=0, high=1, high_open=True)
    e = 0.0 if expected_nps is None else expected_nps / 100
    p, d = (1 - passive_share + e) / 2, (1 - passive_share - e) / 2
    if not (p >= 0 and d >= 0):
        raise SchemaError(
            f"sample_size: expected_nps={expected_nps!r} and passive_share={passive_share!r} "
            "do not describe valid promoter and detractor shares"
        )
    # Var <= 1, so n + 3 >= (z / margin)^2 always suffices: search below that bound.
    upper = max(1, int(np.ceil((100 * z / margin) ** 2)))
    n = np.arange(1, upper + 1, dtype=np.float64)
    _, high = _nps_interval(np.full_like(n, p), np.full_like(n, d), n, "adjusted_wald", z)
    half = high - 100 * (((n * p + 0.75) - (n * d + 0.75)) / (n + 3))
    return int(n[np.argmax(half <= margin + 1e-12)])


# --------------------------------------------------------------------------- CSAT, CES


def _satisfied_values(satisfied: object, scale: tuple[int, int], what: str) -> np.ndarray:
    low, high = scale
    if satisfied is None:
        return np.array([high - 1, high])
    values = np.atleast_1d(np.asarray(satisfied))
    if values.size == 0 or values.dtype.kind not in "iu":
        raise SchemaError(f"{what}: satisfied={satisfied!r} must be one or more integer scale values")
    outside = sorted({int(v) for v in values if not low <= v <= high})
    if outside:
        raise SchemaError(f"{what}: satisfied value(s) {outside} are outside scale=({low}, {high})")
    return values


def _proportion_interval(
    hits: np.ndarray, n: np.ndarray, method: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval or Wald interval of a binomial share."""
    if method == "wald":
        p = hits / n
        half = z * np.sqrt(p * (1 - p) / n)
        return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)
    return wilson(hits, n, z)


def _mean_table(
    scores: np.ndarray, codes: np.ndarray, n_groups: int, level: float, mult: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-group count, mean and t interval of the mean (NaN bounds for one response)."""
    n = _count(codes, n_groups, mult)
    total = _count(codes, n_groups, mult, scores.astype(np.float64))
    mean = total / n
    squares = _count(codes, n_groups, mult, (scores - mean[codes]) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(squares / (n - 1) / n)
        t_crit = stats.t.ppf(0.5 + level / 2, n - 1)
    return n, mean, mean - t_crit * se, mean + t_crit * se


def csat(
    data: object,
    *,
    score_col: str = "score",
    scale: tuple[int, int] = (1, 5),
    satisfied: int | Sequence[int] | None = None,
    by: str | Sequence[str] | None = None,
    ci: str | None = "wilson",
    level: float = 0.95,
    on_invalid: str = "raise",
) -> pd.DataFrame | pd.Series:
    """Customer satisfaction: share of satisfied responses with a Wilson interval.

    Parameters
    ----------
    data : DataFrame, Series, list or array
        Scores on ``scale``, or a frame holding them in ``score_col``.
    score_col : str
        Score column of a frame.
    scale : (int, int)
        Lowest and highest answer, low first (``(1, 5)``); a scale given backwards is an
        error.
    satisfied : int or list of int, optional
        Answers that count as satisfied; default the top two boxes (4-5 on 1-5).
    by : str or list of str, optional
        Grouping column(s).
    ci : {"wilson", "wald"} or None
        Interval of the satisfied share: Wilson score interval (default) or Wald.
    level : float
        Confidence level.
    on_invalid : {"raise", "drop"}
        Scores that are not integers on the scale: error, or dropped with a warning.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``n``, ``satisfied`` (count), ``csat`` (percent), ``ci_low``, ``ci_high``
        (percent), ``mean_score``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *Journal of the American Statistical Association* 22(158), 209-212.

    Agresti, A. and Coull, B. A. (1998). Approximate is better than "exact" for interval
    estimation of binomial proportions. *The American Statistician* 52(2), 119-126.

    Examples
    --------
    >>> import ecrm
    >>> r = ecrm.survey.csat([5, 4, 4, 3, 5, 2, 5, 4, 1, 5])
    >>> [round(float(r[k]), 1) for k in ("csat", "ci_low", "ci_high", "mean_score")]
    [70.0, 39.7, 89.2, 3.8]
    """
    what = "csat"
    scale = _schema.scale(scale, "scale", what)
    if ci is not None:
        _time.check_choice(ci, "ci", CSAT_METHODS)
    z = _z(level)
    top = _satisfied_values(satisfied, scale, what)
    _, scores, _, codes, index, mult = _prepare(data, score_col, by, scale, what, on_invalid)
    n_groups = 1 if index is None else len(index)
    hits = _count(codes, n_groups, mult, np.isin(scores, top).astype(np.float64))
    n, mean, _, _ = _mean_table(scores, codes, n_groups, level, mult)
    table = pd.DataFrame({"n": n, "satisfied": hits.astype(np.int64), "csat": 100 * hits / n})
    if ci is None:
        low = high = np.full(n_groups, np.nan)
    else:
        low, high = _proportion_interval(hits, n, ci, z)
    table["ci_low"], table["ci_high"], table["mean_score"] = 100 * low, 100 * high, mean
    out = _output(table, index)
    out.attrs.update(ci=ci, level=level, scale=scale, satisfied=[int(v) for v in top])
    return out


def ces(
    data: object,
    *,
    score_col: str = "score",
    scale: tuple[int, int] = (1, 7),
    low_effort: int | Sequence[int] | None = None,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    on_invalid: str = "raise",
) -> pd.DataFrame | pd.Series:
    """Customer effort score: mean with a t interval, and the share of low-effort answers.

    The default scale is the 1..7 agreement scale of CES 2.0 ("The company made it easy
    for me to handle my issue"), on which higher means less effort.

    Parameters
    ----------
    data : DataFrame, Series, list or array
        Scores on ``scale``, or a frame holding them in ``score_col``.
    score_col : str
        Score column of a frame.
    scale : (int, int)
        Lowest and highest answer, low first; a scale given backwards is an error.
    low_effort : int or list of int, optional
        Answers that mean low effort; default the answers above the scale's midpoint
        (5-7 on 1-7). For a wording where 1 is "very low effort", pass e.g. ``[1, 2]``.
    by : str or list of str, optional
        Grouping column(s).
    level : float
        Confidence level of the t interval (NaN for a group with one response).
    on_invalid : {"raise", "drop"}
        Scores that are not integers on the scale: error, or dropped with a warning.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``n``, ``mean``, ``ci_low``, ``ci_high``, ``low_effort_share`` (fraction).

    References
    ----------
    Dixon, M., Freeman, K. and Toman, N. (2010). Stop trying to delight your customers.
    *Harvard Business Review* 88(7/8), 116-122.

    Student (1908). The probable error of a mean. *Biometrika* 6(1), 1-25.

    Examples
    --------
    >>> import ecrm
    >>> r = ecrm.survey.ces([7, 6, 5, 5, 3, 7, 2, 6])
    >>> [round(float(r[k]), 2) for k in ("mean", "ci_low", "ci_high", "low_effort_share")]
    [5.12, 3.61, 6.64, 0.75]
    """
    what = "ces"
    scale = _schema.scale(scale, "scale", what)
    low, high = scale
    if low_effort is None:
        chosen = np.arange(low, high + 1)
        chosen = chosen[chosen > (low + high) / 2]
    else:
        chosen = _satisfied_values(low_effort, scale, what)
    _, scores, _, codes, index, mult = _prepare(data, score_col, by, scale, what, on_invalid)
    n_groups = 1 if index is None else len(index)
    n, mean, ci_low, ci_high = _mean_table(scores, codes, n_groups, level, mult)
    easy = _count(codes, n_groups, mult, np.isin(scores, chosen).astype(np.float64))
    table = pd.DataFrame(
        {"n": n, "mean": mean, "ci_low": ci_low, "ci_high": ci_high, "low_effort_share": easy / n}
    )
    out = _output(table, index)
    out.attrs.update(level=level, scale=scale, low_effort=[int(v) for v in chosen])
    return out


# --------------------------------------------------------------------------- customers


def _customer_keys(customers: pd.DataFrame, customer_col: str, what: str) -> pd.Index:
    """The customer ids of a customer table: its index, or its ``customer_col`` column."""
    _schema.check_frame(customers, what)
    if customers.index.name != customer_col and customer_col in customers.columns:
        keys = pd.Index(_schema.ids(customers, customer_col, what))
    else:
        keys = customers.index
    if not keys.is_unique:
        raise SchemaError(f"{what}: the customer table has duplicated ids in {customer_col!r}")
    return keys


def _warn_unknown(unknown: np.ndarray, total: int, customer_ids: pd.Series, what: str) -> None:
    if unknown.any():
        n_customers = customer_ids[unknown].nunique()
        warnings.warn(
            f"{what}: left out {int(unknown.sum())} of {total} response(s) from {n_customers} "
            "customer(s) not in the customer table",
            DataDroppedWarning,
            stacklevel=3,
        )


def link(
    responses: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    score_col: str = "score",
    as_of: object = None,
    lang: str = "en",
    on_invalid: str = "raise",
) -> pd.DataFrame:
    """Join each customer's latest NPS answer and category to a customer table.

    Parameters
    ----------
    responses : DataFrame
        One row per answer: customer id, date and a 0..10 score.
    customers : DataFrame
        One row per customer, indexed by customer id (e.g. :func:`ecrm.customer_summary`),
        or holding the ids in ``customer_col``.
    customer_col, date_col, score_col : str
        Column names.
    as_of : date-like, optional
        Answers after it are left out (as in :func:`ecrm.customer_summary`), so the
        columns can serve as churn features without leakage; default: all answers.
    lang : {"en", "zh"}
        Label language of ``last_category``.
    on_invalid : {"raise", "drop"}
        As in :func:`nps`.

    Returns
    -------
    pandas.DataFrame
        ``customers`` with ``n_responses`` (0 when none), ``last_response_date``,
        ``last_score`` and ``last_category`` (NaN/NaT for customers who never answered).
        Of several answers on the same latest date, the last row wins. Answers from
        customers not in the table are left out with a DataDroppedWarning.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> answers = pd.DataFrame({"customer_id": [1, 1, 2], "score": [3, 9, 7],
    ...                         "date": ["2024-01-01", "2024-03-01", "2024-02-01"]})
    >>> cust = pd.DataFrame({"n_orders": [4, 1, 2]}, index=pd.Index([1, 2, 3], name="customer_id"))
    >>> ecrm.survey.link(answers, cust)[["n_responses", "last_score", "last_category"]]
                 n_responses  last_score last_category
    customer_id
    1                      2         9.0      Promoter
    2                      1         7.0       Passive
    3                      0         NaN           NaN
    """
    what = "link"
    frame = _schema.check_frame(responses, what)
    _schema.require_columns(frame, [customer_col, date_col, score_col], what)
    keys = _customer_keys(customers, customer_col, what)
    taken = [
        c
        for c in ("n_responses", "last_response_date", "last_score", "last_category")
        if c in customers.columns
    ]
    if taken:
        raise SchemaError(f"{what}: the customer table already has column(s) {taken}")
    customer = _schema.ids(frame, customer_col, what)
    date = _schema.dates(frame, date_col, what)
    valid, keep = _scores(frame, score_col, NPS_SCALE, what, on_invalid)
    rows = np.ones(len(frame), dtype=bool) if keep is None else keep.copy()
    scores = np.zeros(len(frame), dtype=np.int64)
    scores[rows] = valid
    if as_of is not None:
        rows &= (date <= _schema.timestamp(as_of, date, "as_of", what)).to_numpy()
    customer, date, scores = customer[rows], date[rows], scores[rows]
    position = keys.get_indexer(customer)
    _warn_unknown(position < 0, len(customer), customer, what)
    known = position >= 0
    position, date, scores = position[known], date[known], scores[known]
    # Latest answer per customer: stable sort by (customer, date), take each run's last row.
    order = np.lexsort((_time.instants(date), position))
    pos_sorted = position[order]
    last = order[np.r_[pos_sorted[1:] != pos_sorted[:-1], True]] if order.size else order
    n_responses = np.bincount(position, minlength=len(keys))
    out_score = np.full(len(keys), np.nan)
    out_score[position[last]] = scores[last]
    out_date = pd.Series(pd.NaT, index=range(len(keys)), dtype=date.dtype)
    out_date.iloc[position[last]] = date.iloc[last].to_numpy()
    answered = ~np.isnan(out_score)
    category_keys = np.array(list(NPS_CATEGORIES))[_categories(np.nan_to_num(out_score).astype(np.int64))]
    category = categorical(category_keys, NPS_CATEGORIES, lang)
    category[~answered] = np.nan
    added = pd.DataFrame(
        {
            "n_responses": n_responses,
            "last_response_date": out_date.to_numpy(),
            "last_score": out_score,
            "last_category": category,
        },
        index=customers.index,
    )
    return pd.concat([customers, added], axis=1)


def by_segment(
    responses: pd.DataFrame,
    customers: pd.DataFrame,
    segment_col: str,
    *,
    metric: str = "nps",
    customer_col: str = "customer_id",
    score_col: str = "score",
    **kwargs: object,
) -> pd.DataFrame:
    """NPS, CSAT or CES per customer segment (RFM segment, lifecycle stage, cluster...).

    Each answer takes the segment of its customer from ``customers[segment_col]``; the
    metric is then computed per segment with :func:`nps`, :func:`csat` or :func:`ces`.
    Answers from customers not in the table are left out with a DataDroppedWarning.

    Parameters
    ----------
    responses : DataFrame
        One row per answer with ``customer_col`` and ``score_col``.
    customers : DataFrame
        One row per customer (indexed by id, or ids in ``customer_col``) with
        ``segment_col``.
    segment_col : str
        Segment column of ``customers``; categorical segments keep their order.
    metric : {"nps", "csat", "ces"}
        Which score.
    customer_col, score_col : str
        Column names in ``responses``.
    **kwargs
        Passed to the metric function (``ci=``, ``level=``, ``scale=``...).

    Returns
    -------
    pandas.DataFrame
        One row per segment, indexed by ``segment_col``.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> answers = pd.DataFrame({"customer_id": [1, 2, 3, 3], "score": [10, 9, 2, 6]})
    >>> cust = pd.DataFrame({"tier": ["gold", "gold", "silver"]},
    ...                     index=pd.Index([1, 2, 3], name="customer_id"))
    >>> ecrm.survey.by_segment(answers, cust, "tier")[["n", "nps"]]
            n    nps
    tier
    gold    2  100.0
    silver  2 -100.0
    """
    what = "by_segment"
    functions = {"nps": nps, "csat": csat, "ces": ces}
    _time.check_choice(metric, "metric", tuple(functions))
    frame = _schema.check_frame(responses, what)
    _schema.require_columns(frame, [customer_col, score_col], what)
    keys = _customer_keys(customers, customer_col, what)
    _schema.require_columns(customers, [segment_col], what)
    customer = _schema.ids(frame, customer_col, what)
    position = keys.get_indexer(customer)
    unknown = position < 0
    _warn_unknown(unknown, len(frame), customer, what)
    if unknown.all():
        raise SchemaError(f"{what}: no response belongs to a customer in the customer table")
    segment = customers[segment_col].iloc[position[~unknown]]
    joined = pd.DataFrame({segment_col: segment.to_numpy(), score_col: frame[score_col].to_numpy()[~unknown]})
    if isinstance(segment.dtype, pd.CategoricalDtype):
        joined[segment_col] = pd.Categorical(joined[segment_col], dtype=segment.dtype)
    return functions[metric](joined, score_col=score_col, by=segment_col, **kwargs)
