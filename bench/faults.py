"""Fault scenarios against the real broker, Redis and worker processes.

Each scenario starts its workers, waits until the consumer group holds every
partition, then streams generated articles (with copies and bad messages
mixed in) into a fresh raw topic while it hurts the system at points *in the
stream* (after a share of the articles has come out), never at points in
time: SIGKILL, SIGTERM, a second worker joining and leaving, Redis stopped,
frozen or full, the broker restarted or frozen, a worker killed or frozen
inside a transaction. Every wait is for observed state (the group's
assignment as the broker describes it, outputs read back, transactions open
on the broker, Redis's error counters), with a deadline that fails the
scenario rather than guessing. Afterwards every output topic is read, as
subscribers read it (``read_committed``, and ``read_uncommitted`` for
comparison), and each published article is accounted for:

* lost: no output at all;
* doubled: more than one distinct output id (event / notice / dead letter) or
  outputs in two places; a replay re-publishing the *same* id is counted
  apart as ``repeats`` (what subscribers drop by ``event_id``).

Used by tests/faults/test_faults.py (short form, in CI) and bench/chaos.py
(``make chaos``, the full form).
"""

from __future__ import annotations

import json
import os
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

import redis as sync_redis
from kafka.errors import KafkaError

from topics.specs import DLQ, DUPLICATES, ENRICHED, RAW
from workers.adapters.kafka_clients import (
    GroupMember,
    consume,
    create_topics,
    group_members,
    open_transactions,
    producer,
)
from workers.config import Settings, load_settings
from workers.devtools.corpus import generate_corpus
from workers.devtools.processes import WorkerProcess
from workers.devtools.redis_server import RedisServer
from workers.devtools.stack import DevStack
from workers.errors import ServiceUnavailable

BAD_MESSAGES = [b"\xff\xfe bad bytes", b"   ", b'{"text": 5}', b"<html><body>x</body></html>"]
#: The producers' request timeout the scenarios give their workers, so a frozen broker
#: outlasts it in seconds, not minutes.
REQUEST_TIMEOUT_SECONDS = 8.0
#: Longest wait for any observed state (a rebalance after a SIGKILL takes a session
#: timeout, 15 s, plus a start-up).
WAIT_SECONDS = 150.0


class FaultTimeout(AssertionError):
    """A state the scenario waits for was not observed in time."""


def wait_for(what: str, check: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
    """Poll ``check`` until it holds; :class:`FaultTimeout` naming ``what`` after ``timeout``.

    A check that cannot read the broker (it is restarting, or just thawed and not yet
    registered again) counts as not holding yet.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (ServiceUnavailable, KafkaError):
            pass
        if time.monotonic() > deadline:
            raise FaultTimeout(f"not observed within {timeout:.0f}s: {what}")
        time.sleep(0.3)


def read_outputs(
    settings: Settings, *, committed_only: bool = True
) -> dict[str, list[tuple[str, str]]]:
    """Every output record by article key: (role, output id).

    ``read_committed`` by default, as subscribers read; ``committed_only=False`` also
    sees the records of aborted transactions.
    """
    specs = (ENRICHED, DUPLICATES, DLQ)
    roles = {spec.name(settings.topic_prefix): spec.role for spec in specs}
    found: dict[str, list[tuple[str, str]]] = {}
    for record in consume(
        settings,
        list(roles),
        from_beginning=True,
        timeout=120,
        until_caught_up=True,
        committed_only=committed_only,
    ):
        data = json.loads(record.value or b"{}")
        ident = (
            data.get("event_id")
            or data.get("notice_id")
            or f"dlq:{data.get('partition')}:{data.get('offset')}"
        )
        key = (record.key or b"").decode()
        found.setdefault(key, []).append((roles[record.topic], ident))
    return found


@dataclass
class Context:
    """One scenario's settings, private Redis, workers and what it noticed."""

    settings: Settings
    redis: RedisServer
    tmp: Path
    guarantee: str
    messages: list[tuple[bytes, bytes]]
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
                "NEWSWORKER_KAFKA_REQUEST_TIMEOUT_SECONDS": str(REQUEST_TIMEOUT_SECONDS),
            },
            name=f"worker-{len(self.workers)}",
        )
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGCONT)  # a frozen one must be able to stop
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            if worker.wait(60) is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)

    def alive(self) -> list[WorkerProcess]:
        return [w for w in self.workers if w.alive()]

    # -- observed state --------------------------------------------------------------

    def wanted(self) -> set[str]:
        return {key.decode() for key, _ in self.messages}

    def done(self) -> int:
        """How many of the scenario's articles have a committed output now."""
        return len(self.wanted() & set(read_outputs(self.settings)))

    def wait_progress(self, share: float) -> int:
        """Wait until ``share`` of the articles have come out; how many have."""
        goal = int(share * len(self.messages))
        seen = [0]

        def reached() -> bool:
            seen[0] = self.done()
            return seen[0] >= goal

        wait_for(f"{goal} of {len(self.messages)} articles processed", reached)
        return seen[0]

    def wait_more_than(self, count: int, after: str) -> None:
        """Wait until more than ``count`` articles have come out: progress resumed."""
        wait_for(
            f"progress after {after} (more than {count} articles out)", lambda: self.done() > count
        )

    def members(self) -> list[GroupMember]:
        """The group's members once it is stable (none while it rebalances)."""
        state, members = group_members(self.settings, RAW.name(self.settings.topic_prefix))
        return members if state == "Stable" else []

    def member_ids(self) -> set[str]:
        """Every member the broker counts in the group now, stable or not."""
        return {
            m.member_id
            for m in group_members(self.settings, RAW.name(self.settings.topic_prefix))[1]
        }

    def wait_group(self, count: int, *, not_before: set[str] | None = None) -> None:
        """Wait until ``count`` members hold every raw partition between them (and, with
        ``not_before``, none of those members is one of these)."""
        partitions = set(range(self.settings.topic_partitions))

        def settled() -> bool:
            members = self.members()
            held = [m for m in members if m.partitions]
            covered = set().union(*(m.partitions for m in held)) if held else set()
            if len(members) != count or len(held) != count or covered != partitions:
                return False
            return not_before is None or not {m.member_id for m in members} & not_before

        wait_for(f"{count} worker(s) holding all {len(partitions)} partitions", settled)

    def transactions_open(self) -> list[str]:
        """The scenario's input partitions whose transaction is open on the broker."""
        return open_transactions(self.settings, f"{self.settings.consumer_group}-")


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
    uncommitted_repeats: int = 0

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
                time.sleep(pause)  # the load's shape, not a wait for anything
            sender.flush(timeout=300)
        finally:
            sender.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def account(
    scenario: str,
    settings: Settings,
    messages: list[tuple[bytes, bytes]],
    started: float,
    notes: str = "",
) -> Row:
    outputs = read_outputs(settings)
    uncommitted = read_outputs(settings, committed_only=False)
    ids = [key.decode() for key, _ in messages]
    counts = {"enriched": 0, "duplicates": 0, "dlq": 0}
    lost = doubled = repeats = uncommitted_repeats = 0
    for article_id in ids:
        records = outputs.get(article_id, [])
        everything = uncommitted.get(article_id, [])
        uncommitted_repeats += len(everything) - len(set(everything))
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
        uncommitted_repeats,
    )


def wait_until_done(ctx: Context, timeout: float) -> None:
    """Wait until every article has an output; past ``timeout`` the accounting says what
    is missing."""
    try:
        wait_for("every article processed", lambda: ctx.done() == len(ctx.messages), timeout)
    except FaultTimeout as exc:
        ctx.notes.append(str(exc))


Fault = Callable[[Context, random.Random], None]


@dataclass(frozen=True)
class Scenario:
    """Workers started before the stream, what hurts them while it flows, and an extra
    article to mix in. ``transactions``: the fault exists only with exactly-once."""

    fault: Fault
    workers: int = 1
    extra: tuple[bytes, bytes] | None = None
    transactions: bool = False


def _kill_and_replace(ctx: Context, victim: WorkerProcess) -> None:
    """SIGKILL ``victim``, start a replacement, and wait until it holds every partition."""
    before = ctx.member_ids()
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    ctx.start_worker()
    ctx.wait_group(len(ctx.alive()), not_before=before)


def sigkill(kills: int) -> Fault:
    def fault(ctx: Context, rng: random.Random) -> None:
        for n in range(kills):
            ctx.wait_progress((n + rng.uniform(0.6, 1.0)) / (kills + 1))
            _kill_and_replace(ctx, ctx.workers[-1])

    return fault


def redis_outage(down_seconds: float) -> Fault:
    def fault(ctx: Context, rng: random.Random) -> None:
        ctx.wait_progress(1 / 3)
        ctx.redis.stop()
        time.sleep(down_seconds)  # the outage's length is the fault
        out = ctx.done()
        ctx.redis.start()
        ctx.wait_more_than(out, "Redis came back")

    return fault


def redis_freeze(frozen_seconds: float) -> Fault:
    """Redis stops answering (SIGSTOP) for longer than the worker's socket timeout."""

    def fault(ctx: Context, rng: random.Random) -> None:
        ctx.wait_progress(1 / 3)
        process = ctx.redis.process
        if process is None:
            raise AssertionError("the scenario's Redis is not running")
        out = ctx.done()
        process.send_signal(signal.SIGSTOP)
        try:
            time.sleep(frozen_seconds)  # the freeze's length is the fault
        finally:
            process.send_signal(signal.SIGCONT)
        ctx.wait_more_than(out, "Redis thawed")

    return fault


def redis_full(ctx: Context, rng: random.Random) -> None:
    """Redis reaches ``maxmemory`` (writes refused with OOM) until an operator raises it."""
    ctx.wait_progress(1 / 3)
    client = sync_redis.Redis.from_url(ctx.redis.url)
    try:
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", "1")

        def refused() -> int:
            return int(client.info("errorstats").get("errorstat_OOM", {}).get("count", 0))

        wait_for("a write refused with OOM", lambda: refused() > 0)
        out = ctx.done()
        client.config_set("maxmemory", "0")
        ctx.notes.append(f"{refused()} writes refused")
    finally:
        client.close()
    ctx.wait_more_than(out, "maxmemory was raised")


def _broker(ctx: Context) -> tuple[DevStack, int | None]:
    """The dev stack and its broker's pid (None: an external broker, not ours to hurt)."""
    stack = DevStack.from_env(ctx.settings)
    pid = stack.pid("kafka")
    if pid is None and not stack.external_kafka:
        raise AssertionError("the broker was not started by this project's stack")
    return stack, pid


def broker_restart(ctx: Context, rng: random.Random) -> None:
    ctx.wait_progress(1 / 3)
    stack, pid = _broker(ctx)
    if pid is None:
        ctx.notes.append("external broker: not restarted")
        return
    out = ctx.done()
    stack.stop_kafka()
    stack.start_kafka()
    ctx.wait_group(len(ctx.alive()))
    ctx.wait_more_than(out, "the broker restarted")


def broker_freeze(frozen_seconds: float) -> Fault:
    """The broker stops answering (SIGSTOP) for longer than the producers' request
    timeout while the backlog builds up, then goes on (SIGCONT)."""

    def fault(ctx: Context, rng: random.Random) -> None:
        ctx.wait_progress(1 / 3)
        _, pid = _broker(ctx)
        if pid is None:
            ctx.notes.append("external broker: not frozen")
            return
        out = ctx.done()
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(frozen_seconds)  # the freeze's length is the fault
        finally:
            os.kill(pid, signal.SIGCONT)
        ctx.wait_more_than(out, "the broker thawed")

    return fault


def sigterm(ctx: Context, rng: random.Random) -> None:
    ctx.wait_progress(1 / 2)
    worker = ctx.workers[-1]
    began = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(90)
    ctx.notes.append(f"SIGTERM exit {code} in {time.monotonic() - began:.1f}s")
    if code != 0:
        raise AssertionError(f"worker exited {code} on SIGTERM")
    ctx.start_worker()
    ctx.wait_group(1)


def rebalance(ctx: Context, rng: random.Random) -> None:
    ctx.wait_progress(1 / 4)
    second = ctx.start_worker()
    ctx.wait_group(2)  # the partitions are shared between the two
    ctx.wait_progress(2 / 3)
    second.send_signal(signal.SIGTERM)
    second.wait(90)
    ctx.wait_group(1)


def _freeze_inside_transaction(ctx: Context, worker: WorkerProcess, rng: random.Random) -> str:
    """SIGSTOP ``worker`` at a moment the broker shows one of its transactions open.

    The scenario's only live worker is ``worker``, so an open transaction of the group is
    its own. Tries again (SIGCONT, a short random pause) until one is caught.
    """
    for _ in range(2000):
        if not worker.alive():
            raise AssertionError(f"{worker.name} exited while the scenario waited for it")
        worker.send_signal(signal.SIGSTOP)
        caught = ctx.transactions_open()
        if caught:
            return caught[0]
        worker.send_signal(signal.SIGCONT)
        time.sleep(rng.uniform(0.0, 0.05))  # a random point of the next batch
    raise FaultTimeout("never caught the worker inside a transaction in 2000 tries")


def sigkill_in_transaction(ctx: Context, rng: random.Random) -> None:
    """SIGKILL a worker whose transaction is open on the broker."""
    ctx.wait_progress(1 / 3)
    victim = ctx.workers[-1]
    caught = _freeze_inside_transaction(ctx, victim, rng)
    ctx.notes.append(f"killed inside {caught.rsplit('-', 1)[-1]}'s transaction")
    _kill_and_replace(ctx, victim)


def rebalance_in_transaction(ctx: Context, rng: random.Random) -> None:
    """A rebalance moves a partition whose transaction is open: the old owner is frozen
    inside it, a second worker takes every partition, then the old owner thaws and
    must be fenced, not commit."""
    ctx.wait_progress(1 / 3)
    first = ctx.workers[-1]
    before = ctx.member_ids()
    caught = _freeze_inside_transaction(ctx, first, rng)
    try:
        ctx.start_worker()
        ctx.wait_group(1, not_before=before)  # the frozen member was dropped
    finally:
        first.send_signal(signal.SIGCONT)
    ctx.notes.append(f"froze inside {caught.rsplit('-', 1)[-1]}'s transaction")
    ctx.wait_group(2)  # the thawed worker rejoined


def nothing(ctx: Context, rng: random.Random) -> None:
    """No fault: the extra article is the test."""


def long_article(lines: int) -> tuple[bytes, bytes]:
    # short lines keep it under the message limit: an article, not a dead letter; its
    # 10,000 to 100,000 lines reach NER as one long text
    text = "Harbour traffic in Genoa, day by day\n" + "\n".join(f"d{n}" for n in range(lines))
    return b"very-long", text.encode()


SCENARIOS: dict[str, Callable[[bool], Scenario]] = {
    "sigkill": lambda full: Scenario(sigkill(5 if full else 2)),
    "redis-outage": lambda full: Scenario(redis_outage(15 if full else 6)),
    "redis-freeze": lambda full: Scenario(redis_freeze(30 if full else 12)),
    "redis-full": lambda full: Scenario(redis_full),
    "broker-restart": lambda full: Scenario(broker_restart),
    "broker-freeze": lambda full: Scenario(
        broker_freeze(3 * REQUEST_TIMEOUT_SECONDS if full else 1.5 * REQUEST_TIMEOUT_SECONDS)
    ),
    "sigterm": lambda full: Scenario(sigterm),
    "rebalance": lambda full: Scenario(rebalance),
    "long-article": lambda full: Scenario(
        nothing, workers=2, extra=long_article(100_000 if full else 10_000)
    ),
    "kill-in-txn": lambda full: Scenario(sigkill_in_transaction, transactions=True),
    "rebalance-in-txn": lambda full: Scenario(rebalance_in_transaction, transactions=True),
}


def applies(name: str, guarantee: str) -> bool:
    """Whether scenario ``name`` exists under ``guarantee`` (some need transactions)."""
    return guarantee == "exactly_once" or not SCENARIOS[name](False).transactions


def run_scenario(
    name: str,
    *,
    articles: int,
    seconds: float,
    full: bool,
    guarantee: str = "at_least_once",
    seed: int = 1,
) -> Row:
    scenario = SCENARIOS[name](full)
    if scenario.transactions and guarantee != "exactly_once":
        raise ValueError(f"{name} needs transactions: run it with exactly_once")
    settings = load_settings().isolated("chaos", topic_partitions=4)
    create_topics(settings)
    tmp = Path(tempfile.mkdtemp(prefix=f"nw-chaos-{name}-"))
    redis = RedisServer(
        tmp / "redis", persistence=("--appendonly", "yes", "--appendfsync", "always")
    )
    redis.start()
    messages = messages_for(articles, seed)
    if scenario.extra is not None:
        messages.insert(len(messages) // 3, scenario.extra)
    ctx = Context(settings, redis, tmp, guarantee, messages)
    started = time.monotonic()
    try:
        for _ in range(scenario.workers):
            ctx.start_worker()
        ctx.wait_group(scenario.workers)  # publish only once every worker holds partitions
        stream = publish_stream(ctx.settings, messages, seconds)
        scenario.fault(ctx, random.Random(seed))
        stream.join()
        if not ctx.alive():
            ctx.start_worker()
        wait_until_done(ctx, timeout=max(180.0, seconds * 3))
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
    f"{'doubled':>9}{'repeats':>9}{'uncommitted':>13}{'secs':>7}  notes"
)


def format_row(row: Row) -> str:
    return (
        f"{row.scenario:<16}{row.articles:>7}{row.enriched:>10}{row.duplicates:>7}"
        f"{row.dead_lettered:>7}{row.lost:>6}{row.doubled:>9}{row.repeats:>9}"
        f"{row.uncommitted_repeats:>13}"
        f"{row.seconds:>7.0f}  {row.notes}"
    )


def as_dict(row: Row) -> dict[str, Any]:
    return dict(row.__dict__)
