"""The issue's bar on the generated corpus, through the worker's pipeline and the real Redis."""

from __future__ import annotations

import asyncio

from bench.dedupe_quality import decide_all
from bench.dedupe_scoring import score
from workers.config import Settings
from workers.devtools.corpus import generate_corpus


def test_corpus_exact_all_found_near_above_90_distinct_never_merged(isolated: Settings) -> None:
    articles = generate_corpus(250, seed=23, update=0.15)
    report = score(articles, asyncio.run(decide_all(isolated, articles, batch=50)))
    assert (
        report.total["exact"] > 10 and report.total["near"] > 20 and report.total["distinct"] > 20
    )
    assert report.recall("exact") == 1.0
    assert report.recall("near") > 0.9 and report.recall("syndicated") > 0.9
    assert report.distinct_merged == 0
    assert report.precision == 1.0
    # updates (new facts) get full events in their story; the bar is below what the
    # tuning seed reached (85% found, 98% precise): this seed was never tuned on
    assert report.total["update"] > 20
    assert report.update_recall >= 0.75 and report.update_precision >= 0.85
