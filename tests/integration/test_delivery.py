"""No batch is acknowledged without its outputs: a refused send stops the worker, not the article.

An operator lowers the enriched topic's record limit below the size of an
event: the broker refuses the send (not retriable). The worker must stop
without committing (crash-only) rather than let ``take_events`` acknowledge
the batch in its ``finally`` block; once the limit is back, the next worker
gets the same article again and publishes its event. Before this rule the
agent crashed, faust restarted it, the batch's offsets were committed, and
the article was never seen again.
"""

from __future__ import annotations

from pathlib import Path

from kafka.admin import ConfigResource, ConfigResourceType

from tests.support.outputs import publish
from tests.support.services import started_worker, unique_settings
from topics.specs import ENRICHED, RAW
from workers.adapters.kafka_clients import admin_client, create_topics
from workers.app import EXIT_UNEXPECTED
from workers.cli.watch import OutputWatcher
from workers.config import Settings

TEXT = (
    "Genoa port traffic rises\n\nThe port authority of Genoa said on Monday that cargo "
    "traffic rose by a tenth this year, led by container ships from Asia and new cranes."
)


def set_record_limit(settings: Settings, topic: str, limit: int) -> None:
    admin = admin_client(settings)
    try:
        admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": str(limit)})]
        )
    finally:
        admin.close()


def committed_raw_offsets(settings: Settings) -> int:
    admin = admin_client(settings)
    try:
        offsets = admin.list_group_offsets(settings.consumer_group)[settings.consumer_group]
    finally:
        admin.close()
    raw = RAW.name(settings.topic_prefix)
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == raw and meta.offset > 0)


def test_a_refused_send_stops_the_worker_and_the_article_comes_back(
    stack: Settings, tmp_path: Path
) -> None:
    settings = unique_settings(stack)
    create_topics(settings)
    enriched = ENRICHED.name(settings.topic_prefix)
    set_record_limit(settings, enriched, 300)  # smaller than any event
    watcher = OutputWatcher(settings)
    try:
        first = started_worker(settings, tmp_path)
        publish(settings, [(b"refused-1", TEXT.encode())])
        code = first.wait(120)
        assert code == EXIT_UNEXPECTED, first.log()[-3000:]
        assert "stopping without committing" in first.log()
        assert committed_raw_offsets(settings) == 0  # the article's offset was never committed

        set_record_limit(settings, enriched, ENRICHED.max_bytes(settings.max_message_bytes))
        second = started_worker(settings, tmp_path)
        try:
            outcome = watcher.wait_for({"refused-1"}, timeout=120, alive=second.alive)
        finally:
            second.stop()
        assert not outcome.missing, second.log()[-3000:]
        assert [role for role, _ in outcome.records] == ["enriched"]
    finally:
        watcher.close()
