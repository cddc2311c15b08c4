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


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """Run scikit-learn's OpenMP and BLAS on one thread in tests and doctests.

    The test data are small, and on a loaded 2-core machine idle OpenMP threads spin:
    one churn-model doctest took 331 s with the default threads and 2 s with one.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield
