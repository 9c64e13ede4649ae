"""Redis adapter: learned chrome and dedupe decisions, in Redis hashes.

The decision itself is one Lua script (``decide.lua``) run atomically per
article; keys, windows and the parsing of its replies are the pure functions
of :mod:`workers.core.dedupe`.

Round trips: one pipeline of decision scripts per batch of articles, and one
pipelined read of the batch's sources' learned chrome when it is not cached
(so at most two per batch, and per article).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from workers.config import Settings
from workers.core.dedupe import (
    UPDATE_MIN_GROWTH,
    UPDATE_MIN_NEW_SENTENCES,
    Decision,
    DedupeRequest,
    KeySpace,
    Window,
    learned_in_window,
    parse_decision,
    window_at,
)
from workers.errors import ServiceUnavailable

Clock = Callable[[], float]
MAX_CANDIDATES = 24
#: Characters of one sentence fingerprint (see workers.core.fingerprints.sentence_fingerprints).
SENTENCE_WIDTH = 8
#: Connection trouble: the server is away (or not yet back); retried with backoff.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def unavailable(exc: BaseException) -> ServiceUnavailable:
    """The retriable error for a Redis condition that waiting can cure, saying which one.

    * connection refused, reset or timed out: the server is away;
    * ``OOM`` (``maxmemory`` reached, writes refused): nothing is skipped or
      dead-lettered; the batch waits until memory is freed or raised;
    * ``READONLY`` (a replica after a failover): the connections are dropped so
      the next try reaches the new primary behind the same address.
    """
    if isinstance(exc, OutOfMemoryError):
        return ServiceUnavailable("redis refuses writes: maxmemory reached (OOM)")
    if isinstance(exc, ReadOnlyError):
        return ServiceUnavailable("redis answered READONLY: a replica, not the primary")
    return ServiceUnavailable(f"redis unavailable: {type(exc).__name__}")


def script_text(name: str = "decide.lua") -> str:
    """The text of one of the package's Lua scripts."""
    return resources.files("workers.adapters").joinpath(name).read_text(encoding="utf-8")


def script_sha(text: str) -> str:
    """The SHA1 Redis knows a script by."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class RedisDedupe:
    """Adapter: learned chrome and dedupe decisions, in Redis hashes."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str,
        bucket_seconds: int,
        retention_seconds: int,
        threshold: float,
        chrome_min_articles: int,
        clock: Clock,
        chrome_cache_seconds: float = 30.0,
        update_floor: float = 0.5,
        update_min_new: int = UPDATE_MIN_NEW_SENTENCES,
    ) -> None:
        self.client = client
        self.keys = KeySpace(prefix)
        self.bucket_seconds = bucket_seconds
        self.retention_seconds = retention_seconds
        self.threshold = threshold
        self.chrome_min_articles = chrome_min_articles
        #: Similarity from which new content (sentences) decides copy or update.
        self.update_floor = update_floor
        self.update_min_new = update_min_new
        self.clock = clock
        self._script_text = script_text()
        self._sha = script_sha(self._script_text)
        self.round_trips = 0
        self.chrome_cache_seconds = chrome_cache_seconds
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._stale: set[str] = set()

    def window(self) -> Window:
        """The buckets of the retention window at the clock's now."""
        return window_at(self.clock(), self.bucket_seconds, self.retention_seconds)

    async def learned_chrome(self, sources: Sequence[str]) -> list[frozenset[str]]:
        """Each source's learned chrome (line fingerprints), in the order given.

        A source read for the first time costs one pipelined round trip (for all such
        sources of the batch). After that its set is cached: once it is older than
        ``chrome_cache_seconds`` it is still used for this batch and read again in the
        same round trip as the batch's decisions (:meth:`decide`), so the steady state
        costs no trip of its own. Chrome changes slowly, and every replica converges
        within that time and a batch.
        """
        now = self.clock()
        missing = sorted({s for s in sources if s not in self._cache})
        if missing:
            oldest = self.window().buckets[-1]
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for source in missing:
                        pipe.hgetall(self.keys.learned_key(source))
                    replies = await pipe.execute()
            except UNREACHABLE as exc:
                raise unavailable(exc) from exc
            self.round_trips += 1
            self._keep_learned(missing, replies, oldest, now)
        self._stale.update(s for s in sources if self._cache[s][0] < now)
        return [self._cache[source][1] for source in sources]

    def _keep_learned(
        self, sources: Sequence[str], replies: Sequence[Any], oldest: int, now: float
    ) -> None:
        for source, reply in zip(sources, replies, strict=True):
            self._cache[source] = (
                now + self.chrome_cache_seconds,
                learned_in_window(reply, oldest),
            )

    async def decide(self, requests: Sequence[DedupeRequest]) -> list[Decision]:
        """Decide a batch of articles, in order, in one pipelined round trip.

        The same trip reads again the learned chrome of the sources whose cached set
        was stale (see :meth:`learned_chrome`).
        """
        if not requests:
            return []
        window = self.window()
        stale = sorted(self._stale)
        replies = await run_script(
            self.client, self._script_text, lambda: self._run_decisions(window, requests, stale)
        )
        self.round_trips += 1
        self._stale.difference_update(stale)
        self._keep_learned(stale, replies[len(requests) :], window.buckets[-1], self.clock())
        return [
            parse_decision(request.article_id, text_of(reply[0]), text_of(reply[1]))
            for request, reply in zip(requests, replies[: len(requests)], strict=True)
        ]

    async def _run_decisions(
        self, window: Window, requests: Sequence[DedupeRequest], stale: Sequence[str]
    ) -> list[Any]:
        async with self.client.pipeline(transaction=False) as pipe:
            for request in requests:
                bands, lines = request.body.bands, request.chrome_fingerprints
                if (
                    len({len(b) for b in bands}) > 1
                    or len({len(x) for x in lines}) > 1
                    or any(len(x) != SENTENCE_WIDTH for x in request.sentences)
                ):
                    raise ValueError("band keys and line fingerprints must each be fixed-width")
                args: list[str | bytes | int | float] = [
                    len(window.buckets),
                    request.article_id,
                    request.body.content,
                    request.body.signature,
                    self.threshold,
                    window.ttl_seconds,
                    "".join(bands),
                    len(bands[0]) if bands else 1,
                    "".join(lines),
                    len(lines[0]) if lines else 1,
                    MAX_CANDIDATES,
                    self.chrome_min_articles,
                    window.buckets[0],
                    "".join(request.sentences),
                    SENTENCE_WIDTH,
                    self.update_floor,
                    self.update_min_new,
                    UPDATE_MIN_GROWTH,
                ]
                keys = self.keys.decision_keys(window, request.source)
                pipe.evalsha(self._sha, len(keys), *keys, *args)
            for source in stale:
                pipe.hgetall(self.keys.learned_key(source))
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        return raise_first_error(replies)


def raise_first_error(replies: list[Any]) -> list[Any]:
    """A pipeline's replies, or the first error among them raised."""
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return replies


async def run_script(
    client: aioredis.Redis, text: str, run: Callable[[], Awaitable[list[Any]]]
) -> list[Any]:
    """:func:`run_scripts` for a pipeline of one script's calls."""
    return await run_scripts(client, (text,), run)


async def run_scripts(
    client: aioredis.Redis, texts: Sequence[str], run: Callable[[], Awaitable[list[Any]]]
) -> list[Any]:
    """Run a pipeline of calls to these scripts, the Redis conditions handled on purpose.

    ``NOSCRIPT`` (Redis restarted or its script cache flushed): the scripts are
    loaded and the pipeline run once more. Connection trouble, ``OOM`` and
    ``READONLY`` (connections dropped first) become
    :class:`~workers.errors.ServiceUnavailable`, which the caller retries.
    """
    try:
        try:
            return await run()
        except NoScriptError:
            for text in texts:
                await client.script_load(text)
            return await run()
    except UNREACHABLE as exc:
        raise unavailable(exc) from exc
    except ReadOnlyError as exc:
        await client.connection_pool.disconnect()
        raise unavailable(exc) from exc
    except OutOfMemoryError as exc:
        raise unavailable(exc) from exc


def text_of(value: str | bytes) -> str:
    """A Redis reply as text."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def check_redis(url: str) -> None:
    """Fail fast at start-up: one clear line for a wrong password or an unreachable server."""
    import redis as sync_redis
    from redis.exceptions import AuthenticationError, ResponseError

    from workers.config import redact_url
    from workers.errors import ConfigError

    client = sync_redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    where = redact_url(url)
    try:
        client.ping()
    except AuthenticationError:
        raise ConfigError(f"redis at {where} rejected the credentials") from None
    except ResponseError as exc:
        if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
            raise ConfigError(f"redis at {where} needs a (different) password") from None
        raise
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        raise ServiceUnavailable(
            f"redis at {where} does not answer ({type(exc).__name__})"
        ) from None
    finally:
        client.close()


def dedupe_from_settings(settings: Settings, clock: Clock) -> RedisDedupe:
    """The index as the settings describe it."""
    return RedisDedupe(
        redis_client(settings.redis_url.get_secret_value()),
        prefix=settings.key_prefix,
        bucket_seconds=settings.dedupe_bucket_seconds,
        retention_seconds=settings.dedupe_retention_seconds,
        threshold=settings.near_threshold,
        chrome_min_articles=settings.chrome_min_articles,
        clock=clock,
        update_floor=settings.update_min_similarity,
        update_min_new=settings.update_min_new_sentences,
    )


async def delete_state(client: aioredis.Redis, prefix: str) -> int:
    """Remove every key of one key prefix (throw-away indexes of tests and benchmarks)."""
    keys = [key async for key in client.scan_iter(match=f"{{{prefix}}}:*", count=1000)]
    for start in range(0, len(keys), 1000):
        await client.delete(*keys[start : start + 1000])
    return len(keys)


def redis_client(url: str, **options: Any) -> aioredis.Redis:
    """Asyncio Redis client for a redis://, rediss:// or unix:// URL (AUTH, TLS from the URL)."""
    return aioredis.Redis.from_url(
        url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30, **options
    )
