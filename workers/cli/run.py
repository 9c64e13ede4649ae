"""``newsworker run [PATH...]``: stack, topics, publish, worker, show events (``make run``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workers.cli.args import EXIT_FAILURE, positive_float
from workers.cli.dev import dev_stack
from workers.cli.publish import publish_paths
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``run`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "run", help="end to end: stack, topics, publish, worker, show events"
    )
    parser.add_argument("paths", nargs="*", help="articles to publish (default: samples/articles)")
    parser.add_argument("--source", help="source name for text files")
    parser.add_argument(
        "--timeout", type=positive_float, default=300.0, help="give up after this many seconds"
    )
    return parser


def default_samples() -> Path:
    """The project's sample articles."""
    here = Path(__file__).resolve().parents[2] / "samples" / "articles"
    return here if here.is_dir() else Path("samples/articles")


def relation_counts(records: list[tuple[str, bytes | None]]) -> str:
    """`` (first 3, update 1, coverage 1)``: how the enriched events relate to their stories."""
    counts: dict[str, int] = {}
    for role, value in records:
        if role == "enriched" and value:
            relation = str(json.loads(value).get("relation") or "first")
            counts[relation] = counts.get(relation, 0) + 1
    order = ("first", "update", "coverage")
    named = sorted(counts, key=lambda r: (order.index(r) if r in order else len(order), r))
    return f" ({', '.join(f'{r} {counts[r]}' for r in named)})" if counts else ""


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Everything end to end; fails when an article got no output in time."""
    from workers.adapters.kafka_clients import create_topics
    from workers.cli.render import render
    from workers.cli.watch import OutputWatcher
    from workers.devtools.processes import WorkerProcess

    dev_stack(settings).up()
    for name, state in create_topics(settings):
        print(f"topic {name}: {state}")
    paths = args.paths or [str(default_samples())]
    watcher = OutputWatcher(settings)
    # One partition: the worker reads the articles in the order given, so an update is
    # decided after the article it updates (across partitions Kafka keeps no order).
    ids = publish_paths(settings, paths, source=args.source, partition=0)
    worker = WorkerProcess(settings, settings.stack_dir, name="worker")
    print(f"starting the worker (log: {worker.log_path}) ...")
    try:
        outcome = watcher.wait_for(set(ids), timeout=args.timeout, alive=worker.alive)
    finally:
        worker.stop()
        watcher.close()
    print()
    for role, value in outcome.in_order(ids):
        print(render(role, value) + "\n")
    counts = outcome.counts()
    print(
        f"{len(ids)} article(s) published: {counts.get('enriched', 0)} enriched"
        f"{relation_counts(outcome.records)}, "
        f"{counts.get('duplicates', 0)} duplicate(s), {counts.get('dlq', 0)} dead-lettered"
    )
    if outcome.missing:
        print(
            f"no output after {args.timeout:.0f}s for: {', '.join(sorted(outcome.missing))} "
            f"(see {worker.log_path})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return 0
