"""``newsworker worker``: the faust stream worker; run several for replicas."""

from __future__ import annotations

import argparse
from typing import Any

from workers.cli.args import env_help
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``worker`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser("worker", help="run the stream worker (faust)")
    parser.add_argument("--no-ner", action="store_true", help="skip entity recognition")
    parser.add_argument("--loglevel", choices=["debug", "info", "warn", "error"], default="info")
    parser.add_argument("--group", help=f"consumer group ({env_help('consumer_group')})")
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the worker until it is stopped."""
    from faust import Worker

    from workers.app import create_app
    from workers.logs import logging_config

    app = create_app(settings, ner_enabled=not args.no_ner)
    worker = Worker(
        app,
        loglevel=args.loglevel,
        quiet=True,
        logging_config=logging_config(settings.log_format, args.loglevel),
    )
    worker.execute_from_commandline()
    return 0
