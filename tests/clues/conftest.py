"""Fixtures of the clue tests (helpers in tests/clues/helpers.py)."""

from __future__ import annotations

import pytest

from tests.clues.helpers import solve


@pytest.fixture
def reporter(client):
    """post(fields, files=[(name, bytes)]) → the response of the public form, challenge answered."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(fields: dict, files=(), **extra):
        page = client.get("/clues/new/")
        data = {**solve(page.content.decode()), **fields}
        data["evidence"] = [SimpleUploadedFile(name, body) for name, body in files]
        return client.post("/clues/new/", data, **extra)

    return post


@pytest.fixture(autouse=True)
def _own_clue_files(settings, tmp_path):
    settings.JIANFU_CLUE_FILES = tmp_path / "clue-files"
