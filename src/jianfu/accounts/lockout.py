"""Throttle password and one-time-code guessing with the shared atomic counter (accounts.throttle).

Every attempt is counted *before* its password is checked, in one atomic increment, so N parallel guesses
cannot all slip under a limit the way a read-then-write check lets them. The limits, in any 15 minutes (sliding
windows: at most the limit in any interval of that length, even across what would be a fixed window's edge):

- per (username, source address): 5 attempts, then that username is locked *for that source only*, so a
  guesser elsewhere cannot lock the real user out; a success resets it;
- per source address, across usernames: 50 attempts (password spraying from one address); successes are
  refunded, so an office behind one address is not locked by its own good logins;
- per username, from all sources: after 20 failures the username is slowed, not locked: at most 3 attempts
  a minute from browsers that have not logged in as that user before (a signed cookie marks the ones that
  have), so a botnet gets 3 guesses a minute instead of thousands and the real user still gets in;
- one-time codes: 5 per (user, source) and 10 per user from all sources, on top of django-otp's own
  per-device back-off.

Refused attempts are not counted, so a lock ends 15 minutes after the oldest attempt it counts, however often
the locked party retries. Counter keys carry a hash of the username and address, never the values themselves.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.core import signing
from django.utils.translation import gettext as _

from jianfu.accounts import throttle

WINDOW_SECONDS = 15 * 60
PAIR_LIMIT = 5
SOURCE_LIMIT = 50
USERNAME_SOFT_LIMIT = 20
USERNAME_SLOW_LIMIT = 3
USERNAME_SLOW_WINDOW_SECONDS = 60
OTP_PAIR_LIMIT = 5
OTP_USER_LIMIT = 10

KNOWN_DEVICE_COOKIE = "jianfu_known_login"
KNOWN_DEVICE_SALT = "jianfu.accounts.known-login"
KNOWN_DEVICE_MAX_AGE = 90 * 24 * 3600


def username_key(username: str) -> str:
    """The form a username is counted under: the same person typing 'County' or 'county ' is one subject."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def _subject(*parts: str) -> str:
    # Fixed length whatever the username, so a key never exceeds its column.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _source(ip: str | None) -> str:
    return ip or "unknown"


def _locked_message() -> str:
    return _("登录失败次数过多，请 15 分钟后再试。")


def admit_password_attempt(username: str, ip: str | None, *, known_device: bool) -> str | None:
    """Count one password attempt before it is checked; a refusal message when it is over a limit."""
    user, source = username_key(username), _source(ip)
    if not throttle.allow("login-pair", _subject(user, source), limit=PAIR_LIMIT, window_seconds=WINDOW_SECONDS):
        return _locked_message()
    if not throttle.allow("login-source", _subject(source), limit=SOURCE_LIMIT, window_seconds=WINDOW_SECONDS):
        return _locked_message()
    if known_device:
        return None
    failures = throttle.count("login-user", _subject(user), window_seconds=WINDOW_SECONDS)
    if failures >= USERNAME_SOFT_LIMIT and not throttle.allow(
        "login-user-slow", _subject(user), limit=USERNAME_SLOW_LIMIT, window_seconds=USERNAME_SLOW_WINDOW_SECONDS
    ):
        return _("该账号近期登录失败次数过多，请 1 分钟后再试。")
    return None


def password_failed(username: str) -> None:
    """A wrong password: it counts towards slowing the username down everywhere."""
    throttle.hit("login-user", _subject(username_key(username)), window_seconds=WINDOW_SECONDS)


def password_succeeded(username: str, ip: str | None) -> None:
    """The right password: the pair starts afresh and the source gets its attempt back."""
    user, source = username_key(username), _source(ip)
    throttle.reset("login-pair", _subject(user, source), window_seconds=WINDOW_SECONDS)
    throttle.refund("login-source", _subject(source), window_seconds=WINDOW_SECONDS)


def admit_otp_attempt(user_id: int, ip: str | None) -> str | None:
    """Count one one-time-code attempt before it is checked; a refusal message when it is over a limit."""
    user, source = str(user_id), _source(ip)
    pair_ok = throttle.allow("otp-pair", _subject(user, source), limit=OTP_PAIR_LIMIT, window_seconds=WINDOW_SECONDS)
    if not pair_ok or not throttle.allow(
        "otp-user", _subject(user), limit=OTP_USER_LIMIT, window_seconds=WINDOW_SECONDS
    ):
        return _("验证码错误次数过多，请 15 分钟后再试。")
    return None


def otp_succeeded(user_id: int, ip: str | None) -> None:
    user, source = str(user_id), _source(ip)
    throttle.reset("otp-pair", _subject(user, source), window_seconds=WINDOW_SECONDS)
    throttle.refund("otp-user", _subject(user), window_seconds=WINDOW_SECONDS)


def is_known_device(request, username: str) -> bool:
    """Whether this browser has logged in as `username` before (a signed cookie we set then)."""
    try:
        value = request.get_signed_cookie(KNOWN_DEVICE_COOKIE, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return False
    return value == _subject(username_key(username))


def remember_device(request, response, username: str) -> None:
    """Mark this browser as one the user has logged in from (it then skips the username-wide slow-down)."""
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        _subject(username_key(username)),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
