"""ecrm: customer relationship management analytics for e-commerce, on pandas.

``ecrm.transactions`` maps and validates a shop's transactions once (an
``ecrm.Transactions``); ``ecrm.customer_summary`` turns them into one row per customer;
the submodules (``ecrm.datasets`` and the analysis modules) are imported on first use,
so ``import ecrm`` stays fast and never imports matplotlib or lifetimes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import errors
from .summary import customer_summary
from .transactions import EngineTransactions, Transactions

__version__ = "0.1.0"

# Submodules loaded lazily on attribute access (PEP 562).
_SUBMODULES = (
    "datasets",
    "rfm",
    "lifecycle",
    "segmentation",
    "clv",
    "churn",
    "campaign",
    "survey",
    "loyalty",
    "metrics",
    "service",
    "recommend",
    "plotting",
    "report",
    "cli",
)

if TYPE_CHECKING:  # pragma: no cover
    from . import cli, datasets, plotting  # noqa: F401

    # At run time ecrm.transactions is the module, made callable: typed as its function.
    from .transactions import transactions
else:
    from . import transactions

__all__ = [
    "EngineTransactions",
    "Transactions",
    "__version__",
    "customer_summary",
    "errors",
    "transactions",
    *_SUBMODULES,
]


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ecrm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
