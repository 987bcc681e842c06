"""The shared rate counter: counts per window, resets, and gives parallel hits distinct counts."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jianfu.accounts import throttle


@pytest.mark.django_db
def test_it_counts_within_a_window_and_allows_up_to_the_limit():
    results = [throttle.allow("login", "alice", limit=3, window_seconds=900) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert throttle.count("login", "alice", window_seconds=900) == 5
    assert throttle.count("login", "bob", window_seconds=900) == 0


@pytest.mark.django_db
def test_it_adds_a_cost_and_resets():
    assert throttle.hit("phone", "u1", window_seconds=86400, cost=40) == 40
    assert throttle.hit("phone", "u1", window_seconds=86400, cost=2) == 42
    throttle.reset("phone", "u1", window_seconds=86400)
    assert throttle.count("phone", "u1", window_seconds=86400) == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_hits_get_distinct_counts():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def run():
        try:
            barrier.wait(timeout=10)
            counts.append(throttle.hit("login", "carol", window_seconds=900))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == list(range(1, 9))


@pytest.mark.django_db(transaction=True)
def test_a_count_that_need_not_be_durable_counts_alike_and_leaves_the_connection_durable():
    """durable=False (the API's count): the same counts, parallel hits still distinct, and the relaxed commit
    ends with the statement's own transaction, so later writes on the connection wait for their flush again."""
    counts = [throttle.hit("api", "t1", window_seconds=60, durable=False) for _ in range(3)]
    assert counts == [1, 2, 3] and throttle.count("api", "t1", window_seconds=60) == 3
    assert not throttle.allow("api", "t1", limit=3, window_seconds=60, durable=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
        barrier = threading.Barrier(6)
        parallel: list[int] = []

        def run():
            try:
                barrier.wait(timeout=10)
                parallel.append(throttle.hit("api", "t2", window_seconds=60, durable=False))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(parallel) == list(range(1, 7))


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_count_that_need_not_be_durable_relaxes_nothing():
    """Within an outer transaction the relaxed commit would cover the caller's writes too: the durable path runs."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert throttle.hit("api", "t3", window_seconds=60, durable=False) == 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "on"
    assert not any("synchronous_commit', 'off'" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        throttle.hit("api", "t3", window_seconds=60, durable=False)
    relaxed = [q for q in queries.captured_queries if "synchronous_commit', 'off'" in q["sql"]]
    assert len(relaxed) == (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db
def test_a_refund_gives_an_attempt_back_but_never_goes_below_zero():
    throttle.hit("login", "dave", window_seconds=900)
    throttle.hit("login", "dave", window_seconds=900)
    throttle.refund("login", "dave", window_seconds=900)
    assert throttle.count("login", "dave", window_seconds=900) == 1
    throttle.refund("login", "dave", window_seconds=900, cost=5)
    throttle.refund("login", "erin", window_seconds=900)
    assert throttle.count("login", "dave", window_seconds=900) == 1
    assert throttle.count("login", "erin", window_seconds=900) == 0
