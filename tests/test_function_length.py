"""No function in jianfu grows past LIMIT lines, so the long functions split for issue 11 stay split.

A function's length runs from its ``def`` line to its last line (docstring and nested functions included,
decorators not). The limit is the issue's own threshold: past 60 lines a function has usually become several
steps that deserve names. The exceptions are the functions left longer on purpose, each capped at its length
today so that it cannot grow either; shorten one and remove it from the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jianfu

PACKAGE = Path(jianfu.__file__).parent
LIMIT = 60
EXCEPTIONS = {
    # A plain sequence of named steps (world, units, people, carriers, forms, truth) and the summary it returns;
    # a ten-line docstring documents the summary's keys.
    "generate/__init__.py::generate": 62,
}


def function_lengths(source: str, module: str) -> dict[str, int]:
    """``module::Class.function`` → lines from the def to the last line, for every function and method."""
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths[f"{module}::{prefix}{child.name}"] = child.end_lineno - child.lineno + 1
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return lengths


def all_function_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lengths |= function_lengths(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())
    return lengths


def test_no_function_is_longer_than_the_limit():
    lengths = all_function_lengths()
    too_long = {name: n for name, n in sorted(lengths.items()) if n > EXCEPTIONS.get(name, LIMIT)}
    assert too_long == {}, f"split these into named steps (limit {LIMIT} lines, exceptions capped): {too_long}"


def test_every_exception_is_still_needed():
    lengths = all_function_lengths()
    stale = {name: lengths.get(name) for name in EXCEPTIONS if lengths.get(name, 0) <= LIMIT}
    assert stale == {}, f"these are within {LIMIT} lines now (or gone): remove them from EXCEPTIONS: {stale}"


def test_the_length_runs_from_def_to_last_line_without_decorators():
    source = '''
import functools

@functools.cache
def outer():
    """Docstring."""

    def inner():
        return 1

    return inner()


class Holder:
    async def method(self):
        pass
'''
    assert function_lengths(source, "m.py") == {"m.py::outer": 7, "m.py::outer.inner": 2, "m.py::Holder.method": 2}
