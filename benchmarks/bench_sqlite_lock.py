#!/usr/bin/env python3
"""How long does an import hold SQLite's write lock? A probe measures it from outside, as a web request would.

    jianfu generate --scale city --out /tmp/city
    python benchmarks/bench_sqlite_lock.py /tmp/city            # imports into a fresh JIANFU_HOME

Runs `jianfu import PATH` in a subprocess against an empty database while this process tries
`BEGIN IMMEDIATE` with no busy timeout every 20 ms. Prints the longest stretch during which the write lock could
not be taken (what a login that must write its session waits for), the total locked time, and the import's
wall time. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JIANFU = Path(sys.executable).with_name("jianfu")
PROBE_INTERVAL = 0.02


def write_lock_free(database: Path) -> bool:
    """True when a writer could start now: BEGIN IMMEDIATE succeeds at once."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def probe(database: Path, importer: subprocess.Popen) -> tuple[float, float]:
    """Poll until the import ends; return (longest locked stretch, total locked time) in seconds."""
    longest = total = 0.0
    locked_since: float | None = None
    last = time.monotonic()
    while importer.poll() is None:
        now = time.monotonic()
        free = not database.exists() or write_lock_free(database)
        if free:
            if locked_since is not None:
                longest = max(longest, now - locked_since)
                locked_since = None
        else:
            total += now - last
            locked_since = locked_since if locked_since is not None else now
        last = now
        time.sleep(PROBE_INTERVAL)
    if locked_since is not None:
        longest = max(longest, time.monotonic() - locked_since)
    return longest, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="a folder or file to import (e.g. a generated city)")
    parser.add_argument("--home", help="JIANFU_HOME to use (default: a new temporary folder)")
    args = parser.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="jianfu-lock-"))
    env = {**os.environ, "JIANFU_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    # Create the schema first, so the probe measures the import and not the migrations.
    subprocess.run([str(JIANFU), "stats"], env=env, check=True, stdout=subprocess.DEVNULL)
    database = home / "jianfu.sqlite3"
    started = time.monotonic()
    importer = subprocess.Popen([str(JIANFU), "import", "--quiet", args.path], env=env, stdout=subprocess.DEVNULL)
    longest, total = probe(database, importer)
    wall = time.monotonic() - started
    print(
        f"import exit {importer.returncode}; wall {wall:.1f} s; write lock held {total:.1f} s in total; "
        f"longest continuous hold {longest:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
