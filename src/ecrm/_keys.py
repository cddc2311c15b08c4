"""Packed integer keys: the fast way to group, count, sort and de-duplicate by two codes.

Two non-negative integer codes are packed into one int64 (``high << bits | low``) and
sorted with ``np.sort``, which is SIMD-accelerated and several times faster than
hashing (``pd.factorize``) or ``np.lexsort`` on millions of rows. :class:`Pairs` holds
the sorted distinct pairs (e.g. a customer's purchase days or periods) with the facts
every module reads from them: counts and blocks per customer, and gaps between
consecutive values. Shared by :mod:`ecrm.transactions` and the modules that read it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def sort_with_ties(key: np.ndarray, tie: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``tie`` and ``key`` ordered by key, then tie (non-negative ints; ties distinct).

    When both fit one int64 they are packed (key high bits, tie low bits) and sorted with
    ``np.sort``, which is several times faster than ``argsort``/``lexsort`` on int64 and
    needs no gather afterwards: the sorted values carry the tie (an index) and the key.
    """
    bits = max(int(tie.max(initial=0)).bit_length(), 1)
    if key.size and key.min() >= 0 and int(key.max()) < 2 ** (63 - bits):
        packed = np.sort((key << bits) | tie)
        return packed & ((1 << bits) - 1), packed >> bits
    order = np.lexsort((tie, key))
    return tie[order], key[order]


def block_starts(codes: np.ndarray) -> np.ndarray | None:
    """Where each run of equal codes begins, when ``codes`` is non-decreasing; else None.

    Exports are often grouped by customer; then per-group reductions are one sequential
    ``reduceat`` pass instead of scattered ``bincount``/``ufunc.at`` updates.
    """
    if codes.size == 0 or not (codes[1:] >= codes[:-1]).all():
        return None
    change = np.empty(codes.size, dtype=bool)
    change[0] = True
    np.not_equal(codes[1:], codes[:-1], out=change[1:])
    return np.flatnonzero(change)


def reduce_by_group(
    ufunc: np.ufunc,
    codes: np.ndarray,
    values: np.ndarray,
    n_groups: int,
    fill: float | int,
    starts: np.ndarray | None,
) -> np.ndarray:
    """``ufunc`` (np.add, np.minimum or np.maximum) of ``values`` per group code.

    Groups without rows get ``fill``. ``starts`` is :func:`block_starts` of ``codes``.

    Examples
    --------
    >>> import numpy as np
    >>> codes, values = np.array([0, 0, 2]), np.array([5.0, 1.0, 7.0])
    >>> reduce_by_group(np.minimum, codes, values, 3, np.inf, block_starts(codes))
    array([ 1., inf,  7.])
    >>> reduce_by_group(np.add, codes[::-1], values, 3, 0.0, None)
    array([7., 0., 6.])
    """
    out = np.full(n_groups, fill, dtype=values.dtype)
    if starts is not None:
        out[codes[starts]] = ufunc.reduceat(values, starts)
    elif ufunc is np.add and fill == 0:
        out = np.bincount(codes, weights=values, minlength=n_groups).astype(out.dtype, copy=False)
    else:
        ufunc.at(out, codes, values)
    return out


def pack(high: np.ndarray, low: np.ndarray, n_low: int) -> tuple[np.ndarray, np.int64, np.ndarray | None]:
    """One sortable int64 key per (high, low) pair, ``0 <= low < n_low``.

    When the bits would overflow, ``high`` is first replaced by its rank among its
    distinct values; those values are returned so :func:`unpack_high` can decode.
    """
    shift = bits(n_low)
    uniques = None
    if high.size and bits(int(high.max()) + 1) + shift > 62:
        uniques, high = np.unique(high, return_inverse=True)
    return (high.astype(np.int64) << shift) | low, shift, uniques


def unpack_high(keys: np.ndarray, shift: np.int64, uniques: np.ndarray | None) -> np.ndarray:
    """The ``high`` part of keys made by :func:`pack`."""
    high = keys >> shift
    return uniques[high] if uniques is not None else high


def runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in a sorted array."""
    if sorted_keys.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    new = np.empty(sorted_keys.size, dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, sorted_keys.size))


@dataclass(frozen=True)
class Pairs:
    """Sorted distinct ``(code, value)`` pairs of non-negative codes and integer values.

    Built with :meth:`of`; ``code`` and ``value`` are the two halves, sorted by code
    then value (e.g. every customer's distinct purchase days, in time order).

    Examples
    --------
    >>> import numpy as np
    >>> p = Pairs.of(np.array([1, 0, 1, 1]), np.array([20, 5, 3, 20]))
    >>> p.code.tolist(), p.value.tolist(), p.gaps().tolist()
    ([0, 1, 1], [5, 3, 20], [-1, -1, 17])
    >>> p.counts(3).tolist(), p.contains(np.array([1, 1]), np.array([3, 4])).tolist()
    ([1, 2, 0], [True, False])
    """

    keys: np.ndarray
    shift: np.int64
    base: np.int64

    @classmethod
    def of(cls, code: np.ndarray, value: np.ndarray) -> Pairs:
        """The sorted distinct pairs of two aligned arrays."""
        base = np.int64(value.min()) if value.size else np.int64(0)
        shift = bits(int(value.max() - base) + 1 if value.size else 1)
        keys = distinct_sorted((code.astype(np.int64) << shift) | (value - base))
        return cls(keys, shift, base)

    def __len__(self) -> int:
        return int(self.keys.size)

    # The halves are computed on each use, not kept: a log holds many pairs, and keeping
    # both halves of each would triple their memory.
    @property
    def code(self) -> np.ndarray:
        """The code of each pair."""
        return self.keys >> self.shift

    @property
    def value(self) -> np.ndarray:
        """The value of each pair."""
        return self.value_at(slice(None))

    def value_at(self, positions: np.ndarray | slice) -> np.ndarray:
        """The values of the pairs at ``positions``."""
        return (self.keys[positions] & ((np.int64(1) << self.shift) - 1)) + self.base

    def counts(self, n_codes: int) -> np.ndarray:
        """Number of pairs of each code 0..n_codes-1."""
        return np.bincount(self.code, minlength=n_codes)

    def gaps(self) -> np.ndarray:
        """Per pair, its value minus the previous value of the same code (-1 for the first)."""
        out = np.full(self.keys.size, -1, dtype=np.int64)
        if self.keys.size > 1:
            code = self.code
            same = code[1:] == code[:-1]
            out[1:][same] = np.diff(self.keys)[same]  # same code: the key difference is the gap
        return out

    def contains(self, code: np.ndarray, value: np.ndarray) -> np.ndarray:
        """Whether each ``(code, value)`` is one of the pairs."""
        if self.keys.size == 0:
            return np.zeros(code.shape, dtype=bool)
        offset = value - self.base
        inside = (offset >= 0) & (offset < (np.int64(1) << self.shift))
        wanted = (code.astype(np.int64) << self.shift) | np.where(inside, offset, 0)
        pos = np.minimum(np.searchsorted(self.keys, wanted), self.keys.size - 1)
        return inside & (self.keys[pos] == wanted)


def first_per_pair(code: np.ndarray, other: np.ndarray, day: np.ndarray) -> Pairs:
    """Each distinct ``(code, other)`` pair at its earliest ``day``, as (code, day) :class:`Pairs`.

    E.g. every order of a customer (``other`` = order code) on the day of its first line.
    Two orders of one customer on the same day are both kept: the result is a multiset,
    so its keys are sorted but not de-duplicated.

    Examples
    --------
    >>> import numpy as np
    >>> p = first_per_pair(np.array([0, 0, 0, 1]), np.array([7, 7, 8, 7]), np.array([5, 3, 3, 9]))
    >>> p.code.tolist(), p.value.tolist()
    ([0, 0, 1], [3, 3, 9])
    """
    if code.size == 0:
        return Pairs(np.zeros(0, np.int64), np.int64(1), np.int64(0))
    day0 = np.int64(day.min())
    n_days = int(day.max() - day0) + 1
    pair, shift, uniques = pack(code, other, int(other.max()) + 1)
    keys, day_shift, key_uniques = pack(pair, day - day0, n_days)
    keys = np.sort(keys)
    pairs = unpack_high(keys, day_shift, key_uniques)
    starts, _ = runs(pairs)
    first_day = keys[starts] & ((np.int64(1) << day_shift) - 1)
    first_code = unpack_high(pairs[starts], shift, uniques)
    day_bits = bits(n_days)
    return Pairs(np.sort((first_code.astype(np.int64) << day_bits) | first_day), day_bits, day0)
