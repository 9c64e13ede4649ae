"""What every command shares: the parser class, argument types, exit codes, settings from flags."""

from __future__ import annotations

import argparse
import os
from typing import Any, NoReturn

from workers.config import Settings, env_var_of, load_settings

EXIT_USAGE = 2
EXIT_FAILURE = 1


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming ``--help`` and exit with the usage status."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def env_help(field: str) -> str:
    """``env: VARIABLE`` for a settings field, for help texts."""
    return f"env: {env_var_of(field)}"


def settings_epilog() -> str:
    """Every setting as ``VARIABLE (default): description``, for ``--help`` epilogs.

    Secrets show no default; the list is made from the one settings object, so it
    cannot fall behind it.
    """
    lines = ["environment (every setting; workers/config.py):"]
    for field, info in Settings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        shown = "secret" if "SecretStr" in repr(info.annotation) else _shown(default)
        text = (info.description or "").strip()
        lines.append(f"  {env_var_of(field)} ({shown})")
        if text:
            lines.append(f"      {text}")
    return "\n".join(lines)


def _shown(value: object) -> str:
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value) or "empty"
    if value is None:
        return "unset"
    return str(value).lower() if isinstance(value, bool) else str(value)


def positive_int(value: str) -> int:
    """A whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def positive_float(value: str) -> float:
    """A number above 0."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return number


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings, with the global flags and a command's ``--partitions``/``--group`` applied."""
    overrides: dict[str, Any] = {}
    if args.bootstrap_servers:
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = args.bootstrap_servers
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    if args.topic_prefix:
        overrides["topic_prefix"] = args.topic_prefix
    if getattr(args, "partitions", None):
        overrides["topic_partitions"] = args.partitions
    if getattr(args, "group", None):
        overrides["consumer_group"] = args.group
    return load_settings(**overrides)
