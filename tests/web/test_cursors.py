"""Page cursors are signed: whatever a client puts in ?after= is a page it was given or a 400, never a 500."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianfu.registry import listing
from jianfu.registry.kinds import KINDS

pytestmark = pytest.mark.django_db

# Every list with every sort it offers.
LISTS = [(kind, sort) for kind, spec in KINDS.items() for sort in spec.sorts]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def unsigned(payload) -> str:
    """A cursor in the old, unsigned shape: base64 of a JSON list."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


forged = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    json_values.map(unsigned),
    st.tuples(st.sampled_from(["d", "v", "x"]), json_values, json_values).map(lambda t: unsigned(list(t))),
    st.tuples(st.text(max_size=30), st.integers()).map(lambda t: f"{t[0]}:{t[1]}"),
    st.integers().map(str),
).filter(bool)  # an empty ?after= is the first page


def next_cursor(client, kind: str, sort: str) -> str:
    """A genuine cursor this list hands out (pages of one row, so every list has a second page)."""
    response = client.get(f"/{kind}/", {"sort": sort})
    assert response.status_code == 200 and response.context["page"].next_cursor, (kind, sort)
    return response.context["page"].next_cursor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=forged, target=st.sampled_from(LISTS))
def test_no_cursor_string_answers_500(cast, as_user, monkeypatch, token, target):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    kind, sort = target
    response = as_user(cast.province).get(f"/{kind}/", {"sort": sort, "after": token})
    assert response.status_code == 400
    assert "翻页链接无效" in response.content.decode()


@pytest.mark.parametrize("kind,sort", LISTS)
def test_a_genuine_cursor_works_and_an_edited_one_is_refused(cast, as_user, monkeypatch, kind, sort):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    client = as_user(cast.province)
    cursor = next_cursor(client, kind, sort)
    assert client.get(f"/{kind}/", {"sort": sort, "after": cursor}).status_code == 200
    value, signature = cursor.rsplit(":", 1)
    tampered = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature
    assert client.get(f"/{kind}/", {"sort": sort, "after": tampered}).status_code == 400


def test_a_cursor_for_another_sort_is_refused(cast, as_user, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    client = as_user(cast.province)
    by_messages = next_cursor(client, "groups", "messages")
    assert client.get("/groups/", {"sort": "active", "after": by_messages}).status_code == 400
    assert client.get("/apps/", {"sort": "mau", "after": by_messages}).status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        ["v", 10**40, 1],
        ["v", "x", 10**40],
        ["d", "2024-02-30", 1],
        ["v", [1], 1],
        ["v", "x", -5],
        ["v", True, 1],
        ["v", float("inf"), 1],
        ["d", 5, 1],
        ["v", "2024-01-01", 1],
    ],
)
def test_a_correctly_signed_cursor_with_wrong_types_is_refused(cast, as_user, payload):
    # Only a holder of the secret key can sign, but the value still reaches SQL only if it fits the column.
    namespace = "registry.workgroup:last_active:desc"
    token = (
        listing.encode_cursor(payload[1], payload[2], namespace)
        if payload[0] == "v"
        else listing._signer(namespace).sign_object(payload)
    )
    response = as_user(cast.province).get("/groups/", {"sort": "active", "after": token})
    assert response.status_code == 400
