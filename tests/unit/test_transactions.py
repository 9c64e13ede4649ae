"""How a batch is split into per-partition transactions (no broker: the commit is recorded)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence

import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    OutOfOrderSequenceNumber,
    RecordTooLargeError,
    RequestTimedOutError,
    UnknownProducerId,
)

from workers.adapters.kafka_transactions import (
    OffsetGap,
    ProducerStateLost,
    Record,
    TransactionalOutputs,
    lost_producer_state,
)
from workers.app import TransactionStuck, commit_in_transactions
from workers.config import load_settings
from workers.pipeline import Output, RawMessage


class RecordingOutputs(TransactionalOutputs):
    """Owns the given partitions with the given committed offsets; records each commit."""

    def __init__(
        self, expected: dict[tuple[str, int], int | None], records: Iterable[int] = ()
    ) -> None:
        super().__init__(load_settings(), {"enriched": "e", "duplicates": "d", "dlq": "x"})
        self.expected = dict(expected)
        #: offsets the (single) input partition holds records at, when a test says
        self.records = set(records)
        self.commits: list[tuple[str, int, list[bytes], int]] = []
        self.owned = set(self.expected)

    def owns(self, topic: str, partition: int) -> bool:
        return (topic, partition) in self.owned

    async def open(self, partitions: Iterable[tuple[str, int]]) -> None:
        self.owned.update(partitions)
        await self._notify()

    async def close(self, partitions: Iterable[tuple[str, int]]) -> None:
        self.owned.difference_update(partitions)
        await self._notify()

    async def records_between(self, topic: str, partition: int, start: int, end: int) -> int:
        return sum(1 for offset in self.records if start <= offset < end)

    async def commit(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        self.commits.append((topic, partition, [o.key for o in outputs], next_offset))
        self.expected[(topic, partition)] = next_offset


def batch_of(*where: tuple[int, int]) -> tuple[list[RawMessage], list[Output]]:
    messages = [RawMessage(b"v", f"k{p}-{o}".encode(), "raw", p, o) for p, o in where]
    outputs = [Output("enriched", m.key or b"", b"{}", i) for i, m in enumerate(messages)]
    return messages, outputs


def run(
    tx: RecordingOutputs, batch: list[RawMessage], outputs: list[Output]
) -> set[tuple[str, int]]:
    return asyncio.run(commit_in_transactions(tx, batch, outputs))


def test_one_transaction_per_partition_with_its_outputs_and_next_offset() -> None:
    tx = RecordingOutputs({("raw", 0): 10, ("raw", 1): None})
    batch, outputs = batch_of((0, 10), (1, 3), (0, 11), (1, 4))
    assert run(tx, batch, outputs) == {("raw", 0), ("raw", 1)}
    assert tx.commits == [
        ("raw", 0, [b"k0-10", b"k0-11"], 12),
        ("raw", 1, [b"k1-3", b"k1-4"], 5),
    ]


def test_messages_below_the_committed_offset_are_not_published_again() -> None:
    tx = RecordingOutputs({("raw", 0): 12})
    batch, outputs = batch_of((0, 10), (0, 11), (0, 12), (0, 13))
    assert run(tx, batch, outputs) == {("raw", 0)}
    assert tx.commits == [("raw", 0, [b"k0-12", b"k0-13"], 14)]
    stale, stale_outputs = batch_of((0, 8), (0, 9))
    assert run(tx, stale, stale_outputs) == {("raw", 0)} and len(tx.commits) == 1


def test_a_batch_that_would_skip_input_is_refused() -> None:
    tx = RecordingOutputs({("raw", 0): 20}, records=range(0, 30))
    batch, outputs = batch_of((0, 24), (0, 25))
    with pytest.raises(OffsetGap, match="4 records between"):
        run(tx, batch, outputs)
    assert tx.commits == []


def test_offsets_holding_only_transaction_markers_are_no_gap() -> None:
    """An upstream transactional producer's commit marker takes an offset the consumer never
    sees: the committed offset can point at it, and the next batch starts one above."""
    records = [0, 1, 2, 4, 5]  # 3: the marker of the transaction holding 0..2; 6: of 4..5
    tx = RecordingOutputs({("raw", 0): 3}, records=records)
    batch, outputs = batch_of((0, 4), (0, 5))
    assert run(tx, batch, outputs) == {("raw", 0)}
    assert tx.commits == [("raw", 0, [b"k0-4", b"k0-5"], 6)]


def test_a_partition_not_owned_here_is_left_alone() -> None:
    tx = RecordingOutputs({("raw", 1): None})
    batch, outputs = batch_of((0, 5), (1, 5))
    assert run(tx, batch, outputs) == {("raw", 1)}
    assert [c[1] for c in tx.commits] == [1]


def test_a_message_handed_over_twice_in_one_batch_is_published_once() -> None:
    tx = RecordingOutputs({("raw", 2): 36})
    batch, outputs = batch_of((2, 36), (2, 37), (2, 37), (2, 38))
    assert run(tx, batch, outputs) == {("raw", 2)}
    assert tx.commits == [("raw", 2, [b"k2-36", b"k2-37", b"k2-38"], 39)]


class Assignment:
    """The consumer's assignment as the batch sees it; says when the batch has asked."""

    def __init__(self, *partitions: tuple[str, int]) -> None:
        self.partitions = set(partitions)
        self.asked = asyncio.Event()

    def __call__(self, topic: str, partition: int) -> bool:
        self.asked.set()
        return (topic, partition) in self.partitions


def waiting(
    tx: RecordingOutputs, assignment: Assignment, change: Callable[[], Awaitable[None]]
) -> set[tuple[str, int]]:
    """Commit a batch on partition 0 while ``change`` runs once the batch is waiting."""
    batch, outputs = batch_of((0, 10), (0, 11))

    async def scenario() -> set[tuple[str, int]]:
        task = asyncio.create_task(commit_in_transactions(tx, batch, outputs, None, assignment))
        await asyncio.wait_for(assignment.asked.wait(), 10)
        assert not task.done()  # parked on the producer, not skipped
        await change()
        return await task

    return asyncio.run(scenario())


def test_a_newly_assigned_partition_waits_for_its_producer_then_commits() -> None:
    """The consumer can hand over a partition's messages before its producer has fenced the
    previous owner: skipping them would lose them (they are not fetched again)."""
    tx = RecordingOutputs({})
    tx.expected[("raw", 0)] = 10
    assert waiting(tx, Assignment(("raw", 0)), lambda: tx.open([("raw", 0)])) == {("raw", 0)}
    assert tx.commits == [("raw", 0, [b"k0-10", b"k0-11"], 12)]


def test_a_partition_revoked_while_its_producer_starts_is_left_to_its_owner() -> None:
    tx = RecordingOutputs({})
    assignment = Assignment(("raw", 0))

    async def revoke() -> None:
        assignment.partitions.clear()
        await tx.close([("raw", 0)])

    assert waiting(tx, assignment, revoke) == set()
    assert tx.commits == []


class SlowOutputs(TransactionalOutputs):
    """The real commit and close around a transaction that ends when told to."""

    def __init__(self) -> None:
        super().__init__(load_settings(), {"enriched": "e"})
        self.events: list[str] = []
        self.in_transaction = asyncio.Event()
        self.finish = asyncio.Event()
        self.expected[("raw", 0)] = 10

    def owns(self, topic: str, partition: int) -> bool:
        return True

    async def _commit_locked(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        self.events.append("transaction begins")
        self.in_transaction.set()
        await self.finish.wait()
        self.events.append("transaction ends")

    async def _stop_one(self, key: tuple[str, int]) -> None:
        self.events.append(f"producer of {key[0]}[{key[1]}] stops")


def test_a_revocation_waits_for_the_transaction_in_flight_before_stopping_its_producer() -> None:
    tx = SlowOutputs()
    batch, outputs = batch_of((0, 10))

    async def scenario() -> None:
        committing = asyncio.create_task(commit_in_transactions(tx, batch, outputs))
        await asyncio.wait_for(tx.in_transaction.wait(), 10)
        closing = asyncio.create_task(tx.close([("raw", 0)]))
        await asyncio.sleep(0)  # let the revocation run as far as it can
        assert not closing.done()
        tx.finish.set()
        await asyncio.wait_for(asyncio.gather(committing, closing), 10)

    asyncio.run(scenario())
    assert tx.events == ["transaction begins", "transaction ends", "producer of raw[0] stops"]


def test_a_transaction_that_never_ends_stops_the_batch() -> None:
    tx = SlowOutputs()
    batch, outputs = batch_of((0, 10))
    with pytest.raises(TransactionStuck, match=r"raw\[0\] did not end within 0s"):
        asyncio.run(commit_in_transactions(tx, batch, outputs, commit_timeout=0.2))
    assert tx.events == ["transaction begins"]


class OverlapOutputs(RecordingOutputs):
    """Records how many partitions' transactions are open at once."""

    def __init__(self, expected: dict[tuple[str, int], int | None]) -> None:
        super().__init__(expected)
        self.open_now = 0
        self.most_open = 0

    async def commit(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        await asyncio.sleep(0)  # waits for the broker: other tasks run meanwhile
        await super().commit(topic, partition, outputs, next_offset)
        self.open_now -= 1


def test_the_partitions_transactions_run_side_by_side() -> None:
    tx = OverlapOutputs({("raw", 0): 10, ("raw", 1): 3, ("raw", 2): None})
    batch, outputs = batch_of((0, 10), (1, 3), (2, 0), (0, 11))
    assert run(tx, batch, outputs) == {("raw", 0), ("raw", 1), ("raw", 2)}
    assert tx.most_open == 3
    assert sorted(tx.commits) == [
        ("raw", 0, [b"k0-10", b"k0-11"], 12),
        ("raw", 1, [b"k1-3"], 4),
        ("raw", 2, [b"k2-0"], 1),
    ]


def test_every_output_of_a_message_goes_out_once() -> None:
    """A first article's event and its story's record come from one message: both are
    published; the message handed over twice still publishes each once."""
    tx = RecordingOutputs({("raw", 0): 5})
    batch = [RawMessage(b"v", b"a", "raw", 0, 5), RawMessage(b"v", b"a", "raw", 0, 5)]
    outputs = [
        Output("enriched", b"a", b"{}", 0),
        Output("stories", b"story-a", b"{}", 0),
        Output("enriched", b"a", b"{}", 1),
    ]
    assert run(tx, batch, outputs) == {("raw", 0)}
    assert tx.commits == [("raw", 0, [b"a", b"story-a"], 6)]


def test_a_send_the_broker_did_not_confirm_is_sent_again_and_a_refused_one_raises() -> None:
    from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

    from workers.app import publish_with_retry

    sent: list[bytes] = []
    failures: list[Exception] = [KafkaTimeoutError()]

    async def send(output: Output) -> Awaitable[None]:
        if failures:
            raise failures.pop()
        sent.append(output.key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    outputs = [Output("enriched", b"a", b"{}", 0)]
    asyncio.run(publish_with_retry(send, outputs))
    assert sent == [b"a"] and not failures  # the timed-out send went out the second time
    failures.append(MessageSizeTooLargeError())
    with pytest.raises(MessageSizeTooLargeError):
        asyncio.run(publish_with_retry(send, outputs))
    assert sent == [b"a"]


class StateLostOnce(RecordingOutputs):
    """The broker forgets the producer's sequence numbers on the first commit."""

    def __init__(
        self, expected: dict[tuple[str, int], int | None], refused_starts: int = 0
    ) -> None:
        super().__init__(expected)
        self.lost = False
        self.reopened: list[tuple[str, int]] = []
        self.refused_starts = refused_starts

    async def open(self, partitions: Iterable[tuple[str, int]]) -> None:
        if self.refused_starts:
            self.refused_starts -= 1
            raise KafkaConnectionError("Unable to bootstrap: the broker is away")
        self.reopened += list(partitions)
        await super().open(partitions)

    async def commit(
        self, topic: str, partition: int, outputs: Sequence[Record], next_offset: int
    ) -> None:
        if not self.lost:
            self.lost = True
            self.owned.discard((topic, partition))  # the adapter stops the producer
            raise ProducerStateLost(f"{topic}[{partition}]: OutOfOrderSequenceNumber")
        await super().commit(topic, partition, outputs, next_offset)


def test_a_producer_whose_state_the_broker_lost_is_started_again_and_the_share_resent() -> None:
    tx = StateLostOnce({("raw", 0): 10})
    batch, outputs = batch_of((0, 10), (0, 11))
    done = asyncio.run(commit_in_transactions(tx, batch, outputs, assigned=lambda t, p: True))
    assert done == {("raw", 0)}
    assert tx.reopened == [("raw", 0)]
    assert tx.commits == [("raw", 0, [b"k0-10", b"k0-11"], 12)]


def test_a_producer_that_cannot_start_while_the_broker_is_away_is_started_again() -> None:
    tx = StateLostOnce({("raw", 0): 10}, refused_starts=2)
    batch, outputs = batch_of((0, 10), (0, 11))
    done = asyncio.run(commit_in_transactions(tx, batch, outputs, assigned=lambda t, p: True))
    assert done == {("raw", 0)} and tx.refused_starts == 0
    assert tx.commits == [("raw", 0, [b"k0-10", b"k0-11"], 12)]


def test_a_lost_producer_state_on_a_partition_moved_away_is_left_to_its_owner() -> None:
    tx = StateLostOnce({("raw", 0): 10})
    batch, outputs = batch_of((0, 10), (0, 11))
    done = asyncio.run(commit_in_transactions(tx, batch, outputs, assigned=lambda t, p: False))
    assert done == set()
    assert tx.reopened == [] and tx.commits == []


def test_which_failures_leave_a_producer_unable_to_go_on() -> None:
    """A lost sequence state, or aiokafka's sender routine dying (it fails every pending
    send with a bare KafkaError): the producer is started again. Anything else is not."""
    assert lost_producer_state(OutOfOrderSequenceNumber())
    assert lost_producer_state(UnknownProducerId())
    assert lost_producer_state(KafkaError("Unexpected error during batch delivery"))
    for other in (RecordTooLargeError(), RequestTimedOutError(), KafkaConnectionError()):
        assert not lost_producer_state(other), type(other).__name__
    assert not lost_producer_state(ValueError("not kafka"))
