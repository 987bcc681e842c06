"""Pain points of a survey's open answers (jianfu.analysis.painpoints), cached until new answers arrive."""

from __future__ import annotations

from django.core.cache import cache

from jianfu.accounts import scope
from jianfu.analysis.painpoints import PainPoint, cluster_keywords
from jianfu.surveys.calibrating import K_ANONYMITY
from jianfu.surveys.models import Survey, SurveyReturn

CACHE_SECONDS = 600


def _cluster(returns) -> tuple[list[PainPoint], int]:
    """Pain points from the keywords stored with each non-blank answer (none from fewer than K answers)."""
    vectors = [
        dict((w, x) for w, x in words) for words in returns.exclude(text="").values_list("keywords", flat=True)[:20000]
    ]
    if len(vectors) < K_ANONYMITY:
        return [], 0
    return cluster_keywords(vectors, min_count=K_ANONYMITY)


def pain_points(survey: Survey) -> tuple[list[PainPoint], int]:
    """(pain points with at least K answers each, answers in smaller groups) of one survey."""
    count = survey.returns.count()
    key = f"jianfu:painpoints:{survey.pk}:{count}"
    found = cache.get(key)
    if found is None:
        found = _cluster(survey.returns.all()) if count >= K_ANONYMITY else ([], 0)
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
        found = _cluster(returns)[0] if count >= K_ANONYMITY else []
        cache.set(key, found, CACHE_SECONDS)
    return found[:limit]
