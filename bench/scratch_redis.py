"""What the Redis benchmarks share: a throw-away redis-server, its memory, their sizes."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workers.devtools.redis_server import RedisServer


@contextlib.contextmanager
def scratch_redis() -> Iterator[str]:
    """The URL of a redis-server of its own (no persistence), stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="nw-bench-redis-"))
    server = RedisServer(folder)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def used_memory(client: Any) -> int:
    """Bytes the server holds (``INFO memory``'s ``used_memory``)."""
    info = await client.info("memory")
    return int(info["used_memory"])


def sizes_list(text: str) -> list[int]:
    """``10000,100000``: index sizes, ascending (an argparse type: a bad one is one line)."""
    try:
        sizes = sorted(int(part) for part in text.split(","))
    except ValueError:
        message = f"not a comma-separated list of numbers: {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes
