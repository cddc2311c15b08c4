"""Bundled and synthetic data sets.

``load_cdnow`` and ``load_cdnow_sample`` read the CDNOW data shipped inside the
installed lifetimes package (no download). The ``make_*`` functions draw synthetic data
from known parameters so that models can be tested for parameter recovery (or, for
``make_baskets``, planted co-purchase rules recovered).
"""

from ._baskets import make_baskets
from ._cdnow import load_cdnow, load_cdnow_sample
from ._loyalty import make_loyalty_events
from ._surveys import make_surveys
from ._synthetic import CDNOW_PARAMS, make_transactions
from ._tickets import make_tickets

__all__ = [
    "CDNOW_PARAMS",
    "load_cdnow",
    "load_cdnow_sample",
    "make_baskets",
    "make_loyalty_events",
    "make_surveys",
    "make_tickets",
    "make_transactions",
]
