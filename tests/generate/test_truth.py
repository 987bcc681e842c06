"""truth.json agrees with the written files: rule-based findings are recomputed from the files alone."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict

from conftest import AS_OF, parse_date, read_memberships, read_truth, split_multi, xlsx_rows

from jianfu.textnorm import to_simplified

F1_DEMANDS = {"打卡接龙", "即时回复", "收到请回复"}
F2_DEMANDS = {"截图留痕", "上传照片视频", "定位打卡"}
FORCED = {
    "打卡签到": "F1",
    "强制下载": "F1",
    "安装率考核": "F1",
    "定期登录": "F1",
    "截图留痕": "F2",
    "轨迹上传": "F2",
    "积分排名": "F3",
    "在线时长": "F3",
    "点赞转发考核": "F3",
    "学习时长考核": "F3",
}


def _truth_sets(truth: dict, kind: str) -> set[tuple[str, tuple[str, ...]]]:
    return {(f["rule"], tuple(f["items"])) for f in truth["findings"][kind]}


def _col(header: list[str], name: str) -> int:
    names = [to_simplified(h).strip() for h in header]
    return names.index(name)


def test_group_rules(county_dir):
    truth = read_truth(county_dir)
    header, rows = xlsx_rows(county_dir / "工作群.xlsx")
    c_code, c_nature, c_end = _col(header, "群编号"), _col(header, "性质"), _col(header, "任务结束日期")
    c_last, c_demand = _col(header, "最近活跃"), _col(header, "要求")
    expired, idle, f1, f2 = set(), set(), set(), set()
    for r in rows:
        code = r[c_code]
        nature = to_simplified(r[c_nature])
        assert nature in {"常设", "长期", "临时", "临时性"}
        end = parse_date(r[c_end])
        if nature.startswith("临时"):
            assert end is not None
            if end < AS_OF:
                expired.add(code)
        else:
            assert end is None
        if (AS_OF - parse_date(r[c_last])).days >= 60:
            idle.add(code)
        demands = {to_simplified(x) for x in split_multi(r[c_demand])}
        if demands & F1_DEMANDS:
            f1.add(code)
        if demands & F2_DEMANDS:
            f2.add(code)
    assert _truth_sets(truth, "expired_group") == {("F5", (c,)) for c in expired}
    assert _truth_sets(truth, "idle_group") == {("F5", (c,)) for c in idle}
    assert _truth_sets(truth, "group_demand") == {("F1", (c,)) for c in f1} | {("F2", (c,)) for c in f2}
    # the planted rates are visible
    n = len(rows)
    assert 0.12 * n < len(expired) < 0.35 * n
    assert 0.15 * n < len(idle) < 0.45 * n


def test_app_rules(county_dir):
    truth = read_truth(county_dir)
    header, rows = xlsx_rows(county_dir / "应用.xlsx")
    c_code, c_upd = _col(header, "编号"), _col(header, "最近更新")
    c_reg, c_mau, c_forced = (
        _col(header, "注册用户数（人）"),
        _col(header, "月活跃用户数（人）"),
        _col(header, "强制功能"),
    )
    c_kind = _col(header, "类别")
    zombie, forced = set(), set()
    kinds = set()
    for r in rows:
        code = r[c_code]
        kinds.add(to_simplified(r[c_kind]))
        reg, mau = int(r[c_reg]), int(r[c_mau])
        if mau * 20 < reg or (AS_OF - parse_date(r[c_upd])).days >= 180:
            zombie.add(code)
        for rule in {FORCED[to_simplified(x)] for x in split_multi(r[c_forced])}:
            forced.add((rule, (code,)))
    assert kinds <= {"APP", "小程序", "H5", "PC系统", "平台"} and "平台" in kinds
    assert _truth_sets(truth, "zombie_app") == {("F5", (c,)) for c in zombie}
    assert _truth_sets(truth, "forced_feature") == forced
    assert zombie and forced


def test_account_rules(county_dir):
    truth = read_truth(county_dir)
    header, rows = xlsx_rows(county_dir / "公众号.xlsx")
    c_code, c_plat, c_owner = _col(header, "编号"), _col(header, "平台"), _col(header, "主办单位")
    c_last, c_assess = _col(header, "最近发布"), _col(header, "考核要求")
    stale, assess = set(), set()
    by_owner_platform = defaultdict(list)
    for r in rows:
        code = r[c_code]
        by_owner_platform[(r[c_owner], to_simplified(r[c_plat]))].append(code)
        if (AS_OF - parse_date(r[c_last])).days >= 60:
            stale.add(code)
        if split_multi(r[c_assess]):
            assess.add(code)
    assert _truth_sets(truth, "stale_account") == {("F5", (c,)) for c in stale}
    assert _truth_sets(truth, "account_assessment") == {("F3", (c,)) for c in assess}
    dups = {("F5", tuple(sorted(v))) for v in by_owner_platform.values() if len(v) > 1}
    assert _truth_sets(truth, "duplicate_accounts") == dups


def _is_dup(a: set, b: set) -> bool:
    if len(a) > len(b):
        a, b = b, a
    sa, sb, ov = len(a), len(b), len(a & b)
    return 9 * ov >= 4 * (sa + sb) or (sa >= 5 and 2 * sa >= sb and 10 * ov >= 9 * sa)


def test_duplicate_groups_exact(county_dir):
    """Every pair of groups meeting the rule is inside one truth cluster, every truth cluster is
    connected by such pairs, and no other pair comes near the rule."""
    truth = read_truth(county_dir)
    members = read_memberships(county_dir)
    clusters = [set(f["items"]) for f in truth["findings"]["duplicate_groups"]]
    assert clusters and all(f["planted"] for f in truth["findings"]["duplicate_groups"])
    cluster_of = {c: i for i, cl in enumerate(clusters) for c in cl}
    # candidate pairs: groups sharing a member (inverted index), then exact integer checks
    by_person = defaultdict(list)
    for g, ms in members.items():
        for p in ms:
            by_person[p].append(g)
    shared = defaultdict(int)
    for gs in by_person.values():
        gs.sort()
        for a, b in itertools.combinations(gs, 2):
            shared[(a, b)] += 1
    dup_edges = []
    for (a, b), ov in shared.items():
        sa, sb = sorted((len(members[a]), len(members[b])))
        dup = 9 * ov >= 4 * (sa + sb) or (sa >= 5 and 2 * sa >= sb and 10 * ov >= 9 * sa)
        near = 17 * ov >= 7 * (sa + sb) or (sa >= 4 and 5 * sa >= 2 * sb and 10 * ov >= 8 * sa)
        if dup:
            dup_edges.append((a, b))
            assert cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b)
        elif near:  # close to the rule only inside a planted cluster
            assert cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b), (a, b, ov)
    # each cluster is connected by rule edges
    for cl in clusters:
        for g in cl:
            assert any(_is_dup(members[g], members[h]) for h in cl if h != g), g


def test_duplicate_forms(county_dir):
    truth = read_truth(county_dir)
    elements = truth["form_field_elements"]
    header, rows = xlsx_rows(county_dir / "报表字段.xlsx")
    per_form = defaultdict(int)
    for r in rows:
        per_form[r[0]] += 1
    assert {k: len(v) for k, v in elements.items()} == dict(per_form)
    clusters = [f["items"] for f in truth["findings"]["duplicate_forms"]]
    assert clusters
    in_cluster = {c for cl in clusters for c in cl}
    for cl in clusters:
        for a in cl:
            ea = set(elements[a])
            assert any(10 * len(ea & set(elements[b])) >= 7 * min(len(ea), len(elements[b])) for b in cl if b != a)
    # forms outside clusters share less than half of the smaller form with any other form of the county
    codes = sorted(elements)
    for a, b in itertools.combinations(codes, 2):
        ea, eb = set(elements[a]), set(elements[b])
        if 2 * len(ea & eb) >= min(len(ea), len(eb)):
            assert a in in_cluster and b in in_cluster, (a, b)


def _plain(words: str) -> str:
    """A function named in another department's words, back in the generator's own (巡检 → 巡查)."""
    from jianfu.generate.catalog import APP_PARAPHRASES

    for word, other in APP_PARAPHRASES:
        words = words.replace(other, word)
    return words


def test_duplicate_apps(county_dir):
    truth = read_truth(county_dir)
    header, rows = xlsx_rows(county_dir / "应用.xlsx")
    c_code, c_owner, c_desc, c_funcs = (
        _col(header, "编号"),
        _col(header, "主管单位"),
        _col(header, "描述"),
        _col(header, "功能"),
    )
    by_code = {r[c_code]: r for r in rows}
    for f in truth["findings"]["duplicate_apps"]:
        items = f["items"]
        assert len(items) >= 2
        owners = {by_code[c][c_owner] for c in items}
        assert len(owners) >= 1
        funcs = [
            {
                _plain(to_simplified(x)) if f.get("paraphrase") else to_simplified(x)
                for x in split_multi(by_code[c][c_funcs])
            }
            for c in items
        ]
        for x, y in itertools.combinations(funcs, 2):
            assert len(x & y) >= 3
        descs = [to_simplified(by_code[c][c_desc]) for c in items]
        assert len(set(descs)) == len(descs)  # paraphrased, not copied


def test_form_families_and_the_element_catalog(county_dir):
    """Family forms ask their family's elements in other wordings; the catalog lists every element once;
    the values file holds most (village, element) pairs of the families for the year."""
    truth = read_truth(county_dir)
    elements = truth["data_elements"]
    _, catalog_rows = xlsx_rows(county_dir / "数据元.xlsx")
    codes = [r[0] for r in catalog_rows]
    assert len(codes) == len(set(codes)) == len(elements)
    family = {c for c, e in elements.items() if e.get("family")}
    assert len(family) >= 50
    family_forms = [f for f, els in truth["form_field_elements"].items() if set(els) <= family]
    assert len(family_forms) >= 30
    clustered = {c for f in truth["findings"]["duplicate_forms"] for c in f["items"]}
    assert set(family_forms) <= clustered
    with open(county_dir / "数据元取值.csv", encoding="utf-8-sig", newline="") as f:
        values = list(csv.DictReader(f))
    common = {c for c, e in elements.items() if e["name"] in ("户籍人口数", "耕地面积", "党员人数")}
    assert values and family | common <= {v["元素编码"] for v in values}
    assert len({(v["元素编码"], v["单位编码"], v["期间"]) for v in values}) == len(values)  # one value per key
    family_values = [v for v in values if v["元素编码"] in family]
    villages = {v["单位编码"] for v in family_values}
    assert len(family_values) >= 0.8 * len(villages) * len(family)
