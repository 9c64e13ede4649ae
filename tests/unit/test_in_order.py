"""InOrder: the agent's second halves run one at a time, in order, while the caller goes on."""

from __future__ import annotations

import asyncio

import pytest

from workers.app import InOrder


def test_finishes_run_one_at_a_time_in_the_order_given() -> None:
    log: list[str] = []

    async def finish(name: str, gate: asyncio.Event) -> None:
        log.append(f"start {name}")
        await gate.wait()
        log.append(f"end {name}")

    async def main() -> None:
        overlap = InOrder()
        gates = [asyncio.Event() for _ in range(3)]
        await overlap.then(finish("1", gates[0]))
        # the caller is free while batch 1 finishes (it recognizes the next batch)
        await asyncio.sleep(0)
        assert log == ["start 1"]
        waiting = asyncio.ensure_future(overlap.then(finish("2", gates[1])))
        await asyncio.sleep(0)
        assert not waiting.done(), "batch 2 must not start before batch 1 has finished"
        gates[0].set()
        await waiting
        await asyncio.sleep(0)
        assert log == ["start 1", "end 1", "start 2"]
        gates[1].set()
        gates[2].set()
        await overlap.then(finish("3", gates[2]))
        assert overlap.running is not None
        await overlap.running
        assert log == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]

    asyncio.run(main())


def test_cancel_leaves_the_running_finish_unfinished() -> None:
    ended: list[str] = []

    async def finish() -> None:
        await asyncio.Event().wait()
        ended.append("finished")

    async def main() -> None:
        overlap = InOrder()
        await overlap.then(finish())
        running = overlap.running
        assert running is not None
        overlap.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
        assert ended == []

    asyncio.run(main())


def test_a_caller_cancelled_while_waiting_does_not_start_its_finish() -> None:
    started: list[str] = []

    async def blocked() -> None:
        await asyncio.Event().wait()

    async def finish() -> None:
        started.append("second")

    async def main() -> None:
        overlap = InOrder()
        await overlap.then(blocked())
        waiting = asyncio.ensure_future(overlap.then(finish()))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        overlap.cancel()
        await asyncio.sleep(0)
        assert started == []

    asyncio.run(main())
