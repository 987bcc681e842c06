"""Triage pages: office and discipline officers of the clue's region and above; 404 outside, 403 other roles."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from jianfu.audit.models import AuditEvent
from jianfu.clues import actions
from jianfu.clues.models import Clue
from tests.cast import TOWNSHIP

PHONE = "13812345678"


@pytest.fixture
def clue(cast):
    filed, _receipt = actions.do_file_clue(
        category="F2", region_code=TOWNSHIP, description='=HYPERLINK("x")截图留痕', carrier="网格群", contact=PHONE
    )
    return filed


def pages(clue):
    return ["/clues/", f"/clues/{clue.pk}/", "/clues/export.xlsx"]


@pytest.mark.parametrize("who", ["county", "province", "discipline", "admin"])
def test_officers_of_the_region_and_above_see_every_page(cast, clue, as_user, who):
    client = as_user(getattr(cast, who))
    for path in pages(clue):
        assert client.get(path).status_code == 200, path
    assert f"/clues/{clue.pk}/" in client.get("/clues/").content.decode()


def test_an_officer_of_another_region_gets_404_and_an_empty_list(cast, clue, as_user):
    client = as_user(cast.outsider)
    assert client.get(f"/clues/{clue.pk}/").status_code == 404
    assert client.post(f"/clues/{clue.pk}/reply/", {"text": "x"}).status_code == 404
    assert f"/clues/{clue.pk}/" not in client.get("/clues/").content.decode()
    export = openpyxl.load_workbook(io.BytesIO(client.get("/clues/export.xlsx").content)).active
    assert export.max_row == 1


@pytest.mark.parametrize("who", ["department", "cadre"])
def test_other_roles_get_403(cast, clue, as_user, who):
    client = as_user(getattr(cast, who))
    for path in pages(clue):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/clues/{clue.pk}/close/", {"outcome": "x"}).status_code == 403
    assert Clue.objects.get().status == Clue.Status.NEW


def test_anonymous_visitors_are_sent_to_login(cast, clue, client):
    for path in pages(clue):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_whole_triage_is_audited(cast, clue, as_user):
    client = as_user(cast.county)
    other, _ = actions.do_file_clue(category="F2", region_code=TOWNSHIP, description="同一个群的截图要求")
    assert client.post(f"/clues/{clue.pk}/assign/", {"handler": cast.discipline.pk}).status_code == 302
    assert client.post(f"/clues/{clue.pk}/link/", {"codes": "G4, A1", "findings": ""}).status_code == 302
    assert client.post(f"/clues/{other.pk}/merge/", {"into": str(clue.pk)}).status_code == 302
    assert client.post(f"/clues/{clue.pk}/reply/", {"text": "已收到，正在核实"}).status_code == 302
    assert client.post(f"/clues/{clue.pk}/close/", {"outcome": "已责令解散该群"}).status_code == 302
    clue.refresh_from_db()
    other.refresh_from_db()
    assert clue.status == "closed" and clue.handler == cast.discipline and clue.linked_codes == ["A1", "G4"]
    assert other.status == "merged" and other.merged_into_id == clue.pk
    actions_done = set(AuditEvent.objects.filter(object_kind="clues").values_list("action", flat=True))
    assert {"clue.assigned", "clue.linked", "clue.merged", "clue.replied", "clue.closed"} <= actions_done
    linked = AuditEvent.objects.get(action="clue.linked")
    assert linked.changes == {"linked_codes": [[], ["A1", "G4"]], "linked_findings": [[], []]}
    # A closed clue takes no more moves; the message says why.
    page = client.post(f"/clues/{clue.pk}/close/", {"outcome": "again"}, follow=True)
    assert "不能再办理" in page.content.decode()


def test_unknown_links_and_handlers_are_refused(cast, clue, as_user):
    client = as_user(cast.county)
    page = client.post(f"/clues/{clue.pk}/link/", {"codes": "NOPE", "findings": ""}, follow=True)
    assert "找不到台账对象：NOPE" in page.content.decode()
    page = client.post(f"/clues/{clue.pk}/assign/", {"handler": cast.department.pk}, follow=True)
    assert "承办人须为" in page.content.decode()
    page = client.post(f"/clues/{clue.pk}/assign/", {"handler": cast.outsider.pk}, follow=True)
    assert "承办人须为" in page.content.decode()
    assert Clue.objects.get(pk=clue.pk).handler is None


def test_only_the_handler_sees_the_phone_masked_and_a_reveal_is_audited(cast, clue, as_user):
    county = as_user(cast.county)
    assert "138****5678" not in county.get(f"/clues/{clue.pk}/").content.decode()
    assert county.post(f"/clues/{clue.pk}/contact/").status_code == 302
    actions.do_assign(clue, cast.county, acting_user=cast.county)
    page = county.get(f"/clues/{clue.pk}/").content.decode()
    assert "138****5678" in page and PHONE not in page
    revealed = county.post(f"/clues/{clue.pk}/contact/")
    assert PHONE in revealed.content.decode() and revealed["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="clue.contact_revealed")
    assert event.actor == cast.county and PHONE not in str(event.changes)
    # Never in a list or an export, not even masked; and not in the database in clear.
    assert "5678" not in county.get("/clues/").content.decode()
    book = openpyxl.load_workbook(io.BytesIO(county.get("/clues/export.xlsx").content)).active
    cells = [str(c.value) for row in book.iter_rows() for c in row]
    assert not any("5678" in c for c in cells)
    assert PHONE not in str(Clue.objects.values().get(pk=clue.pk))
    # Another officer of the same region does not see it.
    assert "138****5678" not in as_user(cast.province).get(f"/clues/{clue.pk}/").content.decode()


def test_the_export_is_formula_safe(cast, clue, as_user):
    book = openpyxl.load_workbook(io.BytesIO(as_user(cast.county).get("/clues/export.xlsx").content)).active
    description = [c.value for c in book[2]][4]
    assert description.startswith("'=")


def test_overdue_clues_are_marked_and_counted_on_the_dashboard(cast, clue, as_user):
    Clue.objects.filter(pk=clue.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client = as_user(cast.county)
    assert "tag-bad" in client.get("/clues/?overdue=1").content.decode()
    home = client.get("/").content.decode()
    assert 'id="clues-overdue">1<' in home and 'id="clues-received">1<' in home
    assert 'id="clue-counts"' not in as_user(cast.cadre).get("/").content.decode()
    assert 'id="clues-received">0<' in as_user(cast.outsider).get("/").content.decode()


def test_due_dates_follow_the_category(cast):
    f1, _ = actions.do_file_clue(category="F1", region_code=TOWNSHIP, description="打卡")
    f4, _ = actions.do_file_clue(category="F4", region_code=TOWNSHIP, description="多头填报")
    today = timezone.localdate()
    assert (f1.due_on - today).days == 15 and (f4.due_on - today).days == 30


def test_evidence_downloads_only_in_scope(cast, as_user, settings):
    from tests.clues.helpers import photo_with_gps

    filed, _ = actions.do_file_clue(
        category="F2", region_code=TOWNSHIP, description="照片", uploads=[actions.Upload("a.jpg", photo_with_gps())]
    )
    item = filed.evidence.get()
    url = f"/clues/{filed.pk}/evidence/{item.pk}/"
    response = as_user(cast.county).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert as_user(cast.outsider).get(url).status_code == 404
    assert as_user(cast.department).get(url).status_code == 403


def test_the_cases_app_links_a_case_to_a_clue(cast, clue):
    linked = actions.do_link_case(clue, "AJ-2026-0001", acting_user=cast.discipline)
    assert linked.linked_cases == ["AJ-2026-0001"] and linked.status == Clue.Status.HANDLING
    event = AuditEvent.objects.get(action="clue.case_linked", actor=cast.discipline)
    assert event.changes == {"linked_cases": [[], ["AJ-2026-0001"]], "status": ["new", "handling"]}
    with pytest.raises(actions.ClueError):
        actions.do_link_case(clue, "AJ-2026-0002", acting_user=cast.outsider)
    with pytest.raises(actions.ClueError):
        actions.do_link_case(clue, "AJ-2026-0002", acting_user=cast.department)
