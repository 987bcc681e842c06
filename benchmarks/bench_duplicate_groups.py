"""Benchmark: duplicate work groups at province scale — our exact SQL join against datasketch MinHashLSH.

    # synthesize a province (1M groups, ~30M memberships) and compare
    python benchmarks/bench_duplicate_groups.py --synthetic --groups 1000000
    # four times that, ours only
    python benchmarks/bench_duplicate_groups.py --synthetic --groups 4000000 --skip-baseline
    # real members files (UTF-8 CSV, header row, two columns: group code, person code)
    python benchmarks/bench_duplicate_groups.py --members 'out/province/members*.csv'

Each contender runs in its own subprocess, so the peak RSS it reports (getrusage RUSAGE_SELF, which
counts DuckDB's native memory too) is its own. Ours is jianfu.analysis.detectors.duplicate_groups: the
time includes reading the members file. The baseline is MinHashLSH(num_perm=128, params=(16, 8)),
queried for every group, followed by an exact check of its candidates (so it has no false positives,
only misses). With --baseline-sample N it runs on N random groups and its time is extrapolated linearly
to all groups, which the output says. A brute-force check (every sampled group against all groups via an
inverted index) gives the recall and precision of ours.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"


# ---------------------------------------------------------------------------------------------------
# synthetic province
# ---------------------------------------------------------------------------------------------------
def synthesize(n_groups: int, seed: int, path: Path, plant: float = 0.02) -> dict:
    """A province-like membership table written as Parquet (group_code, person_code).

    Groups belong to townships (≈770 groups and ≈780 cadres each, as in a province of ~1,300
    townships); a fifth are county-level groups drawing from the 14 townships of their county. Sizes are
    lognormal, 3–500 (median ≈ 22, mean ≈ 30). Within a pool, popularity is Zipf-like (leaders are in
    most groups, a clerk in a few). ``plant`` of the groups are near-copies of others: half with ~5% of
    members dropped and ~5% added (Jaccard-like), half a 50–100% subset plus ≤5% outsiders
    (containment-like), so both criteria have many true pairs.
    """
    import duckdb
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    pool, per_town, zipf = 780, 770, 0.9
    sizes = np.clip(np.rint(rng.lognormal(3.12, 0.9, n_groups)), 3, 500).astype(np.int64)
    n_town = max(1, n_groups // per_town)
    town = rng.integers(0, n_town, n_groups)
    county_level = (rng.random(n_groups) < 0.2) | (sizes > 200)
    weights = 1.0 / np.arange(1, pool + 1) ** zipf
    cdf = np.cumsum(weights) / weights.sum()

    gid_parts, pid_parts = [], []
    chunk = 250_000
    for lo in range(0, n_groups, chunk):
        hi = min(n_groups, lo + chunk)
        draws = (sizes[lo:hi] * 1.2).astype(np.int64) + 2
        gid = np.repeat(np.arange(lo, hi), draws)
        rank = np.searchsorted(cdf, rng.random(gid.size))
        gtown = town[gid]
        county = gtown // 14
        in_county = np.minimum(14, n_town - county * 14)
        other = county * 14 + (rng.random(gid.size) * in_county).astype(np.int64)
        gtown = np.where(county_level[gid], other, gtown)
        person = gtown * pool + rank
        # distinct members, in random order, cut to the drawn size
        key = rng.random(gid.size)
        order = np.lexsort((key, person, gid))
        gid, person = gid[order], person[order]
        first = np.ones(gid.size, bool)
        first[1:] = (gid[1:] != gid[:-1]) | (person[1:] != person[:-1])
        gid, person = gid[first], person[first]
        order = np.lexsort((rng.random(gid.size), gid))
        gid, person = gid[order], person[order]
        starts = np.searchsorted(gid, np.arange(lo, hi))
        pos = np.arange(gid.size) - starts[gid - lo]
        keep = pos < sizes[gid]
        gid_parts.append(gid[keep])
        pid_parts.append(person[keep])
    gid = np.concatenate(gid_parts)
    person = np.concatenate(pid_parts)
    del gid_parts, pid_parts

    n_plant = int(n_groups * plant)
    targets = rng.choice(n_groups, n_plant, replace=False)
    is_target = np.zeros(n_groups, bool)
    is_target[targets] = True
    sources = rng.integers(0, n_groups, n_plant)
    sources = np.where(is_target[sources], (sources + 1) % n_groups, sources)
    starts = np.searchsorted(gid, np.arange(n_groups))
    ends = np.searchsorted(gid, np.arange(n_groups), "right")
    new_g, new_p = [], []
    for tgt, src, kind in zip(targets, sources, rng.random(n_plant)):
        members = person[starts[src] : ends[src]]
        if kind < 0.5:
            kept = members[rng.random(members.size) >= 0.05]
            extra = town[src] * pool + rng.integers(0, pool, int(members.size * 0.05))
        else:
            kept = rng.choice(members, max(1, int(members.size * rng.uniform(0.5, 1.0))), replace=False)
            extra = town[src] * pool + rng.integers(0, pool, int(kept.size * 0.05))
        m = np.union1d(kept, extra)
        new_g.append(np.full(m.size, tgt))
        new_p.append(m)
    keep = ~is_target[gid]
    gid = np.concatenate([gid[keep], *new_g])
    person = np.concatenate([person[keep], *new_p])
    del keep, new_g, new_p

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.register("t", pa.table({"g": gid, "p": person}))
    con.execute(f"""COPY (SELECT 'G' || lpad(CAST(g AS VARCHAR), 8, '0') AS group_code,
                                 'P' || lpad(CAST(p AS VARCHAR), 8, '0') AS person_code FROM t)
                    TO '{path}' (FORMAT parquet)""")
    return {
        "groups": int(n_groups),
        "memberships": int(gid.size),
        "people": int(np.unique(person).size),
        "planted": n_plant,
    }


def source_sql(source: str) -> str:
    """A FROM clause for the members: Parquet or a glob of CSV files (header row, two columns)."""
    if source.endswith(".parquet"):
        return f"read_parquet('{source}')"
    return f"read_csv('{source}', header = true, columns = {{'group_code': 'VARCHAR', 'person_code': 'VARCHAR'}})"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time of this process, all threads (less sensitive than wall time to other load on the machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def connect(args):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"SET memory_limit = '{args.memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{args.out / 'duckdb_tmp'}'")
    return con


# ---------------------------------------------------------------------------------------------------
# workers (each in its own process)
# ---------------------------------------------------------------------------------------------------
def worker_ours(args) -> dict:
    from jianfu.analysis import AnalysisConfig
    from jianfu.analysis.backend import DuckDBBackend
    from jianfu.analysis.detectors import duplicate_groups

    t0 = time.perf_counter()
    con = connect(args)
    con.execute(
        f"CREATE VIEW members AS SELECT * FROM {source_sql(args.source)} "
        "WHERE group_code IS NOT NULL AND person_code IS NOT NULL"
    )
    backend = DuckDBBackend(con)
    config = AnalysisConfig(dup_group_prefix_extra=args.k)
    steps_time = {}
    last = [time.perf_counter()]

    def progress(name, done, total):
        now = time.perf_counter()
        label = name.removeprefix("__jf_dg_")
        label = "cand" if label.startswith("cand") else label  # partitions add up
        steps_time[label] = round(steps_time.get(label, 0) + now - last[0], 2)
        last[0] = now

    parts = args.partitions or duplicate_groups.auto_partitions(backend, "members")
    backend.run_steps(duplicate_groups.pair_steps(config, members="members", partitions=parts), progress)
    elapsed = time.perf_counter() - t0
    stats = con.execute(f"""SELECT count(*),
        count(*) FILTER (WHERE 5 * shared >= 4 * (members_a + members_b - shared)) FROM {duplicate_groups.PAIRS}""").fetchone()
    candidates = con.execute("SELECT count(*) FROM __jf_dg_cand").fetchone()[0]
    con.execute(f"COPY {duplicate_groups.PAIRS} TO '{args.out / 'ours_pairs.parquet'}' (FORMAT parquet)")
    return {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu_seconds(), 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "pairs": stats[0],
        "jaccard_pairs": stats[1],
        "candidates": candidates,
        "steps": steps_time,
        "k": args.k,
        "partitions": parts,
    }


def load_csr(args, sample: int | None = None):
    """Groups as sorted arrays of person ids (CSR), with their codes; optionally a random sample."""
    import numpy as np

    con = connect(args)
    con.execute(
        f"CREATE TEMP TABLE m AS SELECT DISTINCT group_code, person_code FROM {source_sql(args.source)} "
        "WHERE group_code IS NOT NULL AND person_code IS NOT NULL"
    )
    con.execute(
        "CREATE TEMP TABLE g AS SELECT group_code, CAST(row_number() OVER (ORDER BY group_code) - 1 AS INTEGER) AS gid "
        "FROM (SELECT DISTINCT group_code FROM m)"
    )
    if sample:
        con.execute(f"CREATE TEMP TABLE keep AS SELECT gid FROM g ORDER BY hash(gid + {args.seed}) LIMIT {int(sample)}")
        con.execute("DELETE FROM g WHERE gid NOT IN (SELECT gid FROM keep)")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE g AS SELECT group_code, CAST(row_number() OVER (ORDER BY group_code) - 1 AS INTEGER) AS gid FROM g"
        )
    con.execute(
        "CREATE TEMP TABLE p AS SELECT person_code, CAST(row_number() OVER (ORDER BY person_code) - 1 AS INTEGER) AS pid "
        "FROM (SELECT DISTINCT person_code FROM m)"
    )
    rel = con.sql(
        "SELECT g.gid, p.pid FROM m JOIN g USING (group_code) JOIN p USING (person_code) ORDER BY g.gid, p.pid"
    )
    table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    gids = table.column("gid").to_numpy()
    pids = table.column("pid").to_numpy()
    codes = con.sql("SELECT group_code FROM g ORDER BY gid").fetchnumpy()["group_code"]
    n = len(codes)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(gids, minlength=n), out=indptr[1:])
    total = con.execute("SELECT count(DISTINCT group_code) FROM m").fetchone()[0]
    con.close()
    return codes, indptr, pids.astype(np.int64), total


def qualifies(nx: int, ny: int, o: int) -> tuple[bool, bool]:
    if nx > ny:
        nx, ny = ny, nx
    return 5 * o >= 4 * (nx + ny - o), (nx >= 5 and 2 * nx >= ny and 10 * o >= 9 * nx)


def worker_minhash(args) -> dict:
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    codes, indptr, pids, total_groups = load_csr(args, args.baseline_sample or None)
    n = len(codes)
    t_load = time.perf_counter() - t0

    t1 = time.perf_counter()
    identity = int  # person ids are already integers; datasketch's scheme mixes them (fmix) itself
    minhashes = MinHash.bulk(
        (pids[indptr[i] : indptr[i + 1]].tolist() for i in range(n)), num_perm=128, hashfunc=identity
    )
    t_sketch = time.perf_counter() - t1

    t2 = time.perf_counter()
    lsh = MinHashLSH(num_perm=128, params=(16, 8))
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m, check_duplication=False)
    t_index = time.perf_counter() - t2

    t3 = time.perf_counter()
    candidates = set()
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if j != i:
                candidates.add((i, j) if i < j else (j, i))
    t_query = time.perf_counter() - t3

    t4 = time.perf_counter()
    pairs = []
    for i, j in candidates:
        a, b = pids[indptr[i] : indptr[i + 1]], pids[indptr[j] : indptr[j + 1]]
        o = np.intersect1d(a, b, assume_unique=True).size
        by_j, by_c = qualifies(a.size, b.size, o)
        if by_j or by_c:
            pairs.append((codes[i], codes[j]))
    t_verify = time.perf_counter() - t4
    elapsed = time.perf_counter() - t0
    with open(args.out / "minhash_pairs.json", "w") as fh:
        json.dump({"pairs": pairs, "sample_codes": codes.tolist() if args.baseline_sample else None}, fh)
    scale = total_groups / n if n else 1.0
    return {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu_seconds(), 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "groups": n,
        "total_groups": total_groups,
        "extrapolated": bool(args.baseline_sample),
        "seconds_extrapolated": round(elapsed * scale, 1),
        "candidates": len(candidates),
        "pairs": len(pairs),
        "steps": {
            "load": round(t_load, 2),
            "minhash": round(t_sketch, 2),
            "index": round(t_index, 2),
            "query": round(t_query, 2),
            "verify": round(t_verify, 2),
        },
    }


def worker_brute(args) -> dict:
    """Exact pairs of ``--brute-sample`` random groups against all groups, via an inverted index."""
    import numpy as np

    codes, indptr, pids, _ = load_csr(args)
    n = len(codes)
    sizes = np.diff(indptr)
    order = np.argsort(pids, kind="stable")
    owners = np.repeat(np.arange(n), sizes)[order]
    n_people = int(pids.max()) + 1 if pids.size else 0
    pptr = np.zeros(n_people + 1, np.int64)
    np.cumsum(np.bincount(pids, minlength=n_people), out=pptr[1:])
    rng = np.random.default_rng(args.seed)
    sample = rng.choice(n, min(args.brute_sample, n), replace=False)
    t0 = time.perf_counter()
    pairs = []
    for x in sample:
        members = pids[indptr[x] : indptr[x + 1]]
        hits = np.concatenate([owners[pptr[p] : pptr[p + 1]] for p in members]) if members.size else np.array([], int)
        ys, overlap = np.unique(hits, return_counts=True)
        for y, o in zip(ys.tolist(), overlap.tolist()):
            if y == x:
                continue
            by_j, by_c = qualifies(int(sizes[x]), int(sizes[y]), o)
            if by_j or by_c:
                pairs.append((codes[x], codes[y]))
    with open(args.out / "brute_pairs.json", "w") as fh:
        json.dump({"sample": [codes[i] for i in sample], "pairs": pairs}, fh)
    return {"seconds": round(time.perf_counter() - t0, 2), "sampled_groups": len(sample), "pairs": len(pairs)}


# ---------------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------------
def spawn(worker: str, args) -> dict:
    result_file = args.out / f"{worker}.json"
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        worker,
        "--source",
        args.source,
        "--out",
        str(args.out),
        "--threads",
        str(args.threads),
        "--memory-limit",
        args.memory_limit,
        "--k",
        str(args.k),
        "--seed",
        str(args.seed),
        "--baseline-sample",
        str(args.baseline_sample),
        "--brute-sample",
        str(args.brute_sample),
        "--partitions",
        str(args.partitions),
    ]
    subprocess.run(cmd, check=True)
    return json.loads(result_file.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--members", help="glob of members CSV files (header row; group code, person code)")
    src.add_argument("--synthetic", action="store_true", help="synthesize a province-like membership table")
    ap.add_argument("--groups", type=int, default=1_000_000, help="synthetic: number of groups")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="working folder (data, pairs, results)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit for ours")
    ap.add_argument("--k", type=int, default=3, help="prefix filter: probe k−1 extra tokens, need k matches")
    ap.add_argument("--partitions", type=int, default=0, help="candidate-join partitions for ours (0: auto)")
    ap.add_argument(
        "--baseline-sample",
        type=int,
        default=0,
        help="run MinHash on this many random groups and extrapolate its time (0: all groups)",
    )
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--brute-sample", type=int, default=2000, help="groups brute-forced for recall/precision (0: skip)")
    ap.add_argument("--worker", choices=["ours", "minhash", "brute"], help=argparse.SUPPRESS)
    ap.add_argument("--source", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    if args.worker:
        result = {"ours": worker_ours, "minhash": worker_minhash, "brute": worker_brute}[args.worker](args)
        (args.out / f"{args.worker}.json").write_text(json.dumps(result))
        return

    if args.members:
        files = sorted(glob.glob(args.members))
        if not files:
            sys.exit(f"no file matches {args.members}")
        args.source = args.members
        data = {"source": f"{len(files)} CSV file(s): {args.members}"}
    else:
        path = args.out / f"synthetic_members_{args.groups}_{args.seed}.parquet"
        meta_path = path.with_suffix(".json")
        if not (path.exists() and meta_path.exists()):
            t = time.perf_counter()
            meta = synthesize(args.groups, args.seed, path)
            meta["generated_in_s"] = round(time.perf_counter() - t, 1)
            meta_path.write_text(json.dumps(meta))
        data = json.loads(meta_path.read_text())
        data["source"] = f"synthetic (seed {args.seed}): {path.name}"
        args.source = str(path)

    print(f"data: {json.dumps(data, ensure_ascii=False)}", flush=True)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
        f"DuckDB threads={args.threads}, memory_limit={args.memory_limit}",
        flush=True,
    )

    ours = spawn("ours", args)
    print(
        f"ours     : {ours['seconds']:8.1f} s (cpu {ours['cpu_seconds']} s)  peak RSS {ours['peak_rss_mb']:6d} MB  pairs {ours['pairs']:,} "
        f"(Jaccard ≥ 0.8: {ours['jaccard_pairs']:,}; containment only: {ours['pairs'] - ours['jaccard_pairs']:,}) "
        f"candidates {ours['candidates']:,}; {ours['partitions']} partition(s)",
        flush=True,
    )
    print(f"           steps (s): {ours['steps']}", flush=True)

    import pyarrow.parquet as pq

    ours_table = pq.read_table(args.out / "ours_pairs.parquet").to_pylist()
    ours_pairs = {
        frozenset((r["group_a"], r["group_b"])): qualifies(r["members_a"], r["members_b"], r["shared"])
        for r in ours_table
    }

    if not args.skip_baseline:
        mh = spawn("minhash", args)
        label = (
            f"on {mh['groups']:,} of {mh['total_groups']:,} groups, EXTRAPOLATED to all: "
            f"{mh['seconds_extrapolated']:.1f} s"
            if mh["extrapolated"]
            else "all groups"
        )
        print(
            f"minhash  : {mh['seconds']:8.1f} s (cpu {mh['cpu_seconds']} s)  peak RSS {mh['peak_rss_mb']:6d} MB  pairs {mh['pairs']:,} "
            f"candidates {mh['candidates']:,}  ({label})",
            flush=True,
        )
        print(f"           steps (s): {mh['steps']}", flush=True)
        found = json.loads((args.out / "minhash_pairs.json").read_text())
        mh_pairs = {frozenset(p) for p in found["pairs"]}
        universe = ours_pairs
        if found["sample_codes"] is not None:
            sample = set(found["sample_codes"])
            universe = {p: c for p, c in ours_pairs.items() if p <= sample}
        jac = [p for p, (j, _) in universe.items() if j]
        con_only = [p for p, (j, c) in universe.items() if c and not j]

        def recall(ps):
            return (
                f"{sum(p in mh_pairs for p in ps) / len(ps):.3f} ({sum(p in mh_pairs for p in ps):,}/{len(ps):,})"
                if ps
                else "n/a"
            )

        print(
            f"minhash recall vs ours: Jaccard ≥ 0.8 pairs {recall(jac)}; containment-only pairs {recall(con_only)}; "
            f"all {recall(list(universe))}; pairs it found that ours did not: {len(mh_pairs - set(ours_pairs))}",
            flush=True,
        )
        mh_time = mh["seconds_extrapolated"] if mh["extrapolated"] else mh["seconds"]
        print(
            f"ratio    : minhash / ours time = {mh_time / ours['seconds']:.1f}x"
            f"{' (minhash time extrapolated)' if mh['extrapolated'] else ''}; "
            f"peak RSS minhash / ours = {mh['peak_rss_mb'] / max(1, ours['peak_rss_mb']):.1f}x",
            flush=True,
        )

    if args.brute_sample:
        bf = spawn("brute", args)
        truth = json.loads((args.out / "brute_pairs.json").read_text())
        sample = set(truth["sample"])
        true_pairs = {frozenset(p) for p in truth["pairs"]}
        ours_touching = {p for p in ours_pairs if p & sample}
        tp = len(true_pairs & ours_touching)
        rec = tp / len(true_pairs) if true_pairs else 1.0
        prec = tp / len(ours_touching) if ours_touching else 1.0
        print(
            f"brute force on {bf['sampled_groups']:,} random groups against all ({bf['seconds']} s): "
            f"{len(true_pairs):,} true pairs; ours recall {rec:.4f}, precision {prec:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
