"""Redis adapter: story linking across outlets, in Redis hashes.

The linking decision is one Lua script (``link.lua``) run atomically per
first article; the features, the rule it mirrors and the parsing of its replies
are the pure functions of :mod:`workers.core.stories`, the key names those of
:class:`workers.core.dedupe.KeySpace` (the same hash tag, so one cluster slot).

State, bounded by two windows:

* ``lnk:<bucket>``: article id -> its link (story's first article, relation,
  score), kept for the dedupe retention window, so a redelivered article gets
  the same answer and copies of a linked article find its story;
* ``sx:<bucket>`` (index key -> recent story roots), ``sc:<bucket>`` (story
  root -> centroid) and ``df:<bucket>`` (feature -> articles with it, the
  stream's document frequencies), kept for the story window: a story no article joined for
  that long is cold and no longer found;
* ``ss:<root>`` (the story's state: title, first and last seen, counts by
  relation and outlet, and at most 200 entity counters), kept a retention window
  after its last article, and ``sm:<root>:<bucket>`` (the articles counted in that
  bucket, so a replay within the retention window counts nothing twice), kept a
  retention window after its bucket (``story.lua``).

Round trips: one pipeline of link scripts per batch, one pipelined read of
the links of the batch's copies' and updates' stories, one pipeline of state
updates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import redis.asyncio as aioredis

from topics.records import StoryRecord
from workers.adapters.redis_dedupe import (
    raise_first_error,
    redis_client,
    run_script,
    script_sha,
    script_text,
    text_of,
)
from workers.config import Settings
from workers.core.dedupe import KeySpace, Window, window_at
from workers.core.stories import (
    CENTROID_SIZE,
    DATE_CONFLICT,
    ENTITY_WEIGHT,
    IDF_SMOOTHING,
    INDEX_WIDTH,
    MAX_CANDIDATES,
    MOST_STORY_ENTITIES,
    Link,
    LinkRequest,
    StoryUpdate,
    parse_link,
    story_record,
)

Clock = Callable[[], float]


class RedisStories:
    """Adapter: links first articles to recent stories, atomically, in Redis hashes."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str,
        bucket_seconds: int,
        retention_seconds: int,
        story_window_seconds: int,
        threshold: float,
        clock: Clock,
    ) -> None:
        self.client = client
        self.keys = KeySpace(prefix)
        self.bucket_seconds = bucket_seconds
        self.retention_seconds = retention_seconds
        self.story_window_seconds = story_window_seconds
        self.threshold = threshold
        self.clock = clock
        self._script_text = script_text("link.lua")
        self._sha = script_sha(self._script_text)
        self._state_text = script_text("story.lua")
        self._state_sha = script_sha(self._state_text)
        self.round_trips = 0

    def windows(self) -> tuple[Window, Window]:
        """The retention window (links) and the story window (index, centroids) now."""
        now = self.clock()
        return (
            window_at(now, self.bucket_seconds, self.retention_seconds),
            window_at(now, self.bucket_seconds, self.story_window_seconds),
        )

    async def link(self, requests: Sequence[LinkRequest]) -> list[Link]:
        """Link a batch of first articles, in order, in one pipelined round trip."""
        if not requests:
            return []
        window, stories = self.windows()
        keys = self.keys.link_keys(window, stories)

        async def run() -> list[Any]:
            async with self.client.pipeline(transaction=False) as pipe:
                for request in requests:
                    args: list[str | int | float] = [
                        len(window.buckets),
                        len(stories.buckets),
                        request.article_id,
                        request.features.to_json(),
                        self.threshold,
                        ENTITY_WEIGHT,
                        window.ttl_seconds,
                        stories.ttl_seconds,
                        MAX_CANDIDATES,
                        CENTROID_SIZE,
                        INDEX_WIDTH,
                        IDF_SMOOTHING,
                        self.story_window_seconds,
                        DATE_CONFLICT,
                    ]
                    pipe.evalsha(self._sha, len(keys), *keys, *args)
                return raise_first_error(await pipe.execute(raise_on_error=False))

        replies = await run_script(self.client, self._script_text, run)
        self.round_trips += 1
        return [
            parse_link(request.article_id, text_of(reply[0]), text_of(reply[1]))
            for request, reply in zip(requests, replies, strict=True)
        ]

    async def record(self, updates: Sequence[StoryUpdate]) -> list[StoryRecord]:
        """Count each article into its story's state, in order; each story's state after it."""
        if not updates:
            return []
        window, _ = self.windows()
        # The state outlives the links that lead to it: one bucket more than the window.
        ttl = window.ttl_seconds + self.bucket_seconds

        async def run() -> list[Any]:
            async with self.client.pipeline(transaction=False) as pipe:
                for update in updates:
                    keys = self.keys.story_state_keys(update.root, window)
                    args: list[str | int | float] = [
                        update.article_id,
                        update.relation,
                        update.source,
                        update.title,
                        repr(update.now),
                        ttl,
                        window.ttl_seconds,
                        MOST_STORY_ENTITIES,
                        *update.entities,
                    ]
                    pipe.evalsha(self._state_sha, len(keys), *keys, *args)
                return raise_first_error(await pipe.execute(raise_on_error=False))

        replies = await run_script(self.client, self._state_text, run)
        self.round_trips += 1
        records = []
        for update, reply in zip(updates, replies, strict=True):
            flat = [text_of(x) for x in reply]
            records.append(story_record(update.root, dict(zip(flat[::2], flat[1::2], strict=True))))
        return records

    async def roots(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story each of these (linked) articles was put in, by its first article's id.

        Articles never linked (or linked before the retention window) are left out.
        """
        wanted = sorted(set(article_ids))
        if not wanted:
            return {}
        window, _ = self.windows()
        keys = self.keys.link_record_keys(window)

        async def run() -> list[Any]:
            async with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.hmget(key, wanted)
                return raise_first_error(await pipe.execute(raise_on_error=False))

        replies = await run_script(self.client, self._script_text, run)
        self.round_trips += 1
        found: dict[str, str] = {}
        for reply in replies:  # current bucket first: the newest record wins
            for article_id, value in zip(wanted, reply, strict=True):
                if value is not None and article_id not in found:
                    found[article_id] = parse_link(article_id, "new", text_of(value)).root
        return found


def stories_from_settings(settings: Settings, clock: Clock) -> RedisStories:
    """The story linker as the settings describe it."""
    return RedisStories(
        redis_client(settings.redis_url.get_secret_value()),
        prefix=settings.key_prefix,
        bucket_seconds=settings.dedupe_bucket_seconds,
        retention_seconds=settings.dedupe_retention_seconds,
        story_window_seconds=settings.story_window_seconds,
        threshold=settings.story_link_threshold,
        clock=clock,
    )
