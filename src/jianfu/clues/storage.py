"""Where a clue's evidence is kept: cleaned bytes (jianfu.evidence) under a random name, readable by the owner only.

Clue files live apart from MEDIA_ROOT (``JIANFU_CLUE_FILES``) under names that say nothing of the reporter or the
original file; case responses are stored by ``jianfu.cases.actions`` through Django's storage instead.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.conf import settings

from jianfu.evidence import CleanFile


def storage_folder() -> Path:
    folder = Path(settings.JIANFU_CLUE_FILES)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store(file: CleanFile) -> str:
    """Write the cleaned bytes under a random name (owner-only) and return that name."""
    name = f"{secrets.token_hex(16)}{file.suffix}"
    path = storage_folder() / name
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(file.data)
    return name


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|pdf)", stored_name):
        raise FileNotFoundError(stored_name)
    return storage_folder() / stored_name


def discard(stored_names: list[str]) -> None:
    for name in stored_names:
        try:
            path_of(name).unlink()
        except FileNotFoundError:
            pass
