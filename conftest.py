"""Shared pytest set-up for the tests and the doctests in src/ecrm."""

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")  # no display on CI; plots are drawn off-screen
# Doctest output must not depend on the terminal width.
pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 50)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure after each test and doctest, so figures don't pile up."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
