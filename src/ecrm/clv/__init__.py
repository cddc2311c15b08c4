"""Customer lifetime value and the purchase models behind it.

* :class:`CLVModel` - a purchase model (BG/NBD, MBG/NBD, Pareto/NBD in continuous time;
  BG/BB for discrete transaction opportunities) and the Gamma-Gamma spend model, fitted
  on a customer summary: probability alive, expected purchases, CLV with intervals.
* :class:`SBGModel` - the shifted-beta-geometric model of contractual retention, fitted
  on a cohort's counts of active customers: survival, retention, residual lifetime.
* :func:`calibration_holdout` and :func:`evaluate_holdout` - split transactions at a
  date, fit before it, compare with what happened after it.
* :func:`patterns` and :func:`score` - the models' input as distinct patterns with
  counts (computed where the data lives: DuckDB, Polars, Spark, Dask) and the scores
  joined back onto the customers.

Every likelihood is ecrm's own, written in log space with its analytic gradient and
fitted on the distinct data patterns with their counts as weights; lifetimes serves only
as the reference the tests compare against and is never imported here.
"""

from ._holdout import HoldoutResult, calibration_holdout, evaluate_holdout
from ._mle import ConvergenceWarning
from ._model import PURCHASE_MODELS, SPEND_MODELS, CLVModel
from ._patterns import patterns, score
from ._sbg import SBGModel

__all__ = [
    "PURCHASE_MODELS",
    "SPEND_MODELS",
    "CLVModel",
    "ConvergenceWarning",
    "HoldoutResult",
    "SBGModel",
    "calibration_holdout",
    "evaluate_holdout",
    "patterns",
    "score",
]
