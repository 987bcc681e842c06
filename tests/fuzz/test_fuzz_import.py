"""Mutated xlsx, xls, ods and csv files either import or are refused with CellErrors, in time, writing nothing.

A short run is part of the suite; `JIANFU_FUZZ_EXAMPLES=20000 pytest tests/fuzz -p no:cacheprovider` runs longer
(docs/security.md, "Fuzzing").
"""

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness

EXAMPLES = int(os.environ.get("JIANFU_FUZZ_EXAMPLES") or 30)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return harness.seed_files(tmp_path_factory.mktemp("seeds"))


@pytest.fixture
def registry(tmp_path):
    harness.prepare_registry(tmp_path)
    return tmp_path


def test_every_seed_imports(seeds, registry):
    for suffix, data in seeds.items():
        outcome = harness.check_import(data, suffix, registry)
        assert outcome.accepted, (suffix, outcome.messages)


@pytest.mark.parametrize("suffix", harness.SUFFIXES)
@settings(
    max_examples=EXAMPLES,
    print_blob=True,
    deadline=None,
    derandomize=EXAMPLES <= 30,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False), rounds=st.integers(1, 3))
def test_a_mutated_file_imports_or_is_refused_cleanly(suffix, rng: random.Random, rounds, seeds, registry):
    harness.check_import(harness.mutate(seeds[suffix], suffix, rng, rounds), suffix, registry)
