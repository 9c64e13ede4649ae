"""``newsworker``: the command line, one module per command; the work is elsewhere.

Every error the user can cause ends as one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workers.cli import dev, publish, run, stats, stories, tail, topics, worker
from workers.cli.args import EXIT_FAILURE, Parser, env_help, settings_from_args
from workers.errors import NewsworkerError

#: The commands, in the order ``--help`` lists them.
COMMANDS = (dev, topics, publish, tail, stories, worker, stats, run)


def build_parser() -> argparse.ArgumentParser:
    """The parser with the global flags and every command's sub-parser."""
    parser = Parser(
        prog="newsworker",
        description="News ingestion worker: Kafka in, Redis de-duplication, spaCy entities, "
        "Kafka out.",
        epilog="Every setting and its environment variable: newsworker worker --help",
    )
    parser.add_argument(
        "--bootstrap-servers",
        help=f"Kafka bootstrap servers ({env_help('kafka_bootstrap_servers')})",
    )
    parser.add_argument("--redis-url", help=f"Redis URL ({env_help('redis_url')})")
    parser.add_argument(
        "--topic-prefix", help=f"prefix of topic names ({env_help('topic_prefix')})"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(sub).set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
        status: int = args.handler(args, settings)
        return status
    except NewsworkerError as exc:
        print(f"newsworker: error: {exc.message}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
