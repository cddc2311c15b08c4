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
