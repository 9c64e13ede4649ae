"""Precision and recall of duplicate decisions on the generated corpus, on the real Redis.

Also compares the two locality-sensitive schemes on the same pairs: MinHash
LSH (what the worker uses) and a 64-bit SimHash with a 4x16-bit banded index
(which finds pairs within Hamming distance 3).

    .venv/bin/python -m bench.dedupe_quality [--stories 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.dedupe_scoring import score
from workers.adapters.redis_dedupe import dedupe_from_settings, delete_state
from workers.app import pipeline_config
from workers.config import Settings, load_settings
from workers.core.dedupe import Decision
from workers.core.fingerprints import hamming, simhash64
from workers.core.lines import clean_lines
from workers.devtools.corpus import CorpusArticle, generate_corpus
from workers.pipeline import Output, Pipeline, RawMessage


def decision_of(output: Output) -> Decision:
    """The dedupe decision an output of the pipeline carries (an event or a notice)."""
    data = json.loads(output.value)
    if output.role == "enriched":
        if data.get("relation") == "update":
            return Decision(
                data["article_id"],
                "update",
                data["story_id"],
                duplicate_of=data["related_to"],
                new_sentences=data["new_sentences"],
            )
        return Decision(data["article_id"], "original", data["story_id"])
    if output.role == "duplicates":
        return Decision(
            data["article_id"],
            "duplicate",
            data["story_id"],
            duplicate_of=data["duplicate_of"],
            method=data["method"],
            similarity=data["similarity"],
        )
    raise ValueError(f"article dead-lettered: {data.get('reason')}")


async def decide_all(
    settings: Settings, articles: list[CorpusArticle], batch: int = 64
) -> list[Decision]:
    """Each article's decision from the worker's own pipeline (NER off) on the real Redis."""
    dedupe = dedupe_from_settings(settings, clock=time.time)
    pipeline = Pipeline(pipeline_config(settings), dedupe, None, clock=time.time)
    try:
        decisions: list[Decision] = []
        for start in range(0, len(articles), batch):
            chunk = articles[start : start + batch]
            messages = [
                RawMessage(json.dumps(a.as_message()).encode(), a.id.encode(), "corpus", 0, n)
                for n, a in enumerate(chunk, start)
            ]
            result = await pipeline.process(messages)
            decisions.extend(decision_of(output) for output in result.outputs)
        return decisions
    finally:
        await delete_state(dedupe.client, settings.key_prefix)
        await dedupe.client.aclose()


def simhash_recall(articles: list[CorpusArticle]) -> tuple[float, float]:
    """Share of copies within Hamming 3 of their original, and of distinct stories that are."""
    by_id = {a.id: a for a in articles}
    hashes = {a.id: simhash64(clean_lines(a.text).body) for a in articles}
    copies = [a for a in articles if a.kind in {"near", "syndicated"}]
    hit = sum(hamming(hashes[a.id], hashes[a.duplicate_of or ""]) <= 3 for a in copies)
    previous = None
    false_hits = distinct = 0
    for article in articles:
        if article.kind == "original":
            previous = article
        elif article.kind == "distinct" and previous is not None:
            distinct += 1
            false_hits += hamming(hashes[article.id], hashes[previous.id]) <= 3
    del by_id
    return hit / max(len(copies), 1), false_hits / max(distinct, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--updates", type=float, default=0.15, help="chance of an update per story")
    args = parser.parse_args()
    threshold = args.threshold or load_settings().near_threshold
    articles = generate_corpus(args.stories, seed=args.seed, update=args.updates)
    settings = load_settings().isolated("quality", near_threshold=threshold)
    report = score(articles, asyncio.run(decide_all(settings, articles)))
    print(f"corpus: {len(articles)} articles, seed {args.seed}; near threshold {threshold}")
    print(f"{'kind':<12}{'articles':>10}{'linked right':>14}{'recall':>9}")
    for kind in ("exact", "near", "syndicated"):
        print(
            f"{kind:<12}{report.total.get(kind, 0):>10}{report.found.get(kind, 0):>14}"
            f"{report.recall(kind):>9.1%}"
        )
    print(
        f"{'distinct':<12}{report.total.get('distinct', 0):>10}   merged: {report.distinct_merged}"
    )
    print(
        f"precision {report.precision:.1%}  recall {report.overall_recall:.1%}  "
        f"wrong story {report.wrong_story}  false duplicates {report.false_duplicates}"
    )
    print(
        f"{'update':<12}{report.total.get('update', 0):>10}{report.updates_right:>14}"
        f"{report.update_recall:>9.1%}  precision {report.update_precision:.1%}  "
        f"swallowed as copies {report.updates_swallowed}  copies as updates {report.false_updates}"
    )
    near_hit, distinct_hit = simhash_recall(articles)
    print(
        f"simhash64, Hamming <= 3 (4x16-bit bands): near/syndicated recall {near_hit:.1%}, "
        f"distinct stories caught {distinct_hit:.1%}"
    )


if __name__ == "__main__":
    main()
