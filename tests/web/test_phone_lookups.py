"""A dry-run members import must not be an oracle for phone numbers.

The attack: 赵六 (P4) works in 拱墅区; a township officer of 上城区 sees nobody there. The masked form
136****5678 leaves 10,000 candidates; the officer lists 赵六 with each of them in a members file for a group of
their own, ticks 「仅校验」, and reads from the per-row report which row matched. Matching by name + phone now
looks only at people the uploader may see, so the right candidate answers exactly as a wrong one does; and the
lookups are counted per user per day, capped and audited.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.accounts.models import Role, User
from jianfu.audit.models import AuditEvent
from jianfu.cli import main
from jianfu.ingest.readers import file_sha256
from jianfu.ingest.values import hash_phone
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.importing import import_paths
from jianfu.registry import phone_lookups
from jianfu.registry.models import Membership, Person, Unit
from tests.builders import write_csv
from tests.cast import TOWNSHIP

pytestmark = pytest.mark.django_db

TRUE_PHONE = "13612345678"  # 赵六, P4, 拱墅区米市巷街道
CANDIDATES = [f"136{middle:04d}5678" for middle in range(10_000)]
WRONG = "13699995679"  # no candidate, nobody's phone
OWN_GROUP = "G4"  # 清波社区网格群, under the township


@pytest.fixture
def township(cast) -> User:
    user = User(username="qingbo", role=Role.OFFICE, unit=Unit.objects.get(code=TOWNSHIP))
    user.set_password("Zheng-que-mi-ma-2026")
    user.save()
    return user


@pytest.fixture
def no_limit(settings):
    settings.JIANFU_PHONE_LOOKUPS_PER_DAY = 1_000_000


def members_file(folder: Path, name: str, phones: list[str], person: str = "赵六") -> Path:
    return write_csv(folder / name, [["群编号", "姓名", "手机号"], *[[OWN_GROUP, person, p] for p in phones]])


def candidates_with(phone: str) -> list[str]:
    """The 10,000 candidates, with the true number's row holding `phone` instead."""
    return [phone if p == TRUE_PHONE else p for p in CANDIDATES]


def cli_report(path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    out = tmp_path / f"{path.stem}.json"
    code = main(["import", "--dry-run", "--quiet", "--json", str(out), *extra, str(path)])
    # The file's own name is the one thing allowed to differ.
    return code, json.loads(out.read_text(encoding="utf-8").replace(str(path), "").replace(path.name, ""))


def test_the_cli_dry_run_answers_the_true_phone_as_it_answers_a_wrong_one(township, no_limit, tmp_path, capsys):
    hit = members_file(tmp_path, "hit.csv", candidates_with(TRUE_PHONE))
    miss = members_file(tmp_path, "miss.csv", candidates_with(WRONG))
    hit_code, hit_report = cli_report(hit, tmp_path, "--user", "qingbo")
    hit_out = capsys.readouterr()
    miss_code, miss_report = cli_report(miss, tmp_path, "--user", "qingbo")
    miss_out = capsys.readouterr()
    assert hit_code == miss_code == 2
    assert hit_report == miss_report
    assert hit_out.err.replace("hit.csv", "") == miss_out.err.replace("miss.csv", "")
    errors = hit_report["files"][0]["errors"]
    assert len(errors) == 10_000 and len({e["expected"] for e in errors}) == 1
    assert {e["row"] for e in errors} == set(range(2, 10_002))  # no row stands out


def test_one_row_files_answer_alike_too(township, no_limit, tmp_path):
    _, hit = cli_report(members_file(tmp_path, "hit.csv", [TRUE_PHONE]), tmp_path, "--user", "qingbo")
    _, miss = cli_report(members_file(tmp_path, "miss.csv", [WRONG]), tmp_path, "--user", "qingbo")
    assert hit == miss and hit["files"][0]["status"] == "rejected"


def test_inside_the_region_a_phone_still_matches(township, no_limit, tmp_path):
    # 王五 (P3) works in the township itself: the officer may see him, so the match is made and reported.
    path = members_file(tmp_path, "own.csv", ["13712345678"], person="王五")
    code, report = cli_report(path, tmp_path, "--user", "qingbo")
    assert code == 0 and report["files"][0]["status"] == "dry_run"


def test_the_cli_without_a_user_imports_as_the_whole_registry(cast, tmp_path):
    # The installation's own command line (it holds the phone key) sees everyone, as before.
    path = members_file(tmp_path, "all.csv", [TRUE_PHONE])
    assert main(["import", "--quiet", str(path)]) == 0
    assert Membership.objects.filter(group__code=OWN_GROUP, person__code="P4").exists()


def test_the_cli_refuses_an_unknown_user_or_one_who_may_not_import(cast, tmp_path, capsys):
    path = members_file(tmp_path, "x.csv", [TRUE_PHONE])
    assert main(["import", "--user", "nobody", str(path)]) == 1
    assert main(["import", "--user", cast.cadre.username, str(path)]) == 1
    assert "无权导入" in capsys.readouterr().err


def browser_report(client, path: Path) -> tuple[dict, str]:
    response = client.post("/import/", {"files": [SimpleUploadedFile(path.name, path.read_bytes())], "dry_run": "on"})
    job = ImportJob.objects.get(code=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    worker.run_job(job)
    job.refresh_from_db()
    page = client.get(f"/import/{job.code}/status/").content.decode()
    report = json.loads(json.dumps(job.report, ensure_ascii=False).replace(path.name, ""))
    return report, page.replace(path.name, "").replace(str(job.code), "")


def test_the_browser_dry_run_answers_the_true_phone_as_it_answers_a_wrong_one(township, no_limit, as_user, tmp_path):
    client = as_user(township)
    hit_report, hit_page = browser_report(client, members_file(tmp_path, "hit.csv", candidates_with(TRUE_PHONE)))
    miss_report, miss_page = browser_report(client, members_file(tmp_path, "miss.csv", candidates_with(WRONG)))
    assert hit_report == miss_report and hit_report["files"][0]["error_total"] == 10_000
    assert hit_page == miss_page


def test_the_daily_limit_refuses_the_attack_and_audits_it_without_phones(township, as_user, tmp_path, settings):
    settings.JIANFU_PHONE_LOOKUPS_PER_DAY = 2000
    path = members_file(tmp_path, "attack.csv", CANDIDATES)
    report, page = browser_report(as_user(township), path)
    (entry,) = report["files"]
    assert entry["status"] == "rejected" and entry["error_total"] == 1
    assert "已达上限" in entry["errors"][0]["expected"] and "2000" in entry["errors"][0]["expected"]
    assert "已达上限" in page
    event = AuditEvent.objects.get(action="phone_lookup_refused")
    assert event.actor == township and event.changes["lookups"] == [None, 10_000]
    assert event.changes["file_sha256"][1] == file_sha256(path)
    assert "5678" not in json.dumps(event.changes)
    assert phone_lookups.used_today("qingbo") == 0


def test_lookups_add_up_over_the_day_until_the_limit(township, tmp_path, settings):
    settings.JIANFU_PHONE_LOOKUPS_PER_DAY = 5
    unit = township.unit
    first = members_file(tmp_path, "a.csv", ["13712345678"] * 3, person="王五")
    second = members_file(tmp_path, "b.csv", ["13712345678"] * 3, person="王五")
    ok = import_paths([first], dry_run=True, actor="qingbo", scope=unit, user=township)
    assert ok.files[0].errors == []  # 3 of 5
    refused = import_paths([second], dry_run=True, actor="qingbo", scope=unit, user=township)
    assert "已达上限" in refused.files[0].errors[0].expected  # 3 more would make 6
    assert phone_lookups.used_today("qingbo") == 3
    granted = AuditEvent.objects.filter(action="phone_lookup", actor=township)
    assert [e.changes["lookups"][1] for e in granted] == [3]


def test_a_real_import_over_the_limit_writes_nothing(township, tmp_path, settings):
    settings.JIANFU_PHONE_LOOKUPS_PER_DAY = 1
    path = members_file(tmp_path, "two.csv", ["13712345678", "13712345678"], person="王五")
    report = import_paths([path], actor="qingbo", scope=township.unit, user=township)
    assert not report.ok and "已达上限" in report.files[0].errors[0].expected
    assert not Membership.objects.filter(group__code=OWN_GROUP, person__code="P3").exists()


def test_a_people_dry_run_does_not_tell_whether_a_phone_matched(township, tmp_path):
    # 王五 (P3) is inside the township: a people row with his name, unit and post and a guessed phone must
    # count the same whether the guess is right or not.
    def counts(phone: str, name: str) -> tuple:
        path = write_csv(
            tmp_path / name,
            [["人员编号", "姓名", "手机号码", "所属单位", "职务"], ["P3", "王五", phone, TOWNSHIP, "干事"]],
        )
        (result,) = import_paths([path], dry_run=True, actor="qingbo", scope=township.unit, user=township).files
        return result.status, result.created, result.updated, result.unchanged, result.errors

    assert counts("13712345678", "right.csv") == counts("13700005678", "wrong.csv")


def test_a_new_phone_is_still_stored(township, tmp_path):
    path = write_csv(
        tmp_path / "new.csv",
        [["人员编号", "姓名", "手机号码", "所属单位", "职务"], ["P3", "王五", "13700005678", TOWNSHIP, "干事"]],
    )
    import_paths([path], actor="qingbo", scope=township.unit, user=township)
    assert Person.objects.get(code="P3").phone_hash == hash_phone("13700005678", django_settings.PHONE_HASH_KEY)
