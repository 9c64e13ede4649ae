"""Canonical entities vs bare spaCy: on a public news NER benchmark (GMB over Voice of
America news, tests/data/gmb_ner.txt; bench/ner_benchmark.py says how it is scored), its
development and held-out halves side by side, then on the project's gold texts
(tests/data/entities_gold.json).

.venv/bin/python -m bench.entity_quality
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import ner_benchmark
from bench.entity_scoring import bare_pairs, canonical_pairs, located_pairs, score_sets
from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS
from workers.core.places import PlaceIndex

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "entities_gold.json"


def benchmark(model: NerModel, places: PlaceIndex) -> None:
    """The public benchmark: document-level P/R/F1 per class and mention-level F1."""
    items = ner_benchmark.load()
    mentions = model.mentions([item.text for item in items])
    reports = ner_benchmark.reports(items, mentions, DEFAULT_LABELS, places)
    spans = sum(len(item.spans) for item in items)
    print(f"GMB (Voice of America news): {len(items)} items, {spans} gold spans")
    for held_out, half in ((False, "development (odd items)"), (True, "held out (even items)")):
        chosen = [k for k, item in enumerate(items) if item.held_out == held_out]
        print(f"\n{half}: {len(chosen)} items; document-level P / R / F1, mention-level F1")
        print(
            f"{'':<12}"
            + "".join(f"{c:>18}" for c in (*ner_benchmark.CLASSES, "all"))
            + "  mentions"
        )
        for name in ner_benchmark.SIDES:
            report = reports[name, held_out]
            cells = "".join(
                f"{s.precision:>6.2f}{s.recall:>6.2f}{s.f1:>6.3f}"
                for s in report.documents.values()
            )
            print(f"{name:<12}{cells}{report.mentions.f1:>10.3f}")
    print()


def main() -> None:
    docs = json.loads(GOLD.read_text(encoding="utf-8"))
    model = NerModel()
    places = place_index()
    benchmark(model, places)
    mentions = model.mentions([doc["text"] for doc in docs])
    gold = [{tuple(pair) for pair in doc["entities"]} for doc in docs]
    bare = score_sets(
        (bare_pairs(found, DEFAULT_LABELS), truth)
        for found, truth in zip(mentions, gold, strict=True)
    )
    ours = score_sets(
        (canonical_pairs(found, doc["title"], len(doc["text"]), DEFAULT_LABELS), truth)
        for found, doc, truth in zip(mentions, docs, gold, strict=True)
    )
    located = score_sets(
        (located_pairs(found, doc["title"], doc["text"], DEFAULT_LABELS, places), truth)
        for found, doc, truth in zip(mentions, docs, gold, strict=True)
    )
    print(
        f"{len(docs)} gold texts, {bare.gold} gold entities; model {model.info.name} "
        f"{model.info.version}"
    )
    print(f"{'':<22}{'precision':>10}{'recall':>8}{'F1':>7}")
    rows = (("bare spaCy", bare), ("newsworker canonical", ours), ("  + gazetteers", located))
    for name, scores in rows:
        print(f"{name:<22}{scores.precision:>10.2f}{scores.recall:>8.2f}{scores.f1:>7.2f}")


if __name__ == "__main__":
    main()
