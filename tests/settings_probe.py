"""Run jianfu/settings.py as a fresh module under a chosen environment, without touching the live settings."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from unittest import mock

import jianfu.settings

SETTINGS_FILE = jianfu.settings.__file__


def settings_from_env(home: Path, **env: str) -> dict:
    """The names the settings file defines when JIANFU_*/DATABASE_URL are exactly `env` (others unset)."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("JIANFU_") and k != "DATABASE_URL"}
    with mock.patch.dict(os.environ, {**kept, "JIANFU_HOME": str(home), **env}, clear=True):
        return runpy.run_path(SETTINGS_FILE, run_name="jianfu_settings_probe")
