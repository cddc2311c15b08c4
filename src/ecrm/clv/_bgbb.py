"""BG/BB: the discrete-time purchase model (Fader, Hardie and Shang 2010).

Time is a sequence of transaction opportunities (a yearly donation drive, a monthly
box). At each one an active customer buys with probability ``p ~ Beta(alpha, beta)``;
before each one the customer may die with probability ``theta ~ Beta(gamma, delta)``.
Data per customer: ``x`` purchases (``frequency``) in the ``n`` opportunities after the
first purchase (``T``), the last in opportunity ``t_x`` (``recency``).

The likelihood has one term per opportunity the customer could have died at, summed in
log space (one pass per opportunity, vectorised over customers). Conditional
expectations are sums over future opportunities of ``P(alive) * E[p]``, never the
closed form with ``1 / (gamma - 1)``, which cancels when ``gamma`` is near 1.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln

from ._base import Patterns, PurchaseModel


class BGBB(PurchaseModel):
    name = "bgbb"
    params = ("alpha", "beta", "gamma", "delta")
    discrete = True

    def start(self, data: Patterns) -> np.ndarray:
        return np.ones(4)

    def _log_terms(self, theta, x, tx, n, grad: bool):
        """log-likelihood per customer (and its gradient in theta), via online logsumexp."""
        al, be, ga, de = theta
        x, tx, n = (np.asarray(v, dtype=float) for v in (x, tx, n))
        # Alive through all n opportunities.
        top = betaln(al + x, be + n - x) + betaln(ga, de + n)
        total = np.ones_like(top)
        if grad:
            g = [
                digamma(al + x) - digamma(al + be + n),
                digamma(be + n - x) - digamma(al + be + n),
                digamma(ga) - digamma(ga + de + n),
                digamma(de + n) - digamma(ga + de + n),
            ]
        # Died at opportunity t_x + i + 1, i = 0 .. n - t_x - 1.
        k = n - tx
        for i in range(int(k.max()) if k.size else 0):  # one pass per opportunity
            rows = np.flatnonzero(k > i)
            xi, ti = x[rows], tx[rows] + i
            term = betaln(al + xi, be + ti - xi) + betaln(ga + 1, de + ti)
            new_top = np.maximum(top[rows], term)
            old = np.exp(top[rows] - new_top)
            add = np.exp(term - new_top)
            total[rows] = total[rows] * old + add
            top[rows] = new_top
            if grad:
                gi = [
                    digamma(al + xi) - digamma(al + be + ti),
                    digamma(be + ti - xi) - digamma(al + be + ti),
                    digamma(ga + 1) - digamma(ga + de + ti + 1),
                    digamma(de + ti) - digamma(ga + de + ti + 1),
                ]
                for acc, part in zip(g, gi, strict=True):
                    acc[rows] = acc[rows] * old + add * part
        log_sum = top + np.log(total)
        ll = log_sum - betaln(al, be) - betaln(ga, de)
        if not grad:
            return ll, None
        base = [
            digamma(al + be) - digamma(al),
            digamma(al + be) - digamma(be),
            digamma(ga + de) - digamma(ga),
            digamma(ga + de) - digamma(de),
        ]
        # Accumulated gradients were scaled like ``total``; divide it out.
        return ll, [acc / total + b for acc, b in zip(g, base, strict=True)]

    def pattern_loglik(self, theta, x, tx, T):
        return self._log_terms(theta, x, tx, T, grad=False)[0]

    def loglik(self, theta, data):
        ll, grads = self._log_terms(theta, data.x, data.tx, data.T, grad=True)
        return float(data.w @ ll), np.array([data.w @ g for g in grads]) * theta

    def log_alive_now(self, theta, x, tx, T):
        al, be, ga, de = theta
        x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
        alive = betaln(al + x, be + T - x) - betaln(al, be) + betaln(ga, de + T) - betaln(ga, de)
        return alive - self.pattern_loglik(theta, x, tx, T)

    def p_alive(self, theta, x, tx, T):
        """P(alive at the next opportunity, T + 1), Fader, Hardie and Shang (2010, Table 6)."""
        _, _, ga, de = theta
        T = np.asarray(T, dtype=float)
        return np.exp(self.log_alive_now(theta, x, tx, T) + betaln(ga, de + T + 1) - betaln(ga, de + T))

    def alive_expectation(self, theta, x, T, t):
        al, be, ga, de = theta
        x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
        t = np.atleast_1d(np.asarray(t, dtype=float))
        survive = _survival_sums(ga, de + T, t)
        return ((al + x) / (al + be + T))[:, None] * survive

    def expected_new(self, theta, t):
        al, be, ga, de = theta
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return al / (al + be) * _survival_sums(ga, np.array([de]), t)[0]

    def pmf_new(self, theta, t, n):
        al, be, ga, de = theta
        n = np.asarray(n, dtype=float)
        t = float(t)
        log_choose = gammaln(t + 1) - gammaln(n + 1) - gammaln(t - n + 1)
        with np.errstate(invalid="ignore"):
            alive = np.where(
                n <= t,
                np.exp(
                    log_choose
                    + betaln(al + n, be + t - n)
                    - betaln(al, be)
                    + betaln(ga, de + t)
                    - betaln(ga, de)
                ),
                0.0,
            )
        out = alive
        for i in range(int(t)):  # died at opportunity i + 1 having bought n times in i
            ok = n <= i
            if not ok.any():
                continue
            ni = n[ok]
            log_c = gammaln(i + 1) - gammaln(ni + 1) - gammaln(i - ni + 1)
            out[ok] += np.exp(log_c + betaln(al + ni, be + i - ni) - betaln(al, be)
                              + betaln(ga + 1, de + i) - betaln(ga, de))  # fmt: skip
        return out


def _survival_sums(ga: float, de_rows: np.ndarray, t: np.ndarray) -> np.ndarray:
    """sum_{j=1..t} B(ga, de + j) / B(ga, de): expected opportunities alive, per row and t."""
    out = np.zeros((de_rows.size, t.size))
    if not t.size:
        return out
    order = np.argsort(t)
    acc = np.zeros(de_rows.size)
    j = 0
    base = betaln(ga, de_rows)
    for col in order:  # one pass per future opportunity
        while j < t[col]:
            j += 1
            acc += np.exp(betaln(ga, de_rows + j) - base)
        out[:, col] = acc
    return out
