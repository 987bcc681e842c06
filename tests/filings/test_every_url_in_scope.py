"""Every URL of the site, walked as an officer of another county: objects of 上城区 answer 404 (or 403/405), and no
page shows their names, codes or numbers. A new URL pattern fails here until it is given real codes to try, so a
view that reaches a scoped model without jianfu.accounts.scope cannot slip in unnoticed."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.contrib.auth.models import AnonymousUser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jianfu.cases import actions as case_actions
from jianfu.evidence import CleanFile
from jianfu.filings import actions
from jianfu.filings.models import Filing
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.api.tokens import do_create_token
from jianfu.elements.actions import do_issue_form, do_propose_element
from jianfu.registry.models import Form
from jianfu.clues import actions as clue_actions
from jianfu.inbox.models import Message
from jianfu.jobs.models import ImportJob
from jianfu.surveys.actions import do_create_survey

pytestmark = pytest.mark.django_db

COUNTY_UNIT = "330102000000"
# Names of 上城区's carriers and people (tests/web/conftest.py, tests/builders.py): none may reach the outsider.
COUNTY_NAMES = [
    "清波通",
    "民政统计平台",
    "上城发布",
    "防汛工作群",
    "清波社区网格群",
    "张三",
    "李四",
    "低保对象月报表",
    "上城区养老服务补贴申领系统",
]


REGISTRY_KINDS = [{"kind": kind} for kind in ("units", "people", "apps", "accounts", "groups", "forms")]
# Pages whose parameters choose a kind, not an object: walked as lists, with every kind.
LIST_PARAMETERS = {
    "registry:list": REGISTRY_KINDS,
    "registry:export": REGISTRY_KINDS,
    "filings:new": [{"kind": kind} for kind in ("apps", "platforms", "groups", "accounts", "forms")],
    "filings:precheck": [{"kind": kind} for kind in ("apps", "platforms", "groups", "accounts", "forms")],
    # The outcome report's downloads: the parameter is a format; the region comes from the query.
    "reports:download": [{"fmt": fmt} for fmt in ("xlsx", "docx", "pdf")],
}
# The HTTP API refuses a session (401) and answers to tokens only; tests/api tries every endpoint with a token of
# an officer out of scope.
API_PREFIX = "api/"


def url_patterns(patterns=None, prefix: str = "", namespace: str | None = None):
    """(route, full name) of every URL pattern, resolvers included."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and not (prefix + str(entry.pattern)).lstrip("^").startswith(API_PREFIX):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name


@pytest.fixture
def county_objects(cast, submitted, city):
    """One of each scoped object in 上城区: carriers, findings, a proposal, a filing, an import job, a notice."""
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    actions.do_approve_proposal(submitted, step=0, criteria={"1": "yes", "4": "yes"}, acting_user=cast.county)
    actions.do_approve_proposal(submitted, step=1, criteria={"1": "yes", "4": "yes"}, acting_user=city)
    filing = Filing.objects.get(proposal=submitted)
    finding = Finding.objects.filter(owner__code="330102000001").first()
    job = ImportJob.objects.create(created_by=cast.county, actor_name="county", unit=cast.county.unit)
    token, _raw = do_create_token(cast.county, acting_user=cast.county)
    case = case_actions.do_open_case(
        finding, finding.owner, "取消打卡", dt.date.today() + dt.timedelta(days=7), acting_user=cast.county
    )
    case = case_actions.do_respond_case(
        case, "已整改", [CleanFile("a.png", "image/png", b"x")], acting_user=cast.department
    )
    evidence = case.evidence.get()
    draft = case_actions.do_draft_notice([case], "关于上城区问题的通报", acting_user=cast.county)
    message = Message.objects.filter(recipient=cast.department).first()
    survey = do_create_survey(cast.county, title="上城区减负调研", region_code=COUNTY_UNIT)
    assert finding and message
    # 一表通: an element of 上城区's own catalog, and form F1 issued to its townships.
    element = do_propose_element(code="DESC1", name="上城网格员人数", acting_user=cast.county)
    issue = do_issue_form(
        Form.objects.get(code="F1"),
        period="2026-11",
        deadline=dt.date.today() + dt.timedelta(days=7),
        acting_user=cast.county,
    )
    copy = issue.copies.first()
    clue, _receipt = clue_actions.do_file_clue(
        category="F1",
        region_code="330102001000",
        description="清波街道线索描述",
        contact="13812345678",
        uploads=[clue_actions.Upload("a.png", _small_png())],
    )
    clue_pages = [{"pk": clue.pk}]
    carriers = [
        {"kind": kind, "code": code}
        for kind, code in (
            ("units", COUNTY_UNIT),
            ("people", "P1"),
            ("apps", "A1"),
            ("accounts", "AC1"),
            ("groups", "G1"),
            ("forms", "F1"),
        )
    ]
    return {
        "two_factor_policy": [{"code": COUNTY_UNIT}],
        "import-job": [{"code": job.code}],
        "import-job-status": [{"code": job.code}],
        "import-job-errors": [{"code": job.code}],
        "registry:detail": carriers,
        "registry:edit": carriers,
        "findings:detail": [{"fid": finding.fid}],
        "findings:decide": [{"fid": finding.fid}],
        "filings:proposal": [{"code": submitted.code}],
        "filings:edit": [{"code": submitted.code}],
        "filings:act": [
            {"code": submitted.code, "action": action}
            for action in ("submit", "withdraw", "comment", "approve", "return", "reject")
        ],
        "filings:filing": [{"number": filing.number}],
        "filings:renew": [{"number": filing.number}],
        "filings:renewal": [{"number": filing.number}],
        "inbox:open": [{"uid": message.uid}],
        "api-token-revoke": [{"token_id": token.id}],
        "cases:new": [{"fid": finding.fid}],
        "cases:new_from_clue": clue_pages,
        **{f"cases:{name}": [{"number": case.number}] for name in ("detail", "respond", "verify", "outcome")},
        "cases:evidence": [{"number": case.number, "uid": evidence.uid}],
        # A draft notice: only its region's officers see it (a published one is public by design).
        **{f"notices:{name}": [{"code": draft.code}] for name in ("detail", "publish", "docx", "pdf")},
        **{f"elements:{name}": [{"code": element.code}] for name in ("detail", "edit", "merge", "approve")},
        "elements:issue_new": [{"code": "F1"}],
        "elements:form_map": [{"code": "F1"}],
        "elements:issue": [{"number": issue.number}],
        "elements:issue_results": [{"number": issue.number}],
        "elements:fill": [{"number": copy.number}],
        **{
            name: [{"code": survey.code}]
            for name in ("surveys:detail", "surveys:issue", "surveys:close", "surveys:calibrate")
        },
        # The public survey form: the one-time token is the only key to it (tests/surveys try real ones).
        "surveys:answer": [{"token": "no-such-token"}],
        **{f"clues:{name}": clue_pages for name in ("detail", "assign", "link", "merge", "reply", "close", "contact")},
        "clues:evidence": [{"pk": clue.pk, "evidence_id": clue.evidence.get().pk}],
        "secrets": COUNTY_NAMES
        + [
            submitted.code,
            filing.number,
            finding.fid,
            str(job.code),
            str(message.uid),
            case.number,
            draft.code,
            "关于上城区问题的通报",
            element.name,
            issue.number,
            copy.number,
            survey.code,
            survey.title,
            "清波街道线索描述",
            "138****5678",
        ],
    }


def _small_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def fill(route: str, values: dict) -> str:
    url = "/" + route
    for key, value in values.items():
        for converter in ("str", "uuid", "kind", "int", ""):
            url = url.replace(f"<{converter}:{key}>" if converter else f"<{key}>", str(value))
    assert "<" not in url, f"no value for a parameter of {route}"
    return url


def readable(response) -> str:
    """A page's text, or every cell of a spreadsheet download (its zip would hide the names)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:4] == b"%PDF":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if body[:2] != b"PK":
        return body.decode(errors="replace")
    if b"word/document.xml" in body:
        from docx import Document

        word = Document(io.BytesIO(body))
        return "\n".join(
            [p.text for p in word.paragraphs] + [c.text for t in word.tables for row in t.rows for c in row.cells]
        )
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_an_officer_of_another_county_reaches_no_object_of_it(county_objects, as_user, cast):
    client = as_user(cast.outsider)
    secrets = county_objects["secrets"]
    walked = 0
    for route, name in url_patterns():
        if "<" not in route or name in LIST_PARAMETERS:
            continue  # lists, exports and forms: the next test
        assert name in county_objects, f"{name} ({route}) takes parameters: give it real 上城区 codes here"
        for values in county_objects[name]:
            url = fill(route, values)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in (403, 404, 405), (method.__name__, url, response.status_code)
                # The 404 page may repeat the address asked for; anything else of the object is a leak.
                shown = readable(response).replace(url, "")
                assert not [secret for secret in secrets if secret in shown], (method.__name__, url)
            walked += 1
    assert walked >= 25


def test_lists_and_exports_show_an_officer_of_another_county_nothing_of_it(county_objects, as_user, cast):
    client = as_user(cast.outsider)
    secrets = county_objects["secrets"]
    pages = 0
    for route, name in url_patterns():
        if "<" in route and name not in LIST_PARAMETERS:
            continue
        for values in LIST_PARAMETERS.get(name, [{}]):
            url = fill(route, values)
            response = client.get(url + ("?q=清" if name == "filings:people" else ""))
            assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
            text = readable(response)
            assert not [secret for secret in secrets if secret in text], url
            pages += 1
    assert pages >= 15


# Settings of a region, reached only through a unit the viewer already got from the scope door.
REACHED_THROUGH_THEIR_UNIT = {"accounts.twofactorpolicy", "filings.regionpolicy"}


def test_every_model_that_belongs_to_a_unit_is_registered_in_the_scope():
    from django.apps import apps

    from jianfu.accounts import scope
    from jianfu.registry.models import Unit

    unregistered = []
    for model in apps.get_models():
        label = model._meta.label_lower
        fields = model._meta.get_fields()
        belongs = any(getattr(field, "related_model", None) is Unit and field.concrete for field in fields) or any(
            field.name.endswith("_path") for field in fields
        )
        if belongs and label not in REACHED_THROUGH_THEIR_UNIT:
            try:
                scope.scoped(AnonymousUser(), model)
            except LookupError:
                unregistered.append(label)
    assert not unregistered


def test_proposals_and_filings_go_through_the_scope_door(county_objects, cast):
    from jianfu.accounts import scope
    from jianfu.filings import access
    from jianfu.filings.models import Proposal

    assert scope.scoped(cast.county, Proposal).exists() and scope.scoped(cast.county, Filing).exists()
    assert not scope.scoped(cast.outsider, Proposal).exists() and not scope.scoped(cast.outsider, Filing).exists()
    # An author keeps seeing what they wrote, even from outside its region.
    proposal = Proposal.objects.get(code=county_objects["filings:proposal"][0]["code"])
    Proposal.objects.filter(pk=proposal.pk).update(created_by=cast.outsider)
    assert list(access.scoped_proposals(cast.outsider)) == [proposal]
    assert not access.scoped_filings(cast.outsider).exists()
