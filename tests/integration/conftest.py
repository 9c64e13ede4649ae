"""Integration fixtures: unique names per test on the real Kafka broker and Redis server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.support.services import started_worker, unique_settings
from workers.config import Settings
from workers.devtools.processes import WorkerProcess


@pytest.fixture()
def isolated(stack: Settings) -> Settings:
    """Settings with unique topic prefix, consumer group and Redis key prefix."""
    return unique_settings(stack)


@pytest.fixture(scope="session")
def redis_sync(stack: Settings) -> Iterator[redis.Redis]:
    """A synchronous client of the stack's Redis."""
    client = redis.Redis.from_url(stack.redis_url.get_secret_value())
    yield client
    client.close()


@pytest.fixture(scope="module")
def running_worker(
    stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, WorkerProcess]]:
    """One worker on fresh topics, holding its partitions, for the tests of a module."""
    settings = unique_settings(stack)
    worker = started_worker(settings, tmp_path_factory.mktemp("worker"))
    yield settings, worker
    worker.stop()
