"""Bundled and synthetic data sets.

``load_cdnow``, ``load_cdnow_sample`` and ``load_donations`` read the data shipped inside
the installed lifetimes package (no download); ``load_retention_cohorts`` holds a
published table. The ``make_*`` functions draw synthetic data from known parameters so
that models can be tested for parameter recovery (or, for ``make_baskets``, planted
co-purchase rules recovered); ``make_online_retail`` draws invoice lines in the raw shape
of the UCI Online Retail export (text dates, float ids, guests, cancellations), to show
data as it comes.
"""

from ._baskets import make_baskets
from ._campaign import CAMPAIGN_RESPONSE, make_campaign
from ._cdnow import load_cdnow, load_cdnow_sample
from ._loyalty import make_loyalty_events
from ._published import load_donations, load_retention_cohorts
from ._retail import make_online_retail
from ._surveys import make_surveys
from ._synthetic import CDNOW_PARAMS, make_transactions
from ._tickets import make_tickets

__all__ = [
    "CAMPAIGN_RESPONSE",
    "CDNOW_PARAMS",
    "load_cdnow",
    "load_cdnow_sample",
    "load_donations",
    "load_retention_cohorts",
    "make_baskets",
    "make_campaign",
    "make_loyalty_events",
    "make_online_retail",
    "make_surveys",
    "make_tickets",
    "make_transactions",
]
