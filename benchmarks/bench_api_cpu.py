#!/usr/bin/env python3
"""CPU per API page, in process: Django's CPU and its PostgreSQL backend's CPU for groups and findings pages,
for two or more source trees (or settings) side by side, on the same database, in alternating rounds.

A wall-clock load test (bench_api.py) measures the queue as much as the code on a shared machine; CPU per page
does not. Each configuration runs in its own child process: Django's WSGI application with every middleware,
called directly (no HTTP server, no client threads), walking groups and findings pages of 50 rows by their `next`
links as bench_api.py's clients do. The child reads its own process time and its PostgreSQL backend's from
/proc before and after the measured walk, and a digest of every answer's bytes: configurations that answer the
same walk with different bytes are reported.

    # a baseline tree to compare with, e.g. the branch point:
    mkdir /tmp/base && git archive <commit> src | tar -x -C /tmp/base
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/city JIANFU_BENCH_TOKEN=jf_…
    python benchmarks/bench_api_cpu.py --config base=/tmp/base/src --config ours=src --rounds 3

    # an environment variable for one configuration only (label:NAME=VALUE):
    python benchmarks/bench_api_cpu.py --config plain=src --config bound=src --env bound:JIANFU_X=1

    # where the CPU goes (cProfile, process-time clock), one configuration:
    python benchmarks/bench_api_cpu.py --config ours=src --profile 40

Standard library only in the parent; the child needs the tree's dependencies (the project's venv).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

LISTS = ("groups", "findings")
PAGE_SIZE = 50
HOST = "127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU of one process, from /proc (another user's process is readable too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def environ_for(path: str, token: str) -> dict:
    parsed = urllib.parse.urlsplit(path)
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parsed.path,
        "QUERY_STRING": parsed.query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": f"{HOST}:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": HOST,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def walk(application, token: str, requests: int, pages: int, digest=None) -> None:
    """`requests` pages: up to `pages` pages of one list by its `next` links, then the other list, as bench_api.py."""
    done, which = 0, 0
    while done < requests:
        path = f"/api/v1/{LISTS[which % 2]}/?limit={PAGE_SIZE}"
        for _page in range(pages):
            if done >= requests or path is None:
                break
            status = []
            body = b"".join(application(environ_for(path, token), lambda s, h, *a: status.append(s)))
            if not status[0].startswith("200"):
                raise SystemExit(f"{path}: {status[0]} {body[:300]!r}")
            following = json.loads(body)["next"]
            if digest is not None:  # a cursor carries the time it was signed: the rest of the answer, byte for byte
                digest.update(body.replace(following.encode(), b"<next>") if following else body)
            path = following.split(f"{HOST}:8000", 1)[1] if following else None
            done += 1
        which += 1


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    os.environ.setdefault("JIANFU_API_RATE_PER_MINUTE", "1000000")
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    walk(application, args.token, args.warmup, args.pages)  # imports, URL resolvers, caches, connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 0")
        backend = cursor.fetchone()[0]
    digest = hashlib.sha256()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    pg_before = proc_cpu_seconds(backend) if backend else 0.0
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    walk(application, args.token, args.requests, args.pages, digest)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    pg = (proc_cpu_seconds(backend) - pg_before) if backend else 0.0
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)
    per_page = 1000 / args.requests
    print(
        json.dumps(
            {
                "django_ms": cpu * per_page,
                "postgres_ms": pg * per_page,
                "wall_ms": wall * per_page,
                "digest": digest.hexdigest(),
            }
        )
    )


def run_child(src: str, env_extra: dict, args) -> dict:
    env = {**os.environ, **env_extra, "PYTHONPATH": str(Path(src).resolve())}
    command = [
        sys.executable,
        __file__,
        "--child",
        "--token",
        args.token,
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--pages",
        str(args.pages),
    ]
    if args.profile:
        command += ["--profile", str(args.profile)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child for {src} failed:\n{done.stderr[-3000:]}")
    if args.profile:
        print(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", action="append", default=[], help="LABEL=SRC: a source tree (its src/ folder)")
    parser.add_argument("--env", action="append", default=[], help="LABEL:NAME=VALUE, for that configuration only")
    parser.add_argument("--token", default=os.environ.get("JIANFU_BENCH_TOKEN"), help="an API token (root office)")
    parser.add_argument("--rounds", type=int, default=3, help="each configuration once per round, alternating")
    parser.add_argument("--requests", type=int, default=400, help="pages measured per configuration and round")
    parser.add_argument("--warmup", type=int, default=40, help="pages first, not measured")
    parser.add_argument("--pages", type=int, default=10, help="pages of one list before the other")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N (one round is enough)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--json", help="also write every round's figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.token:
        parser.error("--token or JIANFU_BENCH_TOKEN is required")
    if args.child:
        child(args)
        return 0
    if not args.config:
        parser.error("at least one --config LABEL=SRC")
    configs = dict(item.split("=", 1) for item in args.config)
    extra: dict[str, dict[str, str]] = {label: {} for label in configs}
    for item in args.env:
        label, assignment = item.split(":", 1)
        name, value = assignment.split("=", 1)
        extra[label][name] = value
    results: dict[str, list[dict]] = {label: [] for label in configs}
    for round_number in range(args.rounds):
        order = list(configs) if round_number % 2 == 0 else list(reversed(configs))
        for label in order:
            result = run_child(configs[label], extra[label], args)
            results[label].append(result)
            print(
                f"round {round_number + 1} {label}: Django {result['django_ms']:.2f} ms/page, "
                f"PostgreSQL {result['postgres_ms']:.2f} ms/page, wall {result['wall_ms']:.2f} ms/page",
                flush=True,
            )
    print(
        f"\n{args.requests} pages a round (groups and findings, {PAGE_SIZE} rows), {args.rounds} rounds; "
        "median (min–max) ms of CPU per page"
    )
    print(f"{'configuration':<16} {'Django':>22} {'PostgreSQL':>22} {'both':>22}")
    for label, runs in results.items():
        django = [r["django_ms"] for r in runs]
        postgres = [r["postgres_ms"] for r in runs]
        both = [r["django_ms"] + r["postgres_ms"] for r in runs]
        print(f"{label:<16} {spread(django):>22} {spread(postgres):>22} {spread(both):>22}")
    first = next(iter(results))
    if len(results) > 1:
        # Paired by round: the configurations of one round ran back to back, so a drift in the machine's load
        # between rounds cancels out of their difference.
        print(f"\ndifference from {first}, median (min–max) of the rounds' differences, ms of CPU per page")
        for label, runs in list(results.items())[1:]:
            changes = {
                part: [r[key] - b[key] for r, b in zip(runs, results[first])]
                for part, key in (("Django", "django_ms"), ("PostgreSQL", "postgres_ms"))
            }
            both = [d + p for d, p in zip(changes["Django"], changes["PostgreSQL"])]
            print(f"{label:<16} {spread(changes['Django']):>22} {spread(changes['PostgreSQL']):>22} {spread(both):>22}")
    digests = {r["digest"] for runs in results.values() for r in runs}
    print(
        "answers: "
        + (
            "byte-identical in every configuration and round"
            if len(digests) == 1
            else f"DIFFER ({len(digests)} distinct digests)"
        )
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
