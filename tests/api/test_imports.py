"""POST /api/v1/imports/ and GET /api/v1/imports/<code>/: the browser's job and worker; the CLI's rows."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.accounts.models import Role, User
from jianfu.audit.models import AuditEvent
from jianfu.cli import main, registry_stats
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup
from tests.builders import write_xlsx
from tests.web.conftest import BUREAU, SIBLING

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _imports_in_this_process(settings):
    # The test's data lives in its own transaction, which the import's child process cannot see; imports in a
    # child process are tested in tests/web/test_import_isolation.py.
    settings.JIANFU_IMPORT_SUBPROCESS = False


APPS = [
    ["编号", "名称", "类别", "主管单位", "上线日期", "注册用户数", "月活跃用户数", "功能"],
    ["A9", "上城新应用", "APP", BUREAU, "2024/5/1", 100, 10, "信息报送"],
]
BAD_APPS = [
    ["编号", "名称", "类别", "主管单位", "上线日期", "注册用户数"],
    ["A8", "坏应用", "APP", BUREAU, "不是日期", "很多"],
]


def uploads(*paths: Path, **fields) -> dict:
    return {"files": [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths], **fields}


def submit(client, *paths, **fields):
    return client.post("/api/v1/imports/", uploads(*paths, **fields))


def test_an_upload_becomes_a_job_the_worker_runs(cast, api, tmp_path):
    client = api(cast.county)
    response = submit(client, write_xlsx(tmp_path / "应用.xlsx", APPS) or tmp_path / "应用.xlsx")
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "queued" and job["file_names"] == ["应用.xlsx"] and job["ok"] is None
    assert worker.run_pending() == 1
    done = client.get(f"/api/v1/imports/{job['code']}/").json()
    assert done["status"] == "done" and done["ok"] is True and done["files"][0]["created"] == 1
    assert App.objects.get(code="A9").owner.code == BUREAU
    queued = AuditEvent.objects.get(action="import.queue", object_code=job["code"])
    assert queued.changes["api_token"][1] == cast.county.api_tokens.get().id


def test_rejections_are_listed_cell_by_cell_and_nothing_is_written(cast, api, tmp_path):
    client = api(cast.county)
    path = tmp_path / "应用.xlsx"
    write_xlsx(path, BAD_APPS)
    job = submit(client, path).json()
    worker.run_pending()
    done = client.get(f"/api/v1/imports/{job['code']}/").json()
    assert done["ok"] is False and not App.objects.filter(code="A8").exists()
    errors = done["files"][0]["errors"]
    assert {e["column"] for e in errors} >= {"上线日期", "注册用户数"}
    assert all(e["file"] == "应用.xlsx" and e["row"] == 2 and e["expected"] for e in errors)


def test_a_dry_run_writes_nothing(cast, api, tmp_path):
    path = tmp_path / "应用.xlsx"
    write_xlsx(path, APPS)
    job = submit(api(cast.county), path, dry_run="true").json()
    assert job["dry_run"] is True
    worker.run_pending()
    assert not App.objects.filter(code="A9").exists()


def test_the_import_is_confined_to_the_region(cast, api, tmp_path):
    rows = [APPS[0], ["A7", "拱墅新应用", "APP", SIBLING, "2024/5/1", 1, 1, ""]]
    path = tmp_path / "应用.xlsx"
    write_xlsx(path, rows)
    job = submit(api(cast.county), path).json()
    worker.run_pending()
    assert not App.objects.filter(code="A7").exists()
    assert api(cast.county).get(f"/api/v1/imports/{job['code']}/").json()["ok"] is False


def test_a_job_is_404_outside_its_region_and_401_without_a_token(cast, api, tmp_path):
    path = tmp_path / "应用.xlsx"
    write_xlsx(path, APPS)
    code = submit(api(cast.county), path).json()["code"]
    assert api(cast.outsider).get(f"/api/v1/imports/{code}/").status_code == 404
    assert api(None).get(f"/api/v1/imports/{code}/").status_code == 401
    assert api(cast.county).get("/api/v1/imports/not-a-uuid/").status_code == 404
    assert submit(api(None), path).status_code == 401


@pytest.mark.parametrize("role", ["cadre", "discipline"])
def test_a_role_that_may_not_import_is_403(role, cast, api, tmp_path):
    path = tmp_path / "应用.xlsx"
    write_xlsx(path, APPS)
    response = submit(api(getattr(cast, role)), path)
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_missing_or_wrong_files_are_400(cast, api):
    client = api(cast.county)
    assert client.post("/api/v1/imports/", {"dry_run": "true"}).status_code == 400
    response = client.post("/api/v1/imports/", {"files": [SimpleUploadedFile("a.exe", b"MZ")]})
    assert response.status_code == 400 and "a.exe" in str(response.json()["error"]["fields"])
    assert client.post("/api/v1/imports/", uploads(dry_run="perhaps")).status_code == 400
    assert not ImportJob.objects.exists()


def _registry_rows() -> dict:
    """Every registry row by its codes and values (no ids, timestamps or batches), to compare two imports."""
    return {
        "units": sorted(
            Unit.objects.values_list("code", "name", "parent__code", "level", "unit_type", "is_region", "path")
        ),
        "people": sorted(
            Person.objects.values_list("code", "name", "unit__code", "post", "phone_hash", "phone_masked")
        ),
        "apps": sorted(
            map(
                repr,
                App.objects.values_list(
                    "code",
                    "name",
                    "category",
                    "owner__code",
                    "launch_date",
                    "registered_users",
                    "functions",
                    "forced_features",
                ),
            )
        ),
        "accounts": sorted(
            map(repr, PublicAccount.objects.values_list("code", "platform", "owner__code", "followers"))
        ),
        "groups": sorted(
            map(
                repr,
                WorkGroup.objects.values_list(
                    "code",
                    "name",
                    "owner__code",
                    "owner_person__code",
                    "nature",
                    "task_end_date",
                    "demands",
                    "member_count",
                ),
            )
        ),
        "members": sorted(Membership.objects.values_list("group__code", "person__code")),
        "forms": sorted(map(repr, Form.objects.values_list("code", "title", "issuer__code", "frequency"))),
        "fields": sorted(FormField.objects.values_list("form__code", "position", "name", "unit")),
    }


def _empty_registry() -> None:
    for model in (Membership, FormField, Form, WorkGroup, PublicAccount, App, Person):
        model.objects.all().delete()
    for unit in sorted(Unit.objects.all(), key=lambda u: -len(u.path)):
        unit.delete()


def test_import_over_http_writes_exactly_what_the_cli_writes(db, api, county_folder):
    admin = User.objects.create(username="root", role=Role.ADMIN, is_superuser=True)
    paths = sorted(p for p in Path(county_folder).iterdir() if p.is_file())
    response = submit(api(admin), *paths)
    assert response.status_code == 201
    assert worker.run_pending() == 1
    assert api(admin).get(f"/api/v1/imports/{response.json()['code']}/").json()["ok"] is True
    over_http = (registry_stats(), _registry_rows())
    _empty_registry()
    assert main(["import", "--quiet", *map(str, paths)]) == 0
    by_cli = (registry_stats(), _registry_rows())
    assert over_http == by_cli and over_http[0]["groups"] > 0
