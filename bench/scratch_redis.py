"""What the Redis benchmarks share: a throw-away redis-server, its memory, their sizes, the
timed fill of an index and the probe articles of each round."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from workers.devtools.corpus import CorpusArticle, generate_corpus
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


async def fill(
    stored: int, size: int, chunk: int, add: Callable[[int, int], Awaitable[object]]
) -> tuple[int, float]:
    """Grow an index from ``stored`` to ``size`` items, ``add(first, count)`` a chunk at a time.

    Returns the new count and the items added per second.
    """
    started = time.perf_counter()
    filled = 0
    while stored < size:
        count = min(chunk, size - stored)
        await add(stored, count)
        stored += count
        filled += count
    return stored, filled / max(time.perf_counter() - started, 1e-9)


def probe_corpus(stories: int, seed: int, round_number: int) -> list[CorpusArticle]:
    """A generated corpus whose ids are the round's own, so each probe is new to the index."""
    return [
        replace(article, id=f"r{round_number}-{article.id}")
        for article in generate_corpus(stories, seed=seed)
    ]


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


#: A benchmark's measurement: (redis URL, sizes, probe stories, batch) -> one row per size.
Measure = Callable[[str, list[int], int, int], Awaitable[list[dict[str, Any]]]]


def sized_bench_main(
    doc: str,
    measure: Measure,
    *,
    out: str,
    probe_stories: int,
    banner: Callable[[argparse.Namespace], str],
    header: str,
) -> None:
    """The command line of a benchmark run at growing index sizes on a scratch redis-server."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", type=sizes_list, default="10000,100000,1000000")
    parser.add_argument("--probe-stories", type=int, default=probe_stories)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--out", default=out)
    args = parser.parse_args()
    print(banner(args))
    print(header)

    async def run() -> list[dict[str, Any]]:
        with scratch_redis() as url:
            return await measure(url, args.sizes, args.probe_stories, args.batch)

    rows = asyncio.run(run())
    Path(args.out).write_text(json.dumps({"batch": args.batch, "rows": rows}, indent=2) + "\n")
    print(f"written to {args.out}")
