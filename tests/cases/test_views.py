"""Every case and notice page tried by an officer in scope, one out of scope, a role that may not, and an
anonymous visitor; the forms' refusals; the Excel export; evidence checks on the web upload."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jianfu.cases import actions
from jianfu.cases.models import Case, EvidenceFile
from tests.cases.conftest import in_days

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Zhang San"  # Artist
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def responded(world, open_case):
    world.case = actions.do_respond_case(open_case(), "已关闭打卡功能", acting_user=world.department)
    return world


def test_the_case_list_per_role(responded, as_user):
    number = responded.case.number
    assert as_user(None).get("/cases/").status_code == 302
    assert as_user(responded.cadre).get("/cases/").status_code == 403
    assert number not in as_user(responded.outsider).get("/cases/").content.decode()
    page = as_user(responded.county).get("/cases/?tab=verify")
    assert [c.number for c in page.context["page"]] == [number]
    assert [c.number for c in as_user(responded.department).get("/cases/").context["page"]] == [number]
    assert [c.number for c in as_user(responded.department).get("/cases/?tab=mine").context["page"]] == []
    actions.do_verify_case(responded.case, False, "未到位", acting_user=responded.county)
    assert [c.number for c in as_user(responded.department).get("/cases/?tab=mine").context["page"]] == [number]


def test_the_case_detail(responded, as_user):
    url = f"/cases/{responded.case.number}/"
    assert as_user(None).get(url).status_code == 302
    assert as_user(responded.cadre).get(url).status_code == 403
    assert as_user(responded.outsider).get(url).status_code == 404
    page = as_user(responded.county).get(url)
    assert page.status_code == 200 and page.context["can_verify"] and not page.context["can_respond"]
    assert "已关闭打卡功能" in page.content.decode()
    page = as_user(responded.bureau2).get(url)
    assert page.status_code == 200 and not page.context["can_verify"]


def test_opening_a_case_from_the_finding_page(world, as_user):
    url = f"/findings/{world.finding.fid}/case/"
    assert as_user(None).get(url).status_code == 302
    assert as_user(world.department).get(url).status_code == 403
    assert as_user(world.cadre).get(url).status_code == 403
    assert as_user(world.outsider).get(url).status_code == 404
    client = as_user(world.county)
    assert 'id="open-case"' in client.get(f"/findings/{world.finding.fid}/").content.decode()
    assert client.get(url).status_code == 200
    past = client.post(url, {"unit": world.bureau.code, "demand": "取消打卡", "deadline": in_days(-1).isoformat()})
    assert past.status_code == 400 and "不能早于今天" in past.content.decode() and not Case.objects.exists()
    outside = client.post(url, {"unit": "330105000000", "demand": "取消打卡", "deadline": in_days(3).isoformat()})
    assert outside.status_code == 400 and not Case.objects.exists()
    response = client.post(url, {"unit": world.bureau.code, "demand": "取消打卡", "deadline": in_days(3).isoformat()})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert "已有未办结的案件" in client.get(url).content.decode()


def test_responding_with_evidence_strips_its_metadata(world, open_case, as_user):
    case = open_case()
    url = f"/cases/{case.number}/respond/"
    assert as_user(world.county).post(url, {"text": "x"}).status_code == 403
    assert as_user(world.outsider).post(url, {"text": "x"}).status_code == 404
    client = as_user(world.department)
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    refused = client.post(url, {"text": "已整改", "evidence": [fake]})
    assert refused.status_code == 400 and "不是 JPEG、PNG 图片或 PDF" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == "open" and not EvidenceFile.objects.exists()
    photo = SimpleUploadedFile("现场.jpeg", jpeg_with_gps(), content_type="image/jpeg")
    assert client.post(url, {"text": "已整改", "evidence": [photo]}).status_code == 302
    item = EvidenceFile.objects.get()
    assert item.name == "现场.jpg" and item.content_type == "image/jpeg"
    download = as_user(world.county).get(f"/cases/{case.number}/evidence/{item.uid}/")
    data = b"".join(download.streaming_content)
    assert b"Zhang San" not in data and b"PhoneMaker" not in data and not dict(Image.open(io.BytesIO(data)).getexif())
    assert as_user(world.outsider).get(f"/cases/{case.number}/evidence/{item.uid}/").status_code == 404
    assert as_user(world.cadre).get(f"/cases/{case.number}/evidence/{item.uid}/").status_code == 403


def test_too_many_files_are_refused(world, open_case, as_user):
    case = open_case()
    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(6)]
    response = as_user(world.department).post(f"/cases/{case.number}/respond/", {"text": "x", "evidence": files})
    assert response.status_code == 400 and "最多上传 5 个" in response.content.decode()


def test_verifying_on_the_web(responded, as_user):
    url = f"/cases/{responded.case.number}/verify/"
    assert as_user(responded.department).post(url, {"accepted": "1"}).status_code == 403
    assert as_user(responded.outsider).post(url, {"accepted": "1"}).status_code == 404
    assert as_user(responded.cadre).post(url, {"accepted": "1"}).status_code == 403
    assert as_user(None).post(url, {"accepted": "1"}).status_code == 302
    refused = as_user(responded.county).post(url, {"accepted": "0", "text": ""})
    assert refused.status_code == 400 and "核验意见" in refused.content.decode()
    assert as_user(responded.county).post(url, {"accepted": "0", "text": "不到位"}).status_code == 302
    again = as_user(responded.county).post(url, {"accepted": "1"})
    assert again.status_code == 409 and "不能核验" in again.content.decode()


def test_accountability_on_the_web(responded, as_user):
    actions.do_verify_case(responded.case, True, "", acting_user=responded.county)
    url = f"/cases/{responded.case.number}/outcome/"
    assert as_user(responded.department).post(url, {"kind": "criticism", "reason": "x"}).status_code == 403
    assert as_user(responded.outsider).post(url, {"kind": "criticism", "reason": "x"}).status_code == 404
    assert as_user(responded.discipline).post(url, {"kind": "criticism", "reason": "约谈"}).status_code == 302
    page = as_user(responded.discipline).get(f"/cases/{responded.case.number}/")
    assert "批评教育" in page.content.decode() and "criticism" not in dict(page.context["outcome_choices"])


def test_the_export_is_safe_from_formulas(world, as_user):
    actions.do_open_case(
        world.finding, world.bureau, '=HYPERLINK("http://x","点我")', in_days(5), acting_user=world.county
    )
    response = as_user(world.county).get("/cases/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert '\'=HYPERLINK("http://x","点我")' in values and sheet.cell(2, 6).data_type == "s"
    assert as_user(world.outsider).get("/cases/export.xlsx").content != response.content
    assert as_user(world.cadre).get("/cases/export.xlsx").status_code == 403
    assert as_user(None).get("/cases/export.xlsx").status_code == 302


def test_the_supervision_page_is_for_discipline_officers(world, open_case, as_user):
    import datetime as dt

    from jianfu.findings.models import AnalysisRun

    AnalysisRun.objects.update(started_at=AnalysisRun.objects.first().started_at - dt.timedelta(days=40))
    case = open_case()
    Case.objects.filter(pk=case.pk).update(overdue=True, reopen_count=1)
    assert as_user(None).get("/cases/supervision/").status_code == 302
    for user in (world.county, world.department, world.cadre):
        assert as_user(user).get("/cases/supervision/").status_code == 403
    rows = {r.unit.code: r for r in as_user(world.discipline).get("/cases/supervision/").context["rows"]}
    bureau = rows[world.bureau.code]
    assert bureau.overdue_cases == 1 and bureau.reopened_cases == 1 and bureau.open_cases == 1
    # Findings older than 30 days without a case, rolled up to the county's direct children.
    assert sum(r.stale_findings for r in rows.values()) > 0 and bureau.stale_findings >= 1
    first = list(rows.values())[0]
    assert first.stale_findings == max(r.stale_findings for r in rows.values())
    outsider_rows = as_user(world.outsider).get("/cases/supervision/")
    assert outsider_rows.status_code == 403


def test_the_verify_tab_lists_only_what_the_officer_may_verify(responded, as_user):
    from jianfu.accounts.models import Role
    from tests.cast import TOWNSHIP, make_user

    township = make_user("township-office", TOWNSHIP, Role.OFFICE)
    assert not actions.may_verify(township, responded.case)
    assert list(as_user(township).get("/cases/?tab=verify").context["page"]) == []
    assert [c.number for c in as_user(responded.province).get("/cases/?tab=verify").context["page"]] == [
        responded.case.number
    ]


def test_the_pages_speak_english_and_traditional_chinese(responded, as_user):
    client = as_user(responded.county)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/cases/{responded.case.number}/").content.decode()
    assert "Awaiting verification" in page and "Verified, closed" in page and "待核验" not in page
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert "督辦案件" in client.get("/cases/").content.decode()
