"""Clue and case counts for the outcome summary, from the clues and cases apps once they are installed.

Kept in this one small function so that the merge of those apps only has to check the field names here.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps


def clue_and_case_counts(start: dt.date, end: dt.date, region=None) -> dict:
    """{"clues": {received, closed}, "cases": {opened, closed, overdue}} in the window; zeros without the apps.

    ``region`` is a Unit (None: everywhere); both apps are region-scoped through jianfu.accounts.scope.
    """
    from jianfu.accounts import scope

    result = {"clues": {"received": 0, "closed": 0}, "cases": {"opened": 0, "closed": 0, "overdue": 0}}
    if apps.is_installed("jianfu.clues"):
        from jianfu.clues.models import Clue

        clues = _in_region(scope, Clue, region).filter(created_at__date__range=(start, end))
        result["clues"] = {"received": clues.count(), "closed": clues.filter(status="closed").count()}
    if apps.is_installed("jianfu.cases"):
        from jianfu.cases.models import Case

        opened_field = "opened_at" if any(f.name == "opened_at" for f in Case._meta.fields) else "created_at"
        cases = _in_region(scope, Case, region).filter(**{f"{opened_field}__date__range": (start, end)})
        result["cases"] = {"opened": cases.count(), "closed": cases.filter(status="closed").count(),
                           "overdue": cases.filter(overdue=True).count()}
    return result


def _in_region(scope, model, region):
    try:
        return scope.in_region(None, model, region)
    except LookupError:  # not registered with the scope door yet: count everywhere only when no region is asked
        return model._default_manager.all() if region is None else model._default_manager.none()
