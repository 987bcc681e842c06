"""Every page of 一表通 as an officer in scope, an officer out of scope, a role that may not, and an anonymous visitor."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from jianfu.audit.models import AuditEvent
from jianfu.elements import actions
from jianfu.elements.models import DataElement, FieldMapping, FormIssue, HeldValue, IssueCopy
from jianfu.registry.models import Form
from tests.cast import TOWNSHIP

pytestmark = pytest.mark.django_db
NEXT_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat()


def _login_redirect(response):
    return response.status_code == 302 and "/login/" in response["Location"]


def _issue(user, code="F1", period="2026-11"):
    return actions.do_issue_form(
        Form.objects.get(code=code), period=period, deadline=dt.date.today() + dt.timedelta(days=7), acting_user=user
    )


# --- the catalog ------------------------------------------------------------------------------------------


def test_catalog_list(catalog, as_user):
    page = as_user(catalog.county).get("/elements/")
    assert page.status_code == 200 and "DEC1" in page.content.decode() and "DE001" in page.content.decode()
    outside = as_user(catalog.outsider).get("/elements/")
    assert outside.status_code == 200 and "DEC1" not in outside.content.decode() and "DE001" in outside.content.decode()
    assert "DEC1" in as_user(catalog.province).get("/elements/?q=网格").content.decode()
    assert as_user(catalog.cadre).get("/elements/").status_code == 403
    assert _login_redirect(as_user(None).get("/elements/"))


def test_catalog_search_finds_synonyms(catalog, as_user):
    body = as_user(catalog.county).get("/elements/?q=最低生活保障").content.decode()
    assert "DE001" in body and "DE002" not in body


def test_element_detail(catalog, as_user):
    assert as_user(catalog.county).get("/elements/DEC1/").status_code == 200
    assert as_user(catalog.outsider).get("/elements/DEC1/").status_code == 404
    assert as_user(catalog.cadre).get("/elements/DEC1/").status_code == 403
    assert _login_redirect(as_user(None).get("/elements/DEC1/"))


def test_element_edit(catalog, as_user):
    data = {
        "name": "网格员人数",
        "synonyms": "专职网格员数；网格员数量",
        "definition": "专职网格员",
        "data_type": "number",
        "unit": "人",
        "source": "上城区委政法委",
    }
    assert as_user(catalog.county).post("/elements/DEC1/edit/", data).status_code == 302
    element = DataElement.objects.get(code="DEC1")
    assert element.synonyms == ["专职网格员数", "网格员数量"] and element.source == "上城区委政法委"
    assert AuditEvent.objects.filter(object_kind="elements", object_code="DEC1", action="update").exists()
    assert as_user(catalog.outsider).post("/elements/DEC1/edit/", data).status_code == 404
    assert as_user(catalog.department).post("/elements/DEC1/edit/", data).status_code == 403
    assert _login_redirect(as_user(None).post("/elements/DEC1/edit/", data))
    # The installation's catalog is shared below, but a county does not change it.
    assert as_user(catalog.county).post("/elements/DE001/edit/", data).status_code == 403


def test_editing_a_synonym_another_element_owns_is_refused(catalog, as_user):
    data = {"name": "网格员人数", "synonyms": "常住人口", "data_type": "number", "unit": "人"}
    page = as_user(catalog.county).post("/elements/DEC1/edit/", data, follow=True)
    assert "DE004" in page.content.decode()
    assert DataElement.objects.get(code="DEC1").synonyms == ["专职网格员数"]


def test_element_merge(catalog, as_user):
    assert as_user(catalog.admin).post("/elements/DE004/merge/", {"other": "DEC1"}).status_code == 302
    drop = DataElement.objects.get(code="DEC1")
    assert drop.status == "merged" and drop.merged_into.code == "DE004"
    assert "网格员人数" in DataElement.objects.get(code="DE004").synonyms
    assert as_user(catalog.outsider).post("/elements/DEC1/merge/", {"other": "DE004"}).status_code == 404
    assert as_user(catalog.department).post("/elements/DE004/merge/", {"other": "DE003"}).status_code == 403
    assert _login_redirect(as_user(None).post("/elements/DE004/merge/", {"other": "DE003"}))


def test_propose_and_approve_a_candidate(catalog, as_user):
    proposed = as_user(catalog.department).post(
        "/elements/propose/", {"code": "DEN1", "name": "退役军人人数", "data_type": "number", "unit": "人"}
    )
    assert proposed.status_code == 302
    element = DataElement.objects.get(code="DEN1")
    assert element.status == "candidate" and element.region.code == catalog.department.unit.code
    assert as_user(catalog.cadre).post("/elements/propose/", {"code": "X", "name": "某"}).status_code == 403
    assert _login_redirect(as_user(None).post("/elements/propose/", {"code": "X", "name": "某"}))
    assert as_user(catalog.outsider).post("/elements/DEN1/approve/").status_code == 404
    assert as_user(catalog.department).post("/elements/DEN1/approve/").status_code == 403
    assert _login_redirect(as_user(None).post("/elements/DEN1/approve/"))
    assert as_user(catalog.county).post("/elements/DEN1/approve/").status_code == 302
    assert DataElement.objects.get(code="DEN1").status == "active"


def test_nobody_approves_their_own_proposal(catalog, as_user):
    as_user(catalog.county).post("/elements/propose/", {"code": "DEN2", "name": "退役军人人数"})
    page = as_user(catalog.county).post("/elements/DEN2/approve/", follow=True)
    assert "不能批准自己提出的候选数据元" in page.content.decode()
    assert DataElement.objects.get(code="DEN2").status == "candidate"


# --- mappings on the form page ----------------------------------------------------------------------------


def test_the_form_page_shows_mappings_and_a_confirmation_teaches_a_synonym(catalog, as_user):
    actions.ensure_mappings(Form.objects.get(code="F1"))
    page = as_user(catalog.county).get("/forms/F1/").content.decode()
    assert "DE001" in page and "确认" in page
    field = Form.objects.get(code="F3").fields.get(position=3)  # 常住人口
    response = as_user(catalog.county).post("/elements/forms/F3/map/", {"field": field.id, "element": "DEC1"})
    assert response.status_code == 302
    mapping = FieldMapping.objects.get(field=field)
    assert mapping.confirmed and mapping.element.code == "DEC1" and mapping.confirmed_by == catalog.county
    # 常住人口 is already DE004's name, so it is not taught to DEC1; a fresh wording is.
    assert "常住人口" not in DataElement.objects.get(code="DEC1").synonyms
    f1 = Form.objects.get(code="F1").fields.get(position=1)
    f1.name = "本辖区低保家庭数"
    f1.save()
    as_user(catalog.county).post("/elements/forms/F1/map/", {"field": f1.id, "element": "DE001"})
    assert "本辖区低保家庭数" in DataElement.objects.get(code="DE001").synonyms
    assert (
        as_user(catalog.outsider).post("/elements/forms/F1/map/", {"field": f1.id, "element": "DE001"}).status_code
        == 404
    )
    assert (
        as_user(catalog.discipline).post("/elements/forms/F1/map/", {"field": f1.id, "element": "DE001"}).status_code
        == 403
    )
    assert _login_redirect(as_user(None).post("/elements/forms/F1/map/", {"field": f1.id, "element": "DE001"}))


# --- issuing and filling ----------------------------------------------------------------------------------


def test_issue_a_form(catalog, as_user):
    assert as_user(catalog.county).get("/elements/issues/new/F1/").status_code == 200
    response = as_user(catalog.county).post("/elements/issues/new/F1/", {"period": "2026年11月", "deadline": NEXT_WEEK})
    assert response.status_code == 302
    issue = FormIssue.objects.get(form__code="F1")
    assert issue.period == "2026-11"
    [copy] = issue.copies.all()
    assert copy.respondent.code == TOWNSHIP and (copy.prefilled, copy.fields_total) == (2, 2)
    assert (
        as_user(catalog.outsider)
        .post("/elements/issues/new/F1/", {"period": "2026-12", "deadline": NEXT_WEEK})
        .status_code
        == 404
    )
    assert as_user(catalog.discipline).get("/elements/issues/new/F1/").status_code == 403
    assert _login_redirect(as_user(None).get("/elements/issues/new/F1/"))


def test_issuing_with_a_bad_period_or_a_past_deadline_says_why(catalog, as_user):
    bad = as_user(catalog.county).post("/elements/issues/new/F1/", {"period": "下月", "deadline": NEXT_WEEK})
    assert bad.status_code == 400 and "2026Q3" in bad.content.decode()
    past = as_user(catalog.county).post("/elements/issues/new/F1/", {"period": "2026-11", "deadline": "2020-01-01"})
    assert past.status_code == 400 and "截止日期不能早于今天" in past.content.decode()
    assert not FormIssue.objects.exists()


def test_issue_pages_and_results(catalog, as_user):
    issue = _issue(catalog.county)
    page = as_user(catalog.county).get(f"/elements/issues/{issue.number}/")
    assert page.status_code == 200 and "100%" in page.content.decode()
    assert as_user(catalog.outsider).get(f"/elements/issues/{issue.number}/").status_code == 404
    assert as_user(catalog.cadre).get(f"/elements/issues/{issue.number}/").status_code == 403
    assert _login_redirect(as_user(None).get(f"/elements/issues/{issue.number}/"))
    listing = as_user(catalog.county).get("/elements/issues/").content.decode()
    assert issue.number in listing
    assert issue.number not in as_user(catalog.outsider).get("/elements/issues/").content.decode()
    assert _login_redirect(as_user(None).get("/elements/issues/"))
    cadre_list = as_user(catalog.cadre).get("/elements/issues/").content.decode()
    assert issue.copies.get().number in cadre_list

    xlsx = as_user(catalog.county).get(f"/elements/issues/{issue.number}/results.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["低保户数（户）", "低保人数（人）"]
    assert [c.value for c in sheet[2]][-2:] == [42, 87]
    assert as_user(catalog.outsider).get(f"/elements/issues/{issue.number}/results.xlsx").status_code == 404
    assert as_user(catalog.cadre).get(f"/elements/issues/{issue.number}/results.xlsx").status_code == 403


def test_fill_and_submit_then_a_second_form_is_prefilled(catalog, as_user):
    HeldValue.objects.filter(element__code="DE002").delete()
    issue = _issue(catalog.county)
    copy = issue.copies.get()
    assert copy.prefilled == 1
    page = as_user(catalog.cadre).get(f"/elements/fill/{copy.number}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'value="42"' in body and "民政统计平台" in body
    f1, f2 = [v.field_id for v in copy.values.order_by("field__position")]
    assert as_user(catalog.outsider).get(f"/elements/fill/{copy.number}/").status_code == 404
    assert as_user(catalog.county).get(f"/elements/fill/{copy.number}/").status_code == 403
    assert _login_redirect(as_user(None).get(f"/elements/fill/{copy.number}/"))

    wrong = as_user(catalog.cadre).post(f"/elements/fill/{copy.number}/", {f"f{f1}": "42", f"f{f2}": "八十七"})
    assert wrong.status_code == 400 and "应为数字" in wrong.content.decode()
    negative = as_user(catalog.cadre).post(f"/elements/fill/{copy.number}/", {f"f{f1}": "42", f"f{f2}": "-5"})
    assert negative.status_code == 400 and "不能为负数" in negative.content.decode()
    assert IssueCopy.objects.get(pk=copy.pk).status == "open"
    done = as_user(catalog.cadre).post(f"/elements/fill/{copy.number}/", {f"f{f1}": "43", f"f{f2}": "87"})
    assert done.status_code == 302
    held = HeldValue.objects.get(element__code="DE002", unit__code=TOWNSHIP, period="2026-11")
    assert held.value == "87" and held.origin == "submission"
    assert HeldValue.objects.get(element__code="DE001", unit__code=TOWNSHIP, period="2026-11").value == "43"

    second = _issue(catalog.county, code="F3").copies.get()
    values = {v.field.position: v for v in second.values.select_related("field")}
    assert (values[1].prefilled_value, values[2].prefilled_value, values[3].prefilled_value) == ("43", "87", "")
    assert "填报" in values[2].prefill_source and second.prefilled == 2


def test_a_copy_past_its_deadline_is_refused(catalog, as_user):
    issue = _issue(catalog.county)
    FormIssue.objects.filter(pk=issue.pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    copy = issue.copies.get()
    f1, f2 = [v.field_id for v in copy.values.order_by("field__position")]
    response = as_user(catalog.cadre).post(f"/elements/fill/{copy.number}/", {f"f{f1}": "1", f"f{f2}": "2"})
    assert response.status_code == 403 and "已过截止日期" in response.content.decode()
    assert IssueCopy.objects.get(pk=copy.pk).status == "open"


def test_the_dashboard_shows_the_prefilled_share(catalog, as_user):
    _issue(catalog.county)
    body = as_user(catalog.county).get("/").content.decode()
    assert 'id="collect-once"' in body and 'data-share="1.000"' in body
    assert 'id="collect-once"' not in as_user(catalog.outsider).get("/").content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "refusal"),
    [
        ("en", "Data-element catalog", "is a count in “人” and cannot be negative"),
        ("zh-hant", "數據元目錄", "是以“人”計的數量，不能為負數"),
    ],
)
def test_pages_and_refusals_in_the_reader_language(catalog, as_user, language, heading, refusal):
    client = as_user(catalog.county)
    client.cookies["django_language"] = language
    assert heading in client.get("/elements/").content.decode()
    copy = _issue(catalog.county).copies.get()
    cadre = as_user(catalog.cadre)
    cadre.cookies["django_language"] = language
    f1, f2 = [v.field_id for v in copy.values.order_by("field__position")]
    page = cadre.post(f"/elements/fill/{copy.number}/", {f"f{f1}": "1", f"f{f2}": "-2"})
    assert page.status_code == 400 and refusal in page.content.decode()


def test_the_results_workbook_is_safe_from_formulas(catalog, as_user):
    from jianfu.registry.models import FormField

    FormField.objects.create(form=Form.objects.get(code="F1"), position=3, name="备注", data_type="文本")
    copy = _issue(catalog.county).copies.get()
    ids = [v.field_id for v in copy.values.order_by("field__position")]
    posted = dict(zip([f"f{i}" for i in ids], ["42", "87", '=HYPERLINK("http://x","点我")']))
    assert as_user(catalog.cadre).post(f"/elements/fill/{copy.number}/", posted).status_code == 302
    xlsx = as_user(catalog.county).get(f"/elements/issues/{copy.issue.number}/results.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[1]][-1] == "备注"
    assert sheet.cell(row=2, column=sheet.max_column).value == '\'=HYPERLINK("http://x","点我")'
    assert sheet.cell(row=2, column=sheet.max_column).data_type == "s"


def test_an_unmapped_field_is_proposed_as_a_candidate_from_the_form_page(catalog, as_user):
    from jianfu.registry.models import FormField

    field = FormField.objects.create(
        form=Form.objects.get(code="F1"), position=3, name="护林员巡山次数", data_type="数值", unit="次"
    )
    actions.ensure_mappings(Form.objects.get(code="F1"))
    assert FieldMapping.objects.get(field=field).element is None
    page = as_user(catalog.department).get("/forms/F1/").content.decode()
    assert "提出为候选数据元" in page
    response = as_user(catalog.department).post(
        "/elements/propose/", {"field": field.id, "name": field.name, "data_type": "数值", "unit": "次", "code": "DEN9"}
    )
    assert response.status_code == 302
    element = DataElement.objects.get(code="DEN9")
    assert (element.status, element.name, element.data_type, element.unit) == (
        "candidate",
        "护林员巡山次数",
        "number",
        "次",
    )
    event = AuditEvent.objects.get(object_kind="elements", object_code="DEN9", action="propose")
    assert event.changes["from_field"][1] == "F1#3"
    assert as_user(catalog.outsider).post("/elements/propose/", {"field": field.id, "code": "DEN8"}).status_code == 404
