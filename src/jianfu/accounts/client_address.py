"""The address a request came from: REMOTE_ADDR, or the forwarded client when a configured proxy sent it.

This is a function on purpose, not middleware writing request.META: pages that must not keep an address
(the anonymous clue page) never receive one unless they ask for it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket ("::ffff:1.2.3.4") is that IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: str | None) -> bool:
    """Whether `address` is one of JIANFU_TRUSTED_PROXIES (IPs or CIDR networks)."""
    parsed = _parse(address or "")
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.JIANFU_TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address: the right-most untrusted X-Forwarded-For hop, only when a trusted proxy sent it."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not is_trusted_proxy(str(remote)):
        # Anyone may send an X-Forwarded-For header; only the proxies we run may tell us who the client is.
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    nearest = remote
    # Walk from our side outwards: each trusted proxy vouches for the hop to its left, nobody else does.
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A hop we cannot read ends the chain: the last address we could vouch for stands.
            return str(nearest)
        nearest = address
        if not is_trusted_proxy(str(address)):
            return str(address)
    return str(nearest)
