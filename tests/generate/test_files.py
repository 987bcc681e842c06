"""The written files: determinism, sizes, encodings, codes, phones, headers and value shapes."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from conftest import AS_OF, digits, parse_date, read_memberships, read_people, read_truth, xlsx_rows

import jianfu.generate as gen
from jianfu.generate import generate


def _hashes(d):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


def test_deterministic_by_seed(tmp_path, tiny_dir):
    # in another process (another string-hash seed), byte for byte the same files
    a = tmp_path / "a"
    code = (
        "import datetime, pathlib, sys; from jianfu.generate import generate; "
        "generate('tiny', seed=3, out_dir=pathlib.Path(sys.argv[1]), as_of=datetime.date(2026, 11, 26))"
    )
    subprocess.run([sys.executable, "-c", code, str(a)], check=True, env={**os.environ, "PYTHONHASHSEED": "random"})
    assert _hashes(a) == _hashes(tiny_dir)
    b = tmp_path / "b"
    generate("tiny", seed=4, out_dir=b, as_of=AS_OF)
    hb = _hashes(b)
    # the element catalog is the generator's fixed vocabulary: the same for every seed
    assert all(hb[k] != v for k, v in _hashes(tiny_dir).items() if k != "数据元.xlsx")


def test_summary_and_counts(tmp_path):
    s = generate(
        "tiny", seed=1, out_dir=tmp_path, as_of=AS_OF, sizes={"people": 400, "groups": 500, "memberships": 7000}
    )
    c = s["counts"]
    assert c["people"] == 400 and c["groups"] == 500
    assert 0.9 * 7000 < c["memberships"] < 1.1 * 7000
    assert 0.005 * 7000 < c["memberships_by_name_phone"] < 0.04 * 7000
    assert set(s["findings"]) >= {
        "duplicate_groups",
        "expired_group",
        "idle_group",
        "group_demand",
        "duplicate_apps",
        "zombie_app",
        "forced_feature",
        "stale_account",
        "account_assessment",
        "duplicate_accounts",
        "duplicate_forms",
    }
    names = {p.split("/")[-1] for p in s["files"]}
    assert names == {
        "单位.xlsx",
        "人员.csv",
        "应用.xlsx",
        "公众号.xlsx",
        "工作群.xlsx",
        "群成员.csv",
        "群成员_姓名手机.xlsx",
        "报表.xlsx",
        "报表字段.xlsx",
        "数据元.xlsx",
        "数据元取值.csv",
        "truth.json",
    }
    truth = read_truth(tmp_path)
    assert truth["counts"] == c


def test_county_scale_counts(county_dir):
    c = read_truth(county_dir)["counts"]
    assert c["people"] == 2000 and c["groups"] == 3000
    assert 54_000 < c["memberships"] < 66_000
    assert c["apps"] >= 15 and c["platforms"] >= 3 and c["accounts"] >= 20 and c["forms"] >= 40
    members = read_memberships(county_dir)
    assert sum(len(v) for v in members.values()) == c["memberships"]
    sizes = [len(v) for v in members.values()]
    assert min(sizes) >= 3 and max(sizes) > 100
    degree = Counter(p for v in members.values() for p in v)
    assert max(degree.values()) >= 60  # some cadres are in 60+ groups


def test_people_csv_is_gbk_and_phones_unique(county_dir):
    raw = (county_dir / "人员.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    people = read_people(county_dir)
    assert list(people[0]) == ["编号", "姓名", "手机号码", "所属单位", "职务"]
    phones = [digits(p["手机号码"]) for p in people]
    assert all(re.fullmatch(r"1[3-9]\d{9}", x) for x in phones)
    assert len(set(phones)) == len(phones)
    shapes = {re.sub(r"\d", "9", p["手机号码"]) for p in people}
    assert shapes == {"99999999999", "999 9999 9999", "999-9999-9999"}
    assert all(1 <= len(p["姓名"]) <= 4 for p in people)


def test_codes_reference_existing_objects(county_dir):
    _, units = xlsx_rows(county_dir / "单位.xlsx")
    unit_codes = {r[0] for r in units}
    assert len(unit_codes) == len(units)
    for code, _name, parent, level, _utype in units:
        assert parent == "" or parent in unit_codes
        assert level in {"省", "市", "县", "区", "乡", "镇", "街道", "村", "社区"}
        assert re.fullmatch(r"\d{12}(\d{3})?", code)
    people = read_people(county_dir)
    person_codes = {p["编号"] for p in people}
    assert {p["所属单位"] for p in people} <= unit_codes
    _, groups = xlsx_rows(county_dir / "工作群.xlsx")
    group_codes = {r[0] for r in groups}
    assert len(group_codes) == len(groups)
    assert {r[3] for r in groups} <= person_codes and {r[4] for r in groups} <= unit_codes
    members = read_memberships(county_dir)
    assert set(members) == group_codes
    assert set().union(*members.values()) <= person_codes
    with open(county_dir / "群成员.csv", encoding="utf-8", newline="") as f:
        assert all(len(r) == 2 for r in csv.reader(f))


def test_date_shapes_mixed(county_dir):
    _, groups = xlsx_rows(county_dir / "工作群.xlsx")
    kinds = Counter()
    for r in groups:
        v = r[5]
        parse_date(v)
        if isinstance(v, str):
            kinds[re.sub(r"\d+", "9", v)] += 1
        else:
            kinds[type(v).__name__] += 1
    assert {"9-9-9", "9/9/9", "9.9.9", "9年9月9日", "9", "float", "date"} <= set(kinds)


def test_name_phone_pairs_unique(county_dir):
    people = read_people(county_dir)
    pairs = [(p["姓名"], digits(p["手机号码"])) for p in people]
    assert len(set(pairs)) == len(pairs)


def test_split_members_and_groups_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "MEMBERS_PER_FILE", 1000)
    s = generate("tiny", seed=5, out_dir=tmp_path, as_of=AS_OF, sizes={"members_split": True, "groups_csv": True})
    parts = sorted(tmp_path.glob("群成员_*.csv"))
    assert len(parts) >= 3 and parts[0].name == "群成员_001.csv"
    total = 0
    for p in parts:
        with open(p, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["群编号", "人员编号"] and len(rows) - 1 <= 1000
        total += len(rows) - 1
    assert total + s["counts"]["memberships_by_name_phone"] == s["counts"]["memberships"]
    raw = (tmp_path / "工作群.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "工作群.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "群编号" and len(rows) - 1 == s["counts"]["groups"]
    for r in rows[1:]:
        parse_date(r[5])
        parse_date(r[8])


def test_no_django_import():
    code = "import sys, jianfu.generate; assert not any(m.startswith('django') for m in sys.modules), 'django'"
    subprocess.run([sys.executable, "-c", code], check=True)
