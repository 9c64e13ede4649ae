"""``newsworker worker``: the faust stream worker; run several for replicas."""

from __future__ import annotations

import argparse
from typing import Any

from workers.cli.args import env_help, settings_epilog
from workers.config import Settings


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``worker`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "worker",
        help="run the stream worker (faust)",
        epilog=settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--no-ner", action="store_true", help="skip entity recognition")
    parser.add_argument("--loglevel", choices=["debug", "info", "warn", "error"], default="info")
    parser.add_argument("--group", help=f"consumer group ({env_help('consumer_group')})")
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the worker until it is stopped."""
    from workers.app import create_app

    app = create_app(settings, ner_enabled=not args.no_ner)
    faust_worker(app, args.loglevel, settings.log_format).execute_from_commandline()
    return 0


def faust_worker(app: Any, loglevel: str, log_format: str) -> Any:
    """The faust Worker for ``app``: quiet, logging at ``loglevel`` in ``log_format``."""
    from faust import Worker

    from workers.logs import logging_config

    worker = Worker(
        app,
        loglevel=loglevel,
        quiet=True,
        logging_config=logging_config(log_format, loglevel),
    )
    # No terminal spinner: at --loglevel warn or error faust keeps one, and for it sets
    # the root logger to DEBUG, so every library's debug call builds a record per send.
    worker.spinner = None
    return worker
