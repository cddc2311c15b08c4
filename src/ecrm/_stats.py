"""Small statistical building blocks shared by the survey and campaign modules.

Confidence levels, the Wilson score interval of a proportion, integer codes of
grouping columns and Holm's step-down adjustment: each in one place, vectorised
over groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from . import _schema


def z_value(level: float) -> float:
    """The two-sided standard-normal critical value of a confidence ``level``."""
    level = _schema.probability(level, "level", strict=True)  # e.g. 0.95
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson(hits: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval of the binomial share ``hits / n``.

    Examples
    --------
    >>> import numpy as np
    >>> low, high = wilson(np.array([7.0]), np.array([10.0]), 1.959963984540054)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.3968, 0.8922)
    """
    centre = (hits + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * np.sqrt(hits * (n - hits) / n + z**2 / 4)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def group_codes(keys: Sequence[pd.Series], what: str) -> tuple[np.ndarray, pd.Index]:
    """Integer group codes of the rows and the sorted distinct keys (one row each).

    Several key columns give a MultiIndex of the combinations present. Missing keys
    are refused.
    """
    codes_list, uniques_list = [], []
    for key in keys:
        missing = key.isna().to_numpy()
        if missing.any():
            raise _schema.bad_rows(
                what, str(key.name), "has missing group keys (NaN/None)", key.to_frame(), missing
            )
        codes, uniques = _schema.factorize_ids(key)
        codes_list.append(codes)
        uniques_list.append(uniques)
    if len(keys) == 1:
        return codes_list[0], uniques_list[0].rename(keys[0].name)
    dims = tuple(len(u) for u in uniques_list)
    combined = np.ravel_multi_index(tuple(codes_list), dims)
    codes, present = _schema.factorize_ids(pd.Series(combined))
    levels = np.unravel_index(present.to_numpy(), dims)
    index = pd.MultiIndex.from_arrays(
        [u.take(lv) for u, lv in zip(uniques_list, levels, strict=True)], names=[k.name for k in keys]
    )
    return codes, index


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries stay NaN and are not counted.

    Sorted ascending, the i-th of m p-values (i from 1) becomes
    ``max over j <= i of min(1, (m - j + 1) p_(j))``.

    Examples
    --------
    >>> import numpy as np
    >>> holm(np.array([0.01, 0.04, 0.03, np.nan]))
    array([0.03, 0.06, 0.06,  nan])
    """
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m:
        order = valid[np.argsort(p[valid], kind="stable")]
        scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
        out[order] = np.maximum.accumulate(scaled)
    return out
