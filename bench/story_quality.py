"""Story linking on real news labelled by event: ECB+ articles through the worker's pipeline.

Every article of ``../shared/data/ecbplus-dev.jsonl`` (462 articles, 40 events in 20
topics of two same-kind events each; see that folder's README) goes through the
worker's own pipeline (cleaning, dedupe, language, NER, places, story linking) on the
real Redis, in a shuffled order (three orders, averaged). Printed side by side with
the baseline (story = cluster of near copies, linking off): BCubed precision, recall
and F1, pairwise precision, and the pairs that merge the two events of one topic.
The generated corpus (every original its own event, with copies and updates) shows
what linking costs where there is nothing to link.

The linking rule was chosen on the odd topics ("tuning") and is only measured on the
even ones ("held out"). The corpus text stays in ../shared; nothing of it is copied here.

    .venv/bin/python -m bench.story_quality [--data PATH] [--orders 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from bench.story_scoring import StoryScore, score_stories
from workers.adapters.gazetteer import place_index
from workers.adapters.redis_dedupe import RedisDedupe, delete_state
from workers.adapters.redis_stories import RedisStories
from workers.adapters.spacy_ner import NerModel
from workers.app import build_pipeline
from workers.config import Settings, load_settings
from workers.core.entities import Mention, ModelInfo
from workers.core.places import PlaceIndex
from workers.devtools.corpus import generate_corpus
from workers.pipeline import RawMessage

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus-dev.jsonl"


class CachedRecognizer:
    """The spaCy model, each text recognised once however many orders are run."""

    def __init__(self, model: NerModel) -> None:
        self.model = model
        self.info: ModelInfo = model.info
        self._cache: dict[str, list[Mention]] = {}

    def mentions(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Mention]]:
        """Mentions of each text, from the cache or the model."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for text, found in zip(todo, self.model.mentions(todo, batch_size), strict=True):
            self._cache[text] = found
        return [self._cache[t] for t in texts]


def load(path: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The articles as messages (id, title, text, source) and their gold stories."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    messages = [
        {"id": r["id"], "title": r["title"], "text": r["text"], "source": "ecbplus"} for r in rows
    ]
    return messages, {r["id"]: r["story"] for r in rows}


def generated(stories: int, seed: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The generated corpus (workers.devtools.corpus): each story a distinct event; copies,
    syndicated copies and updates belong to their original's story."""
    articles = generate_corpus(stories, seed=seed, update=0.15)
    return [a.as_message() for a in articles], {a.id: a.story for a in articles}


async def stories_of(
    settings: Settings,
    articles: list[dict[str, Any]],
    *,
    ner: CachedRecognizer,
    places: PlaceIndex,
    linking: bool,
    batch: int = 32,
) -> tuple[dict[str, str], Counter[str]]:
    """Each article's story id and the count of each relation, from the worker's pipeline."""
    pipeline = build_pipeline(
        settings.model_copy(update={"story_linking": linking}), recognizer=ner, places=places
    )
    story: dict[str, str] = {}
    relations: Counter[str] = Counter()
    try:
        for start in range(0, len(articles), batch):
            chunk = articles[start : start + batch]
            messages = [
                RawMessage(json.dumps(a).encode(), a["id"].encode(), "corpus", 0, n)
                for n, a in enumerate(chunk, start)
            ]
            for output in (await pipeline.process(messages)).outputs:
                if output.role == "stories":
                    continue
                data = json.loads(output.value)
                if output.role == "dlq":
                    raise RuntimeError(f"dead-lettered: {data.get('reason')}")
                story[data["article_id"]] = data["story_id"]
                relations[data.get("relation") or "copy"] += 1
        return story, relations
    finally:
        pipeline.close()
        dedupe = cast(RedisDedupe, pipeline.dedupe)
        await delete_state(dedupe.client, settings.key_prefix)
        await dedupe.client.aclose()
        if isinstance(pipeline.stories, RedisStories):
            await pipeline.stories.client.aclose()


def topic(story: str) -> str:
    """The ECB+ topic of a gold story ("12-ecbplus" -> "12")."""
    return story.split("-", 1)[0]


def average(scores: list[StoryScore]) -> tuple[float, ...]:
    """Mean stories, BCubed P/R/F1, pair precision and same-topic merges over orders."""
    n = len(scores)
    return (
        sum(s.stories for s in scores) / n,
        sum(s.precision for s in scores) / n,
        sum(s.recall for s in scores) / n,
        sum(s.f1 for s in scores) / n,
        sum(s.pair_precision for s in scores) / n,
        sum(s.near_merges for s in scores) / n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ECB+ articles (JSONL)")
    parser.add_argument("--orders", type=int, default=3, help="shuffled orders averaged")
    parser.add_argument(
        "--stories", type=int, default=200, help="stories of each generated corpus (200)"
    )
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"story quality: {args.data} is absent (it lives in ../shared/data); not measured")
        return
    if args.orders < 1:
        sys.exit("story quality: --orders must be at least 1")
    rows, gold_of = load(args.data)
    ner = CachedRecognizer(NerModel())
    places = place_index()
    sets: dict[str, tuple[list[dict[str, str]], dict[str, str]]] = {
        "ECB+ tuning (odd topics)": (
            [r for r in rows if int(topic(gold_of[r["id"]])) % 2 == 1],
            gold_of,
        ),
        "ECB+ held out (even)": (
            [r for r in rows if int(topic(gold_of[r["id"]])) % 2 == 0],
            gold_of,
        ),
        "generated, seed 7": generated(args.stories, 7),
        "generated, seed 8": generated(args.stories, 8),
    }
    header = (
        f"{'set':<26}{'method':<10}{'articles':>9}{'stories':>9}{'B3 P':>7}{'B3 R':>7}"
        f"{'B3 F1':>7}{'pair P':>8}{'same-topic merges':>19}"
    )
    print(header)
    print(
        "(generated corpora: every original is its own event; the 'same-topic merges' column\n"
        " counts nothing there. Story order: shuffled for ECB+, the corpus' own for generated.)"
    )
    for name, (subset, gold_all) in sets.items():
        gold = {r["id"]: gold_all[r["id"]] for r in subset}
        for method in ("baseline", "linked"):
            scores: list[StoryScore] = []
            relations: Counter[str] = Counter()
            for order in range(args.orders):
                shuffled = list(subset)
                if not name.startswith("generated"):  # the generated corpus is in time order
                    random.Random(order + 1).shuffle(shuffled)  # noqa: S311 - reproducible order
                settings = load_settings().isolated("stories")
                predicted, seen = asyncio.run(
                    stories_of(
                        settings, shuffled, ner=ner, places=places, linking=method == "linked"
                    )
                )
                scores.append(score_stories(predicted, gold, topic))
                relations.update(seen)
            stories, p, r, f1, pair_p, near = average(scores)
            print(
                f"{name:<26}{method:<10}{len(subset):>9}{stories:>9.0f}{p:>7.3f}{r:>7.3f}"
                f"{f1:>7.3f}{pair_p:>8.3f}{near:>19.0f}"
            )
            share = ", ".join(f"{k} {v / args.orders:.0f}" for k, v in sorted(relations.items()))
            print(f"{'':<26}{'':<10}relations per order: {share}")
    print("targets (ECB+ dev): B3 F1 >= 0.85, pair precision >= 0.95")


if __name__ == "__main__":
    main()
