"""Cross-article de-duplication and learned chrome, with state in Redis hashes.

Pure parts (key layout, time buckets, story ids, decision parsing) are plain
functions; :class:`RedisDedupe` is the thin adapter that talks to Redis.

State is kept in time buckets of ``dedupe_bucket_seconds``; a bucket's hashes
expire ``dedupe_retention_seconds`` after the bucket ends, so memory is bounded
by the window. Every key carries the hash tag ``{<key_prefix>}``: the decision
script touches several keys atomically, which Redis Cluster allows only inside
one slot.

Round trips: one pipeline of decision scripts per batch of articles, and one
pipelined read of the batch's sources' learned chrome when it is not cached
(so at most two per batch, and per article).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from workers.config import Settings
from workers.errors import ServiceUnavailable
from workers.fingerprints import FINGERPRINT_VERSION, BodyPrint

Clock = Callable[[], float]
MAX_CANDIDATES = 24
#: Lines of at most this many words may be learned as a source's chrome.
CHROME_MAX_WORDS = 8
#: At most this many distinct short lines of one article are counted.
CHROME_MAX_LINES = 64


@dataclass(frozen=True)
class Window:
    """The time buckets that make up the retention window, current first."""

    buckets: tuple[int, ...]
    ttl_seconds: int


def window_at(now: float, bucket_seconds: int, retention_seconds: int) -> Window:
    """Buckets covering ``retention_seconds`` back from ``now``, and the TTL for the current one.

    A bucket's keys live until ``retention_seconds`` after the bucket ends, so
    an article is remembered for at least the whole retention window.
    """
    current = int(now // bucket_seconds)
    count = math.ceil(retention_seconds / bucket_seconds) + 1
    ends = (current + 1) * bucket_seconds
    ttl = max(1, math.ceil(ends + retention_seconds - now))
    return Window(buckets=tuple(current - i for i in range(count)), ttl_seconds=ttl)


@dataclass(frozen=True)
class KeySpace:
    """Names of the Redis keys, all in one cluster slot through the hash tag."""

    prefix: str

    @property
    def tag(self) -> str:
        """Hash tag and layout version that start every key: ``{nw}:v2``."""
        return "{" + self.prefix + "}" + f":v{FINGERPRINT_VERSION}"

    def decision_keys(self, window: Window, source: str) -> list[str]:
        """Every key the decision script touches, in the order it expects (see decide.lua)."""
        return [*self._index_keys(window.buckets), *self._source_keys(window.buckets, source)]

    @functools.lru_cache(maxsize=8)  # noqa: B019 - few windows live at once; instances are few
    def _index_keys(self, buckets: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(
            f"{self.tag}:{kind}:{bucket}"
            for kind in ("art", "exact", "band", "sig")
            for bucket in buckets
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def _source_keys(self, buckets: tuple[int, ...], source: str) -> tuple[str, ...]:
        return (*(self.chrome_key(source, b) for b in buckets), self.learned_key(source))

    def _source(self, source: str) -> str:
        return hashlib.blake2b(source.encode("utf-8"), digest_size=6).hexdigest()

    def chrome_key(self, source: str, bucket: int) -> str:
        """Counts of a source's short lines in one bucket."""
        return f"{self.tag}:chrome:{self._source(source)}:{bucket}"

    def learned_key(self, source: str) -> str:
        """A source's learned chrome: line fingerprint -> bucket it was last confirmed in."""
        return f"{self.tag}:learned:{self._source(source)}"


def story_id_for(original_id: str) -> str:
    """Story id: derived from the id of the story's first article, the same on every replica."""
    return "story-" + hashlib.blake2b(original_id.encode("utf-8"), digest_size=10).hexdigest()


@dataclass(frozen=True)
class Decision:
    """What the index says of one article."""

    article_id: str
    status: Literal["original", "duplicate"]
    story_id: str
    duplicate_of: str | None = None
    method: Literal["exact", "near"] | None = None
    similarity: float = 0.0
    replay: bool = False

    @property
    def is_original(self) -> bool:
        return self.status == "original"


def parse_decision(article_id: str, kind: str, payload: str) -> Decision:
    """Build a :class:`Decision` from the script's reply."""
    data: dict[str, Any] = json.loads(payload)
    replay = kind == "replay"
    if data["d"] == "original":
        return Decision(article_id, "original", story_id_for(article_id), replay=replay)
    original = str(data["of"])
    method: Literal["exact", "near"] = "exact" if data["m"] == "exact" else "near"
    return Decision(
        article_id,
        "duplicate",
        story_id_for(original),
        duplicate_of=original,
        method=method,
        similarity=round(float(data["s"]), 4),
        replay=replay,
    )


def chrome_candidates(lines: Sequence[str], fingerprint: Callable[[str], str]) -> list[str]:
    """Distinct fingerprints of the short lines of an article: what may be learned as chrome."""
    seen: dict[str, None] = {}
    for line in lines:
        if len(line.split()) <= CHROME_MAX_WORDS:
            seen.setdefault(fingerprint(line), None)
            if len(seen) >= CHROME_MAX_LINES:
                break
    return list(seen)


def learned_in_window(learned: Mapping[bytes | str, bytes | str], oldest: int) -> frozenset[str]:
    """Fingerprints of a source's learned hash last confirmed inside the window."""
    result = set()
    for fp, bucket in learned.items():
        if int(bucket) >= oldest:
            result.add(fp.decode() if isinstance(fp, bytes) else fp)
    return frozenset(result)


@dataclass(frozen=True)
class DedupeRequest:
    """One article as the index sees it."""

    article_id: str
    source: str
    print: BodyPrint
    chrome_fingerprints: tuple[str, ...]


def _script_text() -> str:
    return resources.files("workers").joinpath("decide.lua").read_text(encoding="utf-8")


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
    ) -> None:
        self.client = client
        self.keys = KeySpace(prefix)
        self.bucket_seconds = bucket_seconds
        self.retention_seconds = retention_seconds
        self.threshold = threshold
        self.chrome_min_articles = chrome_min_articles
        self.clock = clock
        self._script_text = _script_text()
        self._sha = hashlib.sha1(
            self._script_text.encode("utf-8"), usedforsecurity=False
        ).hexdigest()
        self.round_trips = 0
        self.chrome_cache_seconds = chrome_cache_seconds
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    def window(self) -> Window:
        return window_at(self.clock(), self.bucket_seconds, self.retention_seconds)

    async def learned_chrome(self, sources: Sequence[str]) -> list[frozenset[str]]:
        """Each source's learned chrome (line fingerprints), in the order given.

        Read with one pipelined round trip for the sources not in the cache; a
        source's set is cached for ``chrome_cache_seconds`` (chrome changes
        slowly, and every replica converges within that time).
        """
        now = self.clock()
        missing = sorted({s for s in sources if self._cache.get(s, (-1.0, frozenset()))[0] < now})
        if missing:
            oldest = self.window().buckets[-1]
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for source in missing:
                        pipe.hgetall(self.keys.learned_key(source))
                    replies = await pipe.execute()
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                raise ServiceUnavailable(f"redis unavailable: {type(exc).__name__}") from exc
            self.round_trips += 1
            for source, reply in zip(missing, replies, strict=True):
                self._cache[source] = (
                    now + self.chrome_cache_seconds,
                    learned_in_window(reply, oldest),
                )
        return [self._cache[source][1] for source in sources]

    async def decide(self, requests: Sequence[DedupeRequest]) -> list[Decision]:
        """Decide a batch of articles, in order, in one pipelined round trip."""
        if not requests:
            return []
        window = self.window()
        try:
            try:
                replies = await self._run_decisions(window, requests)
            except NoScriptError:
                # Redis restarted or flushed its script cache: load once, retry.
                await self.client.script_load(self._script_text)
                self.round_trips += 1
                replies = await self._run_decisions(window, requests)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise ServiceUnavailable(f"redis unavailable: {type(exc).__name__}") from exc
        return [
            parse_decision(request.article_id, _text(reply[0]), _text(reply[1]))
            for request, reply in zip(requests, replies, strict=True)
        ]

    async def _run_decisions(self, window: Window, requests: Sequence[DedupeRequest]) -> list[Any]:
        self.round_trips += 1
        async with self.client.pipeline(transaction=False) as pipe:
            for request in requests:
                bands, lines = request.print.bands, request.chrome_fingerprints
                if len({len(b) for b in bands}) > 1 or len({len(x) for x in lines}) > 1:
                    raise ValueError("band keys and line fingerprints must each be fixed-width")
                args: list[str | bytes | int | float] = [
                    len(window.buckets),
                    request.article_id,
                    request.print.content,
                    request.print.signature,
                    self.threshold,
                    window.ttl_seconds,
                    "".join(bands),
                    len(bands[0]) if bands else 1,
                    "".join(lines),
                    len(lines[0]) if lines else 1,
                    MAX_CANDIDATES,
                    self.chrome_min_articles,
                    window.buckets[0],
                ]
                keys = self.keys.decision_keys(window, request.source)
                pipe.evalsha(self._sha, len(keys), *keys, *args)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        for reply in replies:
            if isinstance(reply, NoScriptError):
                raise reply
            if isinstance(reply, Exception):
                raise reply
        return replies


def _text(value: str | bytes) -> str:
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
