"""The real Kafka broker and Redis server for integration and fault tests.

The stack is started if it is not running (``newsworker dev up`` is
idempotent), or taken from KAFKA_BOOTSTRAP_SERVERS / REDIS_URL. A service
that cannot be reached fails the tests: it never skips them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from topics.specs import RAW
from workers.adapters.kafka_clients import create_topics, group_members
from workers.config import Settings, load_settings
from workers.devtools.processes import WorkerProcess
from workers.devtools.stack import DevStack


def start_stack() -> Settings:
    """Settings of a running stack, started here when needed; fails the test otherwise."""
    settings = load_settings()
    dev = DevStack.from_env(settings)
    try:
        dev.up()
    except Exception as exc:
        pytest.fail(f"the Kafka + Redis stack is not available: {exc}")
    if not dev.status():
        pytest.fail("the Kafka + Redis stack does not answer")
    return settings


def unique_settings(base: Settings, **extra: object) -> Settings:
    """Settings with a unique topic prefix, consumer group and Redis key prefix."""
    return base.isolated("test", **{"topic_partitions": 2, **extra})


def wait_assigned(settings: Settings, workers: list[WorkerProcess], seconds: float = 120.0) -> None:
    """Wait until every worker of the group holds partitions (a stable group of that size)."""
    raw = RAW.name(settings.topic_prefix)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker in workers:
            if not worker.alive():
                pytest.fail(f"worker exited at start:\n{worker.log()[-3000:]}")
        state, members = group_members(settings, raw)
        if state == "Stable" and sum(1 for m in members if m.partitions) >= len(workers):
            return
        time.sleep(0.2)
    logs = "\n".join(worker.log()[-1500:] for worker in workers)
    pytest.fail(f"{len(workers)} worker(s) did not all get partitions in {seconds}s:\n{logs}")


def started_worker(
    settings: Settings, folder: Path, *args: str, env: dict[str, str] | None = None
) -> WorkerProcess:
    """A worker on fresh topics of ``settings``, returned once it holds partitions."""
    create_topics(settings)
    worker = WorkerProcess(
        settings, folder, *args, env={"NEWSWORKER_NER_BATCH_SECONDS": "0.2", **(env or {})}
    )
    wait_assigned(settings, [worker])
    return worker


@contextmanager
def redis_user(client: redis.Redis, base_url: str, user: str, password: str) -> Iterator[str]:
    """A Redis ACL user with every right, for the block; yields ``base_url`` with its login."""
    client.acl_setuser(
        user,
        enabled=True,
        passwords=[f"+{password}"],
        keys=["*"],
        channels=["*"],
        commands=["+@all"],
    )
    try:
        yield base_url.replace("redis://", f"redis://{user}:{password}@")
    finally:
        client.acl_deluser(user)
