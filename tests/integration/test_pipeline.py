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


def test_a_batch_costs_two_redis_round_trips_with_stories_on(isolated: Settings) -> None:
    """Dedupe decisions in one trip; links and story states in one more, whatever the batch
    holds (first articles, coverage, copies of articles of this batch and of earlier ones);
    only a source never seen before costs a read of its learned chrome."""
    from tests.unit.test_pipeline import GENOA_OTHER_OUTLET, NAMES, OTHER, STORY
    from workers.adapters.redis_stories import stories_from_settings
    from workers.devtools.fakes import KeywordRecognizer, short_words_common_in

    batches = [
        [("a", STORY), ("b", GENOA_OTHER_OUTLET), ("b2", GENOA_OTHER_OUTLET)],
        [("b3", GENOA_OTHER_OUTLET), ("c", OTHER)],
        [("a2", STORY), ("c2", OTHER)],
    ]

    async def go() -> tuple[list[list[dict[str, str]]], list[int]]:
        dedupe = dedupe_from_settings(isolated, clock=time.time)
        stories = stories_from_settings(isolated, clock=time.time)
        pipeline = Pipeline(
            PipelineConfig(100_000, 100_000, ("GPE", "LOC", "PERSON"), 32),
            dedupe,
            KeywordRecognizer(NAMES),
            clock=time.time,
            stories=stories,
            zipf_in=short_words_common_in,
        )
        outs, trips = [], []
        try:
            for offset, items in enumerate(batches):
                batch = [
                    RawMessage(text.encode(), key.encode(), "raw", 0, offset * 10 + n)
                    for n, (key, text) in enumerate(items)
                ]
                result = await pipeline.process(batch)
                outs.append([json.loads(o.value) for o in result.outputs if o.role != "stories"])
                trips.append(pipeline.redis_round_trips)
        finally:
            await delete_state(dedupe.client, isolated.key_prefix)
            await dedupe.client.aclose()
            await stories.client.aclose()
        return outs, trips

    outs, trips = asyncio.run(go())
    first, coverage, copy_here = outs[0]
    copy_later, other = outs[1]
    assert coverage["relation"] == "coverage" and coverage["story_id"] == first["story_id"]
    assert copy_here["duplicate_of"] == "b" and copy_here["story_id"] == first["story_id"]
    assert copy_later["duplicate_of"] == "b" and copy_later["story_id"] == first["story_id"]
    assert [x["story_id"] for x in outs[2]] == [first["story_id"], other["story_id"]]
    # 1 chrome read (one source, "unknown", first seen) + 2 per batch
    assert trips == [3, 5, 7]
