"""Redis conditions other than a lost connection, each handled on purpose, on real servers.

OOM (``maxmemory`` reached) and READONLY (the address now reaches a replica)
become the retriable :class:`ServiceUnavailable` — the worker holds the batch
and retries, nothing is skipped or dead-lettered — and the index answers
again once the condition is gone. NOSCRIPT (script cache flushed, as after a
restart) is cured by loading the script once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from workers.adapters.redis_dedupe import dedupe_from_settings
from workers.config import load_settings
from workers.core.dedupe import Decision, prepare
from workers.devtools.redis_server import RedisServer
from workers.errors import ServiceUnavailable

TEXT = "The port of Genoa handled a tenth more containers this year, its authority said."


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server: these tests change its configuration."""
    private = RedisServer(tmp_path / "redis")
    private.start()
    yield private
    private.stop()


def decide(url: str, article_id: str) -> Decision:
    async def go() -> Decision:
        dedupe = dedupe_from_settings(load_settings(redis_url=url), clock=time.time)
        try:
            (decision,) = await dedupe.decide([prepare(article_id, "wire", TEXT)[1]])
            return decision
        finally:
            await dedupe.client.aclose()

    return asyncio.run(go())


def test_maxmemory_reached_is_retriable_and_clears(server: RedisServer) -> None:
    admin = redis.Redis.from_url(server.url)
    try:
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", "1")  # every write is over the limit
        with pytest.raises(ServiceUnavailable, match="maxmemory"):
            decide(server.url, "oom-1")
        admin.config_set("maxmemory", "0")
        assert decide(server.url, "oom-1").is_original
    finally:
        admin.close()


def test_readonly_replica_is_retriable_and_clears(tmp_path: Path, server: RedisServer) -> None:
    primary = RedisServer(tmp_path / "primary")
    primary.start()
    admin = redis.Redis.from_url(server.url)
    try:
        admin.replicaof("127.0.0.1", str(primary.port))  # the address now reaches a replica
        with pytest.raises(ServiceUnavailable, match="READONLY"):
            decide(server.url, "ro-1")
        admin.replicaof("NO", "ONE")  # promoted: writes are accepted again
        assert decide(server.url, "ro-1").is_original
    finally:
        admin.close()
        primary.stop()


def test_flushed_script_cache_is_reloaded(server: RedisServer) -> None:
    assert decide(server.url, "ns-1").is_original
    admin = redis.Redis.from_url(server.url)
    try:
        admin.script_flush()
    finally:
        admin.close()
    copy = decide(server.url, "ns-2")
    assert copy.status == "duplicate" and copy.duplicate_of == "ns-1"
