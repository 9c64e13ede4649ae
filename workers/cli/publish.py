"""``newsworker publish PATH... | -``: text, .json/.jsonl files and folders to the raw topic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from topics.specs import RAW
from workers.config import Settings
from workers.errors import ConfigError


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``publish`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "publish", help="publish articles to the raw topic"
    )
    parser.add_argument("paths", nargs="+", help="text, .json or .jsonl files, folders, or -")
    parser.add_argument("--source", help="source name recorded on each article")
    parser.add_argument("--id", dest="article_id", help="article id (one text file or stdin)")
    parser.add_argument("--raw", action="store_true", help="send text as bare body, id as key")
    return parser


def publish_paths(
    settings: Settings,
    paths: Sequence[str],
    *,
    source: str | None,
    article_id: str | None = None,
    raw: bool = False,
    quiet: bool = False,
    partition: int | None = None,
) -> list[str]:
    """Publish articles from paths; return their ids in order.

    ``partition``: send every article to that partition of the raw topic instead of
    the one its key hashes to, so one worker reads them in the order given (Kafka
    keeps order only within a partition).
    """
    from tqdm import tqdm

    from workers.adapters.kafka_clients import producer
    from workers.cli.article_files import expand_paths, messages_for

    files = expand_paths(paths)
    if article_id and len(files) != 1:
        raise ConfigError("--id names one article: give exactly one text file or -")
    topic = RAW.name(settings.topic_prefix)
    limit = settings.max_message_bytes
    sender = producer(settings)
    ids: list[str] = []
    skipped = 0
    try:
        progress = tqdm(files, unit="file", disable=quiet or len(files) < 20, file=sys.stderr)
        for path in progress:
            for message in messages_for(path, source=source, article_id=article_id, raw=raw):
                if len(message.value) > limit:
                    print(
                        f"skipped {message.origin}: {len(message.value)} bytes is over the "
                        f"{limit}-byte limit",
                        file=sys.stderr,
                    )
                    skipped += 1
                    continue
                sender.send(topic, key=message.key, value=message.value, partition=partition)
                ids.append(message.article_id)
        sender.flush(timeout=60)
    finally:
        sender.close(timeout=10)
    if not quiet:
        print(
            f"published {len(ids)} article(s) to {topic}"
            + (f", skipped {skipped}" if skipped else "")
        )
    if skipped:
        raise ConfigError(f"{skipped} article(s) were too large and not published")
    return ids


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Publish and list the ids published."""
    ids = publish_paths(
        settings, args.paths, source=args.source, article_id=args.article_id, raw=args.raw
    )
    for article_id in ids[:20]:
        print(f"  {article_id}")
    if len(ids) > 20:
        print(f"  ... and {len(ids) - 20} more")
    return 0
