"""Chinese personal and place names for the synthetic inventory.

Surnames are weighted by their approximate share of the population (the well-known ranking 王, 李, 张,
刘, 陈 …); given names have one or two characters drawn from lists of common name characters.  Every
character here is in GBK, so the people CSV can be written in that encoding.
"""

from __future__ import annotations

import numpy as np

# (surname, approximate share in percent); shares of the top 100 surnames, rounded.
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1),
    ("李", 7.0),
    ("张", 6.8),
    ("刘", 5.4),
    ("陈", 4.5),
    ("杨", 3.1),
    ("黄", 2.5),
    ("赵", 2.3),
    ("吴", 2.1),
    ("周", 2.0),
    ("徐", 1.7),
    ("孙", 1.5),
    ("马", 1.5),
    ("朱", 1.3),
    ("胡", 1.3),
    ("郭", 1.2),
    ("何", 1.2),
    ("林", 1.2),
    ("高", 1.1),
    ("罗", 1.1),
    ("郑", 1.0),
    ("梁", 1.0),
    ("谢", 0.9),
    ("宋", 0.8),
    ("唐", 0.8),
    ("许", 0.7),
    ("韩", 0.7),
    ("邓", 0.7),
    ("冯", 0.7),
    ("曹", 0.7),
    ("彭", 0.7),
    ("曾", 0.6),
    ("肖", 0.6),
    ("田", 0.6),
    ("董", 0.6),
    ("潘", 0.5),
    ("袁", 0.5),
    ("蔡", 0.5),
    ("蒋", 0.5),
    ("余", 0.5),
    ("于", 0.5),
    ("杜", 0.5),
    ("叶", 0.5),
    ("程", 0.5),
    ("魏", 0.4),
    ("苏", 0.4),
    ("吕", 0.4),
    ("丁", 0.4),
    ("任", 0.4),
    ("卢", 0.4),
    ("姚", 0.4),
    ("沈", 0.4),
    ("钟", 0.4),
    ("姜", 0.4),
    ("崔", 0.3),
    ("谭", 0.3),
    ("陆", 0.3),
    ("范", 0.3),
    ("汪", 0.3),
    ("廖", 0.3),
    ("石", 0.3),
    ("金", 0.3),
    ("韦", 0.3),
    ("贾", 0.3),
    ("夏", 0.3),
    ("付", 0.3),
    ("方", 0.3),
    ("邹", 0.2),
    ("熊", 0.2),
    ("白", 0.2),
    ("孟", 0.2),
    ("秦", 0.2),
    ("邱", 0.2),
    ("侯", 0.2),
    ("江", 0.2),
    ("尹", 0.2),
    ("薛", 0.2),
    ("闫", 0.2),
    ("段", 0.2),
    ("雷", 0.2),
    ("龙", 0.2),
    ("黎", 0.2),
    ("史", 0.2),
    ("陶", 0.2),
    ("贺", 0.2),
    ("毛", 0.2),
    ("郝", 0.2),
    ("顾", 0.2),
    ("龚", 0.2),
    ("邵", 0.2),
    ("万", 0.1),
    ("覃", 0.1),
    ("武", 0.1),
    ("钱", 0.1),
    ("戴", 0.1),
    ("严", 0.1),
    ("莫", 0.1),
    ("孔", 0.1),
    ("向", 0.1),
    ("常", 0.1),
    ("欧阳", 0.05),
    ("司马", 0.01),
    ("诸葛", 0.01),
    ("上官", 0.01),
]

# Characters common in given names; the first list leans male, the second female, the third neutral.
_GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志新海东文博晨阳"
_GIVEN_F = "芳娜敏静丽艳娟霞秀玲燕红梅琳雪婷慧莹颖倩琴云洁丹萍佳欣怡璐瑶悦蕾薇月兰凤英晓"
_GIVEN_N = "子一嘉思雨晨亦可心诗梓泽浩宇俊书文安乐天佳永春秋立德荣祥福瑞成才德金玉"

GIVEN_CHARS = np.array(list(dict.fromkeys(_GIVEN_M + _GIVEN_F + _GIVEN_N)))
_SURNAME_ARR = np.array([s for s, _ in SURNAMES])
_SURNAME_P = np.array([w for _, w in SURNAMES], dtype=float)
_SURNAME_P /= _SURNAME_P.sum()


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """n personal names: a weighted surname and a one- (30%) or two-character (70%) given name."""
    surnames = rng.choice(_SURNAME_ARR, size=n, p=_SURNAME_P)
    first = rng.choice(GIVEN_CHARS, size=n)
    second = rng.choice(GIVEN_CHARS, size=n)
    two = rng.random(n) < 0.7
    return [
        s + a + (b if t else "") for s, a, b, t in zip(surnames.tolist(), first.tolist(), second.tolist(), two.tolist())
    ]


# Place names: two syllables from these lists ("柳溪", "石岭", "金塘" …).
_PLACE_A = (
    "青白石柳桃云龙凤金银清平安新大小东西南北上下长高马黄红兴福永宝梅竹松杨双三五太山河湖桥溪塘岭田岗湾花丰和古明光"
)
_PLACE_B = "山溪水河桥坪岭田塘湾岗口源林江湖坑洲阳丰安平兴和宁华家庄埠铺渡湘城里坝沟岩门寨堡圩集"


class PlaceNamer:
    """Unique two-character place names within one parent (realistic names repeat across parents)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def names(self, n: int, avoid: set[str] | None = None) -> list[str]:
        used = set(avoid or ())
        out: list[str] = []
        while len(out) < n:
            a = _PLACE_A[int(self.rng.integers(len(_PLACE_A)))]
            b = _PLACE_B[int(self.rng.integers(len(_PLACE_B)))]
            name = a + b
            if a == b or name in used:
                continue
            used.add(name)
            out.append(name)
        return out


# Phone prefixes in use by the three carriers (13x–19x).
PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        145,
        147,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        166,
        170,
        173,
        175,
        176,
        177,
        178,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
        191,
        193,
        195,
        198,
        199,
    ],
    dtype=np.int64,
)


def unique_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct 11-digit mobile numbers (int64), in random order."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        need = int((n - out.size) * 1.05) + 16
        cand = rng.choice(PHONE_PREFIXES, size=need) * 100_000_000 + rng.integers(0, 100_000_000, size=need)
        merged = np.concatenate([out, cand])
        _, first = np.unique(merged, return_index=True)
        out = merged[np.sort(first)]
    return out[:n]
