"""Kafka transactions: a batch's outputs and its input offsets committed together.

One transactional producer per input partition, with the transactional id
``<group>-<topic>-<partition>``: when a partition moves to another replica,
that replica's producer for it starts with the same id, which fences the old
owner (its open transaction is aborted, its next one refused with
``ProducerFenced``) and waits for any transaction still open on it to end.
The new owner creates its producers while its partitions are being assigned,
before it fetches their committed offsets, so it starts exactly after the last
committed batch (KIP-98's one-producer-per-input-partition scheme).

A ``read_committed`` reader sees each batch's outputs once, together with the
offsets that mark its input consumed, or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError as AIOKafkaError
from aiokafka.errors import OutOfOrderSequenceNumber, ProducerFenced, UnknownProducerId
from aiokafka.structs import TopicPartition
from kafka import KafkaConsumer
from kafka import TopicPartition as KafkaTopicPartition
from kafka.errors import KafkaError

from topics.specs import largest_record
from workers.adapters.kafka_clients import client_options
from workers.config import Settings

log = logging.getLogger("newsworker.transactions")


class Record(Protocol):
    """An output to publish: its topic role, key and value (the pipeline's ``Output``)."""

    @property
    def role(self) -> str:
        """``enriched``, ``duplicates`` or ``dlq``."""
        ...

    @property
    def key(self) -> bytes:
        """The record's key."""
        ...

    @property
    def value(self) -> bytes:
        """The record's value."""
        ...


class PartitionMoved(Exception):
    """The input partition now belongs to another replica: this batch's transaction was fenced."""


class ProducerStateLost(Exception):
    """A partition's producer cannot go on (:func:`lost_producer_state`).

    Seen after a broker restart. The producer is stopped; starting it again (a new
    epoch) aborts what was left open, and the committed offset, read again, says what
    of the share is still to send.
    """


def lost_producer_state(exc: BaseException) -> bool:
    """Whether a failed transaction left its producer unable to go on until restarted.

    * ``OutOfOrderSequenceNumber``, ``UnknownProducerId``: the broker lost the
      producer's sequence state (seen after a broker restart);
    * a bare ``KafkaError``: aiokafka's sender routine died and failed every pending
      send with it ("Unexpected error during batch delivery"; seen when the
      transaction coordinator's connection closed under a broker restart). The
      producer sends nothing more.

    Any other error (a record refused, a timeout) is not this.
    """
    return isinstance(exc, (OutOfOrderSequenceNumber, UnknownProducerId)) or (
        type(exc) is AIOKafkaError
    )


class OffsetGap(Exception):
    """A batch does not start where the partition's committed offset is.

    Committing it would skip input. Not retried: the process stops without committing and
    starts again from the committed offset.
    """


def aiokafka_security(settings: Settings) -> dict[str, Any]:
    """Security keyword arguments of aiokafka clients for these settings."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_security_protocol in {"SSL", "SASL_SSL"}:
        cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
        options["ssl_context"] = ssl.create_default_context(cafile=cafile)
    if settings.kafka_sasl_mechanism:
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.sasl_password()
    return options


class TransactionalOutputs:
    """Publishes each input partition's share of a batch in one transaction with its offset."""

    def __init__(self, settings: Settings, topics: Mapping[str, str]) -> None:
        self.settings = settings
        self.topics = dict(topics)
        self.group = settings.consumer_group
        self.producers: dict[tuple[str, int], AIOKafkaProducer] = {}
        #: The offset the next batch of each owned partition must start at (None: unknown,
        #: nothing committed yet).
        self.expected: dict[tuple[str, int], int | None] = {}
        #: Notified whenever a producer is opened or closed.
        self._changed: asyncio.Condition | None = None
        #: Held while a partition's transaction is open and while its producer is stopped,
        #: so a revocation never stops a producer under a transaction in flight (its
        #: awaits would never end) but waits for that transaction to end first.
        self._busy: dict[tuple[str, int], asyncio.Lock] = {}

    def _lock(self, key: tuple[str, int]) -> asyncio.Lock:
        return self._busy.setdefault(key, asyncio.Lock())

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # made in the running loop
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        condition = self._condition()
        async with condition:
            condition.notify_all()

    def transactional_id(self, topic: str, partition: int) -> str:
        """The id shared by every replica for one input partition."""
        return f"{self.group}-{topic}-{partition}"

    async def _start(self, topic: str, partition: int) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.bootstrap_list(),
            client_id=f"newsworker-{self.group}",
            transactional_id=self.transactional_id(topic, partition),
            enable_idempotence=True,
            acks="all",
            request_timeout_ms=int(self.settings.kafka_request_timeout_seconds * 1000),
            max_request_size=largest_record(self.settings.max_message_bytes),
            **aiokafka_security(self.settings),
        )
        await producer.start()  # fences the previous owner, waits for its transaction to end
        self.expected[(topic, partition)] = await asyncio.to_thread(
            self.committed_offset, topic, partition
        )
        self.producers[(topic, partition)] = producer  # owned from here on

    def committed_offset(self, topic: str, partition: int) -> int | None:
        """The group's committed offset, as a read_committed consumer reads it.

        While a transaction that commits offsets is still settling, the broker answers
        UNSTABLE_OFFSET_COMMIT (KIP-447) and the read is tried again.
        """
        consumer = KafkaConsumer(
            group_id=self.group,  # never subscribes: reads the group's offsets, joins nothing
            enable_auto_commit=False,
            isolation_level="read_committed",
            **client_options(self.settings, f"newsworker-{self.group}-offsets"),
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    offset = consumer.committed(KafkaTopicPartition(topic, partition))
                    return None if offset is None or offset < 0 else int(offset)
                except KafkaError as exc:
                    if not getattr(exc, "retriable", False) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            consumer.close(autocommit=False)

    async def records_between(self, topic: str, partition: int, start: int, end: int) -> int:
        """How many records the partition holds at offsets ``start`` to ``end - 1``.

        A batch that starts above the committed offset skipped those offsets: harmless
        when they hold no records (transaction markers of an upstream transactional
        producer take offsets but are never delivered), a loss otherwise.
        """
        return await asyncio.to_thread(self._count_records, topic, partition, start, end)

    def _count_records(self, topic: str, partition: int, start: int, end: int) -> int:
        consumer = KafkaConsumer(
            enable_auto_commit=False,
            isolation_level="read_uncommitted",  # as the worker's consumer reads
            **client_options(self.settings, f"newsworker-{self.group}-gap"),
        )
        tp = KafkaTopicPartition(topic, partition)
        try:
            consumer.assign([tp])
            consumer.seek(tp, start)
            found = 0
            deadline = time.monotonic() + 60
            while consumer.position(tp) < end:
                if time.monotonic() > deadline:
                    raise OffsetGap(f"{topic}[{partition}]: could not read {start}..{end - 1}")
                for records in consumer.poll(timeout_ms=500).values():
                    found += sum(1 for r in records if start <= r.offset < end)
            return found
        finally:
            consumer.close(autocommit=False)

    async def refresh(self, topic: str, partition: int) -> None:
        """Read the partition's committed offset again (after a commit of unknown outcome)."""
        if (topic, partition) in self.producers:
            self.expected[(topic, partition)] = await asyncio.to_thread(
                self.committed_offset, topic, partition
            )

    def owns(self, topic: str, partition: int) -> bool:
        """Whether this replica holds the partition's producer (the partition is assigned)."""
        return (topic, partition) in self.producers

    async def wait_owned(
        self, topic: str, partition: int, assigned: Callable[[], bool], timeout: float
    ) -> bool:
        """Wait while the partition is assigned here but its producer is still starting.

        The consumer may hand over a new partition's messages before its producer has
        fenced the previous owner: they must wait for it, not be skipped (skipping would
        lose them: the consumer does not fetch them again). True once the producer is
        open; False if the partition is revoked first. Raises ``TimeoutError``.
        """
        condition = self._condition()
        async with condition:
            await asyncio.wait_for(
                condition.wait_for(lambda: self.owns(topic, partition) or not assigned()),
                timeout,
            )
        return self.owns(topic, partition)

    async def commit(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        """Publish ``outputs`` and mark the input consumed up to ``next_offset``, atomically.

        Raises :class:`PartitionMoved` when another replica owns the partition now.
        """
        async with self._lock((topic, partition)):
            await self._commit_locked(topic, partition, outputs, next_offset)

    async def _commit_locked(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        producer = self.producers.get((topic, partition))
        if producer is None:
            raise PartitionMoved(f"{topic}[{partition}] is not assigned here")
        try:
            async with producer.transaction():
                pending = [
                    await producer.send(self.topics[output.role], output.value, key=output.key)
                    for output in outputs
                ]
                # Every record must be confirmed before the commit: aiokafka would commit a
                # transaction whose record the broker refused (RecordTooLarge), losing it.
                await asyncio.gather(*pending)
                await producer.send_offsets_to_transaction(
                    {TopicPartition(topic, partition): next_offset}, self.group
                )
        except ProducerFenced as exc:
            await self._stop_one((topic, partition))
            await self._notify()
            raise PartitionMoved(f"{topic}[{partition}] moved to another replica") from exc
        except AIOKafkaError as exc:
            if not lost_producer_state(exc):
                raise
            try:
                await self._stop_one((topic, partition))
            except AIOKafkaError:
                log.warning("%s[%s]: its producer did not stop cleanly", topic, partition)
            await self._notify()
            raise ProducerStateLost(f"{topic}[{partition}]: {type(exc).__name__}") from exc
        self.expected[(topic, partition)] = next_offset

    async def open(self, partitions: Iterable[tuple[str, int]]) -> None:
        """Start the producers of newly assigned partitions, fencing their previous owners.

        Then read where each must go on: the group's committed offset.
        """
        for topic, partition in partitions:
            if (topic, partition) not in self.producers:
                await self._start(topic, partition)
                await self._notify()

    async def close(self, partitions: Iterable[tuple[str, int]]) -> None:
        """Stop the producers of partitions this replica no longer owns.

        A transaction in flight on one of them is waited for (it commits, or fails
        fenced) before its producer stops.
        """
        for key in list(partitions):
            async with self._lock(key):
                await self._stop_one(key)
        await self._notify()

    async def _stop_one(self, key: tuple[str, int]) -> None:
        producer = self.producers.pop(key, None)
        self.expected.pop(key, None)
        if producer is not None:
            await producer.stop()

    async def stop(self) -> None:
        """Stop every producer."""
        await self.close(list(self.producers))
