"""Login throttling through Django's cache: after repeated failures for one user name
(or from one address) further attempts are refused for a while, even with the right
password, so passwords cannot be guessed at speed."""

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
MSG_LOCKED = (
    "Too many failed log-in attempts. Wait 15 minutes and try again, or reset your password."
)


def _keys(username: str, address: str) -> list[str]:
    def key(kind: str, value: str) -> str:
        return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"

    return [key("user", username.strip().lower()), key("addr", address)]


def is_locked(username: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        cache.add(key, 0, LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, LOCKOUT_SECONDS)


def clear(username: str, address: str) -> None:
    cache.delete_many(_keys(username, address))
