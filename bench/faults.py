"""Fault scenarios against the real broker, Redis and worker processes.

Each scenario streams generated articles (with copies and bad messages mixed
in) into a fresh raw topic while it hurts the system: SIGKILL of a worker at
random moments, Redis going away, the broker restarting, SIGTERM, a second
worker joining and leaving, a very long article. Afterwards every output
topic is read (read_committed) and each published article is accounted for:

* lost: no output at all;
* doubled: more than one distinct output id (event / notice / dead letter) or
  outputs in two places; a replay re-publishing the *same* id is counted
  apart as ``repeats`` (what subscribers drop by ``event_id``).

Used by tests/faults/test_faults.py (short form, in CI) and bench/chaos.py
(``make chaos``, the full form).
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from topics.specs import DLQ, DUPLICATES, ENRICHED, RAW
from workers.adapters.kafka_clients import client_options, create_topics, producer
from workers.config import Settings, load_settings
from workers.devtools.corpus import generate_corpus
from workers.devtools.processes import WorkerProcess
from workers.devtools.redis_server import RedisServer
from workers.devtools.stack import DevStack

BAD_MESSAGES = [b"\xff\xfe bad bytes", b"   ", b'{"text": 5}', b"<html><body>x</body></html>"]


@dataclass
class Context:
    settings: Settings
    redis: RedisServer
    tmp: Path
    guarantee: str
    workers: list[WorkerProcess] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def start_worker(self) -> WorkerProcess:
        """One more worker on the scenario's private Redis, with its guarantee."""
        worker = WorkerProcess(
            self.settings,
            self.tmp,
            env={
                "REDIS_URL": self.redis.url,
                "NEWSWORKER_NER_BATCH_SECONDS": "0.2",
                "NEWSWORKER_PROCESSING_GUARANTEE": self.guarantee,
            },
            name=f"worker-{len(self.workers)}",
        )
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            if worker.wait(60) is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)


@dataclass
class Row:
    scenario: str
    articles: int
    enriched: int
    duplicates: int
    dead_lettered: int
    lost: int
    doubled: int
    repeats: int
    seconds: float
    notes: str = ""

    def ok(self) -> bool:
        return self.lost == 0 and self.doubled == 0


def messages_for(count: int, seed: int) -> list[tuple[bytes, bytes]]:
    """Short generated articles with copies, and a bad message every 50."""
    stories = max(count * 10 // 16, 1)
    corpus = generate_corpus(stories, seed=seed, target_chars=500)[:count]
    out: list[tuple[bytes, bytes]] = []
    for index, article in enumerate(corpus):
        if index % 50 == 49:
            out.append((f"bad-{index}".encode(), BAD_MESSAGES[index % len(BAD_MESSAGES)]))
        else:
            out.append((article.id.encode(), json.dumps(article.as_message()).encode()))
    return out


def publish_stream(
    settings: Settings, messages: list[tuple[bytes, bytes]], seconds: float
) -> threading.Thread:
    """Publish ``messages`` evenly over ``seconds`` in a background thread."""

    def run() -> None:
        sender = producer(settings)
        topic = RAW.name(settings.topic_prefix)
        pause = seconds / max(len(messages), 1)
        try:
            for key, value in messages:
                sender.send(topic, key=key, value=value)
                time.sleep(pause)
            sender.flush(timeout=120)
        finally:
            sender.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def read_outputs(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """Every committed output record by article key: (role, output id)."""
    consumer = KafkaConsumer(
        enable_auto_commit=False,
        isolation_level="read_committed",
        **client_options(settings, "newsworker-chaos-audit"),
    )
    found: dict[str, list[tuple[str, str]]] = {}
    try:
        partitions = [
            TopicPartition(spec.name(settings.topic_prefix), n)
            for spec in (ENRICHED, DUPLICATES, DLQ)
            for n in sorted(consumer.partitions_for_topic(spec.name(settings.topic_prefix)) or ())
        ]
        roles = {
            spec.name(settings.topic_prefix): spec.role for spec in (ENRICHED, DUPLICATES, DLQ)
        }
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if all(consumer.position(tp) >= ends[tp] for tp in partitions):
                break
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    data = json.loads(record.value)
                    role = roles[record.topic]
                    ident = (
                        data.get("event_id")
                        or data.get("notice_id")
                        or f"dlq:{data.get('partition')}:{data.get('offset')}"
                    )
                    key = (record.key or b"").decode()
                    found.setdefault(key, []).append((role, ident))
    finally:
        consumer.close()
    return found


def account(
    scenario: str,
    settings: Settings,
    messages: list[tuple[bytes, bytes]],
    started: float,
    notes: str = "",
) -> Row:
    outputs = read_outputs(settings)
    ids = [key.decode() for key, _ in messages]
    counts = {"enriched": 0, "duplicates": 0, "dlq": 0}
    lost = doubled = repeats = 0
    for article_id in ids:
        records = outputs.get(article_id, [])
        if not records:
            lost += 1
            continue
        distinct = set(records)
        if len(distinct) > 1:
            doubled += 1
        repeats += len(records) - len(distinct)
        counts[records[0][0]] += 1
    return Row(
        scenario,
        len(ids),
        counts["enriched"],
        counts["duplicates"],
        counts["dlq"],
        lost,
        doubled,
        repeats,
        round(time.monotonic() - started, 1),
        notes,
    )


def wait_until_done(ctx: Context, messages: list[tuple[bytes, bytes]], timeout: float) -> None:
    """Wait until every article has an output (or the timeout)."""
    deadline = time.monotonic() + timeout
    wanted = {key.decode() for key, _ in messages}
    while time.monotonic() < deadline:
        if wanted <= set(read_outputs(ctx.settings)):
            return
        time.sleep(2)


Fault = Callable[[Context, float, random.Random], None]


@dataclass(frozen=True)
class Scenario:
    """Workers started before the stream, what hurts them while it flows, and an extra
    article to mix in."""

    fault: Fault
    workers: int = 1
    extra: tuple[bytes, bytes] | None = None


def sigkill(kills: int) -> Fault:
    def fault(ctx: Context, seconds: float, rng: random.Random) -> None:
        for _ in range(kills):
            time.sleep(rng.uniform(3, max(seconds / kills, 4)))
            worker = ctx.workers[-1]
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            ctx.start_worker()

    return fault


def redis_outage(down_seconds: float) -> Fault:
    def fault(ctx: Context, seconds: float, rng: random.Random) -> None:
        time.sleep(seconds / 3)
        ctx.redis.stop()
        time.sleep(down_seconds)
        ctx.redis.start()

    return fault


def broker_restart(ctx: Context, seconds: float, rng: random.Random) -> None:
    time.sleep(seconds / 3)
    stack = DevStack.from_env(ctx.settings)
    if stack.external_kafka:
        ctx.notes.append("external broker: not restarted")
        return
    if stack.pid("kafka") is None:
        raise AssertionError("the broker was not started by this project's stack: cannot restart")
    stack.stop_kafka()
    time.sleep(2)
    stack.start_kafka()


def sigterm(ctx: Context, seconds: float, rng: random.Random) -> None:
    time.sleep(seconds / 2)
    worker = ctx.workers[-1]
    began = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(90)
    ctx.notes.append(f"SIGTERM exit {code} in {time.monotonic() - began:.1f}s")
    if code != 0:
        raise AssertionError(f"worker exited {code} on SIGTERM")
    ctx.start_worker()


def rebalance(ctx: Context, seconds: float, rng: random.Random) -> None:
    time.sleep(seconds / 4)
    second = ctx.start_worker()
    time.sleep(seconds / 3)
    second.send_signal(signal.SIGTERM)
    second.wait(90)


def nothing(ctx: Context, seconds: float, rng: random.Random) -> None:
    """No fault: the extra article is the test."""


def long_article(lines: int) -> tuple[bytes, bytes]:
    # short lines keep it under the message limit: an article, not a dead letter; its
    # 10,000 to 100,000 lines reach NER as one long text
    text = "Harbour traffic in Genoa, day by day\n" + "\n".join(f"d{n}" for n in range(lines))
    return b"very-long", text.encode()


SCENARIOS: dict[str, Callable[[bool], Scenario]] = {
    "sigkill": lambda full: Scenario(sigkill(5 if full else 2)),
    "redis-outage": lambda full: Scenario(redis_outage(15 if full else 6)),
    "broker-restart": lambda full: Scenario(broker_restart),
    "sigterm": lambda full: Scenario(sigterm),
    "rebalance": lambda full: Scenario(rebalance),
    "long-article": lambda full: Scenario(
        nothing, workers=2, extra=long_article(100_000 if full else 10_000)
    ),
}


def run_scenario(
    name: str,
    *,
    articles: int,
    seconds: float,
    full: bool,
    guarantee: str = "at_least_once",
    seed: int = 1,
) -> Row:
    settings = load_settings().isolated("chaos", topic_partitions=4)
    create_topics(settings)
    tmp = Path(tempfile.mkdtemp(prefix=f"nw-chaos-{name}-"))
    redis = RedisServer(
        tmp / "redis", persistence=("--appendonly", "yes", "--appendfsync", "always")
    )
    redis.start()
    ctx = Context(settings, redis, tmp, guarantee)
    messages = messages_for(articles, seed)
    scenario = SCENARIOS[name](full)
    if scenario.extra is not None:
        messages.insert(len(messages) // 3, scenario.extra)
    started = time.monotonic()
    try:
        for _ in range(scenario.workers):
            ctx.start_worker()
        stream = publish_stream(ctx.settings, messages, seconds)
        scenario.fault(ctx, seconds, random.Random(seed))
        stream.join()
        if not any(w.alive() for w in ctx.workers):
            ctx.start_worker()
        wait_until_done(ctx, messages, timeout=max(180.0, seconds * 3))
    finally:
        ctx.stop_all()
        redis.stop()
    row = account(name, settings, messages, started, "; ".join(ctx.notes))
    if not row.ok():
        row.notes += f" (logs in {tmp})"
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return row


HEADER = (
    f"{'scenario':<16}{'in':>7}{'enriched':>10}{'dups':>7}{'dead':>7}{'lost':>6}"
    f"{'doubled':>9}{'repeats':>9}{'secs':>7}  notes"
)


def format_row(row: Row) -> str:
    return (
        f"{row.scenario:<16}{row.articles:>7}{row.enriched:>10}{row.duplicates:>7}"
        f"{row.dead_lettered:>7}{row.lost:>6}{row.doubled:>9}{row.repeats:>9}"
        f"{row.seconds:>7.0f}  {row.notes}"
    )


def as_dict(row: Row) -> dict[str, Any]:
    return dict(row.__dict__)
