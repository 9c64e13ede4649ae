"""Precision, recall and F1 of canonical entities against gold annotations. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workers.core.entities import Mention, canonical_entities
from workers.core.places import PlaceIndex, article_entities

Pair = tuple[str, str]


@dataclass(frozen=True)
class Scores:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_sets(pairs: Iterable[tuple[set[Pair], set[Pair]]]) -> Scores:
    """Micro-averaged scores over documents of (predicted, gold) sets of (name, label)."""
    tp = predicted = gold = 0
    for found, truth in pairs:
        tp += len(found & truth)
        predicted += len(found)
        gold += len(truth)
    return Scores(tp, predicted, gold)


def bare_pairs(mentions: Sequence[Mention], labels: Iterable[str]) -> set[Pair]:
    """What bare spaCy gives: each distinct (text, label) of the wanted labels."""
    wanted = set(labels)
    return {(m.text, m.label) for m in mentions if m.label in wanted}


def canonical_pairs(
    mentions: Sequence[Mention], title: str | None, length: int, labels: Iterable[str]
) -> set[Pair]:
    entities = canonical_entities(mentions, title=title, text_length=length, labels=labels)
    return {(e.canonical, e.label) for e in entities}


def located_pairs(
    mentions: Sequence[Mention],
    title: str | None,
    text: str,
    labels: Iterable[str],
    places: PlaceIndex,
) -> set[Pair]:
    """What the worker publishes with the gazetteers on: canonical entities, places repaired."""
    located = article_entities(mentions, title=title, text=text, labels=labels, places=places)
    return {(e.canonical, e.label) for e in located.entities}
