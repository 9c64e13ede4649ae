"""The faust app: consume raw articles, delegate to :class:`~workers.pipeline.Pipeline`, publish.

Thin on purpose: the agent is a short ``async for`` over batches of events
(``stream.take_events``) that hands each batch to the pipeline and sends its
outputs. A batch's outputs are confirmed by the broker before the batch's
offsets are acknowledged, so a crash at any point redelivers rather than loses
(at-least-once; replays give the same ids and the same decisions).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from typing import Any

import faust

from topics.specs import DLQ, DUPLICATES, ENRICHED, RAW, largest_record
from workers.config import Settings
from workers.dedupe import RedisDedupe, check_redis, redis_client
from workers.enrich import NerModel
from workers.errors import ServiceUnavailable
from workers.pipeline import Pipeline, PipelineConfig, RawMessage

log = logging.getLogger("newsworker.worker")
MAX_BACKOFF_SECONDS = 30.0


def _credentials(settings: Settings) -> Any:
    context = None
    if settings.kafka_security_protocol in {"SSL", "SASL_SSL"}:
        context = ssl.create_default_context(
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
        )
    if settings.kafka_sasl_mechanism:
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.sasl_password(),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,
        )
    return context


def build_pipeline(settings: Settings, *, ner_enabled: bool = True) -> Pipeline:
    check_redis(settings.redis_url.get_secret_value())
    dedupe = RedisDedupe(
        redis_client(settings.redis_url.get_secret_value()),
        prefix=settings.key_prefix,
        bucket_seconds=settings.dedupe_bucket_seconds,
        retention_seconds=settings.dedupe_retention_seconds,
        threshold=settings.near_threshold,
        chrome_min_articles=settings.chrome_min_articles,
        clock=time.time,
    )
    return Pipeline(
        PipelineConfig(
            max_message_bytes=settings.max_message_bytes,
            max_body_chars=settings.max_body_chars,
            entity_labels=settings.entity_labels,
            ner_batch_size=settings.ner_batch_size,
        ),
        dedupe,
        NerModel(settings.spacy_model) if ner_enabled else None,
        clock=time.time,
    )


def create_app(settings: Settings, *, ner_enabled: bool = True) -> faust.App:
    app = faust.App(
        settings.consumer_group,
        broker=[f"kafka://{server}" for server in settings.bootstrap_list()],
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(settings.data_dir),
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_bind=settings.web_bind,
        topic_replication_factor=settings.topic_replication,
        topic_partitions=settings.topic_partitions,
        topic_allow_declare=False,
        consumer_auto_offset_reset="earliest",
        broker_max_poll_interval=600.0,
        consumer_max_fetch_size=max(largest_record(settings.max_message_bytes), 4 * 1024 * 1024),
        producer_max_request_size=largest_record(settings.max_message_bytes),
        producer_acks=-1,
    )
    prefix = settings.topic_prefix
    raw = app.topic(RAW.name(prefix), value_type=bytes, key_type=bytes)
    outputs = {
        spec.role: app.topic(spec.name(prefix), value_type=bytes, key_type=bytes)
        for spec in (ENRICHED, DUPLICATES, DLQ)
    }
    # Built before the worker starts, so a missing model or bad setting fails fast.
    pipeline = build_pipeline(settings, ner_enabled=ner_enabled)

    @app.agent(raw, name="newsworker.articles")
    async def articles(stream: Any) -> None:
        async for events in stream.take_events(settings.ner_batch_size, settings.ner_batch_seconds):
            batch = [
                RawMessage(
                    value=event.message.value,
                    key=event.message.key,
                    topic=event.message.topic,
                    partition=event.message.partition,
                    offset=event.message.offset,
                )
                for event in events
            ]
            results = await process_with_retry(pipeline, batch)
            pending = [
                await outputs[out.role].send(key=out.key, value=out.value) for out in results
            ]
            await asyncio.gather(*pending)
            log.info("batch of %d: %s", len(batch), _count_roles(r.role for r in results))

    del articles
    return app


def _count_roles(roles: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for role in roles:
        counts[role] = counts.get(role, 0) + 1
    return counts


async def process_with_retry(pipeline: Pipeline, batch: list[RawMessage]) -> list[Any]:
    """Process a batch, waiting out a Redis outage with backoff: never skip or dead-letter."""
    delay = 0.5
    while True:
        try:
            return await pipeline.process(batch)
        except ServiceUnavailable as exc:
            log.warning("%s; retrying the batch in %.1fs", exc.message, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
