"""Forced-use demands written in free text: a small phrase lexicon (no Django).

The import formats list forced-use features, group demands and account assessments as fixed values
(``schema.APP_FEATURES`` …). People also write them into a purpose, a description or a justification:
「群成员每日打卡，未打卡的通报批评」, 「工作完成后截图上传」. :func:`find_demands` finds those phrases, by rule
(F1 forced use, F2 excessive trace-keeping, F3 ranking abuse), in Simplified or Traditional characters
(the text is normalised with OpenCC first). A phrase right after a negation (不得、严禁、禁止、不再、取消 …)
is a rule being followed, not broken, and is skipped.

The lexicon is deliberately short and specific: a bare 打卡 or 排名 says nothing (考勤打卡 is an ordinary
function), 每日打卡 and 打卡排名 do. Add a phrase here and every user of the lexicon (the filing pre-check,
the detectors) sees it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jianfu.textnorm import normalize_text

#: (pattern, rule, label): the label is what a reason quotes; the pattern is matched on Simplified text.
DEMAND_PHRASES: tuple[tuple[str, str, str], ...] = (
    # F1 — forced use: daily or periodic check-ins, chains, forced replies, forced installs, sanctions.
    (r"(每日|每天|每晚|每早|按日|天天|定时)(签到)?打卡", "F1", "每日打卡"),
    (r"(每日|每天|定时|按时)签到", "F1", "每日签到"),
    (r"打卡接龙|接龙打卡|接龙报(到|平安)", "F1", "打卡接龙"),
    (
        r"(未|不)(按时)?(打卡|签到|接龙|回复|登录)[^，。；;,]{0,8}(通报|批评|扣分|问责|约谈|考核)",
        "F1",
        "未打卡通报批评",
    ),
    (r"收到请回复|(须|必须|要求)(在\d+分钟内|及时|即时|立即|马上)回复|即时回复|秒回", "F1", "即时回复"),
    (r"(每日|每天|定期|按时)登录", "F1", "定期登录"),
    (r"(强制|必须|要求全员|务必)(下载|安装)", "F1", "强制下载"),
    (r"(下载|安装|注册)率[^，。；;,]{0,6}(考核|排名|通报|纳入)", "F1", "安装率考核"),
    # F2 — excessive trace-keeping: screenshots, photos, videos, tracks as proof of work.
    (r"截图(上传|上报|留痕|发群|为证|存档)|上传截图|(发|晒)截图", "F2", "截图上传"),
    (r"(拍照|照片|视频)(上传|上报|留痕|发群|为证)|上传(照片|视频|图片)", "F2", "上传照片视频"),
    (r"定位打卡|位置打卡|共享(实时)?位置", "F2", "定位打卡"),
    (r"轨迹(上传|上报|记录考核)|上传轨迹", "F2", "轨迹上传"),
    (r"全程留痕|痕迹管理", "F2", "全程留痕"),
    # F3 — ranking abuse: points, online time, likes/forwards, study time used to assess or shame.
    (r"积分排名|积分排行|打卡排名|签到排名|排名通报|通报排名", "F3", "积分排名"),
    (r"在线时长[^，。；;,]{0,6}(考核|排名|通报|纳入)", "F3", "在线时长"),
    (r"学习时长[^，。；;,]{0,6}(考核|排名|通报|纳入)", "F3", "学习时长考核"),
    (r"(点赞|转发|评论|阅读)(量|数)?[^，。；;,]{0,6}(考核|排名|通报|纳入)", "F3", "点赞转发考核"),
)

# A rule being followed: 「不得要求每日打卡」, 「严禁截图留痕」, 「取消打卡接龙」.
_NEGATION = re.compile(r"不得|不再|不要|不须|不需|无需|无须|不必|不搞|严禁|禁止|杜绝|取消|避免|反对|防止|减少")
_CLAUSE_END = re.compile(r"[，。；;,！!？?\n]")
_COMPILED = tuple((re.compile(pattern), rule, label) for pattern, rule, label in DEMAND_PHRASES)


class Demand(NamedTuple):
    """One phrase found: its rule, the lexicon label and the words as written (normalised)."""

    rule: str
    label: str
    text: str


def _clause_before(text: str, start: int) -> str:
    """The words before ``start`` in the same clause (at most 12 characters)."""
    before = text[max(0, start - 12) : start]
    ends = list(_CLAUSE_END.finditer(before))
    return before[ends[-1].end() :] if ends else before


def find_demands(text: object) -> list[Demand]:
    """Forced-use phrases in ``text`` (Simplified or Traditional), first occurrence of each label, in order."""
    clean = normalize_text(text)
    if not clean:
        return []
    found: dict[str, tuple[int, Demand]] = {}
    taken: list[range] = []
    for pattern, rule, label in _COMPILED:
        for match in pattern.finditer(clean):
            span = range(match.start(), match.end())
            # One phrase is one demand: 每天签到打卡 is a daily check-in, not also a daily sign-in.
            if any(span.start < t.stop and t.start < span.stop for t in taken):
                continue
            if _NEGATION.search(_clause_before(clean, match.start())):
                continue
            taken.append(span)
            found.setdefault(label, (match.start(), Demand(rule, label, match.group(0))))
    return [demand for _start, demand in sorted(found.values())]
