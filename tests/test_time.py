"""ecrm._time: the one set of calendar periods (D, W, M, Q, Y) every freq= uses."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecrm import _time
from ecrm.errors import SchemaError


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3_000, 30_000), min_size=1, max_size=50), st.sampled_from(_time.FREQS))
def test_periods_agree_with_pandas(days, freq):
    days = np.array(days, dtype=np.int64)
    ordinal = _time.period_ordinal(days, freq)
    stamps = pd.DatetimeIndex(days.astype("datetime64[D]"))
    want = stamps.to_period(freq)
    got = _time.period_index(ordinal, freq)
    assert (got == want).all()
    start = _time.period_start_day(ordinal, freq)
    end = _time.period_end_day(ordinal, freq)
    assert (start <= days).all() and (days <= end).all()
    assert (pd.DatetimeIndex(start.astype("datetime64[D]")) == want.start_time.normalize()).all()
    assert (pd.DatetimeIndex(end.astype("datetime64[D]")) == want.end_time.normalize()).all()


def test_unknown_freq_names_the_set():
    with pytest.raises(SchemaError, match="freq='H' is not supported; choose one of 'D', 'W', 'M', 'Q', 'Y'"):
        _time.check_freq("H")
