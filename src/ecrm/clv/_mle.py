"""Maximum likelihood for every model of ecrm.clv, and one path to standard errors.

A model supplies ``loglik(theta, data) -> (log-likelihood, gradient in log theta)``,
summed over distinct data patterns weighted by their counts. :func:`fit` maximises it
over ``z = log(theta / scale)`` with L-BFGS-B and the analytic gradient, polishes the
optimum with Newton steps on the Hessian, and returns the covariance of the
log-parameters from that Hessian (central differences of the analytic gradient). The
same covariance gives the standard errors, the Wald intervals of the parameters and the
CLV intervals, for every model.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning
from threadpoolctl import threadpool_limits

from ..errors import EcrmWarning

Z95 = 1.959963984540054  # two-sided 95% normal quantile
_BOUND = 30.0  # |log(theta / scale)| is kept below this: e^30 is far beyond any real estimate
_HESSIAN_STEP = 1e-6


class ConvergenceWarning(EcrmWarning, _SklearnConvergenceWarning):
    """A model fit stopped before its optimiser reported convergence.

    It is both an :class:`~ecrm.errors.EcrmWarning` and scikit-learn's
    ``ConvergenceWarning``, so either filter catches it.
    """


LogLik = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class Fit:
    """The outcome of :func:`fit`.

    ``covariance`` is the covariance of ``log(theta)`` (NaN when the Hessian is not
    positive definite); ``problem`` is None for a clean fit, else why it is not one.
    """

    params: np.ndarray
    log_likelihood: float
    covariance: np.ndarray
    problem: str | None

    @property
    def std_errors(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return self.params * np.sqrt(np.diag(self.covariance))


def fit(
    loglik: LogLik,
    start: np.ndarray,
    scale: np.ndarray,
    n_customers: float,
    penalizer: float = 0.0,
) -> Fit:
    """Maximise ``loglik / n_customers - penalizer * sum((theta / scale) ** 2)``.

    Parameters
    ----------
    loglik : callable
        ``theta -> (total log-likelihood, its gradient with respect to log(theta))``.
    start : array
        Starting parameters.
    scale : array
        Unit of each parameter: the optimiser works on ``log(theta / scale)`` and the
        penalty on ``theta / scale``, so both are free of the time unit (time-rate
        parameters get the longest observation time as their scale, as lifetimes does).
    n_customers : float
        Total weight; the objective is per customer, as in lifetimes.
    penalizer : float
        L2 penalty coefficient.
    """
    # BLAS threads only slow down work on a handful of parameters (on a busy 2-core
    # machine each L-BFGS-B iteration took 12 ms instead of 0.03 ms).
    with threadpool_limits(1, user_api="blas"):
        return _fit(loglik, start, np.asarray(scale, dtype=float), n_customers, penalizer)


def _fit(loglik: LogLik, start: np.ndarray, scale: np.ndarray, n_customers: float, penalizer: float) -> Fit:
    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        theta = scale * np.exp(z)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            ll, grad = loglik(theta)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(z)
        ratio = theta / scale
        value = -ll / n_customers + penalizer * float(ratio @ ratio)
        return value, -grad / n_customers + 2 * penalizer * ratio * ratio

    z = np.log(np.asarray(start, dtype=float) / scale)
    bounds = [(-_BOUND, _BOUND)] * z.size
    # L-BFGS-B to near the optimum, then Newton steps on the Hessian (needed anyway for
    # the standard errors) for the last digits.
    result = minimize(
        objective, z, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 5000, "maxfun": 10000, "ftol": 1e-13, "gtol": 1e-7},
    )  # fmt: skip
    z, value, problem = result.x, result.fun, None
    if not np.isfinite(value):
        problem = "the likelihood is not finite at the start"
    grad = result.jac if np.isfinite(value) else objective(z)[1]
    hess = hessian(lambda v: objective(v)[1], z, grad)
    for _ in range(4):  # Newton steps with that Hessian: quadratic convergence from here
        if np.max(np.abs(grad)) < 1e-12 or not _positive_definite(hess):
            break
        trial = np.clip(z - np.linalg.solve(hess, grad), -_BOUND, _BOUND)
        trial_value, trial_grad = objective(trial)
        if not trial_value <= value + 1e-14 * abs(value):
            break
        z, value, grad = trial, trial_value, trial_grad
    at_bound = np.abs(z) >= _BOUND - 1e-6
    if problem is None and at_bound.any():
        problem = "a parameter ran to the edge of its range (the likelihood keeps rising)"
    elif problem is None and not _positive_definite(hess):
        problem = "the likelihood is flat or not concave at the estimates (no standard errors)"
    elif problem is None and np.max(np.abs(grad)) > 1e-5:
        problem = f"the optimiser stopped: {result.message}"
    theta = scale * np.exp(z)
    if _positive_definite(hess):
        covariance = np.linalg.inv(hess * n_customers)
        covariance = (covariance + covariance.T) / 2
    else:
        covariance = np.full((z.size, z.size), np.nan)
    ratio = theta / scale
    ll = float(n_customers * (penalizer * (ratio @ ratio) - value))  # undo the scaling and penalty
    return Fit(params=theta, log_likelihood=ll, covariance=covariance, problem=problem)


def hessian(gradient: Callable[[np.ndarray], np.ndarray], z: np.ndarray, at_z: np.ndarray) -> np.ndarray:
    """Symmetrised forward differences of an analytic gradient (k gradient calls)."""
    k = z.size
    out = np.empty((k, k))
    for j in range(k):  # k <= 4 parameters
        step = np.zeros(k)
        step[j] = _HESSIAN_STEP
        out[:, j] = (gradient(z + step) - at_z) / _HESSIAN_STEP
    return (out + out.T) / 2


def _positive_definite(matrix: np.ndarray) -> bool:
    if not np.all(np.isfinite(matrix)):
        return False
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return True


def param_table(model: str, names: tuple[str, ...], result: Fit) -> pd.DataFrame:
    """Estimates with standard errors and 95% intervals, one row per parameter.

    The interval is the Wald interval of ``log(theta)`` mapped back,
    ``theta * exp(+-1.96 se / theta)``: always positive, and the same asymptotic normal
    of the log-parameters that :meth:`CLVModel.predict_clv` uses for its intervals.
    """
    se = result.std_errors
    with np.errstate(invalid="ignore", over="ignore"):
        spread = np.exp(Z95 * se / result.params)
    return pd.DataFrame(
        {
            "model": model,
            "estimate": result.params,
            "std_error": se,
            "ci_lower": result.params / spread,
            "ci_upper": result.params * spread,
        },
        index=pd.Index(names, name="parameter"),
    )


def warn_if_problem(result: Fit, model: str, penalizer: float, stacklevel: int) -> None:
    """A :class:`ConvergenceWarning` naming the problem and the penalizer to try."""
    if result.problem is None:
        return
    warnings.warn(
        f"{model} fit did not converge ({result.problem}); the estimates may be unreliable "
        f"and their standard errors are NaN where the Hessian is not positive definite. Try a "
        f"small penalizer, e.g. penalizer=0.001, or check that the data have enough repeat "
        f"customers (penalizer is now {penalizer})",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
