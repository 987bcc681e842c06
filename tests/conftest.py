import os
import tempfile

os.environ.setdefault("JIANFU_HOME", tempfile.mkdtemp(prefix="jianfu-test-"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    # Each test database starts empty: checkpoints of another test's log would name rows that never existed here.
    settings.JIANFU_AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"
