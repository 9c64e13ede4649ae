"""Canonical entities vs bare spaCy on the project's gold texts (tests/data/entities_gold.json).

.venv/bin/python -m bench.entity_quality
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.entity_scoring import bare_pairs, canonical_pairs, located_pairs, score_sets
from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "entities_gold.json"


def main() -> None:
    docs = json.loads(GOLD.read_text(encoding="utf-8"))
    model = NerModel()
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
    places = place_index()
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
