"""A worker whose group formed while its raw topic was not visible (a broker starting up,
topics created after the workers) gets partitions once the topic appears, in seconds."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.services import unique_settings, wait_assigned
from workers.adapters.kafka_clients import admin_client, create_topics
from workers.config import Settings
from workers.devtools.processes import WorkerProcess

#: The worker refreshes metadata every 30 s (faust's default is 5 minutes); a rejoin and
#: the assignment follow.
APPEARS_WITHIN = 90.0


def wait_stable_without_partitions(settings: Settings, worker: WorkerProcess) -> None:
    """Wait until the worker's group is stable with its one member (and no raw topic)."""
    admin = admin_client(settings)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            assert worker.alive(), worker.log()[-3000:]
            group = admin.describe_groups([settings.consumer_group]).get(settings.consumer_group)
            if group and group.get("group_state") == "Stable" and group.get("members"):
                return
            time.sleep(0.2)
    finally:
        admin.close()
    raise AssertionError(f"the group never became stable:\n{worker.log()[-3000:]}")


def test_partitions_of_a_topic_that_appears_after_the_group_formed(
    stack: Settings, tmp_path: Path
) -> None:
    settings = unique_settings(stack)
    worker = WorkerProcess(settings, tmp_path, env={"NEWSWORKER_NER_BATCH_SECONDS": "0.2"})
    try:
        wait_stable_without_partitions(settings, worker)
        create_topics(settings)
        wait_assigned(settings, [worker], seconds=APPEARS_WITHIN)
    finally:
        worker.stop()
