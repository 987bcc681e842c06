#!/usr/bin/env python3
"""The database side of a page at scale, old method beside new, in one run: the queries the findings lists and
registry search send, run by N threads against the database in DATABASE_URL (no HTTP server, no templates).

    DATABASE_URL=postgres://…/city PYTHONPATH=src python benchmarks/bench_scale_queries.py --clients 20

* findings: for officers of the root region, of a county, of a township and for a township's cadre, the first
  page and up to --pages keyset pages of the API (by id) and of the web list (by hours saved). Old: the scope
  as a substring match on scope_paths (`LIKE '%|/path%'`); new: the finding ↔ unit path table.
* search: `?q=` on groups and people with pieces of real names (1 to 4 characters), a few names that match
  nothing, and Traditional input; old: `icontains` alone; new: narrowed by the bigram index.

Both methods run the same requests in the same run, each query checked to return the same rows. Latency per
request (ms) at p50/p95 and the old ÷ new ratio. Shared code: loadkit.py.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from loadkit import percentiles, print_comparison, run_clients  # noqa: E402


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    from jianfu.bootstrap import setup_django

    setup_django(migrate=False)


def officers():
    """Unsaved users standing for the officers whose pages are measured."""
    from jianfu.accounts.models import Role, User
    from jianfu.registry.models import Unit

    root = Unit.objects.filter(parent__isnull=True).order_by("code").first()
    county = Unit.objects.filter(level="county").order_by("code").first()
    township = Unit.objects.filter(level="township", path__startswith=county.path).order_by("code").first()
    return {
        "root office": User(username="b1", role=Role.OFFICE, unit=root),
        "county office": User(username="b2", role=Role.OFFICE, unit=county),
        "township office": User(username="b3", role=Role.OFFICE, unit=township),
        "township cadre": User(username="b4", role=Role.CADRE, unit=township),
    }


def findings_requests(pages: int) -> list[tuple]:
    """(label, function(baseline) → rows) for paging findings as each officer."""
    from jianfu.accounts import scope
    from jianfu.findings.models import Finding
    from jianfu.findings.views import BY_SAVING
    from jianfu.registry import listing
    from jianfu.api.endpoints.findings import BY_ID as by_id

    requests = []
    for who, user in officers().items():
        for order_name, sort in (("api", by_id), ("web", BY_SAVING)):

            def walk(user=user, sort=sort):
                qs = scope.scoped(user, Finding).filter(is_current=True)
                cursor, rows = None, []
                for _ in range(pages):
                    page = listing.keyset_page(qs, sort, cursor, size=50)
                    rows += [row.id for row in page.rows]
                    cursor = page.next_cursor
                    if not cursor:
                        break
                return rows

            requests.append((f"{order_name} {who}", who, walk))
    return requests


def search_requests(rng: random.Random, per_kind: int) -> list[tuple]:
    from django.db.models import Q

    from jianfu.registry import listing
    from jianfu.registry.kinds import KINDS

    requests = []
    for kind in ("groups", "people"):
        spec = KINDS[kind]
        top = spec.model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        names = []
        for _ in range(per_kind):
            row = (
                spec.model.objects.filter(id__gte=rng.randint(1, max(1, top)))
                .values_list(spec.title_field, flat=True)
                .first()
            )
            if row:
                names.append(row)
        words = [
            n[i : i + size]
            for n in names
            for size in [rng.choice((1, 2, 2, 3, 4))]
            for i in [rng.randrange(max(1, len(n) - size + 1))]
        ]
        words += ["稀有字", "浙江", "工作群", "網格", "專班"]
        for word in words:

            def first_page(word=word, spec=spec):
                q = listing.normalized_query(word)
                qs = spec.model.objects.filter(Q(**{f"{spec.title_field}__icontains": q}) | Q(code__icontains=q))
                from jianfu.registry import search

                qs = search.narrow(qs, spec.kind, q)
                return [row.id for row in listing.keyset_page(qs, spec.sorts["code"], None, size=50).rows]

            requests.append((f"search {kind}", word, first_page))
    return requests


def measure(requests: list[tuple], baseline: bool, clients: int, repeat: int) -> dict[str, list[float]]:
    from django.db import connection
    from django.test import override_settings

    latencies: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(n)
        for _ in range(repeat):
            label, _what, call = rng.choice(requests)
            t0 = time.perf_counter()
            call()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies[label].append(elapsed)
        connection.close()

    with override_settings(JIANFU_BASELINE_QUERIES=baseline):  # process-wide: every thread runs one method
        run_clients(clients, worker, max_seconds=3600)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20, help="requests per client and method")
    parser.add_argument("--pages", type=int, default=5, help="keyset pages a findings request walks")
    parser.add_argument("--words", type=int, default=40, help="names sampled per kind for search words")
    parser.add_argument("--only", choices=["findings", "search"], help="measure one of the two")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import override_settings

    rng = random.Random(args.seed)
    requests = []
    if args.only != "search":
        requests += findings_requests(args.pages)
    if args.only != "findings":
        requests += search_requests(rng, args.words)
    # Each request once by each method: the same rows, or the comparison means nothing.
    for label, what, call in requests:
        with override_settings(JIANFU_BASELINE_QUERIES=True):
            old = call()
        new = call()
        if old != new:
            sys.exit(f"{label} {what!r}: the two methods disagree")
    old = measure(requests, True, args.clients, args.repeat)
    new = measure(requests, False, args.clients, args.repeat)
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {len(requests)} distinct requests, "
        f"{args.clients} threads × {args.repeat} each per method, findings walks of {args.pages} pages"
    )
    print_comparison(
        "old method beside new (ms per request; × = old ÷ new):",
        {k: percentiles(v) for k, v in old.items()},
        {k: percentiles(v) for k, v in new.items()},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
