"""Real concurrent transactions for the race tests: threads with their own connections, on PostgreSQL only
(SQLite serialises writers, so it cannot show a race)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")


def at_once(*calls) -> list:
    """Run the calls in threads released together; each gets its own database connection. Returns each call's
    result, or the exception it raised, in the order of the calls."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def wait_until_another_transaction_waits_for_mine(timeout: float = 10) -> None:
    """Return once some other transaction waits on a lock this one holds (PostgreSQL's pg_locks, live)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
                " AND transactionid = pg_current_xact_id()::text::xid"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the other racer never waited for the row lock")


def hold_the_first_lock(monkeypatch, module, name: str) -> None:
    """A test-only barrier: ``module.name`` locks a row; the first racing thread to lock keeps its lock until the
    other racer is queued behind it, so the two really overlap (no pause in the actions themselves). Calls the
    test makes from its own thread beforehand pass straight on."""
    lock = getattr(module, name)
    first = threading.Lock()

    def lock_and_wait(*args, **kwargs):
        locked = lock(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread() and first.acquire(blocking=False):
            wait_until_another_transaction_waits_for_mine()
        return locked

    monkeypatch.setattr(module, name, lock_and_wait)
