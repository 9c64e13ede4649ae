"""Worker RSS across many articles through NER, with and without spaCy's memory_zone.

spaCy's vocabulary and string store grow with every new word seen; inside
``nlp.memory_zone()`` what a batch adds is freed when the batch ends. This
runs the same stream of generated articles (unique numbers and names keep
adding new strings, as real news does) through both and prints RSS as it goes.

    .venv/bin/python -m bench.ner_memory [--articles 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource

from workers.adapters.spacy_ner import NerModel
from workers.devtools.corpus import iter_plain_articles
from workers.devtools.processes import rss_mb_of


def rss_mb() -> float:
    return rss_mb_of(os.getpid()) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream(count: int) -> list[str]:
    rng = random.Random(5)  # noqa: S311 - test data
    texts = []
    for article in iter_plain_articles(count, seed=9):
        # a few never-seen tokens per article, like new names and numbers in real news
        extra = " ".join(f"Zq{rng.getrandbits(40):x}" for _ in range(20))
        texts.append(article.text + "\n\n" + extra)
    return texts


def run(model: NerModel, texts: list[str], zone: bool, batch: int) -> list[tuple[int, float]]:
    points = []
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        with model.nlp.memory_zone() if zone else contextlib.nullcontext():
            for doc in model.nlp.pipe(chunk, batch_size=batch):
                _ = [(e.text, e.label_) for e in doc.ents]
        if (start // batch) % 10 == 0 or start + batch >= len(texts):
            points.append((start + len(chunk), rss_mb()))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    texts = stream(args.articles)
    for zone in (True, False):
        model = NerModel()
        run(model, texts[: args.batch * 4], zone, args.batch)  # warm up
        points = run(model, texts, zone, args.batch)
        first, last = points[0][1], points[-1][1]
        label = "memory_zone" if zone else "no memory_zone"
        print(
            f"{label:<15} RSS {first:7.1f} MB after {points[0][0]:>5} -> {last:7.1f} MB after "
            f"{points[-1][0]:>5} articles: growth {100 * (last - first) / first:+.1f}%  "
            f"strings in vocab: {len(model.nlp.vocab.strings):,}"
        )


if __name__ == "__main__":
    main()
