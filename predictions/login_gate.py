"""Log-in throttling around django-axes: one attempt at a time per user name and address.

django-axes counts failed log-ins in the database (shared by every worker and server)
and refuses an attempt once a user name has failed AXES_FAILURE_LIMIT times from one
client address. But axes checks *before* authentication and counts *after* it, so
concurrent attempts all pass the check before any of them is counted: forty parallel
guesses were all evaluated, and a right password slipped in among wrong ones while the
count still looked low.

LoginGateMiddleware closes that gap. A log-in POST (the site's form or the admin's) runs
inside one database transaction that first locks a LoginGate row for its user name and
one for its client address (`SELECT ... FOR UPDATE`; on SQLite the transaction's write
lock, taken at BEGIN IMMEDIATE, does the same). Axes' check, the password check and
axes' count all happen under those locks, so the next attempt for that name or address
sees the count the previous one left. On SQLite a row lock would be the whole
database's write lock, held while the password is hashed: every log-in on the site, and
every other write, would queue behind each hash, and under load a waiter ran past the
busy timeout ("database is locked"). There the gate takes an exclusive `flock` on a
file per bucket instead (beside the database file, so every process of the server
shares it), and the log-in's writes commit as usual. Rows are buckets of a hash
(GATE_BUCKETS of them, so the table stays small whatever names attackers send); two
names sharing a bucket merely wait for each other. Locks are taken in bucket order, so
two attempts can never hold one each and wait for the other.

Under the same locks the gate also refuses an address that failed
FALSIFIABLE_LOGIN_ADDRESS_LIMIT times across all names within the cool-off (password
spraying), a limit axes cannot express next to the per-name one.

Lockout pages answer 429 and say when to try again.
"""

import contextlib
import fcntl
import hashlib
import ipaddress
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from predictions.models import LoginGate

GATE_BUCKETS = 1 << 16
# Lock files on SQLite: fewer than the rows, so the directory stays small; two names
# sharing a file merely wait for each other.
FILE_BUCKETS = 1 << 10
LOCKED_TEMPLATE = "registration/locked_out.html"
USERNAME_COLUMN = AccessAttempt._meta.get_field("username").max_length


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind FALSIFIABLE_TRUSTED_PROXY_HOPS proxies
    the X-Forwarded-For entry the outermost trusted proxy appended.

    Each proxy appends the address it received the request from, so entries left of the
    trusted ones are whatever the client chose to send and are ignored. (ipware's proxy
    count expects each proxy's own address in the header too, which the one TLS proxy
    in front of this app does not add, so the rule is spelled out here instead.)
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.FALSIFIABLE_TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= hops:
            try:
                return str(ipaddress.ip_address(forwarded[-hops]))
            except ValueError:
                pass
    return remote


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name tried, as axes reads it, cut to fit its column.

    Django's log-in forms do not enforce the name's length before authenticating, and
    axes stores it in 255 characters; no real name is that long, so cutting is safe.
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")  # axes' default
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return username[:USERNAME_COLUMN] if isinstance(username, str) else username


def _bucket(kind: str, value: str) -> int:
    digest = hashlib.sha256(f"{kind}\0{value}".encode()).digest()
    return int.from_bytes(digest[:4]) % GATE_BUCKETS


def _lock(buckets: set[int]) -> None:
    LoginGate.objects.bulk_create(
        [LoginGate(bucket=bucket) for bucket in buckets], ignore_conflicts=True
    )
    for bucket in sorted(buckets):
        LoginGate.objects.select_for_update().get(bucket=bucket)


@contextlib.contextmanager
def _serialised(buckets: set[int]) -> Iterator[None]:
    """Holds the gate for `buckets` (in bucket order, so two attempts never deadlock)."""
    if connection.vendor != "sqlite":
        with transaction.atomic():
            _lock(buckets)
            yield
        return
    directory = _lock_directory()
    with contextlib.ExitStack() as held:
        for bucket in sorted({b % FILE_BUCKETS for b in buckets}):
            # Each open() is its own open file description, so flock also excludes
            # another thread of this process, not only other processes.
            lock_file = held.enter_context(open(directory / f"{bucket:04d}.lock", "a+b"))
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _lock_directory() -> Path:
    """A private directory beside the SQLite file; for an in-memory database, which only
    this process can reach anyway, one in the temporary directory for this process."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        directory = Path(tempfile.gettempdir()) / f"falsifiable-login-locks-{os.getpid()}"
    else:
        database = Path(name).resolve()
        directory = database.parent / f"{database.name}.login-locks"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def _recent(attempts):
    return attempts.filter(attempt_time__gte=timezone.now() - get_cool_off())


def _retry_at(attempts) -> datetime:
    last = _recent(attempts).aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    return last + get_cool_off()


def address_locked(address: str) -> bool:
    """True once `address` failed FALSIFIABLE_LOGIN_ADDRESS_LIMIT times, any user names."""
    failures = _recent(AccessAttempt.objects.filter(ip_address=address)).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return (failures or 0) >= settings.FALSIFIABLE_LOGIN_ADDRESS_LIMIT


def _locked_page(request: HttpRequest, retry_at: datetime) -> HttpResponse:
    seconds = max(0, (retry_at - timezone.now()).total_seconds())
    response = render(
        request,
        LOCKED_TEMPLATE,
        {"retry_at": retry_at, "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(math.ceil(seconds))
    return response


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the 429 page for a user name locked from this address."""
    username = get_client_username(request, credentials)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=client_address(request))
    return _locked_page(request, _retry_at(attempts))


def _login_paths() -> set[str]:
    return {reverse("login"), reverse("admin:login")}


class LoginGateMiddleware:
    """Serialises each log-in POST with every other one for its user name or address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path not in _login_paths():
            return self.get_response(request)
        # As the log-in form will read it (NFKC), folded: names differing in case share
        # a bucket, which only makes the serialisation coarser.
        username = unicodedata.normalize("NFKC", request.POST.get("username", "")).casefold()
        address = client_address(request)
        with _serialised({_bucket("user", username), _bucket("address", address)}):
            if address_locked(address):
                return _locked_page(
                    request, _retry_at(AccessAttempt.objects.filter(ip_address=address))
                )
            return self.get_response(request)
