"""Field mapping for 一表通: a form's field (indicator) name → an element of the data-element catalog (no Django).

One notion of "the same thing said differently", shared by the field mapping, the filing pre-check and
``duplicate_apps`` (through :mod:`jianfu.analysis.synonyms`):

1. **Normalise** (:func:`normalise_field`): NFKC (full width → half width), OpenCC to Simplified, the
   bracketed parts out (a unit such as ``（人）`` is kept as ``.unit``; a note such as ``（含已故人员）`` is
   dropped), numerals in words → digits where they count something (六十周岁 → 60岁), the curated
   government synonyms folded to one spelling, and the role prefix (户主, 联系人 …) kept as a qualifier
   rather than matched as text: ``本人`` is the default role and is dropped; a bare role whose one bracket
   names an attribute (户主（姓名）) asks that attribute (户主姓名).
2. **Score** candidates with character unigrams, bigrams and trigrams weighted by their rarity (IDF) across
   the catalog's names and synonyms; an inverted index over the rarer n-grams finds the candidates, so a
   field is never compared with the whole catalog. An exact name or synonym (after normalisation) wins
   outright.
3. **Veto** a candidate whose value kind differs (persons, households, area, money, date, address, name,
   code …), whose qualifiers differ (户籍 vs 常住, 本人 vs 联系人, 户主 vs 成员, 应缴 vs 已缴, a negation 未 / 非 /
   不 on one side only …) or whose
   numbers differ (60岁以上 vs 80岁以上).
4. **Threshold**: below it the field stays unmapped (``element`` is ``None``): a candidate new element.
5. **Learn**: :meth:`FieldMatcher.add_synonym` records a confirmed field name, which then maps exactly.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing as mp
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from jianfu.analysis.synonyms import fold_synonyms
from jianfu.textnorm import to_simplified

__all__ = [
    "CatalogElement",
    "DEFAULT_THRESHOLD",
    "FieldMatch",
    "FieldMatcher",
    "NormalisedField",
    "kind_of",
    "normalise_field",
]

#: tuned on the tuning half of tests/analysis/data/field_labels.tsv (see docs/analysis.md)
DEFAULT_THRESHOLD = 0.62
#: confidence of a name with the catalog name's characters in another order
REORDERED_CONFIDENCE = 0.9

# --- value kinds --------------------------------------------------------------------------------------------

#: unit (as printed) → value kind
UNIT_KINDS: dict[str, str] = {
    "人": "persons",
    "名": "persons",
    "位": "persons",
    "人次": "person_times",
    "户": "households",
    "亩": "area",
    "公顷": "area",
    "平方米": "area",
    "平方公里": "area",
    "㎡": "area",
    "m2": "area",
    "元": "money",
    "万元": "money",
    "亿元": "money",
    "千元": "money",
    "元/人": "money",
    "元/月": "money",
    "%": "rate",
    "‰": "rate",
    "百分比": "rate",
    "吨": "weight",
    "公斤": "weight",
    "千克": "weight",
    "斤": "weight",
    "公里": "length",
    "千米": "length",
    "米": "length",
    "km": "length",
    "小时": "duration",
    "天": "duration",
    "日": "duration",
    "分钟": "duration",
    "头": "livestock",
    "只": "livestock",
    "头只": "livestock",
    "个": "count",
    "次": "count",
    "件": "count",
    "处": "count",
    "座": "count",
    "家": "count",
    "起": "count",
    "条": "count",
    "项": "count",
    "宗": "count",
    "份": "count",
    "栋": "count",
    "张": "count",
    "场": "count",
    "批次": "count",
    "篇": "count",
    "所": "count",
    "台": "count",
    "辆": "count",
    "分": "score",
}
#: units that are written in brackets but are not units (so the bracket stays a note)
_UNIT_WORDS = sorted(UNIT_KINDS, key=len, reverse=True)

# Endings of the name that say the kind (checked longest first on the text without its unit).
_KIND_ENDINGS: tuple[tuple[str, str], ...] = (
    ("身份证号码", "code"),
    ("身份证号", "code"),
    ("身份号码", "code"),
    ("证件号码", "code"),
    ("证件号", "code"),
    ("统一社会信用代码", "code"),
    ("信用代码", "code"),
    ("代码", "code"),
    ("编码", "code"),
    ("编号", "code"),
    ("账号", "code"),
    ("卡号", "code"),
    ("证号", "code"),
    ("号码", "code"),
    ("手机号", "phone"),
    ("电话", "phone"),
    ("手机", "phone"),
    ("联系方式", "phone"),
    ("出生日期", "date"),
    ("出生年月", "date"),
    ("日期", "date"),
    ("时间", "date"),
    ("年月", "date"),
    ("住址", "address"),
    ("地址", "address"),
    ("住所", "address"),
    ("所在地", "address"),
    ("居住地", "address"),
    ("户籍地", "address"),
    ("门牌号", "address"),
    ("姓名", "name"),
    ("名称", "name"),
    ("名字", "name"),
    ("地点", "address"),
    ("年龄", "age"),
    ("价格", "price"),
    ("单价", "price"),
    ("标准", "standard"),
    ("变化", "change"),
    ("变动", "change"),
    ("增减", "change"),
    ("来源", "category"),
    ("构成", "category"),
    ("结构", "category"),
    ("用途", "category"),
    ("原因", "category"),
    ("文化程度", "category"),
    ("方式", "category"),
    ("措施", "category"),
    ("情况", "category"),
    ("职务", "category"),
    ("职业", "category"),
    ("性别", "category"),
    ("民族", "category"),
    ("类型", "category"),
    ("类别", "category"),
    ("状态", "category"),
    ("是否", "category"),
    ("等级", "category"),
    ("学历", "category"),
    ("政治面貌", "category"),
    ("人次", "person_times"),
    ("户数", "households"),
    ("人数", "persons"),
    ("人口数", "persons"),
    ("人口", "persons"),
    ("人员数", "persons"),
    ("人员", "persons"),
    ("面积", "area"),
    ("金额", "money"),
    ("资金", "money"),
    ("收入", "money"),
    ("损失", "money"),
    ("费用", "money"),
    ("补贴", "money"),
    ("工资", "money"),
    ("存款", "money"),
    ("率", "rate"),
    ("比例", "rate"),
    ("占比", "rate"),
    ("增幅", "rate"),
    ("增速", "rate"),
    ("降幅", "rate"),
    ("时长", "duration"),
    ("天数", "duration"),
    ("吨数", "weight"),
    ("产量", "weight"),
    ("长度", "length"),
    ("里程", "length"),
)
_KIND_STARTS = (("是否", "category"),)
_ENDING_KIND: dict[str, str] = {}
for _ending, _kind in _KIND_ENDINGS:
    _ENDING_KIND.setdefault(_ending, _kind)
_LONGEST_ENDING = max(map(len, _ENDING_KIND))
_ROLE_PERSON_WORDS = (
    "联系人",
    "负责人",
    "责任人",
    "申请人",
    "代理人",
    "经办人",
    "填报人",
    "审核人",
    "法人",
    "监护人",
    "户主本人",
    "本人",
    "代表人",
    "介绍人",
    "担保人",
)
# A name ending in 员数 / 者数 / 老人数 counts persons; 户 before 数 counts households.
_PERSON_NOUNS = "员者人生童妇女民兵工师医士农"


def kind_of(text: str, unit: str | None = None) -> str | None:
    """The value kind a field asks for, from how its name ends, else from its unit."""
    kind = _kind_of_name(text)
    return kind or (UNIT_KINDS.get(unit) if unit else None)


def _kind_of_name(text: str) -> str | None:
    for start, start_kind in _KIND_STARTS:
        if text.startswith(start):
            return start_kind
    for k in range(min(len(text), _LONGEST_ENDING), 0, -1):  # the longest ending that says a kind
        kind = _ENDING_KIND.get(text[-k:])
        if kind:
            return kind
    if text.endswith("户") and len(text) >= 2 and not text.endswith("账户"):
        return "households"  # 低保户 (低保户数 printed without its 数)
    if text.endswith("人") and len(text) >= 3 and not text.endswith(_ROLE_PERSON_WORDS):
        return "persons"  # 护林员人 (护林员人数 printed without its 数); 联系人 is a role, not a count
    if text.endswith("数") and len(text) >= 2:
        before = text[-2]
        if before == "户":
            return "households"
        if before in _PERSON_NOUNS:
            return "persons"
    return None


# --- qualifiers ---------------------------------------------------------------------------------------------

# Words that change whose or which value a field is.  Within one group the words exclude each other; a
# field carries the group's word it contains (if any), and two fields must carry the same word per group.
QUALIFIER_GROUPS: dict[str, tuple[str, ...]] = {
    "residence": ("户籍", "常住", "流动", "暂住", "外来", "留守", "外出"),
    "role": (
        "紧急联系人",
        "联系人",
        "户主",
        "家庭成员",
        "成员",
        "配偶",
        "监护人",
        "法定代表人",
        "法人",
        "负责人",
        "申请人",
        "代理人",
        "经办人",
        "子女",
        "父亲",
        "母亲",
        "填报人",
        "审核人",
    ),
    "payment": ("应缴", "已缴", "未缴", "欠缴", "应收", "已收", "应发", "实发", "应到", "实到"),
    "change": (
        "新增",
        "退出",
        "减少",
        "累计",
        "本月",
        "上月",
        "当月",
        "本年",
        "上年",
        "当年",
        "年初",
        "年末",
        "计划",
        "实际",
        "完成",
        "剩余",
    ),
    "sex": ("男性", "女性", "男", "女"),
    "area_type": ("城镇", "农村", "城市", "乡村"),
    "quality": ("不合格", "合格", "不达标", "达标"),
    "severity": ("重度", "中度", "轻度", "重大", "一般", "较大"),
    "season": ("早稻", "中稻", "晚稻"),
    "marital": ("独居", "空巢", "孤寡"),
    "new_old": ("新建", "改建", "在建", "已建"),
    "party": ("预备党员", "正式党员", "流动党员", "困难党员", "农村党员"),
    "age_group": ("婴幼儿", "青少年", "儿童", "学生"),
    # Last, so that the words above that hold one (未缴, 不合格) are taken first: a negation on one side only
    # asks the complement (未整改隐患数 is not 整改隐患数, 非户籍人口 is not 户籍人口).
    "negation": ("未", "非", "不"),
}
# Words that look like a group's word but are something else (常住 in 常住地 is an address …).
_QUALIFIER_EXCEPTIONS = ("妇女", "子女", "女儿", "男女", "儿女", "农村居民", "一般公共", "不动产")
# 本人 is the default role: 本人身份证号 asks the same as 身份证号.
_DEFAULT_ROLE_WORDS = ("本人",)


_ROLE_WORDS = frozenset(QUALIFIER_GROUPS["role"]) | frozenset(_ROLE_PERSON_WORDS)


def qualifiers_of(text: str) -> frozenset[str]:
    """``group:word`` for every qualifier word in ``text`` (the longest word of a group wins)."""
    scan = text
    for word in _QUALIFIER_EXCEPTIONS:
        scan = scan.replace(word, "\0" * len(word))
    found = set()
    for group, words in QUALIFIER_GROUPS.items():
        for word in words:  # listed so that longer words come before their parts
            if word in scan:
                found.add(f"{group}:{word}")
                scan = scan.replace(word, "\0" * len(word))
                break
    return frozenset(found)


# --- numerals -----------------------------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(
    r"[零〇一二两三四五六七八九十百千]+(?=周岁|岁|周|年|个月|月|天|日|小时|公里|亩|元|万元|%|以上|以下|及以上|及以下)"
)


def _numeral_value(run: str) -> int | None:
    total, digit, seen = 0, None, False
    for ch in run:
        if ch in _DIGITS:
            if digit is not None:  # 一二 is not a number we read
                return None
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            total += (1 if digit is None else digit) * _POWERS[ch]
            digit, seen = None, True
        else:
            return None
    if digit is not None:
        total += digit
    return total if (seen or len(run) == 1) else None


def numerals_to_digits(text: str) -> str:
    """六十周岁以上 → 六十 becomes 60; only runs followed by an age, a time or a measure are read as numbers."""

    def repl(m: re.Match) -> str:
        value = _numeral_value(m.group(0))
        return m.group(0) if value is None else str(value)

    return _NUMERAL_RUN.sub(repl, text)


# --- normalisation ------------------------------------------------------------------------------------------

_BRACKETED = re.compile(r"[(\[【〔{<（](.*?)[)\]】〕}>）]")
_UNIT_SUFFIX = re.compile(r"(?:单位[:：]|/)\s*(?P<unit>[^\s/]{1,4})$")
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9%‰]")
_NUMBER = re.compile(r"\d+")
# 总 before a count or sum says nothing more: 困难群众总户数 asks what 困难群众户数 asks.
_FILLER_TOTAL = re.compile(r"总(?=(户数|人数|人口|栋数|个数|面积|金额|产量|收入|户|人)$)")
_MEASURE_CHARS = "栋头只座条件起家处个"
_ENUMERATION = re.compile(
    r"^\s*(?:[*※★]+|(?:[(（]?[0-9一二三四五六七八九十]{1,3}[)）、.．]|[(（][0-9一二三四五六七八九十]{1,3}[)）]))\s*"
    r"|[:：*]+\s*$"
)
_REPEATED = re.compile(r"(.{2,})\1")
# How a count of persons or households ends, in one spelling: 常住人口总数 / 常住人口数 / 常住人口 → 常住人数,
# 脱贫户户数 / 低保家庭户数 → …户数. Applied to both sides, so only the spelling changes, never the meaning.
_PERSON_COUNT = re.compile(r"(?<=.)(人口总数|总人口数|总人口|人口数|人口|人员总数|人员数|总人数)$")
_HOUSEHOLD_COUNT = re.compile(r"(?<=.)(户户数|家庭户数|总户数)$")


def _canonical_count(text: str) -> str:
    text = _PERSON_COUNT.sub("人数", text)
    return _HOUSEHOLD_COUNT.sub("户数", text)


# A trailing 数 / 总数 / 数量 asks the same as the bare noun (护林员人数 / 护林员人, 低保户数 / 低保户).
# 党员数 / 党员人数 / 党员人员数 all count 党员 (the kind, persons, is kept apart from the core).
# 低保人口数 / 低保人数 and 常住人口 / 常住人口数 count the same persons. A measure word before 数 (生猪存栏头数)
# adds nothing to what is counted.
_TRAILING_COUNT = (
    "人口数",
    "人员数",
    "人数",
    "人口",
    "总数",
    "数量",
    "个数",
    "头数",
    "只数",
    "栋数",
    "座数",
    "条数",
    "件数",
    "起数",
    "家数",
    "处数",
    "数",
)


@dataclass(frozen=True)
class NormalisedField:
    """A field name reduced to what it asks (``text``) and what was taken out of it."""

    text: str  # Simplified, half-width, no brackets, no unit, numerals as digits, synonyms folded, no 本人
    unit: str | None  # the unit it was printed with (from brackets or 单位：…), if any
    value_kind: str | None  # persons / households / area / money / date / address / name / code / …
    qualifiers: frozenset[str] = field(default_factory=frozenset)  # group:word, e.g. residence:户籍
    numbers: tuple[str, ...] = ()  # the numbers in it (60 in 60岁以上)
    core: str = ""  # text without a trailing 数 / 总数 / 数量 (for exact comparison)


def _unit_of(inner: str) -> str | None:
    inner = inner.strip()
    if inner.startswith("单位"):
        inner = inner[2:].lstrip(":：")
    return inner if inner in UNIT_KINDS else None


def _role_with_attribute(raw: str) -> str:
    """户主（姓名） asks 户主姓名: a bare role whose one bracket names the attribute asked of it."""
    inner = _BRACKETED.findall(raw)
    if len(inner) != 1:
        return raw
    bare, attribute = _BRACKETED.sub("", raw).strip().rstrip(":："), inner[0].strip()
    if bare not in _ROLE_WORDS or _unit_of(attribute) or _kind_of_name(attribute) not in ATTRIBUTE_KINDS:
        return raw
    return bare + attribute


@lru_cache(maxsize=200_000)
def normalise_field(text: str) -> NormalisedField:
    """Reduce a printed field name to what it asks (see the module docstring)."""
    raw = unicodedata.normalize("NFKC", str(text or ""))
    raw = to_simplified(raw.strip())
    raw = _ENUMERATION.sub("", raw)  # 1、户主姓名 / （三）户主姓名 / *户主姓名 / 户主姓名：
    unit = None
    raw = _role_with_attribute(raw)
    for bracket in _BRACKETED.finditer(raw):
        found = _unit_of(bracket.group(1))
        if found:
            unit = found
    raw = _BRACKETED.sub("", raw)
    suffix = _UNIT_SUFFIX.search(raw)
    if suffix and suffix.group("unit") in UNIT_KINDS:
        unit = unit or suffix.group("unit")
        raw = raw[: suffix.start()]
    raw = raw.replace("周岁", "岁")
    raw = _FILLER_TOTAL.sub("", raw)
    raw = numerals_to_digits(raw)
    clean = "".join(_KEEP.findall(raw)).lower().replace("的", "")
    clean = fold_synonyms(clean)
    clean = _REPEATED.sub(r"\1", clean)  # 联系电话/手机 folds to 电话电话
    clean = _canonical_count(clean)
    for word in _DEFAULT_ROLE_WORDS:
        if clean.startswith(word) and len(clean) > len(word) + 1:
            clean = clean[len(word) :]
    core = clean
    for ending in _TRAILING_COUNT:
        if core.endswith(ending) and len(core) >= len(ending) + 2:
            core = core[: -len(ending)]
            break
    if len(core) >= 3 and core[-1] in _MEASURE_CHARS and core != clean:
        core = core[:-1]  # 农房栋数量 / 农房栋数: the measure word left before the count
    kind = kind_of(clean)
    unit_kind = UNIT_KINDS.get(unit) if unit else None
    if kind and unit_kind and kind != unit_kind:
        kind = "conflict"  # 户数（人）: the name and its unit disagree, so it is no known element
    return NormalisedField(
        text=clean,
        unit=unit,
        value_kind=kind or unit_kind,
        qualifiers=qualifiers_of(clean),
        numbers=tuple(_NUMBER.findall(clean)),
        core=core,
    )


# --- matching -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogElement:
    """One data element of the catalog, as the matcher needs it."""

    code: str
    name: str
    synonyms: tuple[str, ...] = ()
    data_type: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class FieldMatch:
    """The element a field maps to (``None``: no element; a candidate new element), how sure, and why."""

    field: str
    element: str | None
    confidence: float
    reason: str  # exact / synonym / reordered / ngram / below_threshold / veto:<rule> / empty


def ngrams(text: str) -> dict[str, int]:
    """Character unigrams, bigrams and trigrams with counts."""
    grams: dict[str, int] = defaultdict(int)
    for n in (1, 2, 3):
        for i in range(len(text) - n + 1):
            grams[text[i : i + n]] += 1
    return grams


def veto(a: NormalisedField, b: NormalisedField) -> str | None:
    """The hard rule that forbids mapping ``a`` to ``b``, or ``None`` when none does."""
    if a.value_kind and b.value_kind and a.value_kind != b.value_kind:
        return "kind"
    if a.qualifiers != b.qualifiers:
        return "qualifier"
    if a.numbers and b.numbers and a.numbers != b.numbers:
        return "number"  # 60岁以上 is not 80岁以上 (a bare 老年人数 may still be the 60岁以上 one)
    if _activity_prefix(a.text, b.text) or _activity_prefix(b.text, a.text):
        return "activity"  # 走访困难群众户数 counts visits to households, not the households
    if a.value_kind in ATTRIBUTE_KINDS and a.value_kind == b.value_kind and _subject(a.text) != _subject(b.text):
        return "subject"  # 残疾人姓名 is not 姓名, 低保户户主姓名 is not 户主姓名: whose name it is differs
    return None


#: words of work done on a subject: a name that adds one in front of another name counts that work
ACTIVITY_WORDS = (
    "走访",
    "慰问",
    "检查",
    "排查",
    "整改",
    "帮扶",
    "救助",
    "培训",
    "宣传",
    "签约",
    "接种",
    "监测",
    "登记",
    "审批",
    "处置",
    "化解",
    "办结",
    "发放",
    "认定",
    "鉴定",
    "回访",
    "核查",
    "巡查",
    "督查",
)


def _activity_prefix(short: str, long: str) -> bool:
    """``long`` is ``short`` with an activity word put in front (困难群众户数 / 走访困难群众户数)."""
    if len(long) <= len(short) or not long.endswith(short):
        return False
    prefix = long[: -len(short)]
    return any(word in prefix for word in ACTIVITY_WORDS)


#: kinds that describe one person or unit: the words before them say whose value it is
ATTRIBUTE_KINDS = frozenset({"name", "code", "phone", "address", "date", "category"})


def _subject(text: str) -> str:
    """What comes before the attribute word (残疾人 in 残疾人姓名); empty for the bare attribute."""
    for ending, _kind in _KIND_ENDINGS:
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


_PARALLEL_MIN = 5_000  # below this many names per process, forking costs more than it saves
_WORKER_MATCHER: FieldMatcher | None = None


def _match_chunk(names: list[str]) -> list[tuple[str | None, float, str]]:
    matcher = _WORKER_MATCHER
    assert matcher is not None
    return [matcher._match_norm(normalise_field(name)) for name in names]


@dataclass
class _Entry:
    element: str
    norm: NormalisedField
    synonym: bool
    vector: dict[str, float] = field(default_factory=dict)


class FieldMatcher:
    """Maps field names to catalog elements: exact names and synonyms first, then IDF-weighted character
    n-grams over an inverted index, with the vetoes of :func:`veto` and a threshold."""

    #: n-grams in more than this share of the catalog's names are not used to find candidates
    COMMON_SHARE = 0.02
    #: how many candidates (by their rare n-grams) are scored in full
    CANDIDATES = 8
    #: how many of a field's rarest n-grams are looked up in the index
    PROBES = 6

    def __init__(self, catalog: Iterable[CatalogElement], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.elements: dict[str, CatalogElement] = {}
        self.entries: list[_Entry] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.reordered: dict[str, list[int]] = defaultdict(list)
        for element in catalog:
            self.elements[element.code] = element
            self._add(element.code, element.name, synonym=False, unit=element.unit)
            for name in element.synonyms:
                self._add(element.code, name, synonym=True, unit=element.unit)
        self._index()

    # building ------------------------------------------------------------------------------------------

    def _add(self, code: str, name: str, *, synonym: bool, unit: str | None) -> int | None:
        norm = normalise_field(name)
        if not norm.text:
            return None
        if unit and not norm.unit:  # the element's unit says its kind when the name does not
            kind = norm.value_kind or UNIT_KINDS.get(unit)
            norm = NormalisedField(norm.text, unit, kind, norm.qualifiers, norm.numbers, norm.core)
        self.entries.append(_Entry(code, norm, synonym))
        at = len(self.entries) - 1
        self.exact[norm.core].append(at)
        if len(norm.core) >= 4:
            self.reordered["".join(sorted(norm.core))].append(at)
        return at

    def _index(self) -> None:
        df: dict[str, int] = defaultdict(int)
        grams = [ngrams(e.norm.text) for e in self.entries]
        for g in grams:
            for t in g:
                df[t] += 1
        n = max(1, len(self.entries))
        self.n_docs = n
        self.df = df
        # term weight: IDF times the square root of the n-gram's length (a shared trigram says more)
        self.term_weight = {t: math.log(1.0 + n / (c + 1)) * len(t) ** 0.5 for t, c in df.items()}
        self.unknown_weight = math.log(1.0 + n)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        common = max(20, int(self.COMMON_SHARE * n))
        self.common_cut = common
        for i, (entry, g) in enumerate(zip(self.entries, grams)):
            entry.vector = self._vector(g)
            for t, w in entry.vector.items():
                self.postings[t].append((i, w))

    def _vector(self, grams: dict[str, int]) -> dict[str, float]:
        weight, unknown = self.term_weight, self.unknown_weight
        vec = {
            t: (1.0 + math.log(c) if c > 1 else 1.0) * weight.get(t, unknown * len(t) ** 0.5) for t, c in grams.items()
        }
        norm = math.sqrt(sum(w * w for w in vec.values()))
        return {t: w / norm for t, w in vec.items()} if norm else {}

    # learning ------------------------------------------------------------------------------------------

    def add_synonym(self, element_code: str, name: str) -> None:
        """A confirmed field name: the next field worded so maps to ``element_code`` exactly."""
        element = self.elements.get(element_code)
        if element is None:
            raise KeyError(element_code)
        at = self._add(element_code, name, synonym=True, unit=element.unit)
        if at is None:
            return
        entry = self.entries[at]
        grams = ngrams(entry.norm.text)
        for t in grams:
            self.df[t] = self.df.get(t, 0) + 1  # findable through the index; weights stay as built
        entry.vector = self._vector(grams)  # IDF of the catalog as built: close enough until the next rebuild
        for t, w in entry.vector.items():
            self.postings[t].append((at, w))
        self._match_norm.cache_clear()

    # matching ------------------------------------------------------------------------------------------

    def match(self, field_name: str) -> FieldMatch:
        """The element ``field_name`` asks for, or ``element=None`` below the threshold or after a veto."""
        element, confidence, reason = self._match_norm(normalise_field(field_name))
        return FieldMatch(field_name, element, confidence, reason)

    def match_many(self, names: Iterable[str], processes: int = 1) -> list[FieldMatch]:
        """``match`` for each name, in order. ``processes`` > 1 shares the distinct names among forked
        worker processes (POSIX only; for command-line runs such as ``jianfu analyze`` or a benchmark —
        not inside a threaded web server, where forking is unsafe)."""
        names = list(names)
        if processes <= 1 or len(names) < 2 * _PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
            return [self.match(name) for name in names]
        distinct = list(dict.fromkeys(names))
        step = -(-len(distinct) // processes)
        chunks = [distinct[i : i + step] for i in range(0, len(distinct), step)]
        global _WORKER_MATCHER
        _WORKER_MATCHER = self  # inherited by the forked workers: the index is never pickled
        try:
            with mp.get_context("fork").Pool(processes) as pool:
                parts = pool.map(_match_chunk, chunks)
        finally:
            _WORKER_MATCHER = None
        found = {name: result for chunk, part in zip(chunks, parts) for name, result in zip(chunk, part)}
        return [FieldMatch(name, *found[name]) for name in names]

    @lru_cache(maxsize=200_000)  # noqa: B019 - the matcher lives as long as its catalog; names repeat a lot
    def _match_norm(self, norm: NormalisedField) -> tuple[str | None, float, str]:
        if not norm.text:
            return None, 0.0, "empty"
        exact = self._exact(norm)
        if exact is not None:
            return exact
        scored = self._scored(norm)
        if not scored:
            return None, 0.0, "below_threshold"
        first_veto = None
        for score, i in scored:
            if score < self.threshold:
                break
            rule = veto(norm, self.entries[i].norm)
            if rule:
                first_veto = first_veto or (rule, score)
                continue
            return self.entries[i].element, round(score, 4), "ngram"
        if first_veto:
            return None, round(first_veto[1], 4), f"veto:{first_veto[0]}"
        return None, round(scored[0][0], 4) if scored else 0.0, "below_threshold"

    def _scored(self, norm: NormalisedField) -> list[tuple[float, int]]:
        """(score, entry) of the best candidates, best first: found through the field's rarer n-grams (all
        of its n-grams if none is rare), then scored on all of them."""
        grams = ngrams(norm.text)
        vec = self._vector(grams)
        df = self.df
        known = sorted((t for t in grams if t in df), key=df.__getitem__)
        # the rarest few n-grams find the candidates: a field's element shares some of its rarest ones
        probe = [t for t in known[: self.PROBES] if df[t] <= self.common_cut] or known[:1]
        rough: dict[int, float] = defaultdict(float)
        for t in probe:
            w = vec[t]
            for i, wi in self.postings.get(t, ()):
                rough[i] += w * wi
        rest = [(t, w) for t, w in vec.items() if t not in probe]
        scored = []
        for i in heapq.nlargest(self.CANDIDATES, rough, key=rough.__getitem__):
            other = self.entries[i].vector
            scored.append((rough[i] + sum(w * other.get(t, 0.0) for t, w in rest), i))
        scored.sort(key=lambda si: (-si[0], self.entries[si[1]].element))
        return scored

    def suggest(self, field_name: str, limit: int = 5) -> list[FieldMatch]:
        """The elements an officer may choose from for ``field_name``, best first, one entry per element,
        vetoed ones left out; the threshold does not apply (the officer decides)."""
        norm = normalise_field(field_name)
        if not norm.text:
            return []
        out: list[FieldMatch] = []
        seen: set[str] = set()
        exact = self._exact(norm)
        if exact is not None:
            out.append(FieldMatch(field_name, exact[0], exact[1], exact[2]))
            seen.add(exact[0])
        for score, i in self._scored(norm):
            entry = self.entries[i]
            if len(out) >= limit:
                break
            if entry.element in seen or veto(norm, entry.norm):
                continue
            seen.add(entry.element)
            out.append(FieldMatch(field_name, entry.element, round(score, 4), "ngram"))
        return out

    def _exact(self, norm: NormalisedField) -> tuple[str, float, str] | None:
        for i in self.exact.get(norm.core, ()):
            entry = self.entries[i]
            if veto(norm, entry.norm) is None:
                return entry.element, 1.0, "synonym" if entry.synonym else "exact"
        # the same characters in another order: 隐患整改数 / 整改隐患数 (verb and object swapped)
        for i in self.reordered.get("".join(sorted(norm.core)), ()):
            entry = self.entries[i]
            if veto(norm, entry.norm) is None:
                return entry.element, REORDERED_CONFIDENCE, "reordered"
        return None
