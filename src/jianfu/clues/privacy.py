"""What lets a reporter follow a clue without being known: the receipt, the sealed phone, the hashed rate key,
and the arithmetic question that keeps scripts out of the public form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time

from django.conf import settings
from django.core import signing

from jianfu.ingest.values import hash_phone, mask_phone

# No 0/O, 1/I/L: a receipt is copied by hand from a phone screen.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_GROUPS, RECEIPT_GROUP_LEN = 5, 4  # 20 characters, about 97 bits
PHONE = re.compile(r"^1[3-9]\d{9}$")


def new_receipt() -> str:
    chars = [secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUPS * RECEIPT_GROUP_LEN)]
    return "-".join("".join(chars[i : i + RECEIPT_GROUP_LEN]) for i in range(0, len(chars), RECEIPT_GROUP_LEN))


def normal_receipt(text: str) -> str:
    """The receipt as typed (lower case, blanks, missing dashes) in its canonical form."""
    letters = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return "-".join(letters[i : i + RECEIPT_GROUP_LEN] for i in range(0, len(letters), RECEIPT_GROUP_LEN))


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(normal_receipt(receipt).encode("ascii")).hexdigest()


def normal_phone(text: str) -> str | None:
    """A mainland mobile number from what was typed (+86, blanks, dashes), or None when it is not one."""
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if PHONE.match(digits) else None


def _fernet():
    from cryptography.fernet import Fernet

    key = base64.urlsafe_b64encode(hashlib.sha256(settings.CLUE_CONTACT_KEY.encode()).digest())
    return Fernet(key)


def seal_phone(phone: str) -> tuple[str, str, str]:
    """(keyed hash, masked form, encrypted copy) of a normalised phone number."""
    return (
        hash_phone(phone, settings.PHONE_HASH_KEY),
        mask_phone(phone),
        _fernet().encrypt(phone.encode()).decode("ascii"),
    )


def unseal_phone(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode("ascii")).decode()


# --- rate limiting without keeping an address ------------------------------------------------------------
# The address is HMAC-ed with a salt that lives only in this process's memory and is replaced every hour, so
# the counter rows in the database cannot be tied to an address once the hour is over, nor by anyone reading them.
_SALT_LOCK = threading.Lock()
_SALT: dict[int, bytes] = {}
HOUR = 3600


def _hour_salt(now: float | None = None) -> bytes:
    hour = int((now or time.time()) // HOUR)
    with _SALT_LOCK:
        if hour not in _SALT:
            _SALT.clear()
            _SALT[hour] = secrets.token_bytes(32)
        return _SALT[hour]


def rate_key(address: str | None) -> str:
    """An unlinkable stand-in for the address within this hour (the same address gives the same key)."""
    return hmac.new(_hour_salt(), (address or "-").encode(), hashlib.sha256).hexdigest()[:32]


# --- the arithmetic question ---------------------------------------------------------------------------
DIGITS = "零一二三四五六七八九十"
CHALLENGE_SALT = "jianfu.clues.challenge"
CHALLENGE_MAX_AGE = 2 * 3600


def _chinese_number(n: int) -> str:
    if n <= 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def new_challenge() -> tuple[str, str]:
    """(question: Chinese number words on Chinese pages, digits otherwise; signed token with the answer's hash)."""
    a, b = secrets.randbelow(9) + 2, secrets.randbelow(9) + 2
    nonce = secrets.token_hex(8)
    answer = hmac.new(settings.SECRET_KEY.encode(), f"{nonce}:{a + b}".encode(), hashlib.sha256).hexdigest()
    token = signing.dumps({"n": nonce, "h": answer}, salt=CHALLENGE_SALT)
    from django.utils.translation import get_language

    if (get_language() or "zh").lower().startswith("zh"):
        return f"{_chinese_number(a)}加{_chinese_number(b)}", token
    return f"{a} + {b}", token


def challenge_nonce(token: str, answer: str) -> str | None:
    """The challenge's nonce when the answer is right and the token is genuine and fresh; else None."""
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        value = int(re.sub(r"\s", "", answer or ""))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    expected = hmac.new(settings.SECRET_KEY.encode(), f"{data['n']}:{value}".encode(), hashlib.sha256).hexdigest()
    return data["n"] if hmac.compare_digest(expected, data.get("h", "")) else None
