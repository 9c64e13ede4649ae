"""kafka-python adapters for the CLI tools: create topics, publish, read back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from topics.specs import TOPICS, TopicSpec, largest_record
from workers.adapters.endpoint import parse_endpoint
from workers.config import Settings
from workers.errors import ServiceUnavailable


def client_options(settings: Settings, client_id: str) -> dict[str, Any]:
    """kafka-python connection options (servers, client id, security) for these settings."""
    return {
        "bootstrap_servers": settings.bootstrap_list(),
        "client_id": client_id,
        **settings.kafka_python_security(),
    }


def brief(exc: BaseException, limit: int = 200) -> str:
    """An error for a one-line message: kafka-python's can carry whole metadata responses."""
    name = type(exc).__name__
    text = str(exc) if str(exc).startswith(name) else f"{name}: {exc}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unreachable(settings: Settings) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"no Kafka broker answers at {settings.kafka_bootstrap_servers} "
        "(start the local stack with: newsworker dev up)"
    )


def require_broker(settings: Settings) -> None:
    """Fail fast, in one line, when no bootstrap server accepts a connection."""
    for server in settings.bootstrap_list():
        if parse_endpoint(server, 9092).answers(timeout=2.0):
            return
    raise _unreachable(settings)


def admin_client(settings: Settings) -> KafkaAdminClient:
    """An admin client, after checking that a broker answers."""
    require_broker(settings)
    try:
        return KafkaAdminClient(
            request_timeout_ms=15000, **client_options(settings, "newsworker-admin")
        )
    except KafkaError:
        raise _unreachable(settings) from None


def topic_partitions(spec: TopicSpec, settings: Settings) -> int:
    """Partitions a topic is created with (the raw and output topics follow the setting)."""
    return settings.topic_partitions if spec.follows_partitions else 1


def create_topics(settings: Settings) -> list[tuple[str, str]]:
    """Create the topics of ``TOPICS`` if missing; return (name, "created" | "exists")."""
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        report: list[tuple[str, str]] = []
        for spec in TOPICS:
            name = spec.name(settings.topic_prefix)
            if name in existing:
                report.append((name, "exists"))
                continue
            topic = NewTopic(
                name=name,
                num_partitions=topic_partitions(spec, settings),
                replication_factor=settings.topic_replication,
                topic_configs=spec.configs(settings.max_message_bytes),
            )
            try:
                admin.create_topics([topic])
                report.append((name, "created"))
            except TopicAlreadyExistsError:
                report.append((name, "exists"))
        admin.wait_for_topics([name for name, _ in report], timeout_ms=30000)
        return report
    finally:
        admin.close()


def producer(settings: Settings) -> KafkaProducer:
    """A producer that waits for all in-sync replicas and sizes requests to the topics' limits."""
    require_broker(settings)
    try:
        return KafkaProducer(
            acks="all",
            linger_ms=5,
            max_request_size=largest_record(settings.max_message_bytes),
            **client_options(settings, "newsworker-publish"),
        )
    except KafkaError:
        raise _unreachable(settings) from None


@dataclass(frozen=True)
class Received:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


def consume(
    settings: Settings,
    topics: list[str],
    *,
    from_beginning: bool,
    timeout: float | None,
    until_caught_up: bool = False,
    committed_only: bool = True,
) -> Iterator[Received]:
    """Messages of ``topics`` (all partitions, no consumer group).

    Stops after ``timeout`` seconds (None: never), or with ``until_caught_up``
    once every partition has been read up to where it ended when reading began.
    Reads ``read_committed`` (what subscribers see); ``committed_only=False`` reads
    ``read_uncommitted``, aborted transactions' records included.
    """
    require_broker(settings)
    try:
        consumer = KafkaConsumer(
            enable_auto_commit=False,
            isolation_level="read_committed" if committed_only else "read_uncommitted",
            **client_options(settings, "newsworker-tail"),
        )
    except KafkaError:
        raise _unreachable(settings) from None
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        partitions = [
            TopicPartition(topic, number)
            for topic in topics
            for number in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            raise ServiceUnavailable(
                f"no such topic: {', '.join(topics)} (newsworker topics create)"
            )
        consumer.assign(partitions)
        if from_beginning:
            consumer.seek_to_beginning()
        else:
            consumer.seek_to_end()
        ends = consumer.end_offsets(partitions)
        while deadline is None or time.monotonic() < deadline:
            if until_caught_up and all(consumer.position(tp) >= ends[tp] for tp in partitions):
                return
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    yield Received(
                        record.topic,
                        record.partition,
                        record.offset,
                        record.key,
                        record.value,
                        record.timestamp,
                    )
    except KafkaError as exc:
        raise ServiceUnavailable(f"kafka error while reading: {brief(exc)}") from exc
    finally:
        consumer.close()


@dataclass(frozen=True)
class GroupMember:
    """One member of a consumer group and the partitions of one topic it holds."""

    member_id: str
    partitions: frozenset[int]


def group_members(settings: Settings, topic: str) -> tuple[str, list[GroupMember]]:
    """The consumer group's state (``Stable``, ``PreparingRebalance``, ...) and its members.

    Each member with the partitions of ``topic`` assigned to it (faust's assignor writes
    the standard consumer assignment, so the broker's description says who holds what).
    """
    admin = admin_client(settings)
    try:
        described = admin.describe_groups([settings.consumer_group])[settings.consumer_group]
    finally:
        admin.close()
    members = []
    for member in described.get("members") or ():
        assignment = member.get("member_assignment") or {}
        held: set[int] = set()
        for entry in assignment.get("assigned_partitions") or ():
            if entry.get("topic") == topic:
                held.update(int(n) for n in entry.get("partitions") or ())
        members.append(GroupMember(str(member["member_id"]), frozenset(held)))
    return str(described.get("group_state")), members


def open_transactions(settings: Settings, prefix: str) -> list[str]:
    """Transactional ids starting with ``prefix`` whose transaction is open on the broker."""
    admin = admin_client(settings)
    try:
        listing = admin.list_transactions(state_filters=["Ongoing"])
    finally:
        admin.close()
    return sorted(
        str(entry.transactional_id)
        for entries in listing.values()  # per broker, kafka-python's TransactionListing
        for entry in entries
        if str(entry.transactional_id).startswith(prefix)
    )
