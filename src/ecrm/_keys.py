"""Packed integer keys: the fast way to group, count and de-duplicate by two codes.

Two non-negative integer codes are packed into one int64 (``high << bits | low``) and
sorted with ``np.sort``, which is SIMD-accelerated and several times faster than
hashing (``pd.factorize``) or ``np.lexsort`` on millions of rows. Shared by the
customer summary, lifecycle, churn and metrics modules.
"""

from __future__ import annotations

import numpy as np


def bits(n: int) -> np.int64:
    """Number of bits that hold the values 0..n-1 (at least 1)."""
    return np.int64(max(int(n - 1).bit_length(), 1))


def distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (already sorted input is not re-sorted)."""
    if keys.size > 1 and not (keys[1:] >= keys[:-1]).all():
        keys = np.sort(keys)
    if keys.size == 0:
        return keys
    keep = np.empty(keys.size, dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def count_distinct(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct non-negative ``value`` per ``group`` code (0..n_groups-1).

    Examples
    --------
    >>> import numpy as np
    >>> count_distinct(np.array([0, 0, 0, 2]), np.array([5, 5, 7, 1]), 3)
    array([2, 0, 1])
    """
    shift = bits(int(value.max()) + 1 if value.size else 1)
    pairs = distinct_sorted((group.astype(np.int64) << shift) | value)
    return np.bincount(pairs >> shift, minlength=n_groups)
