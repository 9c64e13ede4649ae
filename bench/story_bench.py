"""Story linking cost as the index grows: worker and Redis time per article, bytes per story.

Runs against its own throw-away redis-server (no persistence) so the memory
figure is the story state alone. The index is filled with synthetic first
articles through the worker's own adapter (``RedisStories.settle``: the link
script, then the state script, as the worker runs them), each one a story of
its own, all inside one story window (the most the window can hold at once).
A synthetic article has the shape :func:`~workers.core.stories.story_features`
gives a real one: its 40 heaviest words drawn from a 300,000-word vocabulary with
Zipf's law (so common words recur across stories and rare ones seldom, and a
rarer word weighs more), 8 entities drawn from a million names, a year, a
weekday, two main people and four more people named (family names from a
million).

At each size a probe of generated articles (``workers.devtools.corpus``) goes
through the worker's step: features from title and body with the real English
word frequencies (no entities: NER is not run), then ``settle`` in batches of
32, each article as a first article (the linker's whole cost; a copy costs only
its state script).

    .venv/bin/python -m bench.story_bench [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import bisect
import os
import random
import time
from typing import Any

from bench.scratch_redis import fill, probe_corpus, sized_bench_main, used_memory
from workers.adapters.redis_dedupe import redis_client
from workers.adapters.redis_stories import RedisStories
from workers.adapters.word_frequency import WordFrequency
from workers.core.stories import (
    TOP_ENTITIES,
    TOP_TERMS,
    LinkRequest,
    StoryFeatures,
    StoryUpdate,
    story_features,
)

VOCABULARY = 300_000
NAMES = 1_000_000
FILL_ENTITIES = 8
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 86_400


class Synthetic:
    """Features of distinct first articles, drawn with a fixed seed."""

    def __init__(self, seed: int = 11) -> None:
        self.random = random.Random(seed)  # noqa: S311 - reproducible test data
        # Zipf's law over word ranks: P(rank r) ~ 1 / r.
        weights = [1.0 / rank for rank in range(1, VOCABULARY + 1)]
        total = sum(weights)
        running, self.cumulative = 0.0, []
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def features(self, when: float) -> StoryFeatures:
        draw = self.random
        ranks = {self._rank() for _ in range(TOP_TERMS)}
        # A rarer word (higher rank) weighs more, as stream_idf and the rarity weights make it.
        terms = {
            f"w{r}": round(1.0 + 6.0 * r / VOCABULARY + draw.random(), 6) for r in sorted(ranks)
        }
        names = sorted({f"name {draw.randrange(NAMES)}" for _ in range(FILL_ENTITIES)})
        entities = {name: round(draw.random(), 6) for name in names[:TOP_ENTITIES]}
        # family names: two main people, and they and four more named
        main = {f"family{draw.randrange(NAMES)}" for _ in range(2)}
        named = main | {f"family{draw.randrange(NAMES)}" for _ in range(4)}
        return StoryFeatures(
            terms=terms,
            entities=entities,
            years=(str(draw.randrange(1990, 2027)),),
            time=when,
            dates=(draw.choice(WEEKDAYS),),
            people=tuple(sorted(main)),
            named=tuple(sorted(named)),
        )

    def _rank(self) -> int:
        return bisect.bisect_left(self.cumulative, self.random.random()) + 1


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def update_for(article_id: str, when: float) -> StoryUpdate:
    return StoryUpdate(article_id, article_id, "first", "wire", f"Title {article_id}", when, ())


async def probe(
    stories: RedisStories, articles: list[Any], zipf: Any, when: float, batch: int
) -> dict[str, float]:
    """The linker's step of the worker over generated articles, in batches."""
    trips_before = stories.round_trips
    worker_seconds = redis_seconds = 0.0
    batches = 0
    for start in range(0, len(articles), batch):
        chunk = articles[start : start + batch]
        t0 = time.perf_counter()
        requests = [
            LinkRequest(a.id, story_features(a.title, a.text, [], zipf, when)) for a in chunk
        ]
        updates = [update_for(a.id, when) for a in chunk]
        t1 = time.perf_counter()
        await stories.settle(requests, updates)
        t2 = time.perf_counter()
        worker_seconds += t1 - t0
        redis_seconds += t2 - t1
        batches += 1
    return {
        "worker_ms_per_article": 1000 * worker_seconds / len(articles),
        "redis_ms_per_article": 1000 * redis_seconds / len(articles),
        "round_trips_per_batch": (stories.round_trips - trips_before) / batches,
    }


async def shared_hash_bytes(client: Any, prefix: str) -> dict[str, int]:
    """Bytes of the bucketed hashes (links, index, centroids, frequencies), by kind."""
    found: dict[str, int] = {}
    async for key in client.scan_iter(match="{" + prefix + "}:*", count=10_000):
        name = key.decode() if isinstance(key, bytes) else str(key)
        kind = name.split(":")[2]
        if kind in {"lnk", "sx", "sc", "df"}:
            found[kind] = found.get(kind, 0) + int(await client.memory_usage(key, samples=0))
    return found


async def measure(
    url: str, sizes: list[int], probe_stories: int, batch: int
) -> list[dict[str, Any]]:
    clock = Clock(1_800_000_000.0)
    stories = RedisStories(
        redis_client(url),
        prefix="bench",
        bucket_seconds=DAY,
        retention_seconds=7 * DAY,
        story_window_seconds=3 * DAY,
        threshold=0.2,
        clock=clock,
    )
    client = stories.client
    synthetic = Synthetic()
    zipf = WordFrequency().zipf
    rows = []
    try:
        base = await used_memory(client)
        stored = 0
        for round_number, size in enumerate(sizes):

            async def add(first: int, count: int) -> object:
                ids = [f"fill-{first + i:08d}" for i in range(count)]
                requests = [LinkRequest(i, synthetic.features(clock.now)) for i in ids]
                return await stories.settle(requests, [update_for(i, clock.now) for i in ids])

            stored, fill_rate = await fill(stored, size, 500, add)
            memory = await used_memory(client) - base
            shared = await shared_hash_bytes(client, "bench")
            articles = probe_corpus(probe_stories, 200 + round_number, round_number)
            measured = await probe(stories, articles, zipf, clock.now, batch)
            stored += len(articles)
            rows.append(
                {
                    "stories": size,
                    "fill_articles_per_s": round(fill_rate),
                    "bytes_per_story": round(memory / stored),
                    "shared_bytes_per_story": {
                        k: round(v / stored) for k, v in sorted(shared.items())
                    },
                    **{k: round(v, 3) for k, v in measured.items()},
                    "probe_articles": len(articles),
                }
            )
            print_row(rows[-1])
    finally:
        await client.aclose()
    return rows


HEADER = (
    f"{'stories':>10} {'fill art/s':>11} {'bytes/story':>12} {'worker ms/art':>14} "
    f"{'redis ms/art':>13} {'trips/batch':>12}  shared hashes, bytes/story"
)


def print_row(row: dict[str, Any]) -> None:
    shared = ", ".join(f"{k} {v}" for k, v in row["shared_bytes_per_story"].items())
    print(
        f"{row['stories']:>10,} {row['fill_articles_per_s']:>11,.0f} "
        f"{row['bytes_per_story']:>12,.0f} {row['worker_ms_per_article']:>14.3f} "
        f"{row['redis_ms_per_article']:>13.3f} {row['round_trips_per_batch']:>12.2f}  {shared}",
        flush=True,
    )


def main() -> None:
    sized_bench_main(
        __doc__,
        measure,
        out="bench/story_results.json",
        probe_stories=600,
        banner=lambda args: (
            f"story linking benchmark: batches of {args.batch}, {os.cpu_count()} cores"
        ),
        header=HEADER,
    )


if __name__ == "__main__":
    main()
