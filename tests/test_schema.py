"""Every bad-input case of issue 2 gets a SchemaError naming column, problem, count, rows."""

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm.errors import EcrmError, SchemaError


def frame(**overrides):
    base = {
        "customer_id": [1, 2, 3, 4],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
        "amount": [1.0, 2.0, 3.0, 4.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_schema_error_is_a_value_error():
    assert issubclass(SchemaError, ValueError) and issubclass(SchemaError, EcrmError)


def test_missing_columns_are_named():
    with pytest.raises(SchemaError, match=r"missing required column\(s\) 'amount'.*available columns"):
        ecrm.customer_summary(frame().drop(columns="amount"))
    with pytest.raises(SchemaError, match="'spend'"):
        ecrm.customer_summary(frame(), amount_col="spend")


def test_duplicate_column_names():
    bad = pd.concat([frame(), frame()[["amount"]]], axis=1)
    with pytest.raises(SchemaError, match="appear more than once"):
        ecrm.customer_summary(bad)


@pytest.mark.parametrize("empty", [pd.DataFrame(), frame().iloc[:0]])
def test_empty_frame(empty):
    with pytest.raises(SchemaError, match="empty"):
        ecrm.customer_summary(empty)


def test_not_a_frame():
    with pytest.raises(SchemaError, match="expected a pandas DataFrame, got list"):
        ecrm.customer_summary([1, 2, 3])


def test_missing_ids_with_count_and_example_rows():
    with pytest.raises(SchemaError) as info:
        ecrm.customer_summary(frame(customer_id=[1, None, np.nan, 4]))
    message = str(info.value)
    assert "'customer_id'" in message and "missing ids" in message
    assert "in 2 of 4 row(s)" in message
    assert "2024-01-02" in message and "2024-01-03" in message  # the example rows


def test_unparseable_dates():
    with pytest.raises(SchemaError, match=r"'order_date' has values that are not ISO-8601 dates in 1 of 4"):
        ecrm.customer_summary(frame(order_date=["2024-01-01", "yesterday", "2024-01-03", "2024-01-04"]))


def test_missing_dates():
    dates = pd.to_datetime(["2024-01-01", None, "2024-01-03", None])
    with pytest.raises(SchemaError, match=r"missing dates \(NaT/None\) in 2 of 4"):
        ecrm.customer_summary(frame(order_date=dates))


def test_numeric_dates_are_refused_not_misread():
    with pytest.raises(SchemaError, match="numeric dtype int64"):
        ecrm.customer_summary(frame(order_date=[20240101, 20240102, 20240103, 20240104]))


def test_mixed_time_zones():
    mixed = ["2024-01-01T00:00+08:00", "2024-01-02T00:00+00:00", "2024-01-03T00:00+08:00", "2024-01-04"]
    with pytest.raises(SchemaError, match="mixes time zones"):
        ecrm.customer_summary(frame(order_date=mixed))


def test_consistent_offsets_are_accepted():
    same = [
        "2024-01-01T10:00+08:00",
        "2024-01-02T00:00+08:00",
        "2024-01-03T00:00+08:00",
        "2024-01-04T00:00+08:00",
    ]
    s = ecrm.customer_summary(frame(order_date=same))
    assert s["first_purchase"].dt.tz is not None


def test_non_numeric_amounts():
    with pytest.raises(SchemaError, match=r"'amount' has non-numeric values in 1 of 4"):
        ecrm.customer_summary(frame(amount=["1.0", "2", "three", "4"]))


def test_numeric_strings_are_accepted():
    s = ecrm.customer_summary(frame(amount=["1.5", "2", "3", "4"]))
    assert s["total_spend"].sum() == 10.5


@pytest.mark.parametrize(
    ("value", "problem"), [(np.nan, "missing values"), (np.inf, "infinite values"), (-np.inf, "infinite")]
)
def test_non_finite_amounts(value, problem):
    with pytest.raises(SchemaError, match=problem):
        ecrm.customer_summary(frame(amount=[1.0, value, 3.0, 4.0]))


def test_boolean_amounts():
    with pytest.raises(SchemaError, match="boolean"):
        ecrm.customer_summary(frame(amount=[True, False, True, True]))


def test_as_of_before_all_data():
    with pytest.raises(SchemaError, match="before the first transaction"):
        ecrm.customer_summary(frame(), as_of="2023-12-31")


def test_as_of_not_a_date():
    with pytest.raises(SchemaError, match="as_of='soon' is not a date"):
        ecrm.customer_summary(frame(), as_of="soon")


def test_zone_aware_as_of_with_naive_data():
    with pytest.raises(SchemaError, match="has a time zone but the dates are naive"):
        ecrm.customer_summary(frame(), as_of=pd.Timestamp("2024-01-10", tz="UTC"))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"freq": "H"}, "freq"), ({"time_unit": "Y"}, "time_unit"), ({"returns": "keep"}, "returns")],
)
def test_unknown_options(kwargs, name):
    with pytest.raises(SchemaError, match=f"{name}="):
        ecrm.customer_summary(frame(), **kwargs)


def test_example_rows_are_capped_at_five():
    ids = [None] * 9 + [1]
    tx = pd.DataFrame(
        {"customer_id": ids, "order_date": pd.date_range("2024-01-01", periods=10), "amount": range(10)}
    )
    with pytest.raises(SchemaError) as info:
        ecrm.customer_summary(tx)
    assert "in 9 of 10 row(s); pass missing_customers='drop'; first 5 shown" in str(info.value)
    assert str(info.value).count("2024-01-0") == 5
