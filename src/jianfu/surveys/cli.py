"""`jianfu surveys simulate | results | apply`: burden surveys from the command line (registered by jianfu.cli).

`simulate` is for trying calibration out on a generated county: it issues real one-time links and answers
them through the same submission path as the web form, with minutes drawn from a hidden "true" parameter
set, and marks the survey as simulated everywhere it is shown. Its answers are not anybody's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK, setup_django

# The hidden truth the simulation answers from: what a real survey might find (all assumptions).
TRUTH = {
    "app_active_share": 0.12,
    "app_scale": 0.8,
    "group_scale": 0.55,
    "account_scale": 1.3,
    "form_scale": 1.2,
    "noise_sigma": 0.5,
}
OPEN_ANSWERS = {
    "checkin": [
        "工作群每天晚上要打卡接龙，周末也不停",
        "群里天天要求打卡接龙，收到请回复刷屏",
        "打卡接龙太多，一天要在好几个群里接龙",
        "希望取消工作群里的打卡接龙",
    ],
    "screenshot": [
        "每项工作都要截图留痕上传照片，拍照比干活还费时间",
        "截图留痕、上传照片视频太多",
        "工作留痕要拍照上传，重复拍照",
        "过度留痕，要截图发群里证明",
    ],
    "forms": [
        "同样的数据要在好几个报表里重复填报",
        "报表重复填报，各部门要的数据差不多",
        "多头填报，一个数字报了三遍",
        "报表太多，重复填报严重",
    ],
    "ranking": [
        "学习强国积分排名压力大，每天刷积分",
        "积分排名通报，只能刷分",
        "应用在线时长和积分排名考核，占用大量时间",
        "点赞转发考核，每天要转发点赞",
    ],
    "apps": [
        "要装的政务APP太多，每个都要登录签到",
        "政务APP重复，功能差不多却要分别登录",
        "小程序和APP太多，每天定期登录",
        "APP签到打卡，手机装满了",
    ],
}


def _noise(rng: random.Random) -> float:
    sigma = TRUTH["noise_sigma"]
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))  # mean 1


def simulated_minutes_per_week(carrier, params, rng: random.Random) -> float:
    """What a respondent of the simulated county reports for one carrier (minutes a week, to the half minute)."""
    from jianfu.analysis import personal

    f = carrier.facts
    if carrier.kind == "app":
        mau, people = f["monthly_active_users"], f["scope_people"]
        share = min(1.0, mau / people) if mau is not None and people else TRUTH["app_active_share"]
        uses = rng.random() < share
        usage = params.app_sessions_per_active_user * params.app_minutes_per_session if uses else 0.0
        month = (usage + personal.app_forced_minutes(params, f["forced_features"])) * TRUTH["app_scale"]
        month *= _noise(rng) if month else 1
    else:
        scale = TRUTH[{"group": "group_scale", "account": "account_scale", "form": "form_scale"}[carrier.kind]]
        month = carrier.minutes * scale * _noise(rng)
    return round(month / params.weeks_per_month * 2) / 2


def _open_answer(carriers, rng: random.Random) -> str:
    themes = ["apps"]
    if any(c.kind == "group" and set(c.facts["demands"]) & {"打卡接龙", "收到请回复", "即时回复"} for c in carriers):
        themes += ["checkin"] * 3
    if any(c.kind == "group" and set(c.facts["demands"]) & {"截图留痕", "上传照片视频"} for c in carriers):
        themes += ["screenshot"] * 2
    if any(c.kind == "form" for c in carriers):
        themes += ["forms"] * 2
    if any(
        c.kind in ("app", "account")
        and (set(c.facts.get("forced_features", ())) | set(c.facts.get("assessments", ())))
        & {"积分排名", "在线时长", "点赞转发考核", "学习时长考核"}
        for c in carriers
    ):
        themes += ["ranking"] * 2
    if rng.random() < 0.25:
        return ""
    return rng.choice(OPEN_ANSWERS[rng.choice(themes)])


def _simulate_area(survey, area, bearing, config, rng: random.Random, response_rate: float) -> tuple[int, int]:
    from jianfu.surveys import actions

    links = actions.do_issue_links(None, survey, area.code, actor="simulate")
    answered = 0
    for link in links:
        if rng.random() >= response_rate:
            continue
        carriers = bearing.carriers(link.person)
        params = config.params_for_path(link.person.unit.path)
        minutes = {(c.kind, c.code): simulated_minutes_per_week(c, params, rng) for c in carriers}
        droppable = {(c.kind, c.code) for c in carriers if rng.random() < (0.5 if c.minutes > 60 else 0.15)}
        actions.do_submit(
            link.token,
            minutes=minutes,
            droppable=droppable,
            text=_open_answer(carriers, rng),
            bearers={(c.kind, c.code): c.facts.get("sharing_people", 1) for c in carriers},
            allowed=set(minutes),
        )
        answered += 1
    return len(links), answered


def cmd_simulate(args: argparse.Namespace) -> int:
    setup_django()
    from django.db import transaction

    from jianfu.registry.models import Unit
    from jianfu.surveys import actions
    from jianfu.surveys.calibrating import base_config
    from jianfu.surveys.carriers import Bearing

    region = (
        Unit.objects.filter(code=args.region, is_region=True).first()
        if args.region
        else Unit.objects.filter(parent__isnull=True, is_region=True).order_by("code").first()
    )
    if region is None:
        print("错误：找不到该行政区划（请先导入台账）", file=sys.stderr)
        return EXIT_FAILED
    rng = random.Random(args.seed)
    survey = actions.do_create_survey(None, title=args.title, region_code=region.code, simulated=True, actor="simulate")
    config = base_config()
    bearing = Bearing(config)
    areas = [region, *actions.areas_of(survey)]
    issued = answered = 0
    for area in areas:
        with transaction.atomic():  # one commit per area, not one per answer: SQLite waits for the disk on each
            issued_here, answered_here = _simulate_area(survey, area, bearing, config, rng, args.response_rate)
        issued += issued_here
        answered += answered_here
    print(
        f"已发起模拟调研 {survey.code}（{region.name}）：发放 {issued} 个链接，模拟作答 {answered} 份。"
        "注意：答卷是程序模拟的，不是真实干部的回答。"
    )
    print("模拟所用的“真实”参数：" + json.dumps(TRUTH, ensure_ascii=False))
    _print_results(survey)
    if args.apply:
        actions.do_apply_calibration(None, survey, actor="simulate")
        print(f"已把校准参数用于 {region.name}（下次 jianfu analyze 起生效）")
    return EXIT_OK


def _print_results(survey) -> dict:
    from jianfu.surveys.calibrating import results
    from jianfu.surveys.painpoints import pain_points

    res = results(survey)
    doc = {"survey": survey.code, "simulated": survey.simulated, "respondents": res.respondents, "shown": res.shown}
    if not res.shown:
        print(f"作答 {res.respondents} 人，不足 5 人，不显示结果")
        return doc
    print(f"作答 {res.respondents} 人。每类载体（合计，小时/月）：实测 / 模型默认 / 校准后 / 倍数")
    for kind, k in res.calibration.kinds.items():
        if k.answers < 5:
            continue
        ratio = "—" if k.ratio is None else f"{k.ratio:.3f}"
        share = "" if k.share is None else f"，实测活跃比例 {k.share:.3f}"
        print(
            f"  {kind:8} {k.answers:7} 条  {k.measured_min / 60:10.1f} / {k.model_min / 60:10.1f} / "
            f"{k.calibrated_min / 60:10.1f} / {ratio}{share}"
        )
    print("校准得到的参数（原值 → 校准值）：")
    for name, before, after in res.params:
        print(f"  {name}: {before} → {after}")
    points, rest = pain_points(survey)
    print(
        "痛点："
        + "；".join(f"{'、'.join(p.keywords)}（{p.count}人）" for p in points)
        + (f"；其他 {rest} 人" if rest else "")
    )
    doc.update(
        {
            "kinds": res.calibration.as_dict()["kinds"],
            "overrides": res.calibration.overrides,
            "pain_points": [{"keywords": p.keywords, "count": p.count} for p in points],
            "other": rest,
        }
    )
    return doc


def cmd_results(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.surveys.models import Survey

    survey = Survey.objects.filter(code=args.code).first()
    if survey is None:
        print(f"错误：找不到调研 {args.code}", file=sys.stderr)
        return EXIT_FAILED
    doc = _print_results(survey)
    if args.json:
        from pathlib import Path

        Path(args.json).write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.surveys import actions
    from jianfu.surveys.models import Survey

    survey = Survey.objects.filter(code=args.code).first()
    if survey is None:
        print(f"错误：找不到调研 {args.code}", file=sys.stderr)
        return EXIT_FAILED
    try:
        actions.do_apply_calibration(None, survey, actor=args.actor)
    except actions.SurveyError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已把调研 {survey.code} 校准的参数用于 {survey.region.name}（下次 jianfu analyze 起生效）")
    return EXIT_OK


def add_parsers(sub) -> None:
    p = sub.add_parser("surveys", help="负担调研：模拟、结果、校准")
    s = p.add_subparsers(dest="surveys_command", required=True)
    q = s.add_parser("simulate", help="在（样例）台账上模拟一次调研：真实发放链接、程序模拟作答，用来演示参数校准")
    q.add_argument("--region", help="调研范围（行政区划编码，默认最上级地区）")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--response-rate", type=float, default=0.8, help="作答比例（默认 0.8）")
    q.add_argument("--title", default="模拟负担调研")
    q.add_argument("--apply", action="store_true", help="把校准得到的参数用于该地区")
    q.set_defaults(func=cmd_simulate)
    q = s.add_parser("results", help="调研结果（不少于 5 人的组）与校准")
    q.add_argument("code")
    q.add_argument("--json", help="把结果写入 JSON 文件")
    q.set_defaults(func=cmd_results)
    q = s.add_parser("apply", help="把调研校准的参数用于该调研的地区")
    q.add_argument("code")
    q.add_argument("--actor", default="cli")
    q.set_defaults(func=cmd_apply)
