"""Mutate real generated inventories (xlsx, xls, ods, csv) and check what the importer makes of them.

The contract checked for every input: it imports, or it is refused with CellErrors; never another exception,
never more than TIME_LIMIT seconds of CPU, never a row written from a refused file. Used by the hypothesis test
(tests/fuzz/test_fuzz_import.py) and by the atheris script (tests/fuzz/atheris_import.py).
"""

from __future__ import annotations

import io
import random
import re
import signal
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests import builders

TIME_LIMIT = 10.0
SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")
_MEMBER_ROWS = [
    ["群编号", "人员编号", "姓名", "手机号"],
    ["G1", "P1", "张三", "138 1234 5678"],
    ["G1", "P2", "李四", "139-1234-5678"],
    ["G2", "", "王五", "13712345678"],
    ["G2", "P3", None, None],
]


def seed_files(folder: Path) -> dict[str, bytes]:
    """One real members file per format, written by the same libraries departments' tools use."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        ".xlsx": builders.write_xlsx(folder / "seed.xlsx", _MEMBER_ROWS, title="2026年工作群成员", merges=["A2:A3"]),
        ".xls": builders.write_xls(folder / "seed.xls", _MEMBER_ROWS),
        ".ods": builders.write_ods(folder / "seed.ods", _MEMBER_ROWS),
        ".csv": builders.write_csv(folder / "seed.csv", _MEMBER_ROWS, encoding="gbk"),
    }
    return {suffix: path.read_bytes() for suffix, path in paths.items()}


# -- mutations: each takes the bytes and a random.Random, returns new bytes -------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _members(data: bytes) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except Exception:  # not a readable zip (any more): the zip mutations do not apply
        return None


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def mutate_member(data: bytes, rng: random.Random) -> bytes:
    """Truncate, replace, drop or duplicate one member of a zip container (xlsx, ods)."""
    members = _members(data)
    if not members:
        return flip_bytes(data, rng)
    name = rng.choice(sorted(members))
    action = rng.choice(["truncate", "replace", "drop", "garbage", "xml"])
    if action == "truncate":
        members[name] = members[name][: rng.randrange(len(members[name]) + 1)]
    elif action == "replace":
        members[name] = members[rng.choice(sorted(members))]
    elif action == "drop":
        del members[name]
    elif action == "garbage":
        members[name] = rng.randbytes(rng.randint(0, 2000))
    else:
        members[name] = mutate_xml(members[name], rng)
    return _zip(members)


_NUMBER = re.compile(rb"\d+")
_TAG = re.compile(rb"<[^<>]{1,200}>")
_HUGE_NUMBERS = [b"0", b"-1", b"1048576", b"1048577", b"16384", b"99999999999", b"4294967296", b"00"]


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Change numbers (row, column, repeat counts), cut, copy or nest tags, or change the declared encoding."""
    action = rng.choice(["number", "cut", "copy", "nest", "encoding", "entity", "reference"])
    if action == "number":
        matches = list(_NUMBER.finditer(data))
        if matches:
            match = rng.choice(matches)
            return data[: match.start()] + rng.choice(_HUGE_NUMBERS) + data[match.end() :]
    if action in ("cut", "copy", "nest"):
        tags = list(_TAG.finditer(data))
        if tags:
            tag = rng.choice(tags)
            if action == "cut":
                return data[: tag.start()] + data[tag.end() :]
            if action == "copy":
                return data[: tag.end()] + tag.group() * rng.randint(1, 50) + data[tag.end() :]
            return data[: tag.end()] + b"<n>" * 500 + b"</n>" * 500 + data[tag.end() :]
    if action == "encoding":
        return re.sub(
            rb'encoding="[^"]*"', rng.choice([b'encoding="gbk"', b'encoding="utf-16"', b'encoding="x"']), data, count=1
        )
    if action == "entity":
        return data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e "ee">]>', 1)
    if action == "reference":
        return re.sub(
            rb'r="[A-Z]+\d+"',
            rng.choice([b'r="XFD1048576"', b'r="A0"', b'r="ZZZZ1"', b'r="A1048577"']),
            data,
            count=rng.randint(1, 3),
        )
    return flip_bytes(data, rng)


def mangle_text(data: bytes, rng: random.Random) -> bytes:
    """Re-encode, break or pad a CSV: wrong codecs, stray bytes, NULs, quotes, huge fields, many columns."""
    text = data.decode("gbk", errors="replace")
    action = rng.choice(["codec", "bytes", "quote", "nul", "wide", "long", "bom"])
    if action == "codec":
        return text.encode(rng.choice(["utf-8", "utf-16", "utf-32", "big5", "latin-1", "shift_jis"]), errors="replace")
    if action == "bytes":
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.choice([b"\xff\xfe", b"\x80", b"\xe4\xb8", b"\r", b"\x00\x00"]) + data[at:]
    if action == "quote":
        at = rng.randrange(len(text) + 1)
        return (text[:at] + '"' + text[at:]).encode("gbk", errors="replace")
    if action == "nul":
        return data.replace(b",", b"\x00", rng.randint(1, 5))
    if action == "wide":
        return data + (",".join(["x"] * rng.randint(1000, 20000)) + "\n").encode()
    if action == "long":
        return data + b"G1," + b"P" * rng.choice([32_767, 32_768, 200_000]) + b"\n"
    return b"\xef\xbb\xbf" + data


MUTATIONS = {
    ".xlsx": [flip_bytes, truncate, mutate_member, mutate_member, mutate_member],
    ".ods": [flip_bytes, truncate, mutate_member, mutate_member, mutate_member],
    ".xls": [flip_bytes, flip_bytes, truncate],
    ".csv": [flip_bytes, truncate, mangle_text, mangle_text, mangle_text],
}


def mutate(seed: bytes, suffix: str, rng: random.Random, rounds: int) -> bytes:
    data = seed
    for _ in range(rounds):
        data = rng.choice(MUTATIONS[suffix])(data, rng)
    return data


# -- the contract ---------------------------------------------------------------------------------------------


class Hang(Exception):
    """The import ran past TIME_LIMIT."""


@dataclass
class Outcome:
    accepted: bool
    seconds: float
    messages: list[str]


def _on_alarm(_signum, _frame):
    raise Hang(f"import took more than {TIME_LIMIT} s of CPU")


def check_import(data: bytes, suffix: str, folder: Path) -> Outcome:
    """Import the bytes as a members file and assert the contract; return what happened."""
    from jianfu.ingest import CellError
    from jianfu.registry.importing import import_paths
    from jianfu.registry.models import ImportBatch, Membership

    path = folder / f"fuzzed{suffix}"
    path.write_bytes(data)
    before = Membership.objects.count()
    # CPU time, not wall time: the machine may be busy, and a hang burns CPU (a wait on a lock would not, but
    # the importer takes none that another process holds here).
    previous = signal.signal(signal.SIGPROF, _on_alarm)
    signal.setitimer(signal.ITIMER_PROF, TIME_LIMIT)
    started = time.process_time()
    try:
        report = import_paths([path], kind="members", actor="fuzz")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    seconds = time.process_time() - started
    assert seconds < TIME_LIMIT, f"import took {seconds:.1f} s of CPU"
    (result,) = report.files
    if result.accepted:
        assert result.status == ImportBatch.Status.ACCEPTED and not result.errors
        return Outcome(True, seconds, [])
    assert result.status == ImportBatch.Status.REJECTED, result.status
    assert result.errors and all(isinstance(e, CellError) and e.message() for e in result.errors)
    assert Membership.objects.count() == before, "a refused file wrote rows"
    return Outcome(False, seconds, [e.message() for e in result.errors])


def prepare_registry(folder: Path) -> None:
    """The units, people and groups the seed members refer to, so a seed imports and a mutant may too."""
    from jianfu.registry.importing import import_paths

    report = import_paths([builders.write_small_county(folder / "county")], actor="fuzz")
    assert report.ok, [e.message() for f in report.files for e in f.errors]
