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
    assert throttle.count("login", "alice", window_seconds=900) == 3  # refused attempts are not kept
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
    # On PostgreSQL a hit is one call of the function of migration 0006; it relaxes the commit when told to.
    assert not any("p_relaxed => true" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        throttle.hit("api", "t3", window_seconds=60, durable=False)
    relaxed = [q for q in queries.captured_queries if "p_relaxed => true" in q["sql"]]
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


# --- sliding windows, on a controlled clock --------------------------------------------------------------

EDGE = 1_800_000_000.0  # a multiple of 900, 60 and 86,400: where a fixed window would start afresh


def at(monkeypatch, seconds: float) -> None:
    """Set the throttle's clock to `seconds` since the epoch."""
    monkeypatch.setattr("jianfu.accounts.throttle.time.time", lambda: seconds)


@pytest.mark.django_db
def test_a_window_edge_gives_no_second_allowance(monkeypatch):
    at(monkeypatch, EDGE - 1)
    assert [throttle.allow("login", "mallory", limit=5, window_seconds=900) for _ in range(5)] == [True] * 5
    at(monkeypatch, EDGE + 1)  # a fixed window would start afresh here and admit five more
    assert not throttle.allow("login", "mallory", limit=5, window_seconds=900)
    assert throttle.retry_after("login", "mallory", limit=5, window_seconds=900) == 898
    at(monkeypatch, EDGE - 1 + 900)  # exactly a window after the five: they have aged out
    assert throttle.allow("login", "mallory", limit=5, window_seconds=900)
    assert throttle.count("login", "mallory", window_seconds=900) == 1


@pytest.mark.django_db
def test_no_interval_of_a_window_admits_more_than_the_limit(monkeypatch):
    import random

    rng = random.Random(7)
    times = sorted(EDGE + rng.uniform(-1000, 1000) for _ in range(300))
    admitted = []
    for moment in times:
        at(monkeypatch, moment)
        if throttle.allow("api", "token", limit=10, window_seconds=60):
            admitted.append(moment)
    assert len(admitted) >= 10 * 2000 // 60 // 2  # it does admit, roughly the limit per window
    for i, start in enumerate(admitted):
        assert sum(1 for t in admitted[i:] if t < start + 60) <= 10


@pytest.mark.django_db
@pytest.mark.parametrize("bucket_seconds", [0, 3])
def test_no_interval_of_a_window_admits_more_than_the_limit_with_or_without_buckets(monkeypatch, bucket_seconds):
    import random

    rng = random.Random(11)
    times = sorted(EDGE + rng.uniform(-300, 300) for _ in range(3000))
    admitted = []
    for moment in times:
        at(monkeypatch, moment)
        if throttle.allow("api", "busy", limit=100, window_seconds=60, bucket_seconds=bucket_seconds):
            admitted.append(moment)
    assert len(admitted) >= 100 * 600 // 60 * 8 // 10  # a bucket may refuse a little early, never late
    for i, start in enumerate(admitted):
        assert sum(1 for t in admitted[i:] if t < start + 60) <= 100


@pytest.mark.django_db
def test_buckets_bound_the_rows_a_busy_subject_keeps(monkeypatch):
    from jianfu.accounts.models import RateHit

    for step in range(6000):  # 50 hits a second for two minutes, under a limit it never reaches
        at(monkeypatch, EDGE + step / 50)
        assert throttle.allow("api", "flood", limit=1_000_000, window_seconds=60, bucket_seconds=3)
    assert RateHit.objects.filter(key="api:flood").count() <= 60 // 3 + 2
    assert throttle.count("api", "flood", window_seconds=60, bucket_seconds=3) >= 50 * 60


@pytest.mark.django_db
def test_retry_after_with_buckets_names_the_first_second_that_is_admitted(monkeypatch):
    at(monkeypatch, EDGE + 1.5)  # inside the bucket [EDGE, EDGE + 3)
    assert all(throttle.allow("api", "t9", limit=4, window_seconds=60, bucket_seconds=3) for _ in range(4))
    at(monkeypatch, EDGE + 10)
    assert not throttle.allow("api", "t9", limit=4, window_seconds=60, bucket_seconds=3)
    wait = throttle.retry_after("api", "t9", limit=4, window_seconds=60, bucket_seconds=3)
    assert wait == 53  # the whole bucket is a window old at EDGE + 63
    at(monkeypatch, EDGE + 10 + wait - 0.5)
    assert not throttle.allow("api", "t9", limit=4, window_seconds=60, bucket_seconds=3)
    at(monkeypatch, EDGE + 10 + wait)
    assert throttle.allow("api", "t9", limit=4, window_seconds=60, bucket_seconds=3)


@pytest.mark.django_db
def test_refused_attempts_do_not_prolong_a_lock(monkeypatch):
    at(monkeypatch, EDGE)
    for _ in range(3):
        throttle.allow("login", "oscar", limit=3, window_seconds=900)
    for second in range(1, 900, 60):  # keeps trying all along
        at(monkeypatch, EDGE + second)
        assert not throttle.allow("login", "oscar", limit=3, window_seconds=900)
    at(monkeypatch, EDGE + 900)
    assert throttle.allow("login", "oscar", limit=3, window_seconds=900)


@pytest.mark.django_db
def test_the_password_lock_holds_across_the_quarter_hour(monkeypatch):
    from jianfu.accounts import lockout

    at(monkeypatch, EDGE - 2)
    for _ in range(lockout.PAIR_LIMIT):
        assert lockout.admit_password_attempt("county", "10.1.1.1", known_device=False) is None
    at(monkeypatch, EDGE + 2)
    assert lockout.admit_password_attempt("county", "10.1.1.1", known_device=False) is not None
    at(monkeypatch, EDGE - 2 + lockout.WINDOW_SECONDS)
    assert lockout.admit_password_attempt("county", "10.1.1.1", known_device=False) is None


@pytest.mark.django_db
def test_phone_lookups_count_the_last_24_hours_not_the_calendar_day(monkeypatch):
    from jianfu.registry import phone_lookups

    at(monkeypatch, EDGE - 60)  # a minute before midnight (UTC)
    assert phone_lookups.charge("qingbo", 5, limit=5)
    at(monkeypatch, EDGE + 60)  # a per-day tally would start afresh here
    assert not phone_lookups.charge("qingbo", 1, limit=5)
    assert phone_lookups.used_today("qingbo") == 5
    at(monkeypatch, EDGE - 60 + 86_400)
    assert phone_lookups.charge("qingbo", 5, limit=5)


@pytest.mark.django_db
def test_a_subject_idle_for_a_window_is_dropped_when_a_new_one_arrives(monkeypatch):
    from jianfu.accounts.models import RateCounter, RateHit

    at(monkeypatch, EDGE)
    throttle.allow("login", "old", limit=5, window_seconds=900)
    throttle.allow("login", "old", limit=5, window_seconds=900)
    assert RateCounter.objects.get(key="login:old").count == 1  # bounded, however often it is hit
    at(monkeypatch, EDGE + 901)
    throttle.allow("login", "new", limit=5, window_seconds=900)
    assert not RateCounter.objects.filter(key="login:old").exists()
    assert not RateHit.objects.filter(key="login:old").exists()
    assert RateHit.objects.filter(key="login:new").count() == 1
