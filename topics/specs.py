"""The five topics: name, partitions, retention and cleanup policy."""

from __future__ import annotations

from dataclasses import dataclass

DAY_MS = 24 * 3600 * 1000
#: Bytes a topic accepts beyond the worker's message limit (record overhead, dead letters).
MESSAGE_HEADROOM = 65536


@dataclass(frozen=True)
class TopicSpec:
    """One Kafka topic as newsworker creates it."""

    role: str
    """Short name used on the command line (``--topic enriched``)."""
    suffix: str
    """Name after the configured prefix (``news.`` + ``articles.raw``)."""
    retention_ms: int
    """How long Kafka keeps messages."""
    cleanup_policy: str
    """``delete`` (time retention), ``compact`` (latest per key) or both, comma separated."""
    doc: str
    """What flows on the topic."""
    follows_partitions: bool = True
    """Whether the partition count follows the configured raw-topic partitions."""

    def name(self, prefix: str) -> str:
        return f"{prefix}{self.suffix}"

    def max_bytes(self, max_message_bytes: int) -> int:
        """Largest record the topic accepts.

        The raw topic takes a little more than the worker's limit, so an
        oversized article reaches the worker and is dead-lettered with its
        reason; the dead-letter topic takes such a message in base64 and more.
        """
        raw = max_message_bytes + MESSAGE_HEADROOM
        if self.role == "dlq":
            return raw * 4 // 3 + MESSAGE_HEADROOM
        return raw

    def configs(self, max_message_bytes: int) -> dict[str, str]:
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": self.cleanup_policy,
            "max.message.bytes": str(self.max_bytes(max_message_bytes)),
        }


RAW = TopicSpec(
    "raw",
    "articles.raw",
    7 * DAY_MS,
    "delete",
    "Raw articles from crawlers: a JSON object or a bare UTF-8 text body "
    "(schemas/article.v1.json).",
)
ENRICHED = TopicSpec(
    "enriched",
    "articles.enriched",
    30 * DAY_MS,
    "delete",
    "One enriched event per new story, keyed by article id (schemas/enriched.v*.json).",
)
DUPLICATES = TopicSpec(
    "duplicates",
    "articles.duplicates",
    30 * DAY_MS,
    "delete",
    "One notice per copy of an earlier story, keyed by article id (schemas/duplicate.v1.json).",
)
DLQ = TopicSpec(
    "dlq",
    "articles.dlq",
    30 * DAY_MS,
    "delete",
    "Messages that cannot be processed, with the reason and the original bytes "
    "(schemas/dead-letter.v1.json).",
)
STORIES = TopicSpec(
    "stories",
    "stories",
    30 * DAY_MS,
    "compact,delete",
    "Each story's current state, keyed by story id, log-compacted: read from the start, "
    "the latest record per key is the stories table; a story with no new article for "
    "the retention time is deleted (schemas/story.v1.json).",
)
TOPICS: tuple[TopicSpec, ...] = (RAW, ENRICHED, DUPLICATES, DLQ, STORIES)


def topic_by_role(role: str) -> TopicSpec:
    for spec in TOPICS:
        if spec.role == role:
            return spec
    raise KeyError(role)


def largest_record(max_message_bytes: int) -> int:
    """Largest record any topic accepts: the producer's and the broker's limit."""
    return max(spec.max_bytes(max_message_bytes) for spec in TOPICS)
