"""The main pages in English hold no Chinese, and in zh-Hant no Simplified-only forms, in their UI chrome.

The chrome is what the application itself writes: headings, table headers, labels, buttons, filter options,
badges, messages and the import's "expected" column. Data values (names of units, people, carriers; a file's
own words) are Chinese whatever the language and are removed before the check.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import opencc
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.filings import actions
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.inbox.api import notify
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.models import (
    App,
    Form,
    FormField,
    Person,
    PublicAccount,
    Unit,
    WorkGroup,
)
from tests.builders import write_xlsx
from tests.web.conftest import BUREAU

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]+")
TO_TAIWAN = opencc.OpenCC("s2tw")
# Elements whose own text is chrome; `class` words that mark chrome (badges, messages, the refusals' reasons).
CHROME_TAGS = {"h1", "h2", "h3", "th", "label", "button", "option", "legend", "dt", "summary", "caption"}
CHROME_CLASSES = {"tag", "messages", "expected"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ChromeText(HTMLParser):
    """Collects the text inside chrome elements (and their children), skipping scripts and styles."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.skip = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append(tag in CHROME_TAGS or bool(classes & CHROME_CLASSES))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        self.stack.pop()
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if any(self.stack) and not self.skip and data.strip():
            self.texts.append(data.strip())


def chrome_of(html: str, data_values: list[str]) -> list[str]:
    parser = ChromeText()
    parser.feed(html)
    texts = []
    for text in parser.texts:
        for value in data_values:  # longest first, so a unit's name goes before a shorter name inside it
            text = text.replace(value, "")
        texts.append(text)
    return texts


def data_values() -> list[str]:
    """Every word the data holds: names, titles, codes, free text, the uploaded file's name and cells."""
    values = set(UPLOAD_WORDS) | set(LANGUAGE_NAMES) | {INBOX_SUBJECT}
    for model, fields in (
        (Unit, ("name", "level_word")),
        (Person, ("name",)),
        (App, ("name", "description")),
        (PublicAccount, ("name",)),
        (WorkGroup, ("name", "purpose")),
        (Form, ("title",)),
        (FormField, ("name", "unit")),
    ):
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    values.add(REFUSED_APP["name"])
    for functions in App.objects.values_list("functions", flat=True):  # an app's own list of what it does
        values.update(functions or ())
    from jianfu.cases.models import Case
    from jianfu.clues.models import Clue
    from jianfu.elements.models import DataElement
    from jianfu.surveys.models import Survey

    for name, synonyms, source in DataElement.objects.values_list("name", "synonyms", "source"):
        values.update([name, source, *(synonyms or ())])
    values.update(v for v in Case.objects.values_list("demand", flat=True) if v)
    for row in Clue.objects.values_list("description", "carrier_text"):
        values.update(v for v in row if v)
    values.update(v for row in Survey.objects.values_list("title", "question") for v in row if v)
    return sorted(values, key=len, reverse=True)


LANGUAGE_NAMES = ("简体中文", "繁體中文")  # the language switcher names each language in itself
INBOX_SUBJECT = "清波社区报送提醒"  # a message's subject is its sender's text
UPLOAD_NAME = "坏应用.xlsx"
UPLOAD_WORDS = [UPLOAD_NAME, "坏应用", "主管单位", "上线日期", "名称"]  # the file's own header words are data
REFUSED_APP = {
    "name": "清波打卡通",
    "details": {"category": "app", "functions": ["打卡"], "forced_features": ["积分排名"], "description": "社区打卡"},
    "justification": "打卡",
    "expected_users": "网格员",
}


@pytest.fixture
def pages(cast, as_user, tmp_path):
    """The URLs of the main pages, with a finding, a refused proposal, a rejected import and a message to show."""
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    finding = Finding.objects.filter(owner__path__startswith=cast.county.unit.path).order_by("fid").first()
    proposal = actions.do_create_proposal(
        kind="apps", owner=cast.county.unit, values=REFUSED_APP, acting_user=cast.county
    )
    client = as_user(cast.county)
    path = write_xlsx(
        tmp_path / UPLOAD_NAME,
        [
            ["编号", "名称", "类别", "主管单位", "上线日期"],
            ["A8", "坏应用", "APP", BUREAU, "2024/13/45"],
            ["A9", "坏应用", "游戏", "999", "明天"],
        ],
    )
    client.post("/import/", {"files": [SimpleUploadedFile(UPLOAD_NAME, path.read_bytes())]})
    worker.run_pending()
    job = ImportJob.objects.get()
    notify([cast.county], INBOX_SUBJECT)
    case, clue, survey, token = supervision_pages(cast, finding, tmp_path)
    urls = [
        "/",
        "/units/?level=township",
        "/people/",
        "/apps/?feature=打卡签到",
        "/accounts/?platform=抖音",
        "/groups/?platform=钉钉&nature=standing",
        "/forms/?channel=系统",
        "/groups/G4/",
        "/apps/A1/",
        "/findings/",
        f"/findings/{finding.fid}/",
        "/filings/",
        "/filings/new/groups/",
        f"/filings/proposals/{proposal.code}/",
        f"/import/{job.code}/",
        "/import/",
        "/inbox/",
        # Supervision, clue triage, 一表通 and surveys.
        "/cases/",
        f"/cases/{case.number}/",
        "/notices/",
        f"/findings/{finding.fid}/case/",
        "/clues/",
        f"/clues/{clue.pk}/",
        "/elements/",
        "/elements/DE001/",
        "/elements/issues/",
        "/forms/F3/",
        "/surveys/",
        f"/surveys/{survey.code}/",
        "/me/",
        "/clues/new/",
        "/clues/track/",
        f"/s/{token}/",
    ]
    return client, urls, proposal


def supervision_pages(cast, finding, tmp_path):
    """A case on the finding, an anonymous clue about 清波街道, the small 一表通 catalog and a survey of 上城区."""
    from jianfu.cases.actions import do_open_case
    from jianfu.clues.actions import do_file_clue
    from jianfu.surveys.actions import do_create_survey, do_issue_links
    from tests.cast import COUNTY, TOWNSHIP
    from tests.elements.catalog import import_catalog

    case = do_open_case(
        finding, cast.county.unit, "请撤销重复的群", dt.date.today() + dt.timedelta(days=10), acting_user=cast.county
    )
    clue, _receipt = do_file_clue(category="F2", region_code=TOWNSHIP, description="每天要求截图打卡")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    import_catalog(catalog)
    survey = do_create_survey(cast.county, title="上城区减负调研", region_code=COUNTY)
    token = do_issue_links(cast.county, survey, TOWNSHIP)[0].token
    return case, clue, survey, token


def leaks(client, urls, language, bad) -> dict:
    client.cookies["django_language"] = language
    values = data_values()
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        wrong = [text for text in chrome_of(response.content.decode(), values) if bad(text)]
        if wrong:
            found[url] = sorted(set(wrong))
    return found


def test_english_pages_hold_no_chinese_in_their_chrome(pages):
    client, urls, proposal = pages
    client.cookies["django_language"] = "en"
    client.post(f"/filings/proposals/{proposal.code}/submit/")  # a refused submission leaves its message
    assert leaks(client, urls, "en", lambda text: HAN.search(text)) == {}


def test_traditional_pages_hold_no_simplified_forms_in_their_chrome(pages):
    client, urls, _ = pages
    assert leaks(client, urls, "zh-hant", lambda text: TO_TAIWAN.convert(text) != text) == {}


@pytest.mark.parametrize(
    "language,bad", [("en", lambda text: HAN.search(text)), ("zh-hant", lambda text: TO_TAIWAN.convert(text) != text)]
)
def test_the_discipline_officers_supervision_page_is_translated(pages, cast, as_user, language, bad):
    client = as_user(cast.discipline)
    assert leaks(client, ["/cases/supervision/", "/cases/"], language, bad) == {}
