"""Views write nothing themselves: every change and its side effects (audit row, notices) go through a do_*
action or an app's api function, so the command line and the web share one checked, audited path."""

from __future__ import annotations

import ast
from pathlib import Path

import jianfu

WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_WRITES = {"create", "update"}  # also names of dict/set methods: counted only on a query
# Exceptions, each with its reason; none today (the upload view queues through jobs.queue.enqueue_import).
KNOWN: set[tuple[str, str]] = set()


def writes_in(path: Path) -> list[tuple[str, int]]:
    """(method, line) of each model write the module makes."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, ast.get_source_segment(source, node.func.value) or ""
        on_query = ".objects" in receiver or "filter(" in receiver or "exclude(" in receiver
        if method in WRITE_METHODS or (method in QUERYSET_WRITES and on_query):
            found.append((method, node.lineno))
    return found


def test_no_view_writes_to_the_database_itself():
    package = Path(jianfu.__file__).parent
    offenders = []
    for path in sorted(package.glob("*/views.py")):
        name = path.relative_to(package).as_posix()
        offenders += [f"{name}:{line} .{method}()" for method, line in writes_in(path) if (name, method) not in KNOWN]
    assert not offenders


def test_the_check_sees_a_write(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "def v(request, m):\n    m.read_at = 1\n    m.save(update_fields=['read_at'])\n"
        "    Message.objects.filter(x=1).update(read_at=2)\n    {}.update(a=1)\n",
        encoding="utf-8",
    )
    assert writes_in(view) == [("save", 3), ("update", 4)]
