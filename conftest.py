"""Shared pytest set-up for the tests and the doctests in src/ecrm."""

import matplotlib
import pandas as pd

matplotlib.use("Agg")  # no display on CI; plots are drawn off-screen
# Doctest output must not depend on the terminal width.
pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 50)
