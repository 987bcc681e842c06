"""Pain points of a survey's open answers (jianfu.analysis.painpoints), cached until new answers arrive."""

from __future__ import annotations

from django.core.cache import cache

from jianfu.accounts import scope
from jianfu.analysis.painpoints import PainPoint, cluster
from jianfu.surveys.calibrating import K_ANONYMITY
from jianfu.surveys.models import Survey, SurveyReturn

CACHE_SECONDS = 600


def _cluster(texts: list[str]) -> tuple[list[PainPoint], int]:
    if len(texts) < K_ANONYMITY:
        return [], 0
    return cluster(texts, min_count=K_ANONYMITY)


def pain_points(survey: Survey) -> tuple[list[PainPoint], int]:
    """(pain points with at least K answers each, answers in smaller groups) of one survey."""
    count = survey.returns.count()
    key = f"jianfu:painpoints:{survey.pk}:{count}"
    found = cache.get(key)
    if found is None:
        texts = list(survey.returns.exclude(text="").values_list("text", flat=True))
        found = _cluster(texts) if count >= K_ANONYMITY else ([], 0)
        cache.set(key, found, CACHE_SECONDS)
    return found


def region_pain_points(user, limit: int = 5) -> list[PainPoint]:
    """The top pain points over every survey in the viewer's region (answers of all of them pooled)."""
    surveys = scope.scoped(user, Survey)
    returns = SurveyReturn.objects.filter(survey__in=surveys)
    count = returns.count()
    key = f"jianfu:painpoints:region:{scope.region_path(user)}:{count}"
    found = cache.get(key)
    if found is None:
        texts = list(returns.exclude(text="").values_list("text", flat=True)[:20000])
        found = _cluster(texts)[0] if count >= K_ANONYMITY else []
        cache.set(key, found, CACHE_SECONDS)
    return found[:limit]
