import os
import tempfile

os.environ.setdefault("JIANFU_HOME", tempfile.mkdtemp(prefix="jianfu-test-"))


import pytest  # noqa: E402


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
