#!/usr/bin/env python3
"""API against HTML: N concurrent clients page through groups and findings over /api/v1/ and over the HTML
list pages, in the same run against the same server; p50/p95 per page and throughput of each.

    # a server you started (give it a generous API rate limit: this is a load test, not a client):
    JIANFU_API_RATE_PER_MINUTE=1000000 DATABASE_URL=postgres://…/city jianfu serve --port 8765
    jianfu token create bench            # prints the token
    python benchmarks/bench_api.py --url http://127.0.0.1:8765 --user bench --password … --token jf_…

With --server-pid (the pid `jianfu serve` printed or `pgrep -f "jianfu serve"` finds; its worker processes are
counted with it) each side also reports the server's CPU per page, read from /proc before and after the measured
run, beside the benchmark's own CPU per page (its client threads share the machine) and, with --postgres-cpu, that
of every process named postgres (other users of the same PostgreSQL server count too). CPU per page moves far less
with a busy machine than latency does.

Each client follows `next` links (API) or rel="next" links (HTML) for up to --pages pages of 50 rows, then
starts over on the other list. With --baseline-url (a second server on the same database started with
JIANFU_BASELINE_QUERIES=1: the old substring scope of findings and the old COUNT pages) the same load runs
against it first and the two are printed side by side with their ratios. Shared code: loadkit.py.
Standard library only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadkit import Client, ensure_loopback, percentiles, print_comparison, run_clients  # noqa: E402

LISTS = ("groups", "findings")
PAGE_SIZE = 50
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


class ApiClient:
    """One API client: a bearer token, JSON answers, `next` URLs followed as given."""

    def __init__(self, base: str, token: str, timeout: float):
        self.base = base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.timeout = timeout

    def first(self, kind: str) -> str:
        return f"/api/v1/{kind}/?limit={PAGE_SIZE}"

    def fetch(self, path: str) -> tuple[int, str | None, int]:
        """(status, path of the next page or None, rows on this page)."""
        request = urllib.request.Request(self.base + path, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, None, 0
        following = body["next"]
        if following and following.startswith(self.base):
            following = following[len(self.base) :]
        return 200, following, len(body["results"])


class HtmlClient:
    """One logged-in browser session paging the HTML lists by their rel="next" links."""

    def __init__(self, base: str, logged_in: Client, timeout: float):
        # Every client shares one login: the login throttle allows a few logins per user and address only.
        self.session = Client(base, timeout)
        self.session.adopt(logged_in)

    def first(self, kind: str) -> str:
        return f"/{kind}/"

    def fetch(self, path: str) -> tuple[int, str | None, int]:
        status, body = self.session.get(path)
        if status != 200:
            return status, None, 0
        link = NEXT_LINK.search(body)
        following = html.unescape(link.group(1)) if link else None
        if following and following.startswith("?"):
            following = path.split("?")[0] + following
        return status, following, body.count("<tr") - 1


def _proc_cpu_seconds(pid: int) -> float:
    """User plus system CPU of one process so far (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command name) of every process /proc shows."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        found[int(entry)] = (int(text.rsplit(")", 1)[1].split()[1]), name)
    return found


def cpu_snapshot(args) -> dict[str, float]:
    """CPU seconds so far of the server (its pid and every descendant), this benchmark, and postgres processes."""
    snapshot = {"client": time.process_time()}
    if not (args.server_pid or args.postgres_cpu):
        return snapshot
    processes = _processes()
    if args.server_pid:
        tree, frontier = set(args.server_pid), list(args.server_pid)
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, (ppid, _name) in processes.items() if ppid == parent and pid not in tree]
            tree.update(children)
            frontier.extend(children)
        snapshot["server"] = sum(_proc_cpu_seconds(pid) for pid in tree)
    if args.postgres_cpu:
        snapshot["postgres"] = sum(
            _proc_cpu_seconds(pid) for pid, (_p, name) in processes.items() if name == "postgres"
        )
    return snapshot


def load(make_client, args) -> dict:
    """Run args.clients clients of one kind back to back; latencies per list and overall throughput."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    rows_seen = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds

    def worker(n: int) -> None:
        client = make_client()
        rng = random.Random(n)
        done, kind = 0, LISTS[n % len(LISTS)]
        while done < args.requests and time.monotonic() < deadline:
            path, pages = client.first(kind), 0
            while path and pages < args.pages and done < args.requests:
                if args.think:
                    time.sleep(rng.uniform(0, 2 * args.think))
                t0 = time.perf_counter()
                status, path, rows = client.fetch(path)
                elapsed = time.perf_counter() - t0
                done, pages = done + 1, pages + 1
                with lock:
                    if status == 200:
                        latencies[kind].append(elapsed)
                        rows_seen[0] += rows
                    else:
                        errors[f"{kind} {status}"] += 1
                        path = None
            kind = LISTS[(LISTS.index(kind) + 1) % len(LISTS)]

    before, load_before = cpu_snapshot(args), os.getloadavg()[0]
    wall = run_clients(args.clients, worker, args.max_seconds)
    after, load_after = cpu_snapshot(args), os.getloadavg()[0]
    every = [v for values in latencies.values() for v in values]
    report = {
        "wall_seconds": round(wall, 1),
        "pages": len(every),
        "errors": dict(errors),
        "pages_per_second": round(len(every) / wall, 1) if wall else 0.0,
        "lists": {kind: percentiles(values) for kind, values in sorted(latencies.items())},
        "load_average": [round(load_before, 2), round(load_after, 2)],
        # Every request counts (a page that failed still cost CPU), so divide by requests, not by good pages.
        "cpu_ms_per_page": {
            who: round(1000 * (after[who] - before[who]) / max(1, len(every) + sum(errors.values())), 2)
            for who in after
        },
    }
    report["all"] = percentiles(every)
    return report


def measure(url: str, args, logged_in_as: tuple[str, str]) -> dict:
    """Both sides against one server: a short warm-up each, then the measured runs in args.order."""
    logged_in = Client(url, args.timeout)
    logged_in.login(*logged_in_as)
    sides = {
        "api": lambda: ApiClient(url, args.token, args.timeout),
        "html": lambda: HtmlClient(url, logged_in, args.timeout),
    }
    order = ["api", "html"] if args.order == "api-first" else ["html", "api"]
    # One short warm-up pass per side, so neither pays for cold caches the other then enjoys.
    warm = argparse.Namespace(**{**vars(args), "clients": 2, "requests": 4, "think": 0.0})
    for side in order:
        load(sides[side], warm)
    return {side: load(sides[side], args) for side in order}


def show(report: dict, args) -> None:
    pace = f"think {args.think} s" if args.think else "back to back"
    print(f"{args.clients} clients {pace}, {args.requests} pages each, up to {args.pages} pages per list")
    print(f"{'side':<6}{'list':<10}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'pages/s':>9}")
    for side in ("api", "html"):
        result = report[side]
        for kind, row in list(result["lists"].items()) + [("all", result["all"])]:
            rate = result["pages_per_second"] if kind == "all" else ""
            print(
                f"{side:<6}{kind:<10}{row['n']:>6}{row.get('p50_ms', ''):>9}{row.get('p95_ms', ''):>9}"
                f"{row.get('max_ms', ''):>9}{rate:>9}"
            )
        if result["errors"]:
            print(f"{side} errors:", json.dumps(result["errors"], ensure_ascii=False))
        cpu = ", ".join(f"{who} {ms} ms" for who, ms in result["cpu_ms_per_page"].items())
        load_before, load_after = result["load_average"]
        print(f"{side} CPU per page: {cpu}; load average {load_before} → {load_after}")
    ratio = (
        report["api"]["pages_per_second"] / report["html"]["pages_per_second"]
        if report["html"]["pages_per_second"]
        else 0
    )
    print(f"throughput API / HTML: {ratio:.2f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a running server on loopback, e.g. http://127.0.0.1:8765")
    parser.add_argument("--user", default=os.environ.get("JIANFU_BENCH_USER"))
    parser.add_argument("--password", default=os.environ.get("JIANFU_BENCH_PASSWORD"))
    parser.add_argument("--token", default=os.environ.get("JIANFU_BENCH_TOKEN"), help="an API token of the same user")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="pages per client and side")
    parser.add_argument("--pages", type=int, default=10, help="pages followed before starting a list over")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client waits between pages (0: back to back, a saturation test)",
    )
    parser.add_argument("--order", choices=["api-first", "html-first"], default="api-first")
    parser.add_argument(
        "--baseline-url",
        help="a second server on the same database started with "
        "JIANFU_BASELINE_QUERIES=1: measured first, then printed beside --url with ratios",
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="the server's process id (repeatable; its descendants count too): report its CPU per page",
    )
    parser.add_argument(
        "--postgres-cpu",
        action="store_true",
        help="also report the CPU per page of every process named postgres (a shared server counts others' work too)",
    )
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    if not (args.user and args.password and args.token):
        parser.error("give --user, --password and --token (or the JIANFU_BENCH_* variables)")
    ensure_loopback(args.url)
    baseline = None
    if args.baseline_url:
        ensure_loopback(args.baseline_url)
        baseline = measure(args.baseline_url, args, (args.user, args.password))
    report = measure(args.url, args, (args.user, args.password))
    show(report, args)
    if baseline is not None:
        for side in ("api", "html"):
            old = {**baseline[side]["lists"], "all": baseline[side]["all"]}
            new = {**report[side]["lists"], "all": report[side]["all"]}
            print_comparison(
                f"{side}: old queries ({args.baseline_url}) beside new ({args.url})",
                old,
                new,
                old_rate=baseline[side]["pages_per_second"],
                new_rate=report[side]["pages_per_second"],
                rate_label="pages/s",
            )
        report = {"new": report, "old": baseline}
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    runs = [report] if baseline is None else [report["new"], report["old"]]
    return 1 if any(run[side]["errors"] for run in runs for side in ("api", "html")) else 0


if __name__ == "__main__":
    sys.exit(main())
