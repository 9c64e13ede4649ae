"""``newsworker dev up|down|status``: the local Kafka + Redis stack for development."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workers.cli.args import EXIT_FAILURE
from workers.config import Settings
from workers.errors import ConfigError

if TYPE_CHECKING:
    from workers.devtools.stack import DevStack


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``dev`` sub-parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "dev", help="local Kafka + Redis stack for development"
    )
    parser.add_argument("action", choices=["up", "down", "status"])
    return parser


def dev_stack(settings: Settings) -> DevStack:
    """The local stack; a one-line error where the dev tools are not installed (the image)."""
    try:
        from workers.devtools.stack import DevStack
    except ModuleNotFoundError:
        raise ConfigError(
            "the local dev stack is not part of this installation (the image ships the "
            "worker only): install newsworker from its source tree"
        ) from None
    return DevStack.from_env(settings)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start, stop or report the stack."""
    stack = dev_stack(settings)
    if args.action == "up":
        stack.up()
        return 0
    if args.action == "down":
        stack.down()
        return 0
    return 0 if stack.status() else EXIT_FAILURE
