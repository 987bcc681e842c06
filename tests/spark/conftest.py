"""One local[2] Spark session for the Spark tests; without Java (outside CI) they skip with the reason."""

from __future__ import annotations

import os

import pytest


def _spark_or_skip():
    required = os.environ.get("CI") == "true"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "pyspark is not installed (pip install 'jianfu[spark]')"
    else:
        from jianfu.analysis.spark import java_available

        reason = None if java_available() else "no Java runtime (apt-get install openjdk-17-jre-headless)"
    if reason:
        if required:
            pytest.fail(f"Spark tests are required under CI=true: {reason}")
        pytest.skip(f"Spark tests skipped: {reason}")


@pytest.fixture(scope="session")
def spark():
    """Started once (≈15 s) and shared: local[2], one shuffle partition, no code generation for tiny data."""
    _spark_or_skip()
    from jianfu.analysis.spark import spark_session

    session = spark_session("local[2]", small_data=True)
    yield session
    session.stop()


def pytest_collection_modifyitems(config, items):
    # Under heavy load pyspark's Arrow collection once waited forever on its socket: a hung JVM call must fail
    # its test, not stall the whole suite until CI's own limit.
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.timeout(900))
