"""`jianfu user add` and the web form share one action that checks usernames and passwords, in Chinese."""

from __future__ import annotations

import io

import pytest

from jianfu.accounts.models import User
from jianfu.audit.models import AuditEvent
from jianfu.cli import main
from jianfu.registry.models import Level, Unit

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Xin-yong-hu-mi-ma-1"


@pytest.fixture(autouse=True)
def unit(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Unit.objects.create(
        code="330102000000", name="上城区", level=Level.COUNTY, is_region=True, path="/330102000000/"
    )


def add_user(monkeypatch, capsys, name: str, password: str = GOOD_PASSWORD) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code = main(["user", "add", name, "--unit", "330102000000", "--role", "office"])
    return code, capsys.readouterr().err


def test_a_good_user_is_created_and_audited(monkeypatch, capsys):
    assert add_user(monkeypatch, capsys, "zhang.san")[0] == 0
    assert User.objects.get(username="zhang.san").check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(object_kind="user", object_code="zhang.san")
    assert event.actor_name == "cli" and event.changes["role"] == [None, "office"]


def test_chinese_usernames_are_fine(monkeypatch, capsys):
    assert add_user(monkeypatch, capsys, "张三")[0] == 0


@pytest.mark.parametrize(
    "name, expected",
    [
        ("", "用户名不能为空"),
        ("   ", "用户名不能为空"),
        ("a" * 300, "确保该变量包含不超过 150 字符"),
        ("<b>boss</b>", "请输入合法的用户名"),
        ('evil"onmouseover=alert(1)', "请输入合法的用户名"),
    ],
)
def test_bad_usernames_exit_2_with_the_reason(monkeypatch, capsys, name, expected):
    code, err = add_user(monkeypatch, capsys, name)
    assert code == 2 and expected in err
    assert not User.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "password, expected",
    [
        (" " * 10, "密码不能只由空白字符组成"),
        ("short", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("1234567890", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
    ],
)
def test_weak_passwords_exit_2_with_every_reason(monkeypatch, capsys, password, expected):
    code, err = add_user(monkeypatch, capsys, "li.si", password)
    assert code == 2 and expected in err
    assert not User.objects.exists()


def test_a_taken_username_is_refused_whatever_its_case(monkeypatch, capsys):
    assert add_user(monkeypatch, capsys, "wang")[0] == 0
    code, err = add_user(monkeypatch, capsys, "WANG")
    assert code == 2 and "用户 WANG 已存在" in err and User.objects.count() == 1


def test_an_unknown_unit_is_named(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))
    assert main(["user", "add", "zhao", "--unit", "999", "--role", "office"]) == 2
    assert "找不到编码为 999 的单位" in capsys.readouterr().err


def test_the_web_form_shows_the_same_messages(client, django_user_model):
    admin = django_user_model.objects.create(username="admin", role="admin", is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/users/", {"username": "<b>x</b>", "unit_code": "330102000000", "role": "cadre", "password": " " * 10}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "密码不能只由空白字符组成" in body
    assert "请输入合法的用户名" in body
    assert not User.objects.filter(username__contains="x").exists()


def test_messages_follow_the_language(client, django_user_model):
    admin = django_user_model.objects.create(username="admin", role="admin", is_superuser=True)
    client.force_login(admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.post(
        "/users/", {"username": "", "unit_code": "330102000000", "role": "cadre", "password": " " * 10}
    ).content.decode()
    assert "This field is required" in body
    body = client.post(
        "/users/", {"username": "ok.name", "unit_code": "330102000000", "role": "cadre", "password": " " * 10}
    ).content.decode()
    assert "A password cannot be only spaces" in body
