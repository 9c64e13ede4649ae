"""``newsworker stories``: the top stories now, from the log-compacted stories topic."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from topics.specs import STORIES
from workers.cli.args import positive_float, positive_int
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``stories`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "stories",
        help="the top stories now (most articles), with their outlets and entities",
    )
    parser.add_argument("--top", type=positive_int, default=10, help="stories shown (10)")
    parser.add_argument(
        "--hours",
        type=positive_float,
        default=None,
        help="only stories with an article in the last this many hours (default: all kept)",
    )
    parser.add_argument("--json", action="store_true", help="one story state per line")
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        help="longest read of the topic, in seconds (60)",
    )
    return parser


def current_stories(values: Iterable[bytes | None]) -> dict[str, dict[str, Any]]:
    """Each story's latest state (highest ``version``) among the topic's records. Pure."""
    latest: dict[str, dict[str, Any]] = {}
    for value in values:
        try:
            data = json.loads(value or b"")
        except ValueError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("story_id"), str):
            continue
        known = latest.get(data["story_id"])
        if known is None or int(data.get("version", 0)) >= int(known.get("version", 0)):
            latest[data["story_id"]] = data
    return latest


def top_stories(
    stories: Iterable[dict[str, Any]], top: int, since: datetime | None = None
) -> list[dict[str, Any]]:
    """The ``top`` stories with most articles (latest first on ties), seen since ``since``. Pure."""
    kept = [
        s
        for s in stories
        if since is None or _when(str(s.get("last_seen", ""))) >= since.astimezone(UTC)
    ]
    kept.sort(key=lambda s: (-int(s.get("articles", 0)), _negated_time(s)))
    return kept[:top]


def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _negated_time(story: dict[str, Any]) -> float:
    return -_when(str(story.get("last_seen", ""))).timestamp()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read the stories topic to its end and print the top stories."""
    from workers.adapters.kafka_clients import consume
    from workers.cli.render import render

    values = (
        record.value
        for record in consume(
            settings,
            [STORIES.name(settings.topic_prefix)],
            from_beginning=True,
            timeout=args.timeout,
            until_caught_up=True,
        )
    )
    since = None if args.hours is None else datetime.now(UTC) - timedelta(hours=args.hours)
    shown = top_stories(current_stories(values).values(), args.top, since)
    for story in shown:
        if args.json:
            print(json.dumps(story, ensure_ascii=False), flush=True)
        else:
            print(render(STORIES.role, json.dumps(story).encode()) + "\n", flush=True)
    if not shown and not args.json:
        print("no stories yet")
    return 0
