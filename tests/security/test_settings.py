"""Every environment variable: empty means the default, a bad value is one clear line naming it, all at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import jianfu.settings
from tests.settings_probe import settings_from_env

JIANFU = str(Path(sys.executable).with_name("jianfu"))
SRC = str(Path(jianfu.settings.__file__).parents[1])

# variable → (setting it drives, its default)
DEFAULTS = {
    "JIANFU_DEBUG": ("DEBUG", False),
    "JIANFU_SESSION_SECONDS": ("SESSION_COOKIE_AGE", 8 * 3600),
    "JIANFU_MAX_UPLOAD_MB": ("JIANFU_MAX_UPLOAD_MB", 200),
    "JIANFU_EMAIL_PORT": ("EMAIL_PORT", 25),
    "JIANFU_EMAIL_HOST": ("EMAIL_HOST", "localhost"),
    "JIANFU_EMAIL_TLS": ("EMAIL_USE_TLS", False),
    "JIANFU_EMAIL_FROM": ("DEFAULT_FROM_EMAIL", "jianfu@localhost"),
    "JIANFU_EMAIL_BACKEND": ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    "JIANFU_TIME_ZONE": ("TIME_ZONE", "Asia/Shanghai"),
    "JIANFU_WEB_WORKERS": ("JIANFU_WEB_WORKERS", 1),
    "JIANFU_IMPORT_WORKER": ("JIANFU_IMPORT_WORKER", True),
    "JIANFU_HONOUR_BROWSER_LANGUAGE": ("JIANFU_HONOUR_BROWSER_LANGUAGE", False),
    "JIANFU_TRUSTED_PROXIES": ("JIANFU_TRUSTED_PROXIES", []),
    "JIANFU_HTTPS": ("JIANFU_HTTPS", False),
    "JIANFU_HSTS_SECONDS": ("SECURE_HSTS_SECONDS", 0),
    "JIANFU_ALLOWED_HOSTS": ("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
    "JIANFU_CSRF_TRUSTED_ORIGINS": ("CSRF_TRUSTED_ORIGINS", []),
    "JIANFU_BASE_URL": ("JIANFU_BASE_URL", ""),
    "JIANFU_FILING_SINCE": ("JIANFU_FILING_SINCE", None),
    "JIANFU_DB_PREPARED_STATEMENTS": ("JIANFU_DB_PREPARED_STATEMENTS", False),
}
# variable → a bad value and words its message must contain
BAD = {
    "DATABASE_URL": ("mysql://root:hunter2@db/jianfu", "postgres://"),
    "JIANFU_DEBUG": ("maybe", "true"),
    "JIANFU_SESSION_SECONDS": ("8h", "整数"),
    "JIANFU_MAX_UPLOAD_MB": ("0", "1 到 10240"),
    "JIANFU_EMAIL_PORT": ("smtp", "1 到 65535"),
    "JIANFU_EMAIL_TLS": ("tls", "false"),
    "JIANFU_EMAIL_BACKEND": ("django.core.mail.backends.smpt.EmailBackend", "smtp.EmailBackend"),
    "JIANFU_LOG_LEVEL": ("LOUD", "WARNING"),
    "JIANFU_TIME_ZONE": ("Mars/Base", "Asia/Shanghai"),
    "JIANFU_WEB_WORKERS": ("many", "1 到 64"),
    "JIANFU_IMPORT_WORKER": ("2", "false"),
    "JIANFU_HONOUR_BROWSER_LANGUAGE": ("si", "true"),
    "JIANFU_TRUSTED_PROXIES": ("nginx", "CIDR"),
    "JIANFU_HTTPS": ("https", "true"),
    "JIANFU_HSTS_SECONDS": ("-1", "整数"),
    "JIANFU_CSRF_TRUSTED_ORIGINS": ("jianfu.example.gov.cn", "https://"),
    "JIANFU_BASE_URL": ("jianfu.example.gov.cn", "https://"),
    "JIANFU_FILING_SINCE": ("2025/01/01", "YYYY-MM-DD"),
    "JIANFU_DB_PREPARED_STATEMENTS": ("prepared", "true"),
}
ALL_VARIABLES = sorted(
    set(DEFAULTS)
    | set(BAD)
    | {"JIANFU_HOME", "JIANFU_SECRET_KEY", "JIANFU_PHONE_KEY", "JIANFU_EMAIL_USER", "JIANFU_EMAIL_PASSWORD"}
)


def run_cli(home: Path | str, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ALL_VARIABLES}
    clean.update(PYTHONPATH=SRC, JIANFU_HOME=str(home), **env)
    return subprocess.run([JIANFU, *args], env=clean, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_an_empty_variable_means_the_default(tmp_path, name):
    setting, default = DEFAULTS[name]
    assert settings_from_env(tmp_path, **{name: "  "})[setting] == default


def test_empty_secret_keys_mean_the_generated_files(tmp_path):
    names = settings_from_env(tmp_path, JIANFU_SECRET_KEY="", JIANFU_PHONE_KEY=" ")
    assert names["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert names["PHONE_HASH_KEY"] == (tmp_path / "phone_key").read_text().strip()
    assert len(names["SECRET_KEY"]) >= 64 and names["SECRET_KEY"] != names["PHONE_HASH_KEY"]


def test_empty_log_level_and_database_mean_warning_and_sqlite_in_home(tmp_path):
    names = settings_from_env(tmp_path, JIANFU_LOG_LEVEL="", DATABASE_URL=" ")
    assert names["LOGGING"]["loggers"]["jianfu"]["level"] == "WARNING"
    assert names["DATABASES"]["default"]["NAME"] == str(tmp_path / "jianfu.sqlite3")


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_value_is_one_line_naming_the_variable(tmp_path, name):
    value, expected = BAD[name]
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_from_env(tmp_path, **{name: value})
    lines = str(caught.value).splitlines()
    assert len(lines) == 2, lines  # the heading, then one line for the one bad variable
    assert lines[1].strip().startswith(f"{name}=") and expected in lines[1]


def test_every_bad_variable_is_listed_at_once(tmp_path):
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_from_env(tmp_path, **{name: value for name, (value, _) in BAD.items()})
    lines = str(caught.value).splitlines()[1:]
    assert sorted(line.strip().split("=", 1)[0] for line in lines) == sorted(BAD)


def test_a_database_password_never_appears_in_the_message(tmp_path):
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_from_env(tmp_path, DATABASE_URL="mysql://root:hunter2@db/jianfu")
    assert "hunter2" not in str(caught.value)


def test_postgresql_binds_on_the_server_and_prepares_only_when_asked(tmp_path):
    url = "postgres://jianfu@127.0.0.1:5432/jianfu"
    plain = settings_from_env(tmp_path, DATABASE_URL=url)["DATABASES"]["default"]
    assert not {"server_side_binding", "prepare_threshold", "options"} & set(plain.get("OPTIONS", {}))
    options = settings_from_env(tmp_path, DATABASE_URL=url, JIANFU_DB_PREPARED_STATEMENTS="1")["DATABASES"]["default"][
        "OPTIONS"
    ]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    assert options["options"] == "-c plan_cache_mode=force_custom_plan"
    sqlite = settings_from_env(tmp_path, JIANFU_DB_PREPARED_STATEMENTS="1")["DATABASES"]["default"]["OPTIONS"]
    assert "server_side_binding" not in sqlite


@pytest.mark.parametrize("value", ["1", "TRUE", "yes", "On"])
def test_true_words(tmp_path, value):
    assert settings_from_env(tmp_path, JIANFU_DEBUG=value)["DEBUG"] is True


@pytest.mark.parametrize("value", ["0", "False", "no", "OFF"])
def test_false_words(tmp_path, value):
    assert settings_from_env(tmp_path, JIANFU_DEBUG=value)["DEBUG"] is False


def test_valid_time_zone_log_level_and_mail_backend_are_taken(tmp_path):
    names = settings_from_env(
        tmp_path,
        JIANFU_TIME_ZONE="Asia/Urumqi",
        JIANFU_LOG_LEVEL="info",
        JIANFU_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert names["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert names["TIME_ZONE"] == "Asia/Urumqi"
    assert names["LOGGING"]["loggers"]["jianfu"]["level"] == "INFO"


def test_https_turns_on_secure_cookies_hsts_and_the_proxy_header(tmp_path):
    names = settings_from_env(tmp_path, JIANFU_HTTPS="1")
    assert names["SESSION_COOKIE_SECURE"] and names["CSRF_COOKIE_SECURE"]
    assert names["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert names["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert names["SECURE_SSL_REDIRECT"] is False  # nginx redirects
    plain = settings_from_env(tmp_path)
    assert not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_PROXY_SSL_HEADER"] is None


def test_lists_drop_blanks(tmp_path):
    names = settings_from_env(
        tmp_path,
        JIANFU_ALLOWED_HOSTS=" jianfu.example.gov.cn , ,10.0.0.5 ",
        JIANFU_CSRF_TRUSTED_ORIGINS="https://jianfu.example.gov.cn,https://jianfu.example.gov.cn:8443",
    )
    assert names["ALLOWED_HOSTS"] == ["jianfu.example.gov.cn", "10.0.0.5"]
    assert names["CSRF_TRUSTED_ORIGINS"] == ["https://jianfu.example.gov.cn", "https://jianfu.example.gov.cn:8443"]


def test_home_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("")
    with pytest.raises(ImproperlyConfigured, match="JIANFU_HOME"):
        settings_from_env(tmp_path / "taken")


# The same through the real command line, as an operator meets it.


def test_cli_with_every_variable_empty_runs_on_the_defaults(tmp_path):
    empties = {name: "" for name in ALL_VARIABLES if name != "JIANFU_HOME"}
    result = run_cli(tmp_path / "home", "stats", "--json", **empties)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["units"] == 0
    assert (tmp_path / "home" / "jianfu.sqlite3").exists()


def test_cli_empty_home_means_dot_jianfu_in_the_current_folder(tmp_path):
    result = run_cli("", "stats", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".jianfu" / "jianfu.sqlite3").exists()
    assert not (tmp_path / "jianfu.sqlite3").exists()


@pytest.mark.parametrize("name", sorted(BAD))
def test_cli_refuses_a_bad_value_without_a_traceback(tmp_path, name):
    value, expected = BAD[name]
    result = run_cli(tmp_path / "home", "stats", "--json", **{name: value})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert f"{name}=" in result.stderr and expected in result.stderr


def test_cli_lists_all_bad_variables_in_one_run(tmp_path):
    result = run_cli(
        tmp_path / "home",
        "stats",
        "--json",
        JIANFU_WEB_WORKERS="x",
        JIANFU_TIME_ZONE="Mars/Base",
        JIANFU_SESSION_SECONDS="",
    )
    assert result.returncode == 1
    assert "JIANFU_WEB_WORKERS=" in result.stderr and "JIANFU_TIME_ZONE=" in result.stderr
    assert "JIANFU_SESSION_SECONDS" not in result.stderr


def test_wsgi_refuses_a_bad_value_with_improperly_configured(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ALL_VARIABLES}
    env.update(
        PYTHONPATH=SRC,
        JIANFU_HOME=str(tmp_path),
        JIANFU_TIME_ZONE="Mars/Base",
        DJANGO_SETTINGS_MODULE="jianfu.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import jianfu.wsgi"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr and "JIANFU_TIME_ZONE=" in result.stderr


def deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; no deployment has it.
    clean = {k: v for k, v in os.environ.items() if k not in ALL_VARIABLES and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean.update(PYTHONPATH=SRC, JIANFU_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="jianfu.settings", **env)
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_djangos_deployment_check(tmp_path):
    result = deploy_check(tmp_path, JIANFU_HTTPS="1", JIANFU_ALLOWED_HOSTS="jianfu.example.gov.cn")
    assert result.returncode == 0, result.stderr


def test_without_https_the_deployment_check_names_what_is_missing(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 1
    for check in ("security.W004", "security.W012", "security.W016"):  # HSTS, session and CSRF cookies not Secure
        assert check in result.stderr


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_value_carries_the_english_detail_for_the_operator(tmp_path, name):
    import re

    value, expected = BAD[name]
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_from_env(tmp_path, **{name: value})
    heading, line = str(caught.value).splitlines()
    assert "Bad configuration" in heading
    chinese, english = line.strip().split(" | ")
    assert chinese.startswith(f"{name}=") and expected in chinese  # what users read stays as it was
    assert english.startswith(f"{name}=") and ": expected " in english
    assert not re.search(r"[\u4e00-\u9fff]", english), english


def test_the_english_detail_names_the_range_and_the_default(tmp_path):
    with pytest.raises(ImproperlyConfigured) as caught:
        settings_from_env(tmp_path, JIANFU_WEB_WORKERS="many")
    assert "JIANFU_WEB_WORKERS='many': expected an integer from 1 to 64 (unset or empty means 1)" in str(caught.value)


def test_cli_prints_the_english_detail_on_stderr(tmp_path):
    result = run_cli(tmp_path / "home", "stats", "--json", JIANFU_TIME_ZONE="Mars/Base")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "JIANFU_TIME_ZONE='Mars/Base': expected an IANA time zone name such as Asia/Shanghai" in result.stderr
    assert "应为 IANA 时区名" in result.stderr
