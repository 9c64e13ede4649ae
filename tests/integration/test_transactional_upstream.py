"""A raw topic written by a transactional producer (a crawler with exactly-once, Kafka Connect).

Each upstream transaction ends with a commit marker that takes an offset but is never
delivered: after a batch, the worker's committed offset can point at a marker and the
next batch starts one above it. That is not a gap in the input: the worker must go on,
and start again from there after a restart, not stop (exit 70) on every batch.
"""

from __future__ import annotations

import json
from pathlib import Path

from kafka import KafkaProducer

from tests.support.services import started_worker, unique_settings
from topics.specs import RAW
from workers.adapters.kafka_clients import client_options, create_topics
from workers.cli.watch import OutputWatcher
from workers.config import Settings
from workers.devtools.corpus import CorpusArticle, generate_corpus

EOS = {"NEWSWORKER_PROCESSING_GUARANTEE": "exactly_once"}


def test_transaction_markers_between_batches_are_no_gap(stack: Settings, tmp_path: Path) -> None:
    settings = unique_settings(stack, topic_partitions=1, processing_guarantee="exactly_once")
    raw = RAW.name(settings.topic_prefix)
    articles = [a for a in generate_corpus(40, seed=11, target_chars=400) if a.kind == "original"]
    rounds = [articles[0:3], articles[3:6], articles[6:9]]
    upstream = KafkaProducer(
        transactional_id=f"{settings.consumer_group}-crawler",
        **client_options(settings, "crawler"),
    )
    upstream.init_transactions()
    create_topics(settings)
    watcher = OutputWatcher(settings)

    def publish_in_a_transaction(batch: list[CorpusArticle]) -> set[str]:
        upstream.begin_transaction()
        for article in batch:
            upstream.send(
                raw, key=article.id.encode(), value=json.dumps(article.as_message()).encode()
            )
        upstream.commit_transaction()
        return {a.id for a in batch}

    try:
        first = started_worker(settings, tmp_path, env=EOS)
        for batch in rounds[:2]:
            outcome = watcher.wait_for(
                publish_in_a_transaction(batch), timeout=120, alive=first.alive
            )
            assert not outcome.missing, first.log()[-3000:]
        assert first.stop() == 0, first.log()[-3000:]

        # the committed offset now points at the last marker: a new worker starts there
        second = started_worker(settings, tmp_path, env=EOS)
        try:
            outcome = watcher.wait_for(
                publish_in_a_transaction(rounds[2]), timeout=120, alive=second.alive
            )
            assert not outcome.missing, second.log()[-3000:]
            assert second.alive()
        finally:
            second.stop()
        assert "OffsetGap" not in first.log() + second.log()
    finally:
        upstream.close()
        watcher.close()
