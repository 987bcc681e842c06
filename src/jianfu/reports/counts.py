"""Clue and case counts for the outcome summary."""

from __future__ import annotations

import datetime as dt


def clue_and_case_counts(start: dt.date, end: dt.date, region=None) -> dict:
    """{"clues": {received, closed}, "cases": {opened, closed, overdue}} in the window.

    Received and opened count by arrival in the window; closed by closing in it; overdue among those opened.

    ``region`` is a Unit (None: everywhere); both apps are region-scoped through jianfu.accounts.scope.
    """
    from jianfu.accounts import scope
    from jianfu.cases.models import Case
    from jianfu.clues.models import Clue

    clues = scope.in_region(None, Clue, region)
    cases = scope.in_region(None, Case, region)
    opened = cases.filter(opened_at__date__range=(start, end))
    return {
        "clues": {
            "received": clues.filter(received_at__date__range=(start, end)).count(),
            "closed": clues.filter(status=Clue.Status.CLOSED, closed_at__date__range=(start, end)).count(),
        },
        "cases": {
            "opened": opened.count(),
            "closed": cases.filter(status=Case.Status.CLOSED, closed_at__date__range=(start, end)).count(),
            "overdue": opened.filter(overdue=True).count(),
        },
    }
