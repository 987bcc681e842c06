"""How long does the daily escalation job take for many overdue cases, and how many queries per case?

Builds the test cast (tests/cast.py) in a throwaway JIANFU_HOME (SQLite unless DATABASE_URL is set), opens one
case through `cases.actions.do_open_case` and copies it into N unanswered cases past their deadline (the copies
are setup, written in bulk), then times `cases.actions.do_escalate_overdue` on the day after the deadline and
counts its SQL statements.

    .venv/bin/python benchmarks/bench_escalate.py [--cases 1000] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="jianfu-bench-escalate-"))
    os.environ["JIANFU_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # sent, kept in memory, not printed
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from jianfu.audit.models import AuditEvent
    from jianfu.cases import actions
    from jianfu.cases.models import Case, CaseEvent
    from jianfu.findings.running import run_and_store
    from jianfu.inbox.models import Message
    from jianfu.registry.models import Unit
    from tests import cast as cast_files

    call_command("migrate", verbosity=0)
    folder = home / "cast"
    folder.mkdir()
    cast = cast_files.build_cast(cast_files.write_cast_files(folder))
    for user in (cast.department, cast.county, cast.discipline, cast.province):
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    run_and_store(as_of=dt.date(2026, 11, 26), actor="bench")
    from tests.cases.conftest import own_finding

    today = timezone.localdate()
    first = actions.do_open_case(
        own_finding(), Unit.objects.get(code=cast_files.BUREAU), "取消打卡签到功能", today, acting_user=cast.county
    )
    template = {f.attname: getattr(first, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"}
    Case.objects.bulk_create(
        # Copies name no finding: one finding has at most one open case.
        [Case(**{**template, "number": f"BENCH{n:06d}", "finding_id": None}) for n in range(1, args.cases)],
        batch_size=500,
    )
    audit_before, messages_before = AuditEvent.objects.count(), Message.objects.count()
    events_before = CaseEvent.objects.count()

    as_of = today + dt.timedelta(days=1)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        changed = actions.do_escalate_overdue(as_of, acting_user=None)
        seconds = time.perf_counter() - started
    again = actions.do_escalate_overdue(as_of, acting_user=None)
    result = {
        "engine": connection.vendor,
        "cases": args.cases,
        "escalated": len(changed),
        "seconds": round(seconds, 2),
        "ms_per_case": round(1000 * seconds / max(1, len(changed)), 2),
        "queries": len(statements),
        "queries_per_case": round(len(statements) / max(1, len(changed)), 2),
        "audit_rows": AuditEvent.objects.count() - audit_before,
        "case_events": CaseEvent.objects.count() - events_before,
        "messages": Message.objects.count() - messages_before,
        "emails": len(__import__("django.core.mail", fromlist=["outbox"]).outbox),
        "second_run_changes": len(again),
        "audit_chain_intact": not __import__("jianfu.audit.log", fromlist=["verify_chain"]).verify_chain(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
