"""Clue and case counts for the outcome summary, from the clues and cases apps once they are installed.

Kept in this one small function so that the merge of those apps only has to check the field names here.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps


def clue_and_case_counts(start: dt.date, end: dt.date, region=None) -> dict:
    """{"clues": {received, closed}, "cases": {opened, closed, overdue}} in the window; zeros without the apps.

    Received and opened count by arrival in the window; closed by closing in it; overdue among those opened.

    ``region`` is a Unit (None: everywhere); both apps are region-scoped through jianfu.accounts.scope.
    """
    from jianfu.accounts import scope

    result = {"clues": {"received": 0, "closed": 0}, "cases": {"opened": 0, "closed": 0, "overdue": 0}}
    if apps.is_installed("jianfu.clues"):
        from jianfu.clues.models import Clue

        clues = _in_region(scope, Clue, region)
        received = "received_at" if _has(Clue, "received_at") else "created_at"
        closed = (clues.filter(status="closed", closed_at__date__range=(start, end)) if _has(Clue, "closed_at")
                  else clues.filter(status="closed", **{f"{received}__date__range": (start, end)}))
        result["clues"] = {"received": clues.filter(**{f"{received}__date__range": (start, end)}).count(),
                           "closed": closed.count()}
    if apps.is_installed("jianfu.cases"):
        from jianfu.cases.models import Case

        opened_field = "opened_at" if _has(Case, "opened_at") else "created_at"
        cases = _in_region(scope, Case, region)
        opened = cases.filter(**{f"{opened_field}__date__range": (start, end)})
        closed = (cases.filter(status="closed", closed_at__date__range=(start, end)) if _has(Case, "closed_at")
                  else opened.filter(status="closed"))
        result["cases"] = {"opened": opened.count(), "closed": closed.count(),
                           "overdue": opened.filter(overdue=True).count()}
    return result


def _has(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.fields)


def _in_region(scope, model, region):
    try:
        return scope.in_region(None, model, region)
    except LookupError:  # not registered with the scope door yet: count everywhere only when no region is asked
        return model._default_manager.all() if region is None else model._default_manager.none()
