"""Pain points: open answers grouped by their keywords (jieba TF-IDF), with counts.

Each answer becomes a vector of its top keywords (jieba.analyse TF-IDF weights, a private tokenizer that also
knows the campaign's words — 打卡, 接龙, 截图, 留痕 … — so the detectors' shared jieba is left as it is). Answers
are grouped in two steps: a leader pass (an answer joins the group whose centre it is most similar to, by
cosine, when that is at least ``threshold``; else it starts a group) and then a few k-means passes over those
centres with numpy. A group is named by the heaviest keywords of its centre. Groups smaller than
``min_count`` are not named (k-anonymity: a pain point few people wrote could point to them); they are
counted together as the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CAMPAIGN_WORDS = (
    "工作群",
    "打卡",
    "接龙",
    "截图",
    "留痕",
    "填报",
    "报表",
    "积分",
    "排名",
    "点赞",
    "转发",
    "签到",
    "定位",
    "收到请回复",
    "重复填报",
    "多头填报",
    "台账",
    "考核",
    "刷分",
    "学习强国",
    "政务APP",
    "小程序",
    "群消息",
    "半夜",
    "周末",
    "加班",
    "拍照",
    "上传",
    "视频",
    "在线时长",
)
STOP_WORDS = {
    "我们",
    "他们",
    "你们",
    "这个",
    "那个",
    "一些",
    "没有",
    "就是",
    "还是",
    "因为",
    "所以",
    "但是",
    "而且",
    "希望",
    "建议",
    "问题",
    "工作",
    "基层",
    "每天",
    "现在",
    "觉得",
    "非常",
    "可以",
    "需要",
    "太多",
    "很多",
    "比较",
    "一个",
    "什么",
    "怎么",
    "时候",
    "事情",
    "东西",
    "已经",
    "不是",
    "真的",
    "能否",
    "应该",
}


@lru_cache(maxsize=1)
def _extractor():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = jieba.Tokenizer()
    for word in CAMPAIGN_WORDS:
        extractor.tokenizer.add_word(word, freq=20000)
    return extractor


def keywords(text: str, top: int = 6) -> list[tuple[str, float]]:
    """The answer's top keywords with their TF-IDF weights (stop words, numbers and single characters dropped)."""
    pairs = _extractor().extract_tags(text or "", topK=top * 2, withWeight=True)
    out = [(w, float(s)) for w, s in pairs if w not in STOP_WORDS and not w.strip().isdigit() and len(w.strip()) > 1]
    return out[:top]


@dataclass
class PainPoint:
    keywords: list[str]
    count: int


def cluster(
    texts: list[str], *, threshold: float = 0.3, min_count: int = 5, iterations: int = 5, label_words: int = 3
) -> tuple[list[PainPoint], int]:
    """(named pain points, largest first; how many answers fell in groups too small to name)."""
    texts = [t.strip() for t in texts if t and t.strip()]
    return cluster_keywords(
        [dict(keywords(t)) for t in texts],
        threshold=threshold,
        min_count=min_count,
        iterations=iterations,
        label_words=label_words,
    )


def cluster_keywords(
    vectors: list[dict[str, float]],
    *,
    threshold: float = 0.3,
    min_count: int = 5,
    iterations: int = 5,
    label_words: int = 3,
) -> tuple[list[PainPoint], int]:
    """The same, from each non-blank answer's keywords (word → weight) as :func:`keywords` gives them."""
    keep = [i for i, v in enumerate(vectors) if v]
    if not keep:
        return [], len(vectors)
    vocab = sorted({w for i in keep for w in vectors[i]})
    index = {w: j for j, w in enumerate(vocab)}
    matrix = np.zeros((len(keep), len(vocab)))
    for row, i in enumerate(keep):
        for w, s in vectors[i].items():
            matrix[row, index[w]] = s
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)

    # Leader pass in the answers' order (deterministic), then k-means refines the groups it found.
    centres: list[np.ndarray] = []
    for row in range(matrix.shape[0]):
        sims = [float(c @ matrix[row]) for c in centres]
        if not sims or max(sims) < threshold:
            centres.append(matrix[row].copy())
    labels = np.zeros(matrix.shape[0], dtype=int)
    C = np.array(centres)
    for _ in range(iterations):  # k-means on the unit sphere (cosine), starting from the leaders
        sims = matrix @ C.T
        new = sims.argmax(axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for k in range(C.shape[0]):
            members = matrix[labels == k]
            if len(members):
                centre = members.sum(axis=0)
                C[k] = centre / (np.linalg.norm(centre) or 1.0)
    points, rest = [], 0
    for k in range(C.shape[0]):
        count = int((labels == k).sum())
        if count == 0:
            continue
        if count < min_count:
            rest += count
            continue
        order = np.argsort(-C[k], kind="stable")[:label_words]
        points.append(PainPoint([vocab[j] for j in order if C[k, j] > 0], count))
    points.sort(key=lambda p: (-p.count, p.keywords))
    return points, rest + (len(vectors) - len(keep))
