"""The faust app: consume raw articles, delegate to :class:`~workers.pipeline.Pipeline`, publish.

Thin on purpose: the agent is a short ``async for`` over batches of events
(``stream.take_events``) that hands each batch to the pipeline's three steps:
:meth:`~workers.pipeline.Pipeline.decide` (decode, dedupe decision, language) in
the loop, then :meth:`~workers.pipeline.Pipeline.recognize` (NER, in a thread)
and :meth:`~workers.pipeline.Pipeline.finish` (stories, events, sending), each as
a task (:class:`InOrder`): while one batch is in NER, the next is decided and the
previous one published; each step takes one batch at a time, in order. **No input is acknowledged
before its outputs are confirmed**:

* each batch's messages are *held* (one more reference each) while it is
  processed, so ``take_events``, which acknowledges a batch in a ``finally``
  block whatever happened, cannot let its offsets be committed; the batch is
  *released* only once the broker has confirmed every output;
* Redis trouble (:class:`~workers.errors.ServiceUnavailable`) and sends the
  broker did not confirm in time are retried with backoff, the same batch
  again;
* anything else is unexpected: the process stops at once without committing
  (crash-only, exit status 70); the orchestrator restarts it and the batch is
  redelivered, with the same decisions and ids (replays).

A stop (SIGTERM) in the middle of a batch leaves that batch held: its offsets
are not committed and the next owner of the partition processes it again.

Web endpoints (when ``NEWSWORKER_WEB_ENABLED``): ``/healthz`` (the process
answers), ``/readyz`` (Redis answers, Kafka partitions are assigned) and
``/metrics`` (Prometheus).
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, NoReturn, TypeVar, cast

import faust
from aiokafka.errors import KafkaError, KafkaTimeoutError

from topics.specs import DLQ, DUPLICATES, ENRICHED, RAW, STORIES, largest_record
from workers.adapters.gazetteer import foreign_names, place_index
from workers.adapters.kafka_transactions import (
    OffsetGap,
    PartitionMoved,
    ProducerStateLost,
    TransactionalOutputs,
)
from workers.adapters.language_id import LangId
from workers.adapters.ner_process import NerProcess
from workers.adapters.prometheus import WorkerMetrics
from workers.adapters.redis_dedupe import check_redis, dedupe_from_settings
from workers.adapters.redis_stories import stories_from_settings
from workers.adapters.spacy_ner import NerModel
from workers.adapters.word_frequency import WordFrequency
from workers.config import Settings
from workers.core.places import PlaceIndex
from workers.errors import ServiceUnavailable
from workers.pipeline import (
    BatchResult,
    Decided,
    Output,
    Pipeline,
    PipelineConfig,
    RawMessage,
    Recognized,
    Recognizer,
)

log = logging.getLogger("newsworker.worker")
MAX_BACKOFF_SECONDS = 30.0
#: How long a batch waits for a newly assigned partition's producer to start (fence, read
#: the committed offset) before that counts as unexpected.
OPEN_TIMEOUT_SECONDS = 120.0
#: Longest a partition's transaction may take (sends, offsets, commit; broker retries
#: included): a transaction still open after it is stuck, and the process stops.
COMMIT_TIMEOUT_SECONDS = 180.0
#: Exit status of a crash-only stop (EX_SOFTWARE): nothing of the batch was committed.
EXIT_UNEXPECTED = 70

Send = Callable[[Output], Awaitable[Awaitable[Any]]]
T = TypeVar("T")


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


def pipeline_config(settings: Settings) -> PipelineConfig:
    """The pipeline's part of the settings."""
    return PipelineConfig(
        max_message_bytes=settings.max_message_bytes,
        max_body_chars=settings.max_body_chars,
        entity_labels=settings.entity_labels,
        ner_batch_size=settings.ner_batch_size,
    )


def load_recognizer(settings: Settings) -> Recognizer:
    """The model in a child process of its own (the default) or in this one."""
    if settings.ner_process:
        return NerProcess(settings.spacy_model)
    return NerModel(settings.spacy_model)


def build_pipeline(
    settings: Settings,
    *,
    ner_enabled: bool = True,
    recognizer: Recognizer | None = None,
    places: PlaceIndex | None = None,
) -> Pipeline:
    """The production pipeline: Redis index and spaCy model (checked at once).

    ``recognizer`` and ``places``, when given, are used instead of loading the model
    and the gazetteer (measurements that build many pipelines load them once).
    """
    check_redis(settings.redis_url.get_secret_value())
    dedupe = dedupe_from_settings(settings, clock=time.time)
    ner = recognizer or (load_recognizer(settings) if ner_enabled else None)
    if places is None and ner is not None and settings.geocode:
        places = place_index()
    foreign = foreign_names() if places is not None and settings.foreign_places else None
    linking = settings.story_linking
    return Pipeline(
        pipeline_config(settings),
        dedupe,
        ner,
        clock=time.time,
        places=places,
        language=LangId(),
        stories=stories_from_settings(settings, clock=time.time) if linking else None,
        zipf_in=WordFrequency().zipf_in if linking else None,
        foreign=foreign,
    )


def faust_app(settings: Settings) -> faust.App:
    """The faust app with the consumer and producer settings the delivery rules need."""
    return faust.App(
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
        # A killed replica's partitions move to the others after this long.
        broker_session_timeout=15.0,
        broker_heartbeat_interval=3.0,
        # A group formed while the broker is starting can see the raw topic missing from
        # metadata and assign nothing; the leader rejoins when the next metadata refresh
        # shows the topic's partitions. Refresh every 30 s, not faust's 5 minutes, so such
        # a worker idles for seconds, not minutes.
        consumer_metadata_max_age_ms=30_000,
        consumer_max_fetch_size=max(largest_record(settings.max_message_bytes), 4 * 1024 * 1024),
        producer_max_request_size=largest_record(settings.max_message_bytes),
        producer_acks=-1,
        # faust's own default is 20 minutes: a broker that stops answering would hold a
        # batch that long before its send is retried.
        producer_request_timeout=settings.kafka_request_timeout_seconds,
        # exactly_once is this worker's own (workers/adapters/kafka_transactions.py): faust's
        # transactions did not bind this agent's batched sends, so faust stays at-least-once.
        processing_guarantee="at_least_once",
    )


def raw_messages(events: Sequence[Any]) -> list[RawMessage]:
    """The pipeline's view of a batch of faust events."""
    return [
        RawMessage(
            value=event.message.value,
            key=event.message.key,
            topic=event.message.topic,
            partition=event.message.partition,
            offset=event.message.offset,
        )
        for event in events
    ]


def create_app(settings: Settings, *, ner_enabled: bool = True) -> faust.App:
    """The worker: one agent over the raw topic, and the web pages."""
    app = faust_app(settings)
    prefix = settings.topic_prefix
    exactly_once = settings.processing_guarantee == "exactly_once"
    # With transactions the offsets are committed in them: faust must commit none itself
    # (a late commit of its own could move the group's offset back).
    raw = app.topic(RAW.name(prefix), value_type=bytes, key_type=bytes, acks=not exactly_once)
    outputs = {
        spec.role: app.topic(spec.name(prefix), value_type=bytes, key_type=bytes)
        for spec in (ENRICHED, DUPLICATES, DLQ, STORIES)
    }
    # Built before the worker starts, so a missing model or bad setting fails fast.
    pipeline = build_pipeline(settings, ner_enabled=ner_enabled)
    metrics = WorkerMetrics()
    positions: dict[tuple[str, int], int] = {}

    async def send(output: Output) -> Awaitable[Any]:
        return await outputs[output.role].send(key=output.key, value=output.value)

    transactions = (
        TransactionalOutputs(
            settings, {role: topic.get_topic_name() for role, topic in outputs.items()}
        )
        if exactly_once
        else None
    )

    @app.agent(raw, name="newsworker.articles")
    async def articles(stream: Any) -> None:
        in_ner, finishing = InOrder(), InOrder()
        try:
            batches = stream.take_events(settings.ner_batch_size, settings.ner_batch_seconds)
            async for events in batches:
                hold(events)
                batch = raw_messages(events)
                decided = await decide(batch)
                # queued on NER's thread now, behind the batch in NER: no gap between them
                queued = pipeline.start_recognize(decided)
                await in_ner.then(recognize(events, batch, queued, finishing))
        finally:
            in_ner.cancel()
            finishing.cancel()

    async def decide(batch: list[RawMessage]) -> Decided:
        try:
            return await with_redis_retry(partial(pipeline.decide, batch), metrics)
        except Exception as exc:
            stop_without_commit(exc, batch)

    async def recognize(
        events: Sequence[Any],
        batch: list[RawMessage],
        queued: asyncio.Task[Recognized],
        finishing: InOrder,
    ) -> None:
        try:
            recognized = await queued
        except Exception as exc:
            stop_without_commit(exc, batch)
        await finishing.then(finish(events, batch, recognized))

    async def finish(
        events: Sequence[Any], batch: list[RawMessage], recognized: Recognized
    ) -> None:
        try:
            result = await with_redis_retry(partial(pipeline.finish, recognized), metrics)
            if transactions is None:
                await publish_with_retry(send, result.outputs, metrics)
                done = events
            else:
                kept = await commit_in_transactions(
                    transactions, batch, result.outputs, metrics, assigned_here
                )
                done = [
                    e for e, m in zip(events, batch, strict=True) if (m.topic, m.partition) in kept
                ]
        except Exception as exc:
            stop_without_commit(exc, batch)
        release(done)
        now = time.time()
        metrics.record(result.stats, [now - event.message.timestamp for event in events])
        for message in batch:
            positions[(message.topic, message.partition)] = message.offset + 1
        _log_outcomes(batch, result)

    def assigned_here(topic: str, partition: int) -> bool:
        return any(
            (tp.topic, tp.partition) == (topic, partition) for tp in app.consumer.assignment()
        )

    if transactions is not None:
        connect_fencing(app, transactions, RAW.name(prefix))

    add_pages(app, pipeline, metrics, positions)
    del articles
    return app


def add_pages(
    app: faust.App,
    pipeline: Pipeline,
    metrics: WorkerMetrics,
    positions: dict[tuple[str, int], int],
) -> None:
    """``/healthz``, ``/readyz`` and ``/metrics`` (used when the web server is enabled)."""

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "alive"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        # Ready = able to work: Redis answers and the Kafka consumer runs. Holding
        # partitions is not required: with as many replicas as partitions, a rolling
        # update's surge pod holds none until an old pod leaves, and a readiness that
        # waited for partitions would stall the rollout. `partitions` says how many.
        problems = []
        try:
            await asyncio.wait_for(pipeline_ping(pipeline), timeout=2)
        except Exception as exc:
            problems.append(f"redis: {type(exc).__name__}")
        consumer = app.consumer
        if not consumer.started or consumer.crashed:
            problems.append("kafka: consumer not running")
        status = 503 if problems else 200
        body = {
            "ready": not problems,
            "problems": problems,
            "partitions": len(consumer.assignment()),
        }
        return web.json(body, status=status)

    @app.page("/metrics")
    async def prometheus(web: Any, request: Any) -> Any:
        lags = {}
        for tp in app.consumer.assignment():
            high = app.consumer.highwater(tp)
            done = positions.get((tp.topic, tp.partition))
            if done is None:  # nothing processed here yet: the fetch position
                done = await app.consumer.position(tp)
            if high is not None and done is not None:
                lags[(tp.topic, tp.partition)] = high - done
        metrics.set_lag(lags)
        metrics.redis_round_trips.set(pipeline.redis_round_trips)
        return web.bytes(metrics.exposition(), content_type="text/plain; version=0.0.4")

    del healthz, readyz, prometheus


async def pipeline_ping(pipeline: Pipeline) -> None:
    """Raise unless the pipeline's Redis answers (for ``/readyz``)."""
    dedupe = pipeline.dedupe
    client = getattr(dedupe, "client", None)
    if client is not None:
        await client.ping()


def _log_outcomes(batch: list[RawMessage], result: BatchResult) -> None:
    for output in result.outputs:
        message = batch[output.index]
        article_id = output.key.decode("utf-8", errors="replace")
        where = f"{message.topic}[{message.partition}]@{message.offset}"
        if output.role == "dlq":
            log.warning("dead-lettered %s", where, extra={"article_id": article_id})
        else:
            log.debug("%s %s", output.role, where, extra={"article_id": article_id})
    log.info("batch of %d: %s", len(batch), result.stats.published)


class Backoff:
    """Waits between tries of the same work: 0.5 s, doubling, at most MAX_BACKOFF_SECONDS."""

    def __init__(self, first: float = 0.5) -> None:
        self.delay = first

    async def wait(self) -> None:
        """Sleep the current delay, then double it (capped)."""
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, MAX_BACKOFF_SECONDS)


def connect_fencing(app: faust.App, transactions: TransactionalOutputs, raw_topic: str) -> None:
    """Start a partition's producer as it is assigned and stop it as it is revoked.

    Starting it fences the partition's previous owner before any offset is read.
    """

    async def on_assigned(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        assigned = args[0] if args else kwargs.get("assigned", ())
        await transactions.open(
            sorted((tp.topic, tp.partition) for tp in assigned if tp.topic == raw_topic)
        )

    async def on_revoked(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        await transactions.close([(tp.topic, tp.partition) for tp in revoked])

    app.on_partitions_assigned.connect(cast(Any, on_assigned))  # mode types its receivers loosely
    app.on_partitions_revoked.connect(cast(Any, on_revoked))


def hold(events: Sequence[Any]) -> None:
    """Take one more reference on each message, so acknowledging the events does not commit."""
    for event in events:
        event.message.incref()


def release(events: Sequence[Any]) -> None:
    """Drop the references of :func:`hold`: the messages' offsets may now be committed."""
    for event in events:
        event.ack()


def stop_without_commit(exc: BaseException, batch: Sequence[RawMessage]) -> NoReturn:
    """Crash-only: log what failed and exit at once, before anything else is committed."""
    where = ", ".join(sorted({f"{m.topic}[{m.partition}]@{m.offset}" for m in batch[:3]}))
    log.critical(
        "unexpected %s while handling a batch of %d (%s ...): stopping without committing; "
        "the batch will be redelivered",
        type(exc).__name__,
        len(batch),
        where,
        exc_info=exc,
    )
    logging.shutdown()
    os._exit(EXIT_UNEXPECTED)


class TransactionStuck(Exception):
    """A transaction did not end in time: the process stops without committing."""


async def within(awaitable: Awaitable[None], seconds: float, what: str) -> None:
    """Await ``awaitable`` for at most ``seconds``; past that raise :class:`TransactionStuck`.

    Not ``asyncio.wait_for``: that waits for the cancelled work to unwind, which a
    producer stuck under a transaction may never do.
    """
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        raise TransactionStuck(f"{what} did not end within {seconds:.0f}s")
    task.result()


def send_is_retriable(exc: BaseException) -> bool:
    """Whether a failed send may succeed if tried again (broker away, leader moving, timeout)."""
    return isinstance(exc, KafkaTimeoutError) or (
        isinstance(exc, KafkaError) and bool(getattr(exc, "retriable", False))
    )


def share_of(
    batch: Sequence[RawMessage],
    outputs: Sequence[Output],
    topic: str,
    partition: int,
    expected: int | None,
) -> list[Output]:
    """One input partition's outputs, none below ``expected``, each once.

    Around a rebalance faust can hand the same message to a batch twice (still buffered
    from before, and fetched again from the committed offset): its outputs go out once.
    A message can have several outputs of its own (its event and its story's record):
    all of them go out.
    """
    share: list[Output] = []
    taken: set[tuple[int, str, bytes]] = set()
    for output in outputs:
        message = batch[output.index]
        if (message.topic, message.partition) != (topic, partition):
            continue
        if expected is not None and message.offset < expected:
            continue
        once = (message.offset, output.role, output.key)
        if once in taken:
            continue
        taken.add(once)
        share.append(output)
    return share


async def commit_in_transactions(
    transactions: TransactionalOutputs,
    batch: Sequence[RawMessage],
    outputs: Sequence[Output],
    metrics: WorkerMetrics | None = None,
    assigned: Callable[[str, int], bool] | None = None,
    commit_timeout: float = COMMIT_TIMEOUT_SECONDS,
) -> set[tuple[str, int]]:
    """Each input partition's outputs and next offset in one transaction; the partitions done.

    Per partition, the share of the batch must start where the group's committed offset
    is: messages below it were committed already (by this replica or a previous owner)
    and their outputs are dropped, not published again; a share that starts above it
    would skip input, and raises :class:`OffsetGap` (unless the offsets skipped hold no
    records: markers of an upstream producer's transactions). A partition assigned here whose
    producer is still starting is waited for (``assigned`` tells the consumer's current
    assignment); a partition another replica owns now is skipped (its new owner
    processes it from the committed offset). Commits the broker
    did not confirm are retried with backoff; anything else is raised, and a
    transaction that does not end within ``commit_timeout`` raises
    :class:`TransactionStuck` (crash-only: a silent hang would hold the partitions
    while nothing moves).
    """
    offsets: dict[tuple[str, int], list[int]] = {}
    for message in batch:
        offsets.setdefault((message.topic, message.partition), []).append(message.offset)
    # The partitions' transactions are independent (one producer each): run side by side.
    keys = sorted(offsets)
    results = await asyncio.gather(
        *(
            _commit_partition(
                transactions, batch, outputs, key, offsets[key], metrics, assigned, commit_timeout
            )
            for key in keys
        )
    )
    return {key for key, ok in zip(keys, results, strict=True) if ok}


async def _commit_partition(
    transactions: TransactionalOutputs,
    batch: Sequence[RawMessage],
    outputs: Sequence[Output],
    key: tuple[str, int],
    seen: list[int],
    metrics: WorkerMetrics | None,
    assigned: Callable[[str, int], bool] | None,
    commit_timeout: float,
) -> bool:
    """One input partition's share of :func:`commit_in_transactions`; whether it is done."""
    topic, partition = key
    backoff = Backoff()
    while True:
        if not transactions.owns(topic, partition):
            if assigned is not None and await transactions.wait_owned(
                topic, partition, partial(assigned, topic, partition), OPEN_TIMEOUT_SECONDS
            ):
                continue  # assigned here, and its producer has now started
            log.info("%s[%s] is not assigned here: its share is its owner's", topic, partition)
            return False
        expected = transactions.expected.get((topic, partition))
        first, last = min(seen), max(seen)
        if expected is not None and last < expected:
            return True  # all of it committed before: nothing to publish
        if expected is not None and first > expected:
            skipped = await transactions.records_between(topic, partition, expected, first)
            if skipped:
                raise OffsetGap(
                    f"{topic}[{partition}]: batch starts at {first}, committed {expected}"
                    f" ({skipped} records between)"
                )
            # only transaction markers of a transactional upstream producer between
            log.debug("%s[%s]: offsets %d..%d hold no records", topic, partition, expected, first)
        share = share_of(batch, outputs, topic, partition, expected)
        try:
            await within(
                transactions.commit(topic, partition, share, last + 1),
                commit_timeout,
                f"the transaction of {topic}[{partition}]",
            )
            return True
        except PartitionMoved as exc:
            log.info("%s: its share of the batch is left to the new owner", exc)
            return False
        except ProducerStateLost as exc:
            # Start the partition's producer again (a new epoch aborts what was left
            # open, and the committed offset is read again), then send the share again.
            log.warning("%s: starting its producer again; the share is sent again", exc)
            if not await _reopen(transactions, key, backoff, metrics, assigned):
                log.info("%s: not assigned here any more; left to the new owner", exc)
                return False
        except Exception as exc:
            await wait_to_send_again(exc, backoff, metrics, "transaction")
            # the commit may have landed after all: ask the broker where the group is
            await transactions.refresh(topic, partition)


async def _reopen(
    transactions: TransactionalOutputs,
    key: tuple[str, int],
    backoff: Backoff,
    metrics: WorkerMetrics | None,
    assigned: Callable[[str, int], bool] | None,
) -> bool:
    """Start a partition's producer again, retrying while the broker is away.

    False when the partition is no longer assigned here (its share is its new owner's).
    """
    await backoff.wait()
    while True:
        if assigned is not None and not assigned(*key):
            return False
        try:
            await transactions.open([key])
            return True
        except Exception as exc:
            what = f"the start of {key[0]}[{key[1]}]'s producer"
            await wait_to_send_again(exc, backoff, metrics, what)


async def wait_to_send_again(
    exc: Exception, backoff: Backoff, metrics: WorkerMetrics | None, what: str
) -> None:
    """After a failed send: raise ``exc`` unless it is retriable, else count it and back off."""
    if not send_is_retriable(exc):
        raise exc
    if metrics is not None:
        metrics.send_retries.inc()
    log.warning("%s not confirmed (%s); again in %.1fs", what, exc, backoff.delay)
    await backoff.wait()


async def publish_with_retry(
    send: Send, outputs: Sequence[Output], metrics: WorkerMetrics | None = None
) -> None:
    """Send a batch's outputs and wait until the broker confirms them all.

    Sends the broker did not confirm in time are sent again, the whole batch,
    with backoff, for as long as it takes (a record may then be written twice:
    its id is the same); any other failure is raised.
    """
    backoff = Backoff()
    while True:
        try:
            pending = [await send(output) for output in outputs]
            await asyncio.gather(*pending)
            return
        except Exception as exc:
            await wait_to_send_again(exc, backoff, metrics, "outputs")


async def with_redis_retry(
    work: Callable[[], Awaitable[T]], metrics: WorkerMetrics | None = None
) -> T:
    """Run a step of a batch, waiting out a Redis outage with backoff.

    Never skip or dead-letter: the pipeline's steps may be run again (Redis answers
    a replayed article as it did the first time).
    """
    backoff = Backoff()
    while True:
        try:
            return await work()
        except ServiceUnavailable as exc:
            if metrics is not None:
                metrics.redis_retries.inc()
            log.warning("%s; retrying the batch in %.1fs", exc.message, backoff.delay)
            await backoff.wait()


class InOrder:
    """Runs one step of each batch as a task, one batch at a time, in the order given.

    The agent is a pipeline of three steps: it decides a batch itself (event loop),
    hands its NER to one ``InOrder`` and its finish (stories, events, the
    transaction) to another, and goes on to take and decide the next batch. So while
    batch N is in NER (in a thread), batch N+1 is decided and batch N-1 finished on
    the event loop; at most one batch is in each step. :meth:`then` waits for the
    previous batch's step before it starts this one's. A step handles its own
    failures (crash-only stop); :meth:`cancel`, when the agent stops, leaves a batch
    unfinished and held, so its offsets are not committed and it is redelivered.
    """

    def __init__(self) -> None:
        self.running: asyncio.Task[None] | None = None

    async def then(self, work: Coroutine[Any, Any, None]) -> None:
        """Wait for the previous batch's step to end, then start this batch's as a task."""
        if self.running is not None:
            try:
                await asyncio.shield(self.running)
            except BaseException:
                work.close()
                raise
        self.running = asyncio.ensure_future(work)

    def cancel(self) -> None:
        """Stop the step running, if any (the agent is stopping)."""
        if self.running is not None and not self.running.done():
            self.running.cancel()
