"""A county from `jianfu generate` (messy on purpose) imports with exact counts, and again with no change."""

import datetime as dt
from pathlib import Path

import pytest

from jianfu.cli import registry_stats
from jianfu.generate import generate
from jianfu.registry.importing import import_paths

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("generated-county")
    summary = generate("county", 11, folder, as_of=AS_OF)
    return folder, summary


def test_a_generated_county_imports_with_exact_counts(county):
    folder, summary = county
    report = import_paths([folder])
    assert report.ok, [e.message() for f in report.files for e in f.errors[:3]]
    expected = {
        k: summary["counts"][k]
        for k in ("units", "people", "apps", "platforms", "accounts", "groups", "memberships", "forms", "fields")
    }
    assert registry_stats() == expected
    again = import_paths([folder])
    assert all(f.created == 0 and f.updated == 0 for f in again.files)
    assert registry_stats() == expected
