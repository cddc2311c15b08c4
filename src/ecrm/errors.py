"""Exceptions and warnings raised by ecrm.

Every error that comes from bad input is a :class:`SchemaError`, which is also a
:class:`ValueError`, so code that already catches ``ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "CampaignWarning",
    "DataDroppedWarning",
    "EcrmError",
    "EcrmWarning",
    "LedgerError",
    "SampleRatioMismatchWarning",
    "SchemaError",
]


class EcrmError(Exception):
    """Base class of every exception raised by ecrm."""


class SchemaError(EcrmError, ValueError):
    """Input data does not have the columns, types or values a function needs.

    The message names the column, the problem, how many rows are affected and shows
    up to five example rows.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({"customer_id": [1], "amount": [9.5]})
    >>> try:
    ...     ecrm.customer_summary(tx)
    ... except ecrm.errors.SchemaError as err:
    ...     print(err)
    transactions: missing required column(s) 'order_date' (date_col); available columns: 'customer_id', ...
    """


class LedgerError(EcrmError, ValueError):
    """A loyalty-point event stream breaks an accounting rule."""


class EcrmWarning(UserWarning):
    """Base class of every warning issued by ecrm."""


class DataDroppedWarning(EcrmWarning):
    """Rows were left out of a computation; the message says how many and why."""


class CampaignWarning(EcrmWarning):
    """A campaign evaluation ran, but something about the data limits what it means.

    For example assigned customers with no transactions, a measurement window that runs
    past the end of the data, or a segment too small for its interval to say much.
    """


class SampleRatioMismatchWarning(CampaignWarning):
    """The treatment/control split differs from the planned one beyond chance.

    A sample-ratio mismatch usually means the assignment or the data pipeline is
    broken, and the measured lift should not be trusted until it is explained.
    """
