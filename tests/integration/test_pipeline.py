"""The pipeline against the real Redis: a failure on one message dead-letters only that one."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Sequence

from workers.adapters.redis_dedupe import dedupe_from_settings, delete_state
from workers.config import Settings
from workers.core.entities import Mention, ModelInfo
from workers.pipeline import BatchResult, Pipeline, PipelineConfig, RawMessage


class BrokenOnMarker:
    """A recognizer that finds nothing, and returns garbage for texts with a marker word,
    standing in for a bug that one message triggers."""

    info = ModelInfo("test-recognizer", "0", "en")

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        return [None if "XYZZY" in text else [] for text in texts]  # type: ignore[misc]


def test_one_bad_message_does_not_take_the_batch_down(isolated: Settings) -> None:
    texts = {
        b"ok-1": "Harbour traffic in Genoa rose by a tenth this year, the port authority said.",
        b"bug-1": "A text with the marker XYZZY that the broken recognizer chokes on, in Porto.",
        b"ok-2": "The city council of Lisbon approved a second bridge over the Tagus on Tuesday.",
    }
    batch = [
        RawMessage(text.encode(), key, "raw", 0, n) for n, (key, text) in enumerate(texts.items())
    ]

    async def go() -> BatchResult:
        dedupe = dedupe_from_settings(isolated, clock=time.time)
        pipeline = Pipeline(
            PipelineConfig(100_000, 100_000, ("GPE",), 32),
            dedupe,
            BrokenOnMarker(),
            clock=time.time,
        )
        try:
            return await pipeline.process(batch)
        finally:
            await delete_state(dedupe.client, isolated.key_prefix)
            await dedupe.client.aclose()

    result = asyncio.run(go())
    roles = {out.key: out.role for out in result.outputs}
    assert roles == {b"ok-1": "enriched", b"bug-1": "dlq", b"ok-2": "enriched"}
    dead = json.loads(next(o.value for o in result.outputs if o.role == "dlq"))
    assert dead["reason"] == "processing_error" and "TypeError" in dead["detail"]
    assert base64.b64decode(dead["original_b64"]) == batch[1].value
    assert result.stats.dead_letters == {"processing_error": 1}
    assert result.stats.published == {"enriched": 2, "dlq": 1}
