"""Integration fixtures: the real Kafka broker and Redis server, unique names per test run.

The stack is started here if it is not running (``newsworker dev up`` is
idempotent), or taken from KAFKA_BOOTSTRAP_SERVERS / REDIS_URL. A service
that cannot be reached fails the tests: it never skips them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from workers.config import Settings, load_settings
from workers.devstack import DevStack
from workers.kafka_io import create_topics

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def stack() -> Settings:
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
    return base.isolated("test", topic_partitions=2, **extra)


@pytest.fixture()
def isolated(stack: Settings) -> Settings:
    """Settings with unique topic prefix, consumer group and Redis key prefix."""
    return unique_settings(stack)


@pytest.fixture(scope="session")
def redis_sync(stack: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(stack.redis_url.get_secret_value())
    yield client
    client.close()


def worker_env(settings: Settings, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        **settings.child_env(),
        "NEWSWORKER_DATA_DIR": str(tmp / "worker-data"),
        "NEWSWORKER_NER_BATCH_SECONDS": "0.2",
    }


class WorkerProcess:
    """``newsworker worker`` as a child process with its log in a file."""

    def __init__(
        self, settings: Settings, tmp: Path, *extra: str, env: dict[str, str] | None = None
    ) -> None:
        self.log_path = tmp / f"worker-{uuid.uuid4().hex[:6]}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "worker", "--loglevel", "info", *extra],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**worker_env(settings, tmp), **(env or {})},
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def running_worker(
    stack: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, WorkerProcess]]:
    settings = unique_settings(stack)
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path_factory.mktemp("worker"))
    time.sleep(0.5)
    if worker.process.poll() is not None:
        pytest.fail("worker exited at start:\n" + worker.log()[-3000:])
    yield settings, worker
    worker.stop()
