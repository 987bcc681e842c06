"""The command line starts from jianfu.bootstrap: neither CLI module imports the other to set Django up, and the
exit codes are defined in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jianfu

PACKAGE = Path(jianfu.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


def test_the_filings_commands_do_not_import_the_main_command_line():
    assert "jianfu.cli" not in imported_modules(PACKAGE / "filings" / "cli.py")
    assert "jianfu.bootstrap" in imported_modules(PACKAGE / "filings" / "cli.py")


def test_exit_codes_are_defined_once():
    defined = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"^EXIT_\w+(, EXIT_\w+)* =", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert defined == ["bootstrap.py"]
