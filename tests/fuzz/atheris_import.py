"""Coverage-guided fuzzing of the importer with atheris: a long run, outside the suite (docs/security.md).

    JIANFU_HOME=/tmp/jh-fuzz PYTHONPATH=src:. python tests/fuzz/atheris_import.py -atheris_runs=20000
    JIANFU_HOME=/tmp/jh-fuzz PYTHONPATH=src:. python tests/fuzz/atheris_import.py -max_total_time=1800

Each input picks a seed format and the mutations to apply (tests/fuzz/harness.py), then imports the result;
a broken contract raises, and atheris stops and writes the input that broke it as crash-<sha1>.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import atheris

from jianfu.cli import setup_django  # noqa: E402

setup_django()
# Instrumented for coverage: the modules that read and check files (imported here for the first time).
with atheris.instrument_imports(include=["jianfu.ingest", "jianfu.registry.importing", "jianfu.xlsx", "csv"]):
    import jianfu.ingest.parse  # noqa: F401
    import jianfu.registry.importing  # noqa: F401
    from tests.fuzz import harness

WORK = Path(tempfile.mkdtemp(prefix="jianfu-fuzz-"))
harness.prepare_registry(WORK)
SEEDS = harness.seed_files(WORK / "seeds")
counts = {"inputs": 0, "accepted": 0}


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    suffix = harness.SUFFIXES[provider.ConsumeIntInRange(0, len(harness.SUFFIXES) - 1)]
    rounds = provider.ConsumeIntInRange(1, 3)
    rng = random.Random(provider.ConsumeBytes(16))
    mutated = harness.mutate(SEEDS[suffix], suffix, rng, rounds)
    outcome = harness.check_import(mutated, suffix, WORK)
    counts["inputs"] += 1
    counts["accepted"] += outcome.accepted
    if counts["inputs"] % 1000 == 0:
        print(f"# {counts['inputs']} inputs, {counts['accepted']} imported", file=sys.stderr, flush=True)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
