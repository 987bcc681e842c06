"""What the spec (formats.md) fixes, written once for the tests that hold the code to it."""

# Every finding of `jianfu analyze --json`, the API and the store carries at least these keys.
FINDING_KEYS = frozenset(
    {"id", "type", "rule", "action", "items", "score", "evidence", "hours_saved_per_month", "reason"}
)
