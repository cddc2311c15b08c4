"""The CDNOW data sets, read from the copy that ships inside the lifetimes package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from ..errors import EcrmError

__all__ = ["lifetimes_data_path", "load_cdnow", "load_cdnow_sample"]


def lifetimes_data_path(name: str) -> Path:
    """Path of a file in lifetimes' bundled ``datasets`` folder (lifetimes is not imported)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise EcrmError("the lifetimes package is not installed; `pip install lifetimes`")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / name
    if not path.exists():
        raise EcrmError(f"{path} is missing from the installed lifetimes package")
    return path


def _read(name: str, columns: list[str], header: int | None) -> pd.DataFrame:
    raw = pd.read_csv(
        lifetimes_data_path(name), sep=r"\s+", header=header, names=columns, dtype={"date": str}
    )
    out = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype("int64"),
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d").astype("datetime64[ns]"),
            "quantity": raw["quantity"].astype("int64"),
            "amount": raw["amount"].astype("float64"),
        }
    )
    if "master_id" in raw:
        out["master_id"] = raw["master_id"].astype("int64")
    return out


def load_cdnow() -> pd.DataFrame:
    """Load the full CDNOW transaction data (23,570 customers, 69,659 rows).

    The customers made their first purchase at CDNOW in the first quarter of 1997 and
    are observed until the end of June 1998. One row is one purchase line as published
    (several rows may share a customer and a day).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (int64), ``order_date`` (datetime64, 1997-01-01 to
        1998-06-30), ``quantity`` (number of CDs) and ``amount`` (US dollars).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
    The data file ``CDNOW_master.txt`` is the copy distributed with lifetimes.

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.load_cdnow()
    >>> len(tx), tx["customer_id"].nunique()
    (69659, 23570)
    >>> str(tx["order_date"].min().date()), str(tx["order_date"].max().date())
    ('1997-01-01', '1998-06-30')
    """
    return _read("CDNOW_master.txt", ["customer_id", "date", "quantity", "amount"], header=0)


def load_cdnow_sample() -> pd.DataFrame:
    """Load the 2,357-customer CDNOW sample used by Fader, Hardie and Lee (2005).

    ``customer_id`` is the sample's own id (1 to 2,357), the ``ID`` of the published
    calibration summary ``cdnow_customers_summary_with_transactions.csv``; the master
    id is kept in ``master_id``.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``order_date``, ``quantity``, ``amount`` and
        ``master_id``, 6,919 rows.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.load_cdnow_sample()
    >>> len(tx), tx["customer_id"].nunique()
    (6919, 2357)
    """
    columns = ["master_id", "customer_id", "date", "quantity", "amount"]
    return _read("CDNOW_sample.txt", columns, header=None)
