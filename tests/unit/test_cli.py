"""Bad CLI arguments give one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    ["tail", "--max-messages", "zero"],
    ["tail", "--topic", "nope"],
    ["tail", "--timeout", "-3"],
    ["publish", "/no/such/file.txt"],
    ["dev", "sideways"],
    ["publish", "--id", "x", "README.md", "pyproject.toml"],
    ["stories", "--top", "0"],
    ["stories", "--hours", "soon"],
]


@pytest.mark.parametrize("args", CASES)
def test_bad_arguments_one_line(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"},
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]


def test_bad_setting_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "topics", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "http://nope"},
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("newsworker: error: invalid setting")
    assert "Traceback" not in result.stderr


def test_help_shows_env_vars() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.stdout and "REDIS_URL" in result.stdout
    assert "newsworker worker --help" in result.stdout


def test_worker_help_lists_every_setting_with_its_env_var_and_hides_secrets() -> None:
    from workers.config import Settings, env_var_of

    result = subprocess.run(
        [sys.executable, "-m", "workers.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"},
    )
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert {env_var_of(field) for field in Settings.model_fields} <= listed
    assert "REDIS_URL (secret)" in result.stdout and "hunter2" not in result.stdout
    assert "NEWSWORKER_FOREIGN_PLACES (true)" in result.stdout


def test_a_kafka_error_becomes_one_short_line() -> None:
    """kafka-python's errors can carry a whole metadata response (hundreds of KB): the CLI's
    one-line message keeps the error's name and its start."""
    from workers.adapters.kafka_clients import brief

    class MetadataEmptyBrokerList(Exception):  # as kafka-python names it
        pass

    huge = MetadataEmptyBrokerList("MetadataResponse(" + "topic, " * 50_000 + ")")
    line = brief(huge)
    assert line.startswith("MetadataEmptyBrokerList: MetadataResponse(topic, ")
    assert len(line) == 200 and line.endswith("...") and "\n" not in line
    assert brief(ValueError("short")) == "ValueError: short"
