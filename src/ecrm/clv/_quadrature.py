"""The two integrals the purchase models need, computed so that any finite input is finite.

* :func:`beta_mean` - the expectation of a function of ``p ~ Beta(a, B)`` by Gauss-Jacobi
  quadrature (nodes from the Golub-Welsch eigenproblem, weights normalised, so large
  ``B`` never overflows). It carries the BG/NBD and MBG/NBD conditional expectations,
  whose closed forms (a Gauss hypergeometric function times a vanishing power) overflow
  for heavy buyers and long horizons.
* :func:`log_integral` - ``log`` of ``integral_lo^hi prod_i (d_i + tau) ** e_i dtau`` and,
  on request, the moments of ``log(d_i + tau)`` and ``1 / (d_i + tau)`` under the
  normalised integrand (the gradient of the log-integral with respect to ``e_i`` and
  ``d_i``). It carries the Pareto/NBD likelihood and its derivatives.

For :func:`log_integral` the variable is changed to ``y = log(c + tau)`` with ``c`` at or
below every ``d_i`` whose exponent is negative and at or above every ``d_i`` whose
exponent is positive; the log-integrand is then concave in ``y``, so the integrand is
unimodal. The routine finds the mode, cuts the range where the integrand has fallen
below ``exp(-DROP)`` of its peak (Newton steps from the outside, which stay outside for a
concave function) and applies Gauss-Legendre quadrature there, in log space. Every row
gets its own range, so heavy buyers (a narrow peak) and light ones (a broad one) are
both integrated to near machine precision.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.special import roots_legendre

DROP = 45.0  # the integrand is cut where it is below exp(-DROP) of its peak
_NEWTON_STEPS = 6
# Gauss-Legendre nodes by half-width of the range in y (at most 0.75, 2, 5, wider):
# about 1e-12 relative accuracy in each class (checked against 96-node rules).
_WIDTHS = np.array([0.75, 2.0, 5.0])
_NODES = (20, 28, 40, 64)
_BLOCK = 1 << 15  # nodes per block of rows


# ------------------------------------------------------------------ Gauss-Jacobi
def beta_nodes(a: float, b: np.ndarray, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``p`` (rows x n) and normalised weights for ``E[f(p)]``, ``p ~ Beta(a, b_k)``.

    One Golub-Welsch eigenproblem per distinct ``b`` (the recurrence of the Jacobi
    polynomials on [0, 1]); the weights are the squared first components of the
    eigenvectors, which sum to one, so no Beta function is ever evaluated.
    """
    b = np.atleast_1d(np.asarray(b, dtype=float))
    distinct, inverse = np.unique(b, return_inverse=True)
    nodes = np.empty((distinct.size, n))
    weights = np.empty((distinct.size, n))
    for k, bk in enumerate(distinct):  # one small eigenproblem per distinct b, not per row
        nodes[k], weights[k] = _jacobi_rule(float(a), float(bk), n)
    return nodes[inverse], weights[inverse]


@functools.lru_cache(maxsize=4096)
def _jacobi_rule(a: float, b: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    # Jacobi weight (1 - u)^al (1 + u)^be on [-1, 1] with p = (1 + u) / 2: al = b - 1, be = a - 1.
    al, be = b - 1.0, a - 1.0
    k = np.arange(n, dtype=float)
    s = 2 * k + al + be
    with np.errstate(divide="ignore", invalid="ignore"):
        diag = (be * be - al * al) / (s * (s + 2))
    diag[0] = (be - al) / (al + be + 2)
    j = k[1:]
    sj = 2 * j + al + be
    with np.errstate(divide="ignore", invalid="ignore"):
        off2 = 4 * j * (j + al) * (j + be) * (j + al + be) / (sj * sj * (sj + 1) * (sj - 1))
    # j = 1 written with (1 + al + be) cancelled, which may be 0 when a + b = 1.
    off2[0] = 4 * (1 + al) * (1 + be) / ((2 + al + be) ** 2 * (3 + al + be))
    u, vectors = eigh_tridiagonal(diag, np.sqrt(off2))
    w = vectors[0] ** 2
    return (1 + u) / 2, w / w.sum()


def beta_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted sum over the last axis: the quadrature of :func:`beta_nodes`."""
    return np.einsum("...n,...n->...", values, weights)


# ------------------------------------------------------------- log-concave integral
@functools.cache
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    u, w = roots_legendre(n)
    return u, w


def log_integral(
    lo: np.ndarray,
    hi: np.ndarray,
    shift: np.ndarray | float,
    terms: list[tuple[np.ndarray | float, np.ndarray | float]],
    moments: bool = False,
    n: int = 0,
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """``log integral_lo^hi prod (d + tau) ** e dtau`` per row, and optionally its moments.

    Parameters
    ----------
    lo, hi : arrays
        Limits (``0 <= lo <= hi``); rows with ``lo == hi`` give ``-inf``.
    shift : array or float
        ``c`` of the change of variable (see the module docstring).
    terms : list of (d, e)
        Factors ``(d + tau) ** e``; ``d`` and ``e`` broadcast against ``lo``.
    moments : bool
        Also return, per term, ``E[log(d + tau)]`` and ``E[1 / (d + tau)]`` under the
        normalised integrand (0 where the integral is empty).
    n : int
        Least number of Gauss-Legendre nodes per row (default: chosen per row from the
        width of its range).
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    shape = np.broadcast(lo, hi, shift, *[x for t in terms for x in t]).shape
    lo, hi = np.broadcast_to(lo, shape).ravel(), np.broadcast_to(hi, shape).ravel()
    c = np.broadcast_to(np.asarray(shift, dtype=float), shape).ravel()
    ds = [np.broadcast_to(np.asarray(d, dtype=float), shape).ravel() for d, _ in terms]
    es = [np.broadcast_to(np.asarray(e, dtype=float), shape).ravel() for _, e in terms]
    out = np.full(lo.size, -np.inf)
    stats = [(np.zeros(lo.size), np.zeros(lo.size)) for _ in terms]
    live = hi > lo
    if live.any():
        rows = np.flatnonzero(live)
        log_value, row_stats = _integrate(lo[rows], hi[rows], c[rows], [d[rows] for d in ds],
                                          [e[rows] for e in es], moments, n)  # fmt: skip
        out[rows] = log_value
        for (mean_log, mean_inv), (row_log, row_inv) in zip(stats, row_stats, strict=True):
            mean_log[rows], mean_inv[rows] = row_log, row_inv
    out = out.reshape(shape)
    stats = [(m.reshape(shape), v.reshape(shape)) for m, v in stats]
    return out, stats


def _ell(y: np.ndarray, c: np.ndarray, ds: list[np.ndarray], es: list[np.ndarray]):
    """Log-integrand in ``y`` (Jacobian included) and its first two derivatives."""
    ey = np.exp(y)
    value = y.copy()
    slope = np.ones_like(y)
    curve = np.zeros_like(y)
    for d, e in zip(ds, es, strict=True):
        gap = d - c  # d + tau = e^y + gap
        base = np.maximum(ey + gap, 0.0)  # rounding must not push tau = 0 below zero
        with np.errstate(divide="ignore", invalid="ignore"):
            term = e * np.log(base)
            ratio = e * ey / base
            if not e.all():  # a zero exponent contributes nothing, even where tau = 0
                term = np.where(e == 0, 0.0, term)
                ratio = np.where(e == 0, 0.0, ratio)
            value += term
            slope += ratio
            curve += ratio * gap / base
    return value, slope, curve


def _integrate(lo, hi, c, ds, es, moments, n):
    ylo, yhi = np.log(c + lo), np.log(c + hi)
    # Mode of the concave log-integrand: where its slope crosses zero, else an end.
    _, slope_lo, _ = _ell(ylo, c, ds, es)
    _, slope_hi, _ = _ell(yhi, c, ds, es)
    interior = (slope_lo > 0) & (slope_hi < 0)
    mode = np.where(slope_hi >= 0, yhi, ylo)
    if interior.any():
        mode[interior] = _root_of_slope(ylo[interior], yhi[interior], c[interior],
                                        [d[interior] for d in ds], [e[interior] for e in es])  # fmt: skip
    peak, _, _ = _ell(mode, c, ds, es)
    left = _cut(ylo, mode, peak, c, ds, es)
    right = _cut(yhi, mode, peak, c, ds, es)
    peak = np.maximum(peak, _ell(left, c, ds, es)[0])  # guard rounding at a mode on an end

    # Nodes per row from the width of its range: singularities of the integrand lie at
    # distance pi from the real y axis, so a wider range needs more nodes.
    half = (right - left) / 2
    log_value = np.empty(lo.size)
    stats = [(np.zeros(lo.size), np.zeros(lo.size)) for _ in ds]
    # A range too narrow to resolve in y (hi - lo tiny against c + lo): the midpoint rule
    # in tau is exact to second order there.
    narrow = half <= 1e-13 * (1 + np.abs(left))
    if narrow.any():
        mid = (lo[narrow] + hi[narrow]) / 2
        # d + mid may round to 0 (a subnormal range at tau = 0): log 0 = -inf and 1/0 = inf
        # are the limits, and a zero exponent contributes nothing, as in _ell.
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            logs = [np.log(d[narrow] + mid) for d in ds]
            log_value[narrow] = np.log(hi[narrow] - lo[narrow]) + sum(
                np.where(e[narrow] == 0, 0.0, e[narrow] * log) for log, e in zip(logs, es, strict=True)
            )
            for (mean_log, mean_inv), d, log in zip(stats, ds, logs, strict=True):
                mean_log[narrow] = log
                mean_inv[narrow] = 1.0 / (d[narrow] + mid)
    width_class = np.where(narrow, -1, np.searchsorted(_WIDTHS, half))
    for k in np.unique(width_class[width_class >= 0]):
        rows = np.flatnonzero(width_class == k)
        nodes = max(n, _NODES[k])
        sub = _nodes_sum(left[rows], half[rows], peak[rows], c[rows], [d[rows] for d in ds],
                         [e[rows] for e in es], moments, nodes)  # fmt: skip
        log_value[rows] = sub[0]
        for (mean_log, mean_inv), (row_log, row_inv) in zip(stats, sub[1], strict=True):
            mean_log[rows], mean_inv[rows] = row_log, row_inv
    return log_value, stats


def _nodes_sum(left, half, peak, c, ds, es, moments, n):
    """Gauss-Legendre sums, in blocks of rows small enough to stay in cache."""
    u, w = _legendre(n)
    log_value = np.empty(left.size)
    stats = [(np.zeros(left.size), np.zeros(left.size)) for _ in ds]
    gaps = [d - c for d in ds]
    shifted = [not gap.any() for gap in gaps]  # the shift itself: log(d + tau) = y
    block = max(1, _BLOCK // n)
    for start in range(0, left.size, block):  # blocks of rows, not a loop per row
        rows = slice(start, start + block)
        y = (left[rows] + half[rows])[:, None] + half[rows][:, None] * u
        ey = np.exp(y)
        value = y - peak[rows][:, None]  # the peak bounds every node: exp never overflows
        logs, bases = [], []
        for gap, e, same in zip(gaps, es, shifted, strict=True):
            if same:
                base, log_base = ey, y
            else:
                base = np.maximum(ey + gap[rows][:, None], 0.0)
                with np.errstate(divide="ignore"):
                    log_base = np.log(base)
            value += e[rows][:, None] * log_base
            logs.append(log_base)
            bases.append(base)
        dens = np.exp(value, out=value)
        total = np.einsum("ij,j->i", dens, w)  # einsum, not BLAS: no thread start-up per block
        log_value[rows] = np.log(total) + peak[rows] + np.log(half[rows])
        if moments:
            for (mean_log, mean_inv), log_base, base in zip(stats, logs, bases, strict=True):
                mean_log[rows] = np.einsum("ij,ij,j->i", dens, log_base, w) / total
                mean_inv[rows] = np.einsum("ij,ij,j->i", dens, 1.0 / base, w) / total
    return log_value, stats


def _root_of_slope(ylo, yhi, c, ds, es):
    """The zero of the (decreasing) slope in (ylo, yhi): safeguarded Newton steps."""
    left, right = ylo.copy(), yhi.copy()
    y = (left + right) / 2
    for _ in range(60):
        _, slope, curve = _ell(y, c, ds, es)
        left = np.where(slope > 0, y, left)
        right = np.where(slope > 0, right, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = y - slope / curve
        inside = np.isfinite(step) & (step > left) & (step < right)
        y_next = np.where(inside, step, (left + right) / 2)
        if np.all(np.abs(y_next - y) <= 1e-12 * (1 + np.abs(y))):
            return y_next
        y = y_next
    return y


def _cut(end, mode, peak, c, ds, es):
    """Point between ``mode`` and ``end`` beyond which the integrand is below the cut.

    Newton steps on ``ell(y) - (peak - DROP)`` start at ``end``; for a concave function
    they approach the root from the outside, so every iterate is a safe limit.
    """
    y = end.copy()
    rows = np.flatnonzero(end != mode)
    if rows.size == 0:
        return y
    c, ds, es = c[rows], [d[rows] for d in ds], [e[rows] for e in es]
    at, mode, level = end[rows], mode[rows], peak[rows] - DROP
    value, slope, _ = _ell(at, c, ds, es)
    zero = ~np.isfinite(value)  # e.g. tau ** n at tau = 0: start just inside instead
    if zero.any():
        at = np.where(zero, at + 1e-9 * (mode - at), at)
        value, slope, _ = _ell(at, c, ds, es)
    for _ in range(_NEWTON_STEPS):
        low = value < level
        if not low.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            step = at - (value - level) / slope
        ok = low & np.isfinite(step) & ((step - mode) * (end[rows] - mode) > 0)
        if not ok.any():
            break
        at = np.where(ok, step, at)
        value, slope, _ = _ell(at, c, ds, es)
    y[rows] = at
    return y
