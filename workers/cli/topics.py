"""``newsworker topics create|list``: the four topics, created idempotently."""

from __future__ import annotations

import argparse
from typing import Any

from topics.specs import TOPICS
from workers.cli.args import env_help
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``topics`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser("topics", help="create or list the topics")
    parser.add_argument("action", choices=["create", "list"])
    parser.add_argument(
        "--partitions", type=int, help=f"raw topic partitions ({env_help('topic_partitions')})"
    )
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Create the topics, or list which are present."""
    from workers.adapters.kafka_clients import admin_client, create_topics

    if args.action == "create":
        for name, state in create_topics(settings):
            print(f"{name}: {state}")
        return 0
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    for spec in TOPICS:
        name = spec.name(settings.topic_prefix)
        print(f"{name}: {'present' if name in existing else 'missing'} - {spec.doc}")
    return 0
