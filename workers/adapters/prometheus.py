"""Prometheus metrics of one worker process (the sensor), fed from each batch's stats."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from workers.core.batch import BatchStats

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
NER_SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class WorkerMetrics:
    """The metrics, in a registry of their own (several apps may live in one test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.consumed = Counter(
            "newsworker_articles_consumed", "Raw messages consumed.", registry=r
        )
        self.batches = Counter(
            "newsworker_batches", "Batches processed (taken from Kafka together).", registry=r
        )
        self.published = Counter(
            "newsworker_events_published", "Records published, per topic.", ["topic"], registry=r
        )
        self.duplicates = Counter(
            "newsworker_duplicates", "Copies found, per method.", ["method"], registry=r
        )
        self.dead_letters = Counter(
            "newsworker_dead_letters", "Dead-lettered, per reason.", ["reason"], registry=r
        )
        self.lines_removed = Counter(
            "newsworker_lines_removed", "Lines removed, per reason.", ["reason"], registry=r
        )
        self.stories_linked = Counter(
            "newsworker_stories_linked",
            "First articles by how the story linker placed them (first, coverage).",
            ["relation"],
            registry=r,
        )
        self.redis_retries = Counter(
            "newsworker_redis_retries", "Batches retried because Redis did not answer.", registry=r
        )
        self.send_retries = Counter(
            "newsworker_send_retries",
            "Batches whose outputs were sent again because the broker did not confirm them.",
            registry=r,
        )
        self.ner_batch_size = Histogram(
            "newsworker_ner_batch_size",
            "Articles per NER batch.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.ner_seconds = Histogram(
            "newsworker_ner_batch_seconds",
            "Seconds per NER batch.",
            buckets=NER_SECONDS_BUCKETS,
            registry=r,
        )
        self.end_to_end = Histogram(
            "newsworker_end_to_end_seconds",
            "From the raw message's Kafka timestamp to its output being acknowledged.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.redis_round_trips = Gauge(
            "newsworker_redis_round_trips",
            "Redis round trips made by this process since it started (dedupe and stories).",
            registry=r,
        )
        self.lag = Gauge(
            "newsworker_consumer_lag",
            "Messages behind the end, per partition.",
            ["topic", "partition"],
            registry=r,
        )

    def record(self, stats: BatchStats, latencies: list[float]) -> None:
        """Count one batch's stats and its messages' end-to-end latencies."""
        self.consumed.inc(stats.consumed)
        self.batches.inc()
        for labels, counter in (
            (stats.published, self.published),
            (stats.duplicates, self.duplicates),
            (stats.dead_letters, self.dead_letters),
            (stats.lines_removed, self.lines_removed),
            (stats.linked, self.stories_linked),
        ):
            for label, amount in labels.items():
                counter.labels(label).inc(amount)
        if stats.ner_batch_size:
            self.ner_batch_size.observe(stats.ner_batch_size)
            self.ner_seconds.observe(stats.ner_seconds)
        for seconds in latencies:
            self.end_to_end.observe(max(seconds, 0.0))

    def set_lag(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Set the consumer lag gauge per assigned partition."""
        self.lag.clear()
        for (topic, partition), lag in lags.items():
            self.lag.labels(topic, str(partition)).set(max(lag, 0))

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
