"""Publish raw messages and wait for each one's output, as a subscriber would see it."""

from __future__ import annotations

import base64
import json
from typing import Any

from topics.specs import RAW
from workers.adapters.kafka_clients import producer
from workers.cli.watch import OutputWatcher
from workers.config import Settings
from workers.devtools.processes import WorkerProcess

WAIT = 180.0

Message = tuple[bytes | None, bytes]


def publish(settings: Settings, messages: list[Message]) -> None:
    """Send raw messages and wait until the broker has them."""
    sender = producer(settings)
    try:
        for key, value in messages:
            sender.send(RAW.name(settings.topic_prefix), key=key, value=value)
        sender.flush(timeout=30)
    finally:
        sender.close()


def outcome_for(
    settings: Settings,
    worker: WorkerProcess,
    messages: list[Message],
    ids: set[str],
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Publish ``messages``; each id's (topic role, record) once all ``ids`` have an output."""
    watcher = OutputWatcher(settings)
    try:
        publish(settings, messages)
        outcome = watcher.wait_for(ids, timeout=WAIT, alive=worker.alive)
    finally:
        watcher.close()
    assert not outcome.missing, (
        f"no output for {outcome.missing}; worker log:\n{worker.log()[-4000:]}"
    )
    result = {}
    for role, value in outcome.records:
        data = json.loads(value or b"")
        key = data.get("article_id") or base64.b64decode(data.get("key_b64") or "").decode()
        result[key] = (role, data)
    return result
