"""What Jianfu writes under JIANFU_HOME is its owner's alone: folders 0700, files 0600, from creation on."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import jianfu.settings
from tests.settings_probe import settings_from_env

JIANFU = str(Path(sys.executable).with_name("jianfu"))
SRC = str(Path(jianfu.settings.__file__).parents[1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The usual login umask (022): anything not made private on purpose would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_home(tmp_path, loose_umask) -> Path:
    """A data folder set up by real commands, including exports written into it."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JIANFU_SECRET_KEY", "JIANFU_PHONE_KEY")}
    env.update(PYTHONPATH=SRC, JIANFU_HOME=str(home))
    for args in (
        ["stats", "--json"],
        ["analyze", "--json", str(home / "findings.json"), "--xlsx", str(home / "findings.xlsx"), "--quiet"],
    ):
        result = subprocess.run([JIANFU, *args], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    return home


def test_the_data_folder_and_everything_in_it_are_private(fresh_home):
    assert mode(fresh_home) == 0o700
    for name in ("secret_key", "phone_key", "jianfu.sqlite3", "findings.json", "findings.xlsx"):
        assert mode(fresh_home / name) == 0o600, name
    for path in fresh_home.rglob("*"):
        assert mode(path) & 0o077 == 0, f"{path} is open to others ({oct(mode(path))})"


def test_sqlite_write_ahead_files_take_the_database_mode(fresh_home):
    database = fresh_home / "jianfu.sqlite3"
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE probe (x)")
        connection.execute("INSERT INTO probe VALUES (1)")
        connection.commit()
        assert mode(Path(f"{database}-wal")) == 0o600
        assert mode(Path(f"{database}-shm")) == 0o600
    finally:
        connection.close()


def test_secrets_are_private_at_creation_not_chmod_ed_afterwards(tmp_path, monkeypatch):
    """With no umask at all and chmod doing nothing, a secret written then chmod-ed would be 0666."""
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    previous = os.umask(0)
    try:
        names = settings_from_env(tmp_path / "home")
    finally:
        os.umask(previous)
    home = tmp_path / "home"
    assert mode(home / "secret_key") == 0o600 and mode(home / "phone_key") == 0o600
    assert mode(home / "jianfu.sqlite3") == 0o600
    assert names["SECRET_KEY"] == (home / "secret_key").read_text().strip()


def test_a_secret_written_by_another_process_is_read_not_replaced(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "secret_key").write_text("kept-from-the-first-start\n")
    names = settings_from_env(home)
    assert names["SECRET_KEY"] == "kept-from-the-first-start"


def test_an_empty_secret_file_is_refused_by_name(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "phone_key").write_text("")
    with pytest.raises(ImproperlyConfigured, match="JIANFU_PHONE_KEY"):
        settings_from_env(home)


def test_serve_warns_about_a_data_folder_others_can_read(tmp_path, capsys):
    from jianfu.cli import warn_if_home_is_open

    tmp_path.chmod(0o755)
    assert warn_if_home_is_open(tmp_path)
    assert f"chmod 700 {tmp_path}" in capsys.readouterr().err
    tmp_path.chmod(0o700)
    assert not warn_if_home_is_open(tmp_path)
    assert capsys.readouterr().err == ""
