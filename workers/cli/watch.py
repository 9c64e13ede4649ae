"""Watch the output topics for the outcome of given articles (``newsworker run``, tests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from topics.specs import DLQ, DUPLICATES, ENRICHED
from workers.adapters.kafka_clients import client_options
from workers.config import Settings

OUTPUT_ROLES = (ENRICHED, DUPLICATES, DLQ)


@dataclass
class Outcome:
    """The outputs seen for the watched articles, and the ids still without one."""

    records: list[tuple[str, bytes | None]] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)
    """The article id of each record, in the same order."""

    def in_order(self, ids: list[str]) -> list[tuple[str, bytes | None]]:
        """The records in the order of ``ids`` (the order the articles were published)."""
        position = {article_id: n for n, article_id in enumerate(ids)}
        ranked = sorted(
            zip(self.keys, self.records, strict=True),
            key=lambda pair: position.get(pair[0], len(position)),
        )
        return [record for _, record in ranked]

    def counts(self) -> dict[str, int]:
        """Outputs per topic role."""
        counts: dict[str, int] = {}
        for role, _ in self.records:
            counts[role] = counts.get(role, 0) + 1
        return counts


class OutputWatcher:
    """A consumer placed at the current end of the output topics, created before publishing."""

    def __init__(self, settings: Settings) -> None:
        self.roles = {spec.name(settings.topic_prefix): spec.role for spec in OUTPUT_ROLES}
        self.consumer = KafkaConsumer(
            enable_auto_commit=False,
            isolation_level="read_committed",
            **client_options(settings, "newsworker-watch"),
        )
        partitions = []
        for name in self.roles:
            for number in sorted(self.consumer.partitions_for_topic(name) or ()):
                partitions.append(TopicPartition(name, number))
        self.consumer.assign(partitions)
        self.consumer.seek_to_end()
        for partition in partitions:
            self.consumer.position(partition)

    def wait_for(
        self, ids: set[str], *, timeout: float, alive: Callable[[], bool] = lambda: True
    ) -> Outcome:
        """The first record keyed by each of ``ids``, until each has one or ``timeout`` passes.

        A replayed article may have several (same ids, same decision): one is shown.
        """
        outcome = Outcome(missing=set(ids))
        deadline = time.monotonic() + timeout
        while outcome.missing and time.monotonic() < deadline and alive():
            for records in self.consumer.poll(timeout_ms=500).values():
                for record in records:
                    key = (record.key or b"").decode("utf-8", errors="replace")
                    if key in outcome.missing:
                        outcome.records.append((self.roles[record.topic], record.value))
                        outcome.keys.append(key)
                        outcome.missing.discard(key)
        return outcome

    def close(self) -> None:
        """Close the consumer."""
        self.consumer.close()
