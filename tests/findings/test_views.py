"""The findings pages: scope, filters, decisions and Excel export, by an officer in and out of scope and anonymously."""

import datetime as dt
import io

import openpyxl
import pytest

from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(cast):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    return cast


def a_finding_of(owner_code: str) -> Finding:
    return Finding.objects.filter(owner__code=owner_code).first()


def test_anonymous_visitors_are_sent_to_login(client, analysed):
    finding = Finding.objects.first()
    for url in ("/findings/", f"/findings/{finding.fid}/", "/findings/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(f"/findings/{finding.fid}/decide/", {"status": "accepted"}).status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_the_list_shows_only_the_region(analysed, as_user):
    county = {f.fid for f in as_user(analysed.county).get("/findings/").context["page"]}
    outsider = {f.fid for f in as_user(analysed.outsider).get("/findings/").context["page"]}
    assert county and outsider and not county & outsider
    assert a_finding_of("330102000001").fid in county
    assert a_finding_of("330105000000").fid in outsider


def test_filters_by_rule_type_action_and_unit(analysed, as_user):
    client = as_user(analysed.province)
    page = client.get("/findings/?rule=F3").context["page"]
    assert page and all(f.rule == "F3" for f in page)
    page = client.get("/findings/?type=expired_group&action=cancel").context["page"]
    assert all(f.type == "expired_group" and f.action == "cancel" for f in page)
    page = client.get("/findings/?unit=330105000000").context["page"]
    assert page and all("/330105000000/" in f.owner_path for f in page)


def test_detail_is_404_outside_the_region(analysed, as_user):
    inside = a_finding_of("330102000001")
    assert as_user(analysed.county).get(f"/findings/{inside.fid}/").status_code == 200
    assert as_user(analysed.outsider).get(f"/findings/{inside.fid}/").status_code == 404


def test_an_officer_in_scope_accepts_and_rejects(analysed, as_user):
    finding = a_finding_of("330102000001")
    client = as_user(analysed.county)
    client.post(f"/findings/{finding.fid}/decide/", {"status": "rejected", "reason": "该群仍需保留"})
    finding.refresh_from_db()
    assert finding.status == "rejected" and finding.decided_by == analysed.county
    page = client.get(f"/findings/{finding.fid}/")
    assert "该群仍需保留" in page.content.decode()
    assert page.context["history"][0].changes["status"] == ["open", "rejected"]


def test_an_officer_out_of_scope_cannot_decide(analysed, as_user):
    finding = a_finding_of("330102000001")
    assert (
        as_user(analysed.outsider).post(f"/findings/{finding.fid}/decide/", {"status": "accepted"}).status_code == 404
    )
    as_user(analysed.discipline).post(f"/findings/{finding.fid}/decide/", {"status": "accepted"})
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_export_opens_in_excel_and_is_scoped(analysed, as_user):
    response = as_user(analysed.outsider).get("/findings/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    ids = {row[0] for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True)}
    assert ids == set(Finding.objects.filter(owner_path__contains="/330105000000/").values_list("fid", flat=True))
