"""Slowing password guessing without locking the real user out.

Per account: the first ``FREE_FAILURES`` wrong passwords cost nothing; each further one holds the account
for twice as long as the last (30 s, 1 min, 2 min, … up to an hour). A hold refuses attempts from addresses
the account has not logged in from lately; from its recent addresses (``KNOWN_ADDRESS_DAYS``) the right
password still passes, so an attacker elsewhere cannot lock the user out. Per address: ``ADDRESS_FAILURES``
wrong passwords across all accounts, so one address cannot spray a few guesses at every account. Unknown
account names are counted like known ones (the answers do not tell them apart).
"""

from __future__ import annotations

from core.auth import ratelimit

FREE_FAILURES = 5
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
ACCOUNT_FAILURES = ratelimit.Limit("login-account", max_hits=FREE_FAILURES, window_seconds=24 * 3600)
ADDRESS_FAILURES = ratelimit.Limit("login-address", max_hits=30, window_seconds=15 * 60)
HOLD = "login-hold"
KNOWN_ADDRESS = "login-known"
KNOWN_ADDRESS_DAYS = 30


def _account(username: str) -> str:
    return username.strip().lower()


def backoff_seconds(failures: int) -> int:
    """The hold after the ``failures``-th wrong password in a row (0 while within the free ones)."""
    if failures < FREE_FAILURES:
        return 0
    return min(BACKOFF_FIRST_SECONDS * 2 ** (failures - FREE_FAILURES), BACKOFF_MAX_SECONDS)


def wait_seconds(username: str, address: str) -> int:
    """Seconds before this address may try this account's password (0: now)."""
    spraying = ratelimit.retry_after(ADDRESS_FAILURES, address)
    if spraying:
        return spraying
    account = _account(username)
    held = ratelimit.blocked_for(HOLD, account)
    if held and not ratelimit.is_marked(KNOWN_ADDRESS, f"{account}|{address}"):
        return held
    return 0


def failed(username: str, address: str) -> None:
    ratelimit.hit(ADDRESS_FAILURES, address)
    account = _account(username)
    failures = ratelimit.hit(ACCOUNT_FAILURES, account).count
    hold = backoff_seconds(failures)
    if hold:
        ratelimit.block(HOLD, account, hold)


def succeeded(username: str, address: str) -> None:
    account = _account(username)
    ratelimit.reset(ACCOUNT_FAILURES, account)
    ratelimit.unblock(HOLD, account)
    ratelimit.mark(KNOWN_ADDRESS, f"{account}|{address}", KNOWN_ADDRESS_DAYS * 86400)
