"""Django set-up for the command line, and the exit codes every `jianfu` command shares (spec/formats.md).

Both jianfu.cli and jianfu.filings.cli start here, so neither imports the other to get going.
"""

from __future__ import annotations

import os

EXIT_OK = 0  # done: every row imported, every proposal passed, the command did what it says
EXIT_FAILED = 1  # nothing done: a missing or unreadable file, a bad setting, a refused operation
EXIT_REJECTED = 2  # done, but some input was refused: rows rejected by an import, rules broken by a proposal
EXIT_RULES = EXIT_REJECTED  # the name `jianfu precheck` documents


def setup_django(migrate: bool = True) -> None:
    """Configure Django from the environment and apply pending migrations (a fresh JIANFU_HOME just works)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from None  # every bad variable in one message, exit 1, no traceback
    if migrate:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", verbosity=0, interactive=False)
