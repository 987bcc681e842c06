"""The cadre's own page /me/, and linking a login to a registry person (CLI and web)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from jianfu import cli
from jianfu.accounts.actions import UserError, do_create_user
from jianfu.accounts.models import Role, User
from jianfu.accounts import scope
from jianfu.audit.models import AuditEvent
from jianfu.findings.models import Finding
from jianfu.registry.models import Unit
from jianfu.findings.running import run_and_store
from jianfu.surveys.models import CadreLogin
from tests.cast import COMMUNITY, PASSWORD, SIBLING, SIBLING_TOWNSHIP, TOWNSHIP

pytestmark = pytest.mark.django_db


def linked(username, unit, person):
    return do_create_user(
        username, password=PASSWORD, unit_code=unit, role=Role.CADRE, acting_user=None, person_code=person
    )


def report_links(html: str) -> list[str]:
    return [
        part.split('"')[0].replace("&amp;", "&") for part in html.split('href="')[1:] if part.startswith("/clues/new/")
    ]


def test_a_linked_cadre_sees_their_carriers_hours_and_report_links(crowd, as_user):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    user = linked("zhangsan", COMMUNITY, "P1")
    response = as_user(user).get("/me/")
    html = response.content.decode()
    assert response.status_code == 200 and "张三" in html
    for name in ("防汛工作群", "森林防火群", "拱墅防汛群", "清波社区网格群", "清波通", "民政统计平台", "上城发布"):
        assert name in html
    assert "拱墅通" not in html
    links = report_links(html)
    assert len(links) == 7
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert urlsplit(link).path == "/clues/new/" and set(query) == {"region", "carrier"}
        assert "zhangsan" not in link and "P1" not in link
    assert "/clues/new/?region=330102000000&carrier=G1" in links  # 防汛工作群 of 上城区民政局, region 上城区
    # Findings about their groups: 防汛工作群 (G1) expired after its task.
    assert 'id="me-findings"' in html and "防汛工作群" in html.split('id="me-findings"')[1]
    assert 'href="/me/"' in html  # the navigation offers the page


def test_me_total_is_the_models_total(crowd, as_user, tmp_path):
    from pathlib import Path

    from jianfu import analysis
    from jianfu.findings.running import load_config
    from jianfu.findings.snapshot import export_snapshot

    export_snapshot(Path(tmp_path))
    rows = analysis.run(Path(tmp_path), as_of=dt.date(2026, 11, 26), config=load_config()).tables["per_person"]
    total = next(r["total_h"] for r in rows.to_pylist() if r["person_code"] == "P3")
    html = as_user(linked("wangwu", TOWNSHIP, "P3")).get("/me/").content.decode()
    assert f'id="me-total">{total:.1f}<' in html
    assert "低保对象月报表" in html  # P3 works at 清波街道, the township that files F1


def test_me_shows_only_ones_own_carriers(crowd, as_user):
    html = as_user(linked("zhaoliu", SIBLING_TOWNSHIP, "P4")).get("/me/").content.decode()
    assert "赵六" in html and "拱墅防汛群" in html
    assert "清波社区网格群" not in html and "张三" not in html


def test_unlinked_and_anonymous(crowd, as_user):
    assert 'id="me-unlinked"' in as_user(crowd.county).get("/me/").content.decode()
    assert 'id="me-unlinked"' in as_user(crowd.cadre).get("/me/").content.decode()
    assert 'href="/me/"' not in as_user(crowd.cadre).get("/").content.decode()
    response = as_user(None).get("/me/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_linking_checks_the_region_and_writes_nothing_on_refusal(crowd):
    with pytest.raises(UserError, match="不在账号所属单位"):
        linked("wrong", SIBLING_TOWNSHIP, "P1")
    with pytest.raises(UserError, match="找不到编号为 P99 的人员"):
        linked("nobody", TOWNSHIP, "P99")
    assert not User.objects.filter(username__in=["wrong", "nobody"]).exists()
    linked("first", COMMUNITY, "P1")
    with pytest.raises(UserError, match="已关联账号 first"):
        linked("second", COMMUNITY, "P1")
    assert CadreLogin.objects.count() == 1
    event = AuditEvent.objects.filter(object_kind="user", object_code="first").order_by("id").last()
    assert event.changes["person"] == [None, "P1"]


def test_the_command_line_links_a_person(crowd, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "lisi", "--unit", COMMUNITY, "--role", "cadre", "--person", "P2"]) == 0
    assert CadreLogin.objects.get(user__username="lisi").person.code == "P2"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "bad", "--unit", SIBLING_TOWNSHIP, "--role", "cadre", "--person", "P2"]) == 2
    assert "不在账号所属单位" in capsys.readouterr().err
    assert not User.objects.filter(username="bad").exists()


def test_the_web_user_page_links_a_person(crowd, as_user):
    client = as_user(crowd.admin)
    response = client.post(
        "/users/",
        {"username": "qianyi", "unit_code": COMMUNITY, "role": "cadre", "password": PASSWORD, "person_code": "P11"},
    )
    assert response.status_code == 302
    assert CadreLogin.objects.get(user__username="qianyi").person.code == "P11"
    assert "钱一" in client.get("/users/").content.decode()
    response = client.post(
        "/users/",
        {"username": "x2", "unit_code": SIBLING_TOWNSHIP, "role": "cadre", "password": PASSWORD, "person_code": "P11"},
    )
    assert response.status_code == 200 and "不在账号所属单位" in response.content.decode()


def _findings_part(html: str) -> str:
    return html.split('id="me-findings"')[1].split("</section>")[0]


def test_findings_outside_the_cadres_scope_show_only_the_cadres_own_carriers(crowd, as_user):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    user = linked("zhangsan", COMMUNITY, "P1")
    part = _findings_part(as_user(user).get("/me/").content.decode())
    # 清波通 (A1) belongs to 上城区民政局: its findings are not the community cadre's; the page names the cadre's
    # own app and the kind of finding, but neither a link nor the finding's county-wide hours.
    assert "清波通" in part and "僵尸应用" in part
    zombie_a1 = Finding.objects.get(is_current=True, type="zombie_app", items=["A1"])
    assert f"{zombie_a1.hours_saved_per_month:.1f}" not in part and zombie_a1.fid not in part
    # The findings of the cadre's own unit's carriers (G4, 清波社区网格群) are linked, with their hours.
    for f in scope.scoped(user, Finding).filter(is_current=True):
        assert f"/findings/{f.fid}/" in part
    assert scope.scoped(user, Finding).filter(is_current=True).exists()
    assert "拱墅通" not in part  # another district's app the cadre does not bear


def test_a_login_moved_out_of_its_persons_unit_no_longer_sees_that_person(crowd, as_user):
    user = linked("zhangsan", COMMUNITY, "P1")
    user.unit = Unit.objects.get(code=SIBLING_TOWNSHIP)
    user.save(update_fields=["unit"])
    html = as_user(user).get("/me/").content.decode()
    assert 'id="me-unlinked"' in html and "张三" not in html and "清波通" not in html


def test_a_cadre_is_linked_to_a_person_of_their_own_unit_only(crowd):
    with pytest.raises(UserError, match="不在账号所属单位"):
        linked("above", TOWNSHIP, "P1")  # P1 works at the community below the township
    assert not User.objects.filter(username="above").exists()


def test_another_regions_officer_sees_only_their_own_persons_findings(crowd, as_user):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    officer = do_create_user(
        "gongshu", password=PASSWORD, unit_code=SIBLING, role=Role.OFFICE, acting_user=None, person_code="P4"
    )
    part = _findings_part(as_user(officer).get("/me/").content.decode())
    assert "拱墅防汛群" in part  # P4's group, in the officer's region: linked, with hours
    for name in ("清波通", "防汛工作群", "森林防火群", "上城发布"):
        assert name not in part
    with pytest.raises(UserError, match="不在账号所属单位"):
        do_create_user(
            "gongshu2", password=PASSWORD, unit_code=SIBLING, role=Role.OFFICE, acting_user=None, person_code="P1"
        )
