"""Every change to surveys, calibrations and login links: validated, in a transaction, with its audit row.

A submitted survey's audit row names the survey and the area, never the person or the link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.accounts.models import Role, User
from jianfu.analysis import painpoints
from jianfu.analysis.calibration import calibrate
from jianfu.audit.log import record
from jianfu.registry.models import Person, Unit
from jianfu.surveys.models import CadreLogin, CarrierAnswer, RegionCalibration, Survey, SurveyLink, SurveyReturn

MANAGER_ROLES = {Role.ADMIN, Role.OFFICE}
MAX_MINUTES_PER_WEEK = 40 * 60  # a full working week: more is a typing slip, not an answer
MAX_TEXT = 1000
DEFAULT_QUESTION = "工作中最费时费力、最想减掉的是什么？有什么建议？"


class SurveyError(Exception):
    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        return "；".join(self.messages)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def can_manage(user) -> bool:
    return bool(user.is_authenticated and user.role in MANAGER_ROLES)


def _check_manager(user, survey: Survey | None = None) -> None:
    if not can_manage(user):
        raise SurveyError(_("只有减负办可以发起和管理调研"))
    if survey is not None and not scope.scoped(user, Survey).filter(pk=survey.pk).exists():
        raise SurveyError(_("该调研不在您的管辖范围内"))


@transaction.atomic
def do_create_survey(
    user, *, title: str, region_code: str, question: str = "", simulated: bool = False, actor: str | None = None
) -> Survey:
    """A survey of the people of a region (the officer's own region or one below it)."""
    if user is not None:
        _check_manager(user)
    problems = []
    title = (title or "").strip()
    if not title:
        problems.append(_("请填写调研标题"))
    elif len(title) > 200:
        problems.append(_("标题不能超过 200 字"))
    question = (question or "").strip() or DEFAULT_QUESTION
    if len(question) > 300:
        problems.append(_("开放问题不能超过 300 字"))
    units = scope.scoped(user, Unit) if user is not None else Unit.objects.all()
    region = units.filter(code=(region_code or "").strip(), is_region=True).first()
    if region is None:
        problems.append(_("找不到编码为 %(code)s 的行政区划（或不在您的管辖范围内）") % {"code": region_code})
    if problems:
        raise SurveyError(*problems)
    survey = Survey.objects.create(
        code=f"S{secrets.token_hex(4).upper()}",
        title=title,
        question=question,
        region=region,
        owner_path=region.path,
        simulated=simulated,
        created_by=user if getattr(user, "pk", None) else None,
    )
    record(
        actor=user or actor or "cli",
        action="create",
        kind="survey",
        code=survey.code,
        changes={"title": [None, title], "region": [None, region.code], "simulated": [None, simulated]},
        unit_path=region.path,
    )
    return survey


def areas_of(survey: Survey):
    """The units one level under the survey's region (townships of a county): one QR sheet each."""
    return Unit.objects.filter(parent=survey.region).order_by("code")


def area_for(survey: Survey, person: Person) -> Unit:
    parts = [c for c in person.unit.path.strip("/").split("/") if c]
    depth = survey.region.depth + 1
    if len(parts) > depth:
        return Unit.objects.get(code=parts[depth])
    return survey.region


@dataclass
class IssuedLink:
    person: Person
    token: str


@transaction.atomic
def do_issue_links(user, survey: Survey, area_code: str, *, actor: str | None = None) -> list[IssuedLink]:
    """Fresh one-time links for the people of one area who have not answered yet (earlier unused links of
    theirs stop working). The tokens are returned once, for the printed sheet; only their hashes are kept."""
    if user is not None:
        _check_manager(user, survey)
    if not survey.is_open:
        raise SurveyError(_("调研已结束，不能再发放链接"))
    area = Unit.objects.filter(code=area_code, path__startswith=survey.region.path).first()
    if area is None:
        raise SurveyError(_("找不到该片区：%(code)s") % {"code": area_code})
    people = (
        Person.objects.filter(unit=area)
        if area == survey.region
        else Person.objects.filter(unit__path__startswith=area.path)
    )
    people = list(people.select_related("unit").order_by("unit__path", "name", "code"))
    answered = set(SurveyLink.objects.filter(survey=survey, used_on__isnull=False).values_list("person_id", flat=True))
    people = [p for p in people if p.id not in answered]
    SurveyLink.objects.filter(survey=survey, person__in=people, used_on__isnull=True).delete()
    issued, rows = [], []
    for person in people:
        token = secrets.token_urlsafe(24)
        rows.append(SurveyLink(survey=survey, person=person, area=area, token_hash=token_hash(token)))
        issued.append(IssuedLink(person, token))
    SurveyLink.objects.bulk_create(rows, batch_size=500)
    record(
        actor=user or actor or "cli",
        action="issue",
        kind="survey",
        code=survey.code,
        changes={"area": [None, area.code], "links": [None, len(issued)]},
        unit_path=survey.region.path,
    )
    return issued


def link_for(token: str) -> SurveyLink | None:
    if not token or len(token) > 100:
        return None
    return (
        SurveyLink.objects.select_related("survey", "person__unit", "area").filter(token_hash=token_hash(token)).first()
    )


@transaction.atomic
def do_submit(
    token: str,
    *,
    minutes: dict[tuple[str, str], float],
    droppable: set[tuple[str, str]],
    text: str,
    bearers: dict[tuple[str, str], int],
    allowed: set[tuple[str, str]],
) -> None:
    """Record one survey: the link is marked used (the day only); answers keep no trace of the person."""
    link = link_for(token)
    if link is None:
        raise SurveyError(_("链接无效，请核对二维码或向发放单位索取新链接"))
    link = SurveyLink.objects.select_for_update().select_related("survey").get(pk=link.pk)
    if link.used_on is not None:
        raise SurveyError(_("此链接已经提交过，每个链接只能使用一次。如需更正，请联系发放单位"))
    if not link.survey.is_open:
        raise SurveyError(_("调研已结束，不再接收答卷"))
    problems = []
    for key, value in minutes.items():
        if key not in allowed:
            problems.append(_("问卷中没有这一项：%(code)s") % {"code": key[1]})
        elif not 0 <= value <= MAX_MINUTES_PER_WEEK:
            problems.append(_("每周用时应在 0 到 %(max)s 分钟之间") % {"max": MAX_MINUTES_PER_WEEK})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        problems.append(_("意见建议不能超过 %(n)s 字") % {"n": MAX_TEXT})
    if problems:
        raise SurveyError(*sorted(set(problems)))
    link.used_on = timezone.localdate()
    link.save(update_fields=["used_on"])
    survey, area = link.survey, link.area
    SurveyReturn.objects.create(
        survey=survey,
        area=area,
        text=text,
        keywords=[[w, round(x, 4)] for w, x in painpoints.keywords(text)] if text else [],
    )
    CarrierAnswer.objects.bulk_create(
        [
            CarrierAnswer(
                survey=survey,
                area=area,
                kind=kind,
                carrier_code=code,
                minutes_per_week=float(value),
                droppable=(kind, code) in droppable,
                bearers=bearers.get((kind, code), 1) if kind == "form" else 1,
            )
            for (kind, code), value in sorted(minutes.items(), key=lambda kv: secrets.randbits(32))
        ]
    )
    record(
        actor="anonymous",
        action="answer",
        kind="survey",
        code=survey.code,
        changes={"area": [None, area.code]},
        unit_path=survey.region.path,
    )


@transaction.atomic
def do_close_survey(user, survey: Survey) -> Survey:
    _check_manager(user, survey)
    if survey.is_open:
        survey.closed_at = timezone.now()
        survey.save(update_fields=["closed_at"])
        record(
            actor=user,
            action="close",
            kind="survey",
            code=survey.code,
            changes={"closed": [False, True]},
            unit_path=survey.region.path,
        )
    return survey


@transaction.atomic
def do_apply_calibration(user, survey: Survey, *, actor: str | None = None) -> RegionCalibration:
    """Store the parameters the survey measured as its region's; the burden model uses them from its next run."""
    from jianfu.surveys.calibrating import K_ANONYMITY, region_params, survey_answers

    if user is not None:
        _check_manager(user, survey)
    if survey.returns.count() < K_ANONYMITY:
        raise SurveyError(_("作答不足 %(k)s 人，不能据此校准参数") % {"k": K_ANONYMITY})
    answers, _facts = survey_answers(survey)
    result = calibrate(region_params(survey), answers, min_answers=K_ANONYMITY)
    if not result.overrides:
        raise SurveyError(_("每类载体的作答都不足 %(k)s 条，没有可校准的参数") % {"k": K_ANONYMITY})
    old = RegionCalibration.objects.filter(region=survey.region).first()
    cal, _created = RegionCalibration.objects.update_or_create(
        region=survey.region,
        defaults={
            "owner_path": survey.region.path,
            "survey": survey,
            "overrides": result.overrides,
            "report": result.as_dict(),
            "applied_by": getattr(user, "username", None) or actor or "cli",
        },
    )
    record(
        actor=user or actor or "cli",
        action="calibrate",
        kind="survey",
        code=survey.code,
        changes={"region": [None, survey.region.code], "overrides": [old.overrides if old else None, result.overrides]},
        unit_path=survey.region.path,
    )
    return cal


@transaction.atomic
def do_clear_calibration(user, region: Unit) -> None:
    if not can_manage(user) or not scope.in_scope(user, region):
        raise SurveyError(_("您无权修改该地区的负担参数"))
    old = RegionCalibration.objects.filter(region=region).first()
    if old is not None:
        old.delete()
        record(
            actor=user,
            action="delete",
            kind="calibration",
            code=region.code,
            changes={"overrides": [old.overrides, None]},
            unit_path=region.path,
        )


@transaction.atomic
def do_link_person(user: User, person_code: str, *, acting_user: User | None) -> CadreLogin:
    """This login is this registry person (for /me/): the person must work inside the login's unit."""
    person = Person.objects.select_related("unit").filter(code=(person_code or "").strip()).first()
    if person is None:
        raise SurveyError(_("找不到编号为 %(code)s 的人员") % {"code": person_code})
    # Inside the login's unit, and inside what the login may see (a cadre: their own unit, not the ones below).
    if user.unit_id and not (person.unit.path.startswith(user.unit.path) and scope.in_scope(user, person)):
        raise SurveyError(
            _("人员 %(code)s 不在账号所属单位 %(unit)s 的范围内") % {"code": person.code, "unit": user.unit.name}
        )
    taken = CadreLogin.objects.filter(person=person).exclude(user=user).select_related("user").first()
    if taken is not None:
        raise SurveyError(_("人员 %(code)s 已关联账号 %(name)s") % {"code": person.code, "name": taken.user.username})
    old = CadreLogin.objects.filter(user=user).select_related("person").first()
    link, _created = CadreLogin.objects.update_or_create(user=user, defaults={"person": person})
    record(
        actor=acting_user or "cli",
        action="update",
        kind="user",
        code=user.username,
        changes={"person": [old.person.code if old else None, person.code]},
        unit_path=user.unit.path if user.unit_id else person.unit.path,
    )
    return link
