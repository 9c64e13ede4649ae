"""The issue's bar on the generated corpus, through the real Redis index."""

from __future__ import annotations

import asyncio
import time

from tests.integration.test_dedupe_redis import request
from workers.config import Settings
from workers.corpus import generate_corpus
from workers.dedupe import RedisDedupe, redis_client
from workers.lines import split_lines
from workers.quality import score


def test_corpus_exact_all_found_near_above_90_distinct_never_merged(isolated: Settings) -> None:
    articles = generate_corpus(250, seed=23)

    async def go():
        dedupe = RedisDedupe(
            redis_client(isolated.redis_url.get_secret_value()),
            prefix=isolated.key_prefix,
            bucket_seconds=86_400,
            retention_seconds=7 * 86_400,
            threshold=isolated.near_threshold,
            chrome_min_articles=3,
            clock=time.time,
        )
        try:
            decisions = []
            for start in range(0, len(articles), 50):
                batch = articles[start : start + 50]
                decisions += await dedupe.decide(
                    [request(a.id, split_lines(a.text), a.source) for a in batch]
                )
            return decisions
        finally:
            await dedupe.client.aclose()

    report = score(articles, asyncio.run(go()))
    assert (
        report.total["exact"] > 10 and report.total["near"] > 20 and report.total["distinct"] > 20
    )
    assert report.recall("exact") == 1.0
    assert report.recall("near") > 0.9 and report.recall("syndicated") > 0.9
    assert report.distinct_merged == 0
    assert report.precision == 1.0
