"""What a load balancer asks before sending traffic: can this server reach its services?

Each check answers only "ok" or "unavailable". The exception is logged on the server
but never put in the answer, which anyone may read (docs/decisions/0017-several-app-servers.md).
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

PROBE_KEY = "healthz:probe"
# Load balancers give up after a few seconds; a dead database must be reported before
# that, not after the pool's own (longer) wait for a connection.
DATABASE_DEADLINE_SECONDS = 3.0


@dataclass(frozen=True)
class Health:
    checks: dict[str, bool]
    queue_depth: int | None  # None when the queue could not be read

    @property
    def healthy(self) -> bool:
        return all(self.checks.values())

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.healthy else "unavailable",
            **{name: "ok" if ok else "unavailable" for name, ok in self.checks.items()},
            "queue_depth": self.queue_depth,
        }


def database_reachable() -> None:
    pool = getattr(connection, "pool", None)  # PostgreSQL with OPTIONS["pool"]
    if pool is not None and connection.connection is None:
        pool.open()
        raw = pool.getconn(timeout=DATABASE_DEADLINE_SECONDS)
        try:
            raw.execute("SELECT 1").fetchone()
        finally:
            pool.putconn(raw)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_reachable() -> None:
    """A round trip, not just a connection: a cache that drops writes is not healthy.
    The value is random so two servers probing at once cannot pass on each other's."""
    value = secrets.token_hex(8)
    cache.set(PROBE_KEY + value, value, timeout=10)
    if cache.get(PROBE_KEY + value) != value:
        raise RuntimeError("cache did not return what was stored")
    cache.delete(PROBE_KEY + value)


def queue_depth() -> int:
    """Jobs waiting for a worker: the tasks backend's rows still READY."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()


def _passes(name: str, check: Callable[[], object]) -> bool:
    try:
        check()
    except Exception:
        logger.exception("health check %s failed", name)
        return False
    return True


def current_health() -> Health:
    depth: list[int] = []
    database = _passes("database", database_reachable)
    checks = {
        "database": database,
        "cache": _passes("cache", cache_reachable),
        # The queue is a table of that database: without it, asking again would only
        # wait a second time for the same answer.
        "queue": database and _passes("queue", lambda: depth.append(queue_depth())),
    }
    return Health(checks=checks, queue_depth=depth[0] if depth else None)
