import pytest


@pytest.fixture(scope="session")
def cdnow():
    import ecrm

    return ecrm.datasets.load_cdnow()


@pytest.fixture(scope="session")
def cdnow_sample():
    import ecrm

    return ecrm.datasets.load_cdnow_sample()


# ---------------------------------------------------------------------------------------
# Engines (issue 15): one fixture turns a pandas frame into a frame on each engine.
# With ECRM_REQUIRE_ENGINES=1 (set by .ci/run) a missing engine or Java is a failure.

ENGINES = ("duckdb", "polars", "spark", "dask")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "spark_first_option_set: on Spark, run only the first option set of the parametrization"
    )


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip: a skipped Spark test fails CI's promise) the Spark runs of the
    later option sets of tests marked ``spark_first_option_set``."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        later = (
            spec is not None
            and spec.params.get("engine") == "spark"
            and item.get_closest_marker("spark_first_option_set") is not None
            and any(i for name, i in spec.indices.items() if name != "engine")
        )
        (drop if later else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _missing(what: str) -> None:
    import os

    if os.environ.get("ECRM_REQUIRE_ENGINES") == "1":
        pytest.fail(f"ECRM_REQUIRE_ENGINES=1 but {what}")
    pytest.skip(what)


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole test session (small shuffles: tiny data)."""
    import shutil

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("pyspark is not installed")
    if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
        _missing("Spark needs a Java runtime (java not found)")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ecrm-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=ENGINES)
def engine(request):
    """The name of an engine whose package is installed (Spark: with a session)."""
    import importlib

    name = request.param
    module = {"spark": "pyspark", "dask": "dask.dataframe"}.get(name, name)
    try:
        importlib.import_module(module)
    except ImportError:
        _missing(f"{module} is not installed")
    if name == "spark":
        request.getfixturevalue("spark_session")
    return name


@pytest.fixture
def on_engine(engine, request):
    """``on_engine(df)``: the pandas frame ``df`` as a native frame of ``engine``."""

    def convert(df):
        if engine == "polars":
            import polars as pl

            return pl.from_pandas(df, nan_to_null=False)
        if engine == "duckdb":
            import duckdb

            return duckdb.connect().from_df(df)
        if engine == "spark":
            return request.getfixturevalue("spark_session").createDataFrame(df)
        import dask.dataframe as dd

        return dd.from_pandas(df, npartitions=2)

    return convert
