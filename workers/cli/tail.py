"""``newsworker tail``: read enriched events, duplicate notices, dead letters or story states."""

from __future__ import annotations

import argparse
import json
from typing import Any

from topics.specs import topic_by_role
from workers.cli.args import positive_float, positive_int
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``tail`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "tail", help="read enriched events, duplicate notices, dead letters or story states"
    )
    parser.add_argument(
        "--topic", choices=["enriched", "duplicates", "dlq", "stories"], default="enriched"
    )
    parser.add_argument("--from-beginning", action="store_true")
    parser.add_argument("--max-messages", type=positive_int, default=None)
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        help="stop after this many seconds (default: run until Ctrl-C)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="keep waiting for new records (default: stop when caught up)",
    )
    parser.add_argument("--entity", help="only events mentioning this entity (canonical or text)")
    parser.add_argument("--label", help="only events with an entity of this label (e.g. PERSON)")
    parser.add_argument("--source", help="only records from this source")
    return parser


def matches(value: bytes | None, filters: dict[str, str | None]) -> bool:
    """Whether a record's JSON passes the entity, label and source filters."""
    from workers.cli.render import record_matches

    try:
        data = json.loads(value or b"")
    except ValueError:
        return False
    return isinstance(data, dict) and record_matches(data, **filters)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the records, rendered or as JSON lines."""
    from workers.adapters.kafka_clients import consume
    from workers.cli.render import render

    spec = topic_by_role(args.topic)
    seen = 0
    filters = {"entity": args.entity, "label": args.label, "source": args.source}
    try:
        for record in consume(
            settings,
            [spec.name(settings.topic_prefix)],
            from_beginning=args.from_beginning,
            timeout=args.timeout,
            until_caught_up=not args.follow,
        ):
            if any(filters.values()) and not matches(record.value, filters):
                continue
            if args.json:
                print((record.value or b"").decode("utf-8", errors="replace"), flush=True)
            else:
                print(render(spec.role, record.value) + "\n", flush=True)
            seen += 1
            if args.max_messages and seen >= args.max_messages:
                break
    except KeyboardInterrupt:
        pass
    return 0
