"""Which process owns a record: host name and pid, and whether that process still runs (no Django here)."""

from __future__ import annotations

import os
import socket


def this_host() -> str:
    return socket.gethostname()[:255]


def process_alive(pid: int) -> bool:
    """True while a process with this pid runs on this host; a zombie (killed, not yet waited for) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): os.kill is all we can know
    return state not in ("Z", "X")


def owner_gone(host: str, pid: int | None) -> bool:
    """True when the record's owner ran on this host and has ended; another host's process cannot be checked."""
    return bool(pid) and host == this_host() and not process_alive(pid)
