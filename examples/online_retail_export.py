"""A raw shop export, as it comes: map it once, then every analysis and the report.

The file has the shape of the UCI Online Retail data (a UK gift wholesaler): invoice
lines with a quantity and a unit price, dates as text like ``12/1/2010 8:26``, invoices
cancelled with a "C", and guest checkouts without a customer id. ``ecrm.transactions``
says which column is which and applies the shop's rules once; every function then takes
the validated log, and the summary agrees with the four manual pandas steps it replaces.

Run: python examples/online_retail_export.py
"""

from __future__ import annotations

import warnings

import pandas as pd

import ecrm
from ecrm.errors import DataDroppedWarning, SchemaError

MAPPING = dict(
    customer_col="CustomerID",
    date_col="InvoiceDate",
    order_col="InvoiceNo",
    quantity_col="Quantity",
    price_col="UnitPrice",
    date_format="%m/%d/%Y %H:%M",
    missing_customers="drop",
    cancel_prefix="C",
)


def by_hand(retail: pd.DataFrame) -> pd.DataFrame:
    """What an analyst writes without ecrm: four pandas steps, ids as floats."""
    known = retail[retail["CustomerID"].notna()]
    when = pd.to_datetime(known["InvoiceDate"], format="%m/%d/%Y %H:%M")
    amount = known["Quantity"] * known["UnitPrice"]
    bought = ~known["InvoiceNo"].str.startswith("C")
    return pd.DataFrame(
        {
            "n_orders": known["InvoiceNo"][bought].groupby(known["CustomerID"]).nunique(),
            "total_spend": amount.groupby(known["CustomerID"]).sum(),
            "last_purchase": when[bought].groupby(known["CustomerID"]).max(),
        }
    )


def main() -> None:
    pd.set_option("display.width", 120)
    retail = ecrm.datasets.make_online_retail(n_customers=1_000, random_state=0)
    print(f"The export: {len(retail):,} invoice lines, columns {list(retail.columns)}\n")
    print(retail.head(3).to_string(), "\n")

    # 1. As it comes, nothing matches: the error names the keywords to pass.
    try:
        ecrm.transactions(retail)
    except SchemaError as err:
        print("ecrm.transactions(retail) ->", str(err).split("; available")[0], "\n")

    # 2. The mapping, once. Guests are left out with a warning that says how many.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataDroppedWarning)
        log = ecrm.transactions(retail, **MAPPING)
    print("warning:", caught[0].message, "\n")
    print(log, "\n")

    # 3. Every analysis takes the log; the summary is the manual computation, with int ids.
    cust = ecrm.customer_summary(log)
    manual = by_hand(retail)
    same = (
        (cust["n_orders"].to_numpy() == manual["n_orders"].to_numpy()).all()
        and bool(((cust["total_spend"] - manual["total_spend"].to_numpy()).abs() < 1e-6).all())
        and (cust["last_purchase"].to_numpy() == manual["last_purchase"].to_numpy()).all()
    )
    print(f"customer_summary == the manual pandas steps: {same}; ids {cust.index.dtype} ")
    print(f"(by hand the first prints as {manual.index[0]}, here as {cust.index[0]})\n")
    segments = ecrm.rfm.segment_summary(ecrm.rfm.segment(ecrm.rfm.score(cust)))
    print(segments[["n_customers", "customer_share", "revenue_share"]].round(3).head(5), "\n")
    stages = ecrm.lifecycle.stage(log)["stage"].value_counts()
    print("Lifecycle stages:", stages.to_dict(), "\n")
    quarterly = ecrm.metrics.kpis(log, freq="Q")[["net_revenue", "orders", "buyers", "return_rate"]]
    print(quarterly.round(3), "\n")

    # 4. The whole report, from the same log: the dates are parsed once, not per section.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the model sections' notes are on the page
        report = ecrm.report.build(log, "retail-report")
    print(f"wrote {report.index_html} with {len(report.customers):,} customers;")
    print("the same from the command line: ecrm report retail.csv --out retail-report \\")
    print("    " + " ".join(f"--{k.replace('_', '-')} {v!r}" for k, v in MAPPING.items()))


if __name__ == "__main__":
    main()
