"""GET /api/v1/reports/summary/?from=DATE&to=DATE[&region=CODE]: the outcome summary of formats.md."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS
from jianfu.reports.summary import ReportError, build_report, parse_window, resolve_region

router = Router(tags=["reports"])
# A window without any analysis has nothing to report: answered like an absent object.
_STATUS = {"invalid": "invalid", "not_found": "not_found", "no_runs": "not_found", "forbidden": "forbidden"}


class SummaryParams(Schema):
    date_from: str = Field(..., alias="from", max_length=10, description="YYYY-MM-DD: the start state")
    date_to: str = Field(..., alias="to", max_length=10, description="YYYY-MM-DD: the end state")
    region: str = Field("", max_length=40, description="a unit code inside the token's region (default: its own)")


@router.get("/reports/summary/", response={200: dict[str, Any], **ERRORS}, operation_id="report_summary")
def report_summary(request, params: Query[SummaryParams]):
    """Carriers active on both dates, findings decided in the window, hours a month and the per-cadre median and
    90th percentile at the start and the end, clue and case counts (office and discipline, own region)."""
    try:
        region = resolve_region(request.user, params.region)
        start, end = parse_window(params.date_from, params.date_to)
        return build_report(start, end, region, user=request.user).summary
    except ReportError as exc:
        code = _STATUS[exc.code]
        fields = {exc.field: [exc.message]} if code == "invalid" and exc.field else None
        raise ApiError(code, exc.message, fields=fields) from None
