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
