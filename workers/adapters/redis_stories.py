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

Round trips: one per batch (:meth:`RedisStories.settle`), a pipeline of the
first articles' link scripts followed by every article's state script; the
state script finds the article's story among the recorded links itself, so
nothing waits for the links' replies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import redis.asyncio as aioredis

from topics.records import StoryRecord
from workers.adapters.redis_dedupe import (
    raise_first_error,
    redis_client,
    run_scripts,
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
    FULL_ENTITY_MATCH,
    IDF_SMOOTHING,
    INDEX_WIDTH,
    MAX_CANDIDATES,
    MOST_STORY_ENTITIES,
    PERSON_CONFLICT,
    PLACE_CONFLICT,
    SECOND_ARTICLE_FACTOR,
    STORY_COUNTRIES,
    STORY_MAIN_COUNTRIES,
    STORY_MAIN_PEOPLE,
    STORY_NAMED_PEOPLE,
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

    async def settle(
        self, requests: Sequence[LinkRequest], updates: Sequence[StoryUpdate]
    ) -> tuple[list[Link], list[StoryRecord]]:
        """Link the first articles, then count every article into its story: one round trip.

        One pipeline: the link scripts first, in order, then the state scripts, in
        order; each state script finds the story of the article it is given as
        ``joins`` among the recorded links, so it sees the links made just before it.
        Returns the links, and each story's state after each update.
        """
        if not requests and not updates:
            return [], []
        window, stories = self.windows()
        link_keys = self.keys.link_keys(window, stories)
        record_keys = self.keys.link_record_keys(window)
        state_prefix, members_prefix = self.keys.story_state_prefixes()
        # The state outlives the links that lead to it: one bucket more than the window.
        state_ttl = window.ttl_seconds + self.bucket_seconds

        async def run() -> list[Any]:
            async with self.client.pipeline(transaction=False) as pipe:
                for request in requests:
                    pipe.evalsha(
                        self._sha,
                        len(link_keys),
                        *link_keys,
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
                        PERSON_CONFLICT,
                        STORY_MAIN_PEOPLE,
                        STORY_NAMED_PEOPLE,
                        FULL_ENTITY_MATCH,
                        SECOND_ARTICLE_FACTOR,
                        PLACE_CONFLICT,
                        STORY_MAIN_COUNTRIES,
                        STORY_COUNTRIES,
                    )
                for update in updates:
                    pipe.evalsha(
                        self._state_sha,
                        len(record_keys),
                        *record_keys,
                        update.article_id,
                        update.relation,
                        update.source,
                        update.title,
                        repr(update.now),
                        state_ttl,
                        window.ttl_seconds,
                        MOST_STORY_ENTITIES,
                        update.joins,
                        state_prefix,
                        members_prefix,
                        *window.buckets,
                        *update.entities,
                    )
                return raise_first_error(await pipe.execute(raise_on_error=False))

        replies = await run_scripts(self.client, (self._script_text, self._state_text), run)
        self.round_trips += 1
        links = [
            parse_link(request.article_id, text_of(reply[0]), text_of(reply[1]))
            for request, reply in zip(requests, replies[: len(requests)], strict=True)
        ]
        records = []
        for _, reply in zip(updates, replies[len(requests) :], strict=True):
            root, state = text_of(reply[0]), [text_of(x) for x in reply[1]]
            records.append(story_record(root, dict(zip(state[::2], state[1::2], strict=True))))
        return links, records


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
