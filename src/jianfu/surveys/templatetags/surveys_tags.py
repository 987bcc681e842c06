"""The dashboard's survey panel: counts (issued, answered) and the region's top pain points."""

from __future__ import annotations

from django import template

from jianfu.accounts import scope
from jianfu.surveys.actions import can_manage
from jianfu.surveys.models import Survey, SurveyLink, SurveyReturn
from jianfu.surveys.painpoints import region_pain_points

register = template.Library()


@register.inclusion_tag("surveys/_dashboard.html", takes_context=True)
def survey_panel(context):
    user = context["request"].user
    if not can_manage(user):
        return {"show": False}
    surveys = scope.scoped(user, Survey)
    return {
        "show": True,
        "surveys": surveys.count(),
        "open": surveys.filter(closed_at__isnull=True).count(),
        "issued": SurveyLink.objects.filter(survey__in=surveys).count(),
        "answered": SurveyReturn.objects.filter(survey__in=surveys).count(),
        "points": region_pain_points(user),
    }
