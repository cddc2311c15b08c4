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


# --- typed parameter checkers (issue 18) --------------------------------------------------
from ecrm import _schema  # noqa: E402


@pytest.mark.parametrize("value", [np.int64(3), np.int32(3), 3])
def test_integer_accepts_numpy_integers(value):
    assert _schema.integer(value, "k", low=1) == 3 and type(_schema.integer(value, "k")) is int


@pytest.mark.parametrize("value", [True, np.bool_(True), "3", 3.0, None, [3], 0])
def test_integer_refuses_bools_text_floats_and_out_of_range(value):
    with pytest.raises(SchemaError, match=r"demo: k=.* must be an integer >= 1"):
        _schema.integer(value, "k", "demo", low=1)


@pytest.mark.parametrize("value", [np.float32(0.25), np.float64(0.25), 0.25, np.int64(0)])
def test_number_accepts_numpy_scalars(value):
    assert _schema.number(value, "x", low=0, high=1) == float(value)


@pytest.mark.parametrize("value", [True, "0.01", None, np.nan, np.inf, -0.5, complex(1, 0), np.bool_(False)])
def test_number_refuses_bools_text_and_non_finite(value):
    with pytest.raises(SchemaError, match=r"f: rate=.* must be a finite number >= 0"):
        _schema.number(value, "rate", "f", low=0)


def test_number_bounds_and_messages():
    assert _schema.number(None, "x", none=True) is None
    with pytest.raises(SchemaError, match=r"x=0 must be a finite number > 0 or None"):
        _schema.positive(0, "x", none=True)
    with pytest.raises(SchemaError, match=r"p=1 must be a finite number > 0 and < 1"):
        _schema.probability(1, "p", strict=True)
    assert _schema.probability(1, "p") == 1.0
    assert _schema.number(12.0, "h", whole=True) == 12.0
    with pytest.raises(SchemaError, match=r"h=12\.5 must be a whole number"):
        _schema.number(12.5, "h", whole=True)


def test_flag_text_choice():
    assert _schema.flag(np.bool_(True), "b") is True
    for bad in (1, "yes", None):
        with pytest.raises(SchemaError, match="must be True or False"):
            _schema.flag(bad, "b")
    assert _schema.text("x", "prefix") == "x"
    for bad in (5, "", None):
        with pytest.raises(SchemaError, match=r"id_prefix=.* must be a non-empty string"):
            _schema.text(bad, "id_prefix")
    assert _schema.choice("M", "freq", ("D", "M")) == "M"
    for bad in ("H", ["M"], True, None):
        with pytest.raises(SchemaError, match=r"freq=.* is not supported; choose one of 'D', 'M'"):
            _schema.choice(bad, "freq", ("D", "M"))


def test_timestamp_refuses_numbers_and_words_and_reads_zones():
    naive = pd.Series(pd.to_datetime(["2024-01-01"]))
    aware = naive.dt.tz_localize("Asia/Shanghai")
    assert _schema.timestamp("2024-02-01", naive, "as_of") == pd.Timestamp("2024-02-01")
    assert _schema.timestamp("2024-02-01", aware, "as_of").tz is not None
    for bad in ("soon", 20240101, True, None, pd.NaT, [2024]):
        with pytest.raises(SchemaError, match=r"f: as_of=.* is not a date"):
            _schema.timestamp(bad, naive, "as_of", "f")
    with pytest.raises(SchemaError, match="has a time zone but the dates are naive"):
        _schema.timestamp(pd.Timestamp("2024-01-01", tz="UTC"), naive, "as_of", "f")


def test_timestamps_sequence():
    got = _schema.timestamps(["2024-01-01", pd.Timestamp("2024-02-01")], None, "cutoffs", min_len=2)
    assert got == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    with pytest.raises(SchemaError, match=r"cutoffs\[1\]='soon' is not a date"):
        _schema.timestamps(["2024-01-01", "soon"], None, "cutoffs")
    for bad in ("2024-01-01", ["2024-01-01"], 5):
        with pytest.raises(SchemaError, match="must be a list of at least 2 date"):
            _schema.timestamps(bad, None, "cutoffs", min_len=2)


@pytest.mark.parametrize(
    "second",
    [pd.Timestamp("2024-01-02", tz="Asia/Shanghai"), pd.Timestamp("2024-01-02")],
    ids=["zone", "naive"],
)
def test_datetime_objects_in_two_zones_are_named_as_such(second):
    # issue 18 item 14: an object column of Timestamps in two zones was "not ISO-8601 dates"
    first = pd.Timestamp("2024-01-01", tz="UTC")
    tx = frame(order_date=pd.Series([first, second, first, first], dtype=object))
    with pytest.raises(
        SchemaError, match=r"'order_date' mixes datetimes of different time zones .* in [13] of 4 row"
    ):
        ecrm.customer_summary(tx)
    as_python = tx.assign(order_date=pd.Series([v.to_pydatetime() for v in tx["order_date"]], dtype=object))
    with pytest.raises(SchemaError, match="mixes datetimes of different time zones"):
        ecrm.customer_summary(as_python)


def test_ids_mixing_numbers_and_text_that_read_the_same_are_refused():
    # issue 18: 1 and "1" were silently two customers
    tx = frame(customer_id=pd.Series([1, "1", 2, "3"], dtype=object))
    with pytest.raises(
        SchemaError, match=r"'customer_id' mixes numbers and text that read the same .* in 2 of 4"
    ):
        ecrm.customer_summary(tx)
    # mixed types that read differently are distinct ids (as Online Retail's stock codes)
    ok = ecrm.customer_summary(frame(customer_id=pd.Series([85123, "85123A", 2, "x"], dtype=object)))
    assert len(ok) == 4


@pytest.mark.parametrize("as_of", ["1998-03-29 02:30", "1997-10-26 02:30"], ids=["skipped", "repeated"])
def test_as_of_at_a_daylight_saving_change_is_a_schema_error(cdnow_sample, as_of):
    # A wall time the clocks skip (spring) or repeat (autumn) leaked pandas' ValueError.
    tx = cdnow_sample.assign(order_date=cdnow_sample["order_date"].dt.tz_localize("Europe/Berlin"))
    with pytest.raises(SchemaError, match=r"as_of='.*' is not one instant in Europe/Berlin"):
        ecrm.customer_summary(tx, as_of=as_of)
    aware = pd.Timestamp(as_of).tz_localize("Europe/Berlin", ambiguous=True, nonexistent="shift_forward")
    assert ecrm.customer_summary(tx, as_of=aware).attrs["as_of"] == aware
