"""Notices (通报): each case as a paragraph in plain words, the region's template around them, rendered through
jianfu.documents as .docx and .pdf.

A notice is an official Chinese document whatever the viewer's language, like the rectification ledger. It never
names a reporter: its text comes from the finding's reason, the rule broken, the demand, the response and the
verification — and every piece passes :func:`redact`, which masks phone numbers, e-mail addresses and ID numbers
that an officer may have typed into a demand or a response.
"""

from __future__ import annotations

import re

from django.utils import timezone, translation

from jianfu.analysis.schema import RULE_NAMES
from jianfu.cases.models import Case, Notice, NoticeTemplate
from jianfu.registry.models import App, Form, PublicAccount, Unit, WorkGroup

CHINESE_NUMERALS = "零一二三四五六七八九十"
# Mainland mobile numbers (with or without +86 and separators), landlines with an area code, e-mail, ID numbers.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_KIND_WORDS = {"apps": "应用", "accounts": "公众号", "groups": "工作群", "forms": "报表"}


def redact(text: str) -> str:
    """The text with contact details and ID numbers masked: a notice is public and must identify no reporter."""
    text = _ID_NUMBER.sub("［身份证号已隐去］", text or "")
    text = _EMAIL.sub("［邮箱已隐去］", text)
    text = _PHONE.sub("［电话已隐去］", text)
    return _LANDLINE.sub("［电话已隐去］", text)


def chinese_ordinal(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + (CHINESE_NUMERALS[n % 10] if n % 10 else "")
    if n < 100:
        return CHINESE_NUMERALS[n // 10] + "十" + (CHINESE_NUMERALS[n % 10] if n % 10 else "")
    return str(n)


def default_template(unit: Unit) -> NoticeTemplate:
    """What a region's notices look like until its office saves its own template (not stored)."""
    short = unit.name
    return NoticeTemplate(
        unit=unit,
        issuer=f"{unit.name}基层减负办公室",
        red_header=True,
        number_prefix=f"{short}减负通",
        intro=(
            f"为深入整治“指尖上的形式主义”，切实为基层减负，{unit.name}对排查发现的问题逐一交办整改、跟踪督办。"
            "现将近期查处的典型问题通报如下："
        ),
        closing=(
            "各地各部门要以案为鉴、举一反三，对照通报问题开展自查自纠，坚决防止政务应用程序、工作群和报表"
            "过多过滥、重留痕轻实绩等问题反弹回潮。对整改不力、顶风违纪的，将严肃追责问责。"
        ),
    )


def carrier_names(items: list[str]) -> list[str]:
    """“清波通”(应用) for each registry code a finding names, in the finding's order."""
    names: dict[str, str] = {}
    for model, kind, field in (
        (App, "apps", "name"),
        (PublicAccount, "accounts", "name"),
        (WorkGroup, "groups", "name"),
        (Form, "forms", "title"),
    ):
        for code, name in model.objects.filter(code__in=items).values_list("code", field):
            names.setdefault(code, f"{_KIND_WORDS[kind]}“{name}”")
    return [names.get(code, code) for code in items]


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in "。！？；.!?" else text + "。"


def case_paragraph(case: Case, position: int) -> dict:
    """One case in plain words: what was wrong (the carrier and the rule broken), what was demanded, what was
    done. Stored with the notice, so a published notice never changes."""
    with translation.override("zh-hans"):
        finding, clue = case.finding, case.clue
        carriers, rule = "", ""
        if finding:
            carriers = "、".join(carrier_names(list(finding.items)))
            rule = f"{finding.rule}“{RULE_NAMES.get(finding.rule, finding.rule)}”"
        elif clue:
            # Only the category and the carrier: the reporter's own description could identify them.
            carriers = (
                carrier_names([clue.carrier_code])[0]
                if clue.carrier_code
                else (f"“{clue.carrier_text}”" if clue.carrier_text else "")
            )
            rule = f"{clue.category}“{RULE_NAMES[clue.category]}”" if clue.category in RULE_NAMES else ""
        heading = f"{chinese_ordinal(position)}、{case.unit.name}" + (f"{carriers}问题" if carriers else "问题")
        parts = []
        if finding:
            parts.append(
                f"经查，{carriers or case.unit.name}存在以下问题：{_sentence(finding.reason)}"
                f"该问题属于{rule}类形式主义问题，责任单位为{case.unit.name}。"
            )
        elif clue:
            kind = f"{rule}类" if rule else ""
            parts.append(
                f"根据群众反映并经核实，{carriers or case.unit.name}存在{kind}形式主义问题，"
                f"责任单位为{case.unit.name}。"
            )
        opened = timezone.localtime(case.opened_at).date()
        parts.append(
            f"{opened.year}年{opened.month}月{opened.day}日，{case.region.name}立案交办（案件编号 "
            f"{case.number}），要求：{_sentence(case.demand)}"
            f"整改期限为{case.deadline.year}年{case.deadline.month}月{case.deadline.day}日。"
        )
        if case.response_text:
            parts.append(f"{case.unit.name}反馈：{_sentence(case.response_text)}")
        if case.status == Case.Status.CLOSED:
            closed = timezone.localtime(case.closed_at).date()
            parts.append(
                f"经核验，整改到位，已于{closed.year}年{closed.month}月{closed.day}日办结。"
                + (_sentence(case.verification_text) if case.verification_text else "")
            )
        elif case.status == Case.Status.REOPENED:
            parts.append(f"经核验，整改未到位，已退回重新整改：{_sentence(case.verification_text)}")
        elif case.overdue:
            parts.append("该单位逾期未反馈整改情况，已升级督办。" if case.escalated else "该单位逾期未反馈整改情况。")
        else:
            parts.append("目前正在整改中。")
        outcomes = [f"{o.get_kind_display()}（{_sentence(o.reason)}）" for o in case.outcomes.all()]
        if outcomes:
            parts.append("处理结果：" + "；".join(outcomes))
        return {"case": case.number, "heading": redact(heading), "text": redact("".join(parts))}


def build_document(notice: Notice):
    from jianfu.documents import Document, Heading, Paragraph

    day = timezone.localtime(notice.published_at or notice.created_at).date()
    blocks = [Paragraph(redact(notice.intro))]
    for paragraph in notice.paragraphs:
        blocks += [Heading(paragraph["heading"], level=1), Paragraph(paragraph["text"])]
    blocks.append(Paragraph(redact(notice.closing)))
    return Document(
        title=notice.title,
        issuer=notice.issuer,
        red_header=notice.red_header,
        number=notice.doc_number,
        date=day,
        blocks=blocks,
    )


def render(notice: Notice, kind: str) -> bytes:
    """The notice as .docx or .pdf bytes."""
    from jianfu.documents import render_docx, render_pdf

    document = build_document(notice)
    return render_docx(document) if kind == "docx" else render_pdf(document)


def file_name(notice: Notice, kind: str) -> str:
    return f"notice-{notice.code}.{kind}"
