"""Dedupe cost as the index grows: decisions/s, Redis round trips and memory per stored article.

Runs against its own throw-away redis-server (no persistence) so the memory
figure is the index alone. The index is filled with synthetic originals
(random fingerprints and signatures, through the same Lua script), and at each
size a probe of generated articles with known duplicates goes through the
worker's whole dedupe step (line cleaning, fingerprints, chrome lookup,
decision) in batches.

    .venv/bin/python -m bench.dedupe_bench [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

from bench.scratch_redis import fill, probe_corpus, sized_bench_main, used_memory
from workers.adapters.redis_dedupe import RedisDedupe, dedupe_from_settings
from workers.config import load_settings
from workers.core.dedupe import DedupeRequest, prepare
from workers.core.fingerprints import BANDS, NUM_PERM, BodyFingerprint

SOURCES = [f"source-{n}" for n in range(20)]
CHROME = {s: [secrets.token_hex(8) for _ in range(12)] for s in SOURCES}


def synthetic(index: int) -> DedupeRequest:
    source = SOURCES[index % len(SOURCES)]
    bands = tuple(f"{band:02d}{secrets.token_hex(6)}" for band in range(BANDS))
    return DedupeRequest(
        f"fill-{index:08d}",
        source,
        BodyFingerprint(secrets.token_hex(16), secrets.token_bytes(NUM_PERM * 4), bands),
        tuple(CHROME[source][:6]),
    )


async def probe(dedupe: RedisDedupe, articles: list[Any], batch: int) -> dict[str, float]:
    """The dedupe step of the worker over generated articles, in batches."""
    trips_before = dedupe.round_trips
    redis_seconds = 0.0
    started = time.perf_counter()
    for start in range(0, len(articles), batch):
        chunk = articles[start : start + batch]
        t0 = time.perf_counter()
        learned = await dedupe.learned_chrome([a.source for a in chunk])
        redis_seconds += time.perf_counter() - t0
        requests = [
            prepare(article.id, article.source, article.text, chrome)[1]
            for article, chrome in zip(chunk, learned, strict=True)
        ]
        t0 = time.perf_counter()
        await dedupe.decide(requests)
        redis_seconds += time.perf_counter() - t0
    elapsed = time.perf_counter() - started
    return {
        "decisions_per_s": len(articles) / elapsed,
        "redis_decisions_per_s": len(articles) / redis_seconds,
        "round_trips_per_article": (dedupe.round_trips - trips_before) / len(articles),
    }


async def measure(
    url: str, sizes: list[int], probe_stories: int, batch: int
) -> list[dict[str, Any]]:
    dedupe = dedupe_from_settings(load_settings(redis_url=url, key_prefix="bench"), clock=time.time)
    client = dedupe.client
    rows = []
    try:
        base = await used_memory(client)
        stored = 0
        for round_number, size in enumerate(sizes):

            async def add(first: int, count: int) -> object:
                return await dedupe.decide([synthetic(first + i) for i in range(count)])

            stored, fill_rate = await fill(stored, size, 1000, add)
            memory = await used_memory(client) - base
            articles = probe_corpus(probe_stories, 100 + round_number, round_number)
            measured = await probe(dedupe, articles, batch)
            stored += sum(1 for a in articles if a.kind in {"original", "distinct"})
            rows.append(
                {
                    "stored_articles": size,
                    "fill_decisions_per_s": round(fill_rate),
                    "bytes_per_article": round(memory / size),
                    **{k: round(v, 3) for k, v in measured.items()},
                    "probe_articles": len(articles),
                }
            )
            print_row(rows[-1])
    finally:
        await client.aclose()
    return rows


HEADER = (
    f"{'stored':>10} {'fill dec/s':>11} {'bytes/article':>14} {'step dec/s':>11} "
    f"{'redis dec/s':>12} {'round trips/article':>20}"
)


def print_row(row: dict[str, float]) -> None:
    print(
        f"{row['stored_articles']:>10,} {row['fill_decisions_per_s']:>11,.0f} "
        f"{row['bytes_per_article']:>14,.0f} {row['decisions_per_s']:>11,.0f} "
        f"{row['redis_decisions_per_s']:>12,.0f} {row['round_trips_per_article']:>20.3f}",
        flush=True,
    )


def main() -> None:
    sized_bench_main(
        __doc__,
        measure,
        out="bench/dedupe_results.json",
        probe_stories=1200,
        banner=lambda args: (
            f"dedupe benchmark: batches of {args.batch}, probe of ~{args.probe_stories * 1.6:.0f} "
            f"articles per size, {os.cpu_count()} cores"
        ),
        header=HEADER,
    )


if __name__ == "__main__":
    main()
