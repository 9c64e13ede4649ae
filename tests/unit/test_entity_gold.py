"""Canonical entities against the project's gold annotations, with the real spaCy model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.entity_scoring import bare_pairs, canonical_pairs, score_sets
from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS
from workers.core.entities import Mention
from workers.core.places import article_entities

GOLD = json.loads((Path(__file__).parent.parent / "data" / "entities_gold.json").read_text())


@pytest.fixture(scope="module")
def mentions() -> list[list[Mention]]:
    return NerModel().mentions([doc["text"] for doc in GOLD])


def test_canonical_entities_beat_bare_spacy(mentions: list[list[Mention]]) -> None:
    gold = [{tuple(p) for p in doc["entities"]} for doc in GOLD]
    bare = score_sets(
        (bare_pairs(m, DEFAULT_LABELS), g) for m, g in zip(mentions, gold, strict=True)
    )
    ours = score_sets(
        (canonical_pairs(m, d["title"], len(d["text"]), DEFAULT_LABELS), g)
        for m, d, g in zip(mentions, GOLD, gold, strict=True)
    )
    assert ours.f1 >= 0.85
    assert ours.f1 > bare.f1 + 0.1
    assert ours.precision > bare.precision


def test_short_names_and_variants_merge_on_gold_texts(mentions: list[list[Mention]]) -> None:
    by_doc = {
        doc["id"]: {
            e.canonical: e
            for e in article_entities(
                found,
                title=doc["title"],
                text=doc["text"],
                labels=DEFAULT_LABELS,
                places=place_index(),
            ).entities
        }
        for doc, found in zip(GOLD, mentions, strict=True)
    }
    assert by_doc["gold-2"]["Volodymyr Zelensky"].count == 2
    assert by_doc["gold-2"]["Kyiv"].label == "GPE"  # split from "Kyiv and Kharkiv"
    assert by_doc["gold-2"]["Kharkiv"].label == "GPE"
    assert by_doc["gold-3"]["United States"].count >= 2  # "U.S.", "US", "The United States"
    assert by_doc["gold-6"]["Kemi Badenoch"].count == 2
    assert by_doc["gold-7"]["Kremlin"].label == "ORG"  # "The Kremlin's" stripped
    for entities in by_doc.values():
        names = [e.canonical for e in entities.values()]
        assert len(names) == len(set(names))
