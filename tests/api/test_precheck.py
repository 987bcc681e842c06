"""POST /api/v1/precheck/: the same JSON as `jianfu precheck --json`, nothing written, roles and bad files."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.cli import main
from tests.builders import write_csv, write_xlsx
from tests.web.conftest import BUREAU, SIBLING

pytestmark = pytest.mark.django_db

GROUPS = [
    ["编号", "群名称", "平台", "主管单位", "性质", "任务结束日期", "用途", "要求"],
    ["NEW-G1", "防汛工作群2", "微信", BUREAU, "临时", "2099-10-01", "防汛", "打卡接龙"],
    ["NEW-G2", "上城区平安巡防群", "钉钉", BUREAU, "常设", None, "平安巡防", ""],
]
MEMBERS = [["群编号", "人员编号"], ["NEW-G1", "P1"], ["NEW-G1", "P2"], ["NEW-G2", "P3"]]
APPS = [
    ["编号", "名称", "类别", "主管单位", "功能", "强制功能", "描述"],
    [
        "NEW-A1",
        "上城区养老服务补贴申领系统",
        "APP",
        BUREAU,
        "补贴申领；资格审核",
        "积分排名",
        "老年人在线申领养老服务补贴",
    ],
]


def counts() -> dict[str, int]:
    # The rate counters are the request's own bookkeeping, not data; every other table must stay as it was.
    bookkeeping = {"accounts.RateCounter", "accounts.RateHit"}
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.label not in bookkeeping}


@pytest.fixture
def proposal_files(tmp_path) -> list[Path]:
    return [
        write_xlsx(tmp_path / "工作群.xlsx", GROUPS) or tmp_path / "工作群.xlsx",
        write_csv(tmp_path / "群成员.csv", MEMBERS) or tmp_path / "群成员.csv",
        write_xlsx(tmp_path / "应用.xlsx", APPS) or tmp_path / "应用.xlsx",
    ]


def uploads(paths: list[Path]) -> dict:
    return {"files": [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]}


def without_clock(document: dict) -> dict:
    for proposal in document["proposals"]:
        proposal.pop("checked_at", None)
    return document


def test_the_answer_is_the_cli_json_and_nothing_is_written(cast, api, proposal_files, tmp_path):
    out = tmp_path / "cli.json"
    assert main(["precheck", "--quiet", *map(str, proposal_files), "--json", str(out)]) == 2
    cli = without_clock(json.loads(out.read_text(encoding="utf-8")))
    client = api(cast.county)
    before = counts()
    response = client.post("/api/v1/precheck/", uploads(proposal_files))
    assert response.status_code == 200, response.content
    assert counts() == before
    assert without_clock(response.json()) == json.loads(json.dumps(cli))
    assert {p["code"] for p in response.json()["proposals"]} == {"NEW-G1", "NEW-G2", "NEW-A1"}


def test_a_department_may_precheck(cast, api, proposal_files):
    assert api(cast.department).post("/api/v1/precheck/", uploads(proposal_files)).status_code == 200


@pytest.mark.parametrize("role", ["cadre", "discipline"])
def test_a_role_that_may_not_is_403(role, cast, api, proposal_files):
    response = api(getattr(cast, role)).post("/api/v1/precheck/", uploads(proposal_files))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_no_token_is_401(cast, api, proposal_files):
    assert api(None).post("/api/v1/precheck/", uploads(proposal_files)).status_code == 401


def test_a_proposal_for_a_unit_outside_the_region_is_refused(cast, api, proposal_files):
    response = api(cast.outsider).post("/api/v1/precheck/", uploads(proposal_files))
    assert response.status_code == 400
    assert any(BUREAU in message for message in response.json()["error"]["fields"]["files"])
    foreign = [
        ["编号", "名称", "类别", "主管单位", "功能", "强制功能", "描述"],
        ["X1", "拱墅新应用", "APP", SIBLING, "", "", ""],
    ]
    write_xlsx(proposal_files[2], foreign)
    assert api(cast.county).post("/api/v1/precheck/", uploads([proposal_files[2]])).status_code == 400
    assert api(cast.outsider).post("/api/v1/precheck/", uploads([proposal_files[2]])).status_code == 200


def test_missing_files_and_wrong_types_are_400(cast, api):
    client = api(cast.county)
    missing = client.post("/api/v1/precheck/", {})
    assert missing.status_code == 400 and "files" in missing.json()["error"]["fields"]
    wrong = client.post("/api/v1/precheck/", {"files": [SimpleUploadedFile("notes.pdf", b"%PDF-1.4")]})
    assert wrong.status_code == 400 and "notes.pdf" in str(wrong.json()["error"]["fields"]["files"])
    unreadable = client.post("/api/v1/precheck/", {"files": [SimpleUploadedFile("notes.csv", b"hello")]})
    assert unreadable.status_code == 400 and "notes.csv" in str(unreadable.json()["error"]["fields"]["files"])
    people = client.post("/api/v1/precheck/", {"files": [SimpleUploadedFile("x.xlsx", b"PK-not-a-zip")]})
    assert people.status_code == 400
    as_json = client.post_json("/api/v1/precheck/", {"files": []})
    assert as_json.status_code == 400


def test_an_upload_over_the_limit_is_413_before_it_is_read(cast, api, settings, proposal_files):
    settings.JIANFU_MAX_UPLOAD_MB = 0
    response = api(cast.county).post("/api/v1/precheck/", uploads(proposal_files))
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_a_long_file_name_or_two_files_of_one_name_still_work(cast, api, proposal_files):
    long_name = "防汛工作群申报表" * 20 + ".xlsx"  # 480 bytes in UTF-8: more than a file system takes
    files = {
        "files": [
            SimpleUploadedFile(long_name, proposal_files[0].read_bytes()),
            SimpleUploadedFile("工作群.xlsx", proposal_files[0].read_bytes()),
        ]
    }
    response = api(cast.county).post("/api/v1/precheck/", files)
    assert response.status_code == 200, response.content
    assert len(response.json()["proposals"]) == 4
