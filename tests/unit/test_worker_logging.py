"""The worker's faust Worker logs at the level asked, never DEBUG underneath."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import faust
import pytest

from workers.cli.worker import faust_worker


@pytest.fixture
def root_level() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.mark.parametrize(("loglevel", "expected"), [("warn", "WARNING"), ("info", "INFO")])
def test_library_debug_calls_are_not_enabled(
    root_level: None, loglevel: str, expected: str
) -> None:
    app = faust.App("newsworker-logging-test", broker="kafka://127.0.0.1:1")
    worker = faust_worker(app, loglevel, "text")
    worker._setup_logging()
    assert logging.getLevelName(logging.getLogger().level) == expected
    assert not logging.getLogger("aiokafka.conn").isEnabledFor(logging.DEBUG)
