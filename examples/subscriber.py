"""A minimal downstream subscriber: entity mentions per hour from the enriched topic.

It reads ``news.articles.enriched`` as its own consumer group (so it gets
every event, whatever the worker's group does) with ``read_committed``, and
prints the most mentioned entities per hour of ``processed_at``. Only the
standard library and kafka-python.

When is the ``event_id`` check still needed? Workers running with
``NEWSWORKER_PROCESSING_GUARANTEE=exactly_once`` (the default) publish each
batch in a Kafka transaction with its input offsets: a ``read_committed``
reader sees every event once, and the check never fires (``make chaos``
counts 0 repeats in every fault scenario). It is needed when the workers run
``at_least_once`` (for brokers without transactions), where a batch
re-processed after a crash is published again with the same ids, and for a
reader that sets ``read_uncommitted``. It is kept because it costs nothing
and makes the subscriber correct under both.

    python examples/subscriber.py --bootstrap 127.0.0.1:29092 --seconds 30
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict

from kafka import KafkaConsumer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:29092")
    parser.add_argument("--topic", default="news.articles.enriched")
    parser.add_argument("--group", default="entity-counter")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to listen")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()

    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
        isolation_level="read_committed",
    )
    seen: set[str] = set()
    per_hour: dict[str, Counter[str]] = defaultdict(Counter)
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = json.loads(record.value)
                    if event["event_id"] in seen:  # a replay: same id, same content
                        continue
                    seen.add(event["event_id"])
                    hour = event["processed_at"][:13] + ":00"
                    for entity in event["entities"]:
                        per_hour[hour][f"{entity['canonical']} ({entity['label']})"] += entity[
                            "count"
                        ]
    finally:
        consumer.close()
    print(f"{len(seen)} events")
    for hour in sorted(per_hour):
        top = ", ".join(f"{name} x{n}" for name, n in per_hour[hour].most_common(args.top))
        print(f"{hour}  {top}")


if __name__ == "__main__":
    main()
