"""Notices (通报): a paragraph per case in plain words, the region's template, .docx and .pdf, never a reporter's
contact, published to the public page /notices/."""

import io

import docx
import pytest
from pypdf import PdfReader

from jianfu.cases import actions, notices
from jianfu.cases.models import Notice, NoticeTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(world, open_case):
    case = open_case()
    case = actions.do_respond_case(
        case, "已下线打卡签到模块，联系人电话 13812345678，邮箱 li@example.com", acting_user=world.department
    )
    case = actions.do_verify_case(case, True, "经抽查，功能已下线", acting_user=world.discipline)
    actions.do_record_outcome(case, "criticism", "对主管领导批评教育", acting_user=world.discipline)
    world.case = case
    return world


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_case_paragraph_says_what_was_wrong_demanded_and_done(closed):
    paragraph = notices.case_paragraph(closed.case, 1)
    assert paragraph["heading"] == "一、上城区民政局应用“清波通”问题"
    text = paragraph["text"]
    for words in ("清波通", "F1“强制使用”", "取消打卡签到功能", "已下线打卡签到模块", "整改到位", "批评教育"):
        assert words in text, words
    # Contact details typed into a response never reach a notice.
    assert "13812345678" not in text and "li@example.com" not in text and "［电话已隐去］" in text


@pytest.mark.parametrize(
    "raw, hidden",
    [
        ("电话 138-1234-5678 ", "138-1234-5678"),
        ("+86 13912345678", "13912345678"),
        ("座机 0571-87654321", "87654321"),
        ("身份证 33010219900101123X", "1990"),
    ],
)
def test_redact_masks_contacts_and_ids(raw, hidden):
    assert hidden not in notices.redact(raw)


def test_drafting_uses_the_regions_template_and_renders_both_formats(closed):
    notice = actions.do_draft_notice([closed.case], "关于一起形式主义问题的通报", acting_user=closed.county)
    assert notice.issuer == "上城区基层减负办公室" and notice.red_header
    assert notice.doc_number.endswith("〔%d〕1号" % notice.created_at.year)
    for text in (docx_text(notices.render(notice, "docx")), pdf_text(notices.render(notice, "pdf"))):
        compact = text.replace("\n", "").replace(" ", "")
        for words in ("关于一起形式主义问题的通报", "清波通", "强制使用", "取消打卡签到功能", "批评教育"):
            assert words in compact, words
        assert "13812345678" not in compact
    actions.do_save_notice_template(
        closed.county.unit,
        issuer="中共上城区纪委",
        number_prefix="上纪通",
        intro="现通报如下：",
        closing="特此通报。",
        red_header=False,
        acting_user=closed.discipline,
    )
    second = actions.do_draft_notice([closed.case], "第二份", acting_user=closed.discipline)
    assert second.issuer == "中共上城区纪委" and not second.red_header and "上纪通〔" in second.doc_number
    assert second.doc_number.endswith("2号")
    with pytest.raises(actions.Forbidden):
        actions.do_save_notice_template(
            closed.county.unit,
            issuer="x",
            number_prefix="x",
            intro="x",
            closing="x",
            red_header=True,
            acting_user=closed.outsider,
        )
    assert NoticeTemplate.objects.count() == 1


def test_who_may_draft(closed):
    for user in (closed.department, closed.cadre, closed.outsider):
        with pytest.raises(actions.Forbidden):
            actions.do_draft_notice([closed.case], "x", acting_user=user)


def test_publishing_and_the_public_page(closed, as_user):
    notice = actions.do_draft_notice([closed.case], "关于一起形式主义问题的通报", acting_user=closed.county)
    detail, docx_url, pdf_url = (
        f"/notices/{notice.code}/",
        f"/notices/{notice.code}.docx",
        f"/notices/{notice.code}.pdf",
    )
    # A draft: its region's office and discipline officers only.
    for user in (None, closed.outsider, closed.department, closed.cadre):
        for url in (detail, docx_url, pdf_url):
            assert as_user(user).get(url).status_code == 404, (user, url)
    assert as_user(closed.discipline).get(detail).status_code == 200
    assert notice.title in as_user(closed.county).get("/notices/").content.decode()
    assert notice.title not in as_user(None).get("/notices/").content.decode()
    assert as_user(closed.department).post(f"/notices/{notice.code}/publish/").status_code == 404
    assert as_user(closed.outsider).post(f"/notices/{notice.code}/publish/").status_code == 404
    assert as_user(closed.county).post(f"/notices/{notice.code}/publish/").status_code == 302
    assert Notice.objects.get(pk=notice.pk).status == "published"
    # Published: anyone, no login.
    anonymous = as_user(None)
    assert notice.title in anonymous.get("/notices/").content.decode()
    assert anonymous.get(detail).status_code == 200
    assert "清波通" in docx_text(anonymous.get(docx_url).content)
    assert anonymous.get(pdf_url)["Content-Type"] == "application/pdf"
    again = as_user(closed.county).post(f"/notices/{notice.code}/publish/", follow=True)
    assert "通报已发布" in again.content.decode()


def test_drafting_on_the_web_from_ticked_cases(closed, as_user):
    assert as_user(closed.department).get("/notices/new/").status_code == 403
    assert as_user(None).get("/notices/new/").status_code == 302
    response = as_user(closed.county).post(
        "/notices/new/", {"cases": [closed.case.number], "title": "通报一", "draft": "1"}
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notices/{notice.code}/"
    assert list(notice.cases.values_list("number", flat=True)) == [closed.case.number]
    refused = as_user(closed.outsider).post(
        "/notices/new/", {"cases": [closed.case.number], "title": "x", "draft": "1"}
    )
    assert refused.status_code == 400 and Notice.objects.count() == 1


def test_the_template_page(closed, as_user):
    assert as_user(closed.department).get("/notices/template/").status_code == 403
    assert as_user(None).get("/notices/template/").status_code == 302
    client = as_user(closed.discipline)
    assert "整治形式主义" in client.get("/notices/template/").content.decode()
    assert (
        client.post(
            "/notices/template/", {"issuer": "", "number_prefix": "x", "intro": "x", "closing": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/notices/template/",
            {
                "issuer": "中共上城区纪委",
                "number_prefix": "上纪通",
                "intro": "如下：",
                "closing": "特此通报。",
                "red_header": "1",
            },
        ).status_code
        == 302
    )
    assert NoticeTemplate.objects.get().issuer == "中共上城区纪委"
