"""``newsworker stats``: throughput, lag and dedupe rates, read from Kafka offsets alone.

Works against any deployment without reaching the workers: the raw topic's
end offsets give the input rate, the output topics' the output rates, and the
consumer group's committed offsets the lag.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from topics.specs import TOPICS
from workers.adapters.kafka_clients import admin_client, client_options, require_broker
from workers.cli.args import env_help, positive_float, positive_int
from workers.config import Settings


@dataclass(frozen=True)
class Snapshot:
    """End offsets of the topics and the group's lag at one moment."""

    at: float
    ends: Mapping[str, int]
    """Sum of end offsets per topic role."""
    lag: Mapping[int, int]
    """Raw-topic lag of the consumer group, per partition."""


@dataclass(frozen=True)
class Rates:
    """Rates between two snapshots."""

    per_second: Mapping[str, float]
    lag_total: int
    lag: Mapping[int, int]

    @property
    def duplicate_share(self) -> float:
        """Share of the outputs that were duplicate notices."""
        done = self.per_second.get("enriched", 0.0) + self.per_second.get("duplicates", 0.0)
        return self.per_second.get("duplicates", 0.0) / done if done else 0.0


def rates(before: Snapshot, after: Snapshot) -> Rates:
    """Messages per second per topic role between two snapshots. Pure."""
    elapsed = max(after.at - before.at, 1e-9)
    per_second = {
        role: max(after.ends.get(role, 0) - before.ends.get(role, 0), 0) / elapsed
        for role in after.ends
    }
    return Rates(per_second, sum(after.lag.values()), dict(after.lag))


class OffsetReader:
    """Adapter: end offsets of the four topics and the group's committed offsets."""

    def __init__(self, settings: Settings) -> None:
        require_broker(settings)
        self.settings = settings
        self.consumer = KafkaConsumer(**client_options(settings, "newsworker-stats"))
        self.admin = admin_client(settings)
        self.partitions = {
            spec.role: [
                TopicPartition(spec.name(settings.topic_prefix), n)
                for n in sorted(
                    self.consumer.partitions_for_topic(spec.name(settings.topic_prefix)) or ()
                )
            ]
            for spec in TOPICS
        }

    def snapshot(self) -> Snapshot:
        """The current end offsets and lag."""
        every = [tp for tps in self.partitions.values() for tp in tps]
        ends = self.consumer.end_offsets(every) if every else {}
        per_role = {role: sum(ends[tp] for tp in tps) for role, tps in self.partitions.items()}
        group = self.settings.consumer_group
        committed = self.admin.list_group_offsets(group).get(group, {})
        lag = {}
        for tp in self.partitions["raw"]:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else 0
            lag[tp.partition] = max(ends[tp] - position, 0)
        return Snapshot(time.monotonic(), per_role, lag)

    def close(self) -> None:
        """Close the Kafka clients."""
        self.consumer.close()
        self.admin.close()


def format_rates(r: Rates, group: str) -> str:
    """One line of rates and lag."""
    per = r.per_second
    lags = " ".join(f"p{p}:{lag}" for p, lag in sorted(r.lag.items()))
    return (
        f"in {per.get('raw', 0):7.1f}/s | enriched {per.get('enriched', 0):7.1f}/s | "
        f"duplicates {per.get('duplicates', 0):6.1f}/s ({r.duplicate_share:5.1%}) | "
        f"dead-lettered {per.get('dlq', 0):5.1f}/s | lag of {group}: {r.lag_total} [{lags}]"
    )


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``stats`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "stats", help="live throughput, lag and dedupe rates"
    )
    parser.add_argument("--interval", type=positive_float, default=2.0, help="seconds per line")
    parser.add_argument("--count", type=positive_int, default=None, help="stop after N lines")
    parser.add_argument("--group", help=f"consumer group ({env_help('consumer_group')})")
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print one line of rates every interval."""
    reader = OffsetReader(settings)
    print(f"every {args.interval:g}s; Ctrl-C to stop")
    try:
        before = reader.snapshot()
        lines = 0
        while args.count is None or lines < args.count:
            time.sleep(args.interval)
            after = reader.snapshot()
            print(format_rates(rates(before, after), settings.consumer_group), flush=True)
            before = after
            lines += 1
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return 0
