"""Where Playwright is not installed, the browser tests are skipped, not errors at collection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BLOCK_PLAYWRIGHT = (
    "import sys; sys.modules['playwright'] = None; sys.modules['playwright.sync_api'] = None; "
    "import pytest; sys.exit(pytest.main(['tests/browser', '-q', '-p', 'no:cacheprovider']))"
)


def test_browser_tests_are_skipped_when_playwright_is_missing(tmp_path):
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "JIANFU_HOME": str(tmp_path)}
    env.pop("JIANFU_SKIP_BROWSER", None)
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_PLAYWRIGHT], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    # 5: every module skipped at import, so pytest collected no test; 2 (an error at collection) is the failure.
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]
    assert " skipped in " in done.stdout and "error" not in done.stdout.lower()
