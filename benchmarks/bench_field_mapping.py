"""Field mapping at scale: 100,000 form fields against a 5,000-element catalog, beside a naive baseline.

The catalog is built from the generator's indicators (jianfu.generate.catalog) and combinations of a
subject (护林员, 低保户, 脱贫人口 …), an optional qualifier (户籍, 新增, 女性 …) and a measure (人数, 户数,
面积, 金额 …), each with up to two synonyms. The fields are catalog names printed as forms print them —
unit in brackets, Traditional characters, 数 dropped, a curated synonym swapped, full-width spaces — and
one in five is a novel name (a subject or measure the catalog does not combine). Seeded, so every run maps
the same 100,000 names (the number of distinct names is printed: repeated wording is the normal case on
real forms, and the matcher caches per normalised name).

    .venv/bin/python benchmarks/bench_field_mapping.py [--fields 100000] [--elements 5000] [--sample 2000]

Prints the matcher's wall time (index build + mapping) and its CPU time with the load average (the machine
is shared: wall time grows with the load, CPU time does not), the naive baseline — rapidfuzz ``fuzz.ratio`` of every
field against every catalog name (all pairs, the best one), timed on a sample and extrapolated — and the
ratio between them.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from jianfu.analysis.fields import CatalogElement, FieldMatcher, normalise_field  # noqa: E402
from jianfu.generate import catalog as gen_catalog  # noqa: E402
from jianfu.textnorm import normalize_text, to_traditional  # noqa: E402

SUBJECTS = (
    "护林员 网格员 志愿者 村干部 党员 退役军人 残疾人 留守儿童 困境儿童 独居老人 高龄老人 低保对象 特困人员 脱贫人口 "
    "监测对象 外出务工人员 返乡创业人员 新型农民 种粮大户 家庭农场 养殖户 贫困学生 在校学生 适龄儿童 育龄妇女 孕产妇 "
    "慢病患者 精神障碍患者 吸毒人员 社区矫正对象 刑满释放人员 信访人员 重点人员 流动人员 保洁员 护理员 驾驶员 "
    "消防员 民兵 医保参保人员 养老保险参保人员 家庭医生签约居民 公益性岗位人员 技能培训学员 企业职工 个体工商户 "
    "农民专业合作社 危房户 改厕户 燃气用户 自建房业主 食品经营者 学校 幼儿园 卫生室 养老机构 文化礼堂 农家书屋 "
    "便民服务点 微型消防站 山塘水库 河道 林区 耕地 永久基本农田 高标准农田 宅基地 集体土地 村集体 合作医疗 "
    "村级道路 路灯 垃圾分类点 公厕 污水处理设施 光伏电站 充电桩 快递网点 电商服务站"
).split()
QUALIFIERS = [
    "",
    "",
    "",
    "户籍",
    "常住",
    "新增",
    "累计",
    "女性",
    "男性",
    "农村",
    "城镇",
    "本年",
    "上年",
    "60岁以上",
    "80岁以上",
    "已缴",
    "应缴",
]
MEASURES = [
    ("人数", "人"),
    ("户数", "户"),
    ("面积", "亩"),
    ("金额", "万元"),
    ("个数", "个"),
    ("次数", "次"),
    ("人次", "人次"),
    ("覆盖率", "%"),
    ("补贴金额", "元"),
    ("处数", "处"),
    ("资金", "万元"),
    ("数量", "个"),
]
NOVEL_MEASURES = [
    ("平均年龄", "岁"),
    ("联系人姓名", ""),
    ("负责人电话", ""),
    ("达标率", "%"),
    ("增长率", "%"),
    ("所在地址", ""),
    ("建成年份", ""),
]
SWAPS = [("人数", "人员数"), ("上报", "报送"), ("补贴", "补助"), ("老人", "老年人"), ("医保", "医疗保险")]


def build_catalog(n: int, rng: random.Random) -> list[CatalogElement]:
    names: dict[str, str] = {}
    for ind in gen_catalog.ALL_INDICATORS:
        names.setdefault(ind.name, ind.unit)
    combos = [(q, s, m) for s in SUBJECTS for q in QUALIFIERS for m in MEASURES]
    rng.shuffle(combos)
    # a catalog does not hold the same thing twice: 林区个数 / 林区数量 / 林区处数 are one element
    cores = {normalise_field(name).core for name in names}
    for q, s, (m, unit) in combos:
        if len(names) >= n:
            break
        core = normalise_field(f"{q}{s}{m}").core
        if core not in cores:
            cores.add(core)
            names.setdefault(f"{q}{s}{m}", unit)
    out = []
    for i, (name, unit) in enumerate(sorted(names.items())):
        synonyms = []
        for a, b in SWAPS:
            if a in name and rng.random() < 0.5:
                synonyms.append(name.replace(a, b))
        out.append(CatalogElement(f"DE{i + 1:05d}", name, tuple(synonyms[:2]), unit=unit or None))
    return out[:n]


def printed(name: str, unit: str | None, rng: random.Random) -> str:
    """How a form prints a field: one or two of the usual changes."""
    text = name
    for _ in range(rng.randint(1, 2)):
        k = rng.randrange(6)
        if k == 0 and unit:
            text = f"{text}（{unit}）"
        elif k == 1:
            text = to_traditional(text)
        elif k == 2 and text.endswith("数") and len(text) > 3:
            text = text[:-1]
        elif k == 3:
            for a, b in SWAPS:
                if a in text:
                    text = text.replace(a, b)
                    break
        elif k == 4:
            text = text.replace("（", "(").replace("）", ")") + rng.choice(["", " ", "　"])
        else:
            text = rng.choice(["", "本年", "全村", "辖区"]) + text if rng.random() < 0.2 else text
    return text


def build_fields(elements: list[CatalogElement], n: int, rng: random.Random) -> tuple[list[str], list[str | None]]:
    """(field names, the element each was printed from — None for a novel name)."""
    fields: list[str] = []
    expected: list[str | None] = []
    for _ in range(n):
        if rng.random() < 0.2:
            m, unit = rng.choice(NOVEL_MEASURES)
            fields.append(printed(f"{rng.choice(QUALIFIERS)}{rng.choice(SUBJECTS)}{m}", unit, rng))
            expected.append(None)
        else:
            e = rng.choice(elements)
            fields.append(printed(e.name, e.unit, rng))
            expected.append(e.code)
    return fields, expected


def baseline(elements: list[CatalogElement], fields: list[str]) -> float:
    """Seconds for rapidfuzz all-pairs: every field against every catalog name, keep the best."""
    from rapidfuzz import fuzz, process

    choices = [normalize_text(e.name) for e in elements]
    started = time.perf_counter()
    for f in fields:
        process.extractOne(normalize_text(f), choices, scorer=fuzz.ratio)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=100_000)
    parser.add_argument("--elements", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=2_000, help="fields the baseline maps (extrapolated)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--processes", type=int, default=1, help="worker processes for match_many (forked)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    elements = build_catalog(args.elements, rng)
    fields, expected = build_fields(elements, args.fields, rng)
    print(
        f"catalog: {len(elements)} elements, {sum(len(e.synonyms) for e in elements)} synonyms; "
        f"fields: {len(fields)} ({len(set(fields))} distinct)"
    )
    normalise_field.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    matcher = FieldMatcher(elements)
    built = time.perf_counter() - started
    results = matcher.match_many(fields, processes=args.processes)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    mapped = sum(1 for r in results if r.element)
    known = [(r.element, e) for r, e in zip(results, expected) if e is not None]
    right = sum(1 for got, e in known if got == e)
    wrong = sum(1 for got, e in known if got is not None and got != e)
    novel_mapped = sum(1 for r, e in zip(results, expected) if e is None and r.element is not None)
    print(
        f"matcher ({args.processes} process{'es' if args.processes > 1 else ''}): {total:.1f} s ({built:.1f} s index, {total - built:.1f} s mapping), "
        f"{mapped / len(fields):.1%} mapped, {1e6 * (total - built) / len(fields):.0f} µs per field; "
        f"CPU {cpu:.1f} s (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"  printed from an element: {right / len(known):.1%} to it, {wrong / len(known):.2%} to another; "
        f"novel names mapped: {novel_mapped} (some 'novel' combinations exist in the catalog by chance)"
    )
    sample = fields[: args.sample]
    seconds = baseline(elements, sample)
    projected = seconds * len(fields) / len(sample)
    print(
        f"baseline (rapidfuzz all pairs, {len(sample)} fields × {len(elements)} names): {seconds:.1f} s, "
        f"projected for {len(fields)} fields: {projected:.0f} s"
    )
    print(f"ratio baseline / matcher: {projected / total:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
