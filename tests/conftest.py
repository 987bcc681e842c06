import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("JIANFU_HOME", tempfile.mkdtemp(prefix="jianfu-test-"))


import pytest  # noqa: E402

from tests import cast as cast_files  # noqa: E402


# Fixtures through which a test reaches the database (pytest-django's own names; not django_db_blocker,
# which an autouse fixture of pytest-django puts in every test).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(config, items):
    """With JIANFU_DATABASE_TESTS_ONLY=1, keep only the tests that use the database.

    The test command runs the suite on SQLite and on PostgreSQL side by side; a test that never reaches the
    database (the analysis package, the parsers, the generator, Spark on Parquet, subprocesses that drop
    DATABASE_URL) gives the same answer on both, so the PostgreSQL run leaves it to the SQLite run.
    """
    if os.environ.get("JIANFU_DATABASE_TESTS_ONLY") != "1":
        return
    kept = [item for item in items if uses_database(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not uses_database(item)])
        items[:] = kept


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    # Each test database starts empty: checkpoints of another test's log would name rows that never existed here.
    settings.JIANFU_AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def _default_language():
    # A request in another language leaves that language active in the thread; each test starts in the default.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# The fixed cast (tests/cast.py), shared by every test folder.


@pytest.fixture(scope="session")
def county_folder(tmp_path_factory) -> Path:
    return cast_files.write_cast_files(tmp_path_factory.mktemp("county"))


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # PBKDF2 at a million rounds is the point in production and a minute of waiting in a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db, county_folder) -> SimpleNamespace:
    return cast_files.build_cast(county_folder)


@pytest.fixture
def as_user(client):
    """Log the test client in as a cast member (None: stay anonymous) and return it."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
