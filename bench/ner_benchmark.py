"""A public news NER benchmark: GMB named entities over Voice of America news. Pure.

``tests/data/gmb_ner.txt`` (its header says where from) holds news items as sentences in
the corpus' own tokens with ``[span]tag`` gold. This module turns them into texts with
character offsets (:func:`load`) and scores predictions against them (:func:`score`).

How it is scored, the same way for bare spaCy and for the worker:

* **Classes**: gold ``per`` is PER, ``org`` ORG, ``geo`` LOC; spaCy's PERSON is PER, ORG
  is ORG, GPE and LOC are LOC. GMB's ``gpe`` tags mix nationalities ("British",
  spaCy's NORP) with countries named as actors ("Iran says"), so a prediction on a
  ``gpe`` span is neither credited nor charged.
* **Mentions**: a prediction is right when it ends where a gold span of its class ends.
  GMB spans take titles in ("President Mahmoud Ahmadinejad", "Mr. Ismail") and spaCy's
  do not; English names end on their head word, so their ends agree.
* **Documents**: each item's set of (class, key) against the gold's, where the key is
  the name without a leading "the" or a possessive, through the worker's table of
  well-known variants (so "U.S." and "United States" are one) and, for people, its
  last word (so "Mr. Ismail" and "Mustafa Osman Ismail" are one); an acronym with its
  expansion in the same item is the expansion ("AU" with "African Union").
  The same folding for all three sides.
* **Split**: items alternate between a development half (odd, for tuning) and a
  held-out half (even, never tuned on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.entity_scoring import Scores
from workers.core.entities import VARIANTS, Entity, Mention
from workers.core.places import PlaceIndex, article_entities

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "gmb_ner.txt"
GOLD_CLASS = {"per": "PER", "org": "ORG", "geo": "LOC"}
#: spaCy labels scored, and the class each counts as.
PREDICTED_CLASS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
CLASSES = ("PER", "ORG", "LOC")
IGNORED = "gpe"

_SPAN = re.compile(r"\[([^\]]+)\](per|org|geo|gpe)")
#: Tokens written against the previous one, and tokens the next one is written against.
_NO_SPACE_BEFORE = frozenset({".", ",", ":", ";", "?", "!", ")", "'s", "n't", "'ll", "…"})
_NO_SPACE_AFTER = frozenset({"(", "$"})
QUOTE = '"'


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    tag: str
    text: str


@dataclass
class Item:
    """One news item: its text and gold spans."""

    number: int
    text: str
    spans: list[GoldSpan] = field(default_factory=list)

    @property
    def held_out(self) -> bool:
        return self.number % 2 == 0


def _tokens(line: str) -> list[tuple[str, str | None]]:
    """A sentence's tokens, each with its gold tag (None outside spans)."""
    result: list[tuple[str, str | None]] = []
    position = 0
    for match in _SPAN.finditer(line):
        result.extend((t, None) for t in line[position : match.start()].split())
        words = match.group(1).split()
        result.extend(
            (w, f"{'B' if i == 0 else 'I'}-{match.group(2)}") for i, w in enumerate(words)
        )
        position = match.end()
    result.extend((t, None) for t in line[position:].split())
    return result


def parse(lines: Iterable[str]) -> list[Item]:
    """Items from the file's lines: text detokenized, gold spans as character offsets."""
    items: list[Item] = []
    parts: list[str] = []
    spans: list[GoldSpan] = []

    def close() -> None:
        if parts:
            text = "".join(parts)
            items.append(Item(len(items) + 1, text, list(spans)))
        parts.clear()
        spans.clear()

    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            close()
            continue
        if parts:
            parts.append(" ")
        quote_open = False
        glue = True
        current: list[int] = []
        tag = ""
        for token, gold in _tokens(line):
            offset = sum(len(p) for p in parts)
            attach = glue or token in _NO_SPACE_BEFORE
            if token == QUOTE:
                attach = glue or quote_open
                glue = not quote_open
                quote_open = not quote_open
            else:
                glue = token in _NO_SPACE_AFTER
            if not attach:
                parts.append(" ")
                offset += 1
            parts.append(token)
            if gold is not None and gold.startswith("I-") and current:
                current[1] = offset + len(token)
                continue
            if current:
                spans.append(_span(parts, current, tag))
                current = []
            if gold is not None:
                current = [offset, offset + len(token)]
                tag = gold[2:]
        if current:
            spans.append(_span(parts, current, tag))
    close()
    return items


def _span(parts: Sequence[str], bounds: Sequence[int], tag: str) -> GoldSpan:
    text = "".join(parts)
    return GoldSpan(bounds[0], bounds[1], tag, text[bounds[0] : bounds[1]])


def load(path: Path = DATA) -> list[Item]:
    """The benchmark's items; FileNotFoundError names the file when it is missing."""
    with path.open(encoding="utf-8") as handle:
        return parse(handle)


def _fold(name: str) -> str:
    """The scorer's own folding, fixed whatever the worker's rules: edges, a leading
    "the" and a possessive dropped, and the well-known variants table applied."""
    value = re.sub(r"^(?:the|The)\s+", "", name.strip(' .,;:"()'))
    value = re.sub(r"(?:'s|\u2019s|'|\u2019)$", "", value).strip()
    return VARIANTS.get(value.casefold(), value)


def _initials(name: str) -> str:
    return "".join(w[0] for w in _fold(name).split() if w[:1].isupper())


def _keys(named: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """One document's (class, key) set; an acronym standing for a longer name of the same
    document ("AU" with "African Union") is that name, on every side alike."""
    pairs = set(named)
    long_names = {n for n, _ in pairs if " " in _fold(n)}
    keys = set()
    for name, cls in pairs:
        expansions = [n for n in long_names if name.isupper() and _initials(n) == name]
        keys.add(_key(expansions[0] if len(expansions) == 1 else name, cls))
    return keys


def _key(name: str, cls: str) -> tuple[str, str]:
    folded = _fold(name).casefold()
    if cls == "PER" and folded.split():
        folded = folded.split()[-1]
    return cls, folded


def _ignored(item: Item, start: int, end: int) -> bool:
    return any(s.tag == IGNORED and s.start < end and start < s.end for s in item.spans)


@dataclass(frozen=True)
class Prediction:
    """One predicted mention, with the name its entity is known by."""

    name: str
    label: str
    start: int
    end: int


def from_mentions(mentions: Sequence[Mention]) -> list[Prediction]:
    """Bare spaCy: every mention is its own entity, named as written."""
    return [Prediction(m.text, m.label, m.start, m.end) for m in mentions]


def from_entities(entities: Sequence[Entity]) -> list[Prediction]:
    """The worker: each mention carries its entity's canonical name and final label."""
    return [Prediction(e.canonical, e.label, m.start, m.end) for e in entities for m in e.mentions]


@dataclass(frozen=True)
class Report:
    """Document-level scores per class and overall, and mention-level overall."""

    documents: dict[str, Scores]
    mentions: Scores


def score(items: Sequence[Item], predictions: Sequence[Sequence[Prediction]]) -> Report:
    doc_counts = {cls: [0, 0, 0] for cls in (*CLASSES, "all")}
    mention_counts = [0, 0, 0]
    for item, found in zip(items, predictions, strict=True):
        gold_spans = [s for s in item.spans if s.tag in GOLD_CLASS]
        gold_ends = {(GOLD_CLASS[s.tag], s.end) for s in gold_spans}
        kept = [
            p for p in found if p.label in PREDICTED_CLASS and not _ignored(item, p.start, p.end)
        ]
        predicted_ends = {(PREDICTED_CLASS[p.label], p.end) for p in kept}
        mention_counts[0] += len(predicted_ends & gold_ends)
        mention_counts[1] += len(predicted_ends)
        mention_counts[2] += len(gold_ends)
        gold_keys = _keys((s.text, GOLD_CLASS[s.tag]) for s in gold_spans)
        predicted_keys = _keys((p.name, PREDICTED_CLASS[p.label]) for p in kept)
        for cls in (*CLASSES, "all"):
            truth = {k for k in gold_keys if cls in ("all", k[0])}
            guess = {k for k in predicted_keys if cls in ("all", k[0])}
            counts = doc_counts[cls]
            counts[0] += len(truth & guess)
            counts[1] += len(guess)
            counts[2] += len(truth)
    return Report(
        {cls: Scores(*counts) for cls, counts in doc_counts.items()}, Scores(*mention_counts)
    )


#: The two sides scored: bare spaCy's mentions, and what the worker publishes.
SIDES = ("bare spaCy", "newsworker")


def reports(
    items: Sequence[Item],
    mentions: Sequence[Sequence[Mention]],
    labels: Iterable[str],
    places: PlaceIndex | None,
) -> dict[tuple[str, bool], Report]:
    """Both sides scored on each half: keyed by (side, held out)."""
    sides = {
        SIDES[0]: [from_mentions(found) for found in mentions],
        SIDES[1]: [
            from_entities(
                article_entities(
                    found, title=None, text=item.text, labels=labels, places=places
                ).entities
            )
            for item, found in zip(items, mentions, strict=True)
        ],
    }
    result = {}
    for name, predictions in sides.items():
        for held_out in (False, True):
            chosen = [k for k, item in enumerate(items) if item.held_out == held_out]
            result[name, held_out] = score(
                [items[k] for k in chosen], [predictions[k] for k in chosen]
            )
    return result
