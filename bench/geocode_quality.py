"""Geocoding quality: the country each place mention resolves to, against a hand-labelled gold.

.venv/bin/python -m bench.geocode_quality [--data ../shared/data/ecbplus-dev.jsonl]

Gold: ``tests/data/geocode_gold.tsv`` (see its header), place mentions of real news
articles in ``../shared/data/ecbplus-dev.jsonl``; the texts stay there. Printed side by
side, on the articles of odd ECB+ topics (development) and even ones (held out):

* baseline: bare ``en_core_web_sm`` GPE/LOC spans looked up in the same gazetteers with
  no context (a country if one has the name, else the most populous place);
* newsworker: canonical entities, labels repaired and places resolved as the worker does
  (``workers.core.places.locate``).

Precision counts every resolution (a person or a sea resolved to a country is wrong);
"resolved" is the share of the gold places that got a country; "ambiguous" is the
accuracy on the gold places whose name the gazetteers give to more than one country.
For the gold's US places below the state level (towns, counties, neighbourhoods), whose
state ``tests/data/geocode_states.tsv`` gives, it also prints how many resolved in the
US and the share of those put in the right state.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS
from workers.core.entities import Mention, canonical_name, surface
from workers.core.places import (
    KIND_RANK,
    PLACE_LABELS,
    Place,
    PlaceIndex,
    article_entities,
    state_of,
)

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "geocode_gold.tsv"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ecbplus-dev.jsonl"

STATES = ROOT / "tests" / "data" / "geocode_states.tsv"

#: gold mention -> the place it resolved to (None: left unresolved)
Predictions = Mapping[str, Place | None]


@dataclass(frozen=True)
class GoldMention:
    article_id: str
    mention: str
    gold: str
    """ISO 3166-1 alpha-2 code, ``-`` (not a place) or ``*`` (a place of no one country)."""

    @property
    def is_place(self) -> bool:
        return len(self.gold) == 2


def _labelled(path: Path) -> Iterator[tuple[str, str, str]]:
    """(article id, mention, label) rows of a gold file; ``#`` lines are its header."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        article_id, mention, label = line.split("\t")
        yield article_id, mention, label


def read_gold(path: Path = GOLD) -> list[GoldMention]:
    return [GoldMention(*row) for row in _labelled(path)]


@dataclass(frozen=True)
class GeoScores:
    places: int
    resolved: int
    correct: int
    wrong_non_places: int
    ambiguous: int
    ambiguous_correct: int

    @property
    def precision(self) -> float:
        made = self.resolved + self.wrong_non_places
        return self.correct / made if made else 1.0

    @property
    def share_resolved(self) -> float:
        return self.resolved / self.places if self.places else 0.0

    @property
    def ambiguous_accuracy(self) -> float:
        return self.ambiguous_correct / self.ambiguous if self.ambiguous else 0.0


def score(
    gold: Iterable[GoldMention], predicted: Mapping[str, Predictions], places: PlaceIndex
) -> GeoScores:
    places_n = resolved = correct = wrong = ambiguous = ambiguous_correct = 0
    for row in gold:
        place = predicted.get(row.article_id, {}).get(row.mention)
        guess = place.country if place is not None else None
        if not row.is_place:
            wrong += guess is not None
            continue
        places_n += 1
        resolved += guess is not None
        correct += guess == row.gold
        if len({p.country for p in places.candidates(row.mention)}) > 1:
            ambiguous += 1
            ambiguous_correct += guess == row.gold
    return GeoScores(places_n, resolved, correct, wrong, ambiguous, ambiguous_correct)


def baseline(mentions: Sequence[Mention], wanted: Iterable[str], places: PlaceIndex) -> Predictions:
    """Bare spaCy's GPE/LOC spans, each looked up alone: a country first, else the biggest."""
    found: dict[str, Place | None] = {}
    for name in wanted:
        spans = [m for m in mentions if m.text == name and m.label in PLACE_LABELS]
        options = places.candidates(name) if spans else ()
        found[name] = min(options, key=lambda p: (KIND_RANK[p.kind], -p.population), default=None)
    return found


def newsworker(
    mentions: Sequence[Mention],
    title: str,
    text: str,
    wanted: Iterable[str],
    places: PlaceIndex,
) -> Predictions:
    """What the worker publishes: the ``geo`` of the entity a mention belongs to."""
    located = article_entities(
        mentions, title=title, text=text, labels=DEFAULT_LABELS, places=places
    ).entities
    found: dict[str, Place | None] = {}
    for name in wanted:
        key = canonical_name(name)
        match = next(
            (
                e
                for e in located
                if e.canonical == key or any(surface(m.text) == surface(name) for m in e.mentions)
            ),
            None,
        )
        found[name] = match.geo if match is not None and match.label in PLACE_LABELS else None
    return found


@dataclass(frozen=True)
class StateScores:
    """US places of the gold whose state is known: how many resolved in the US, how many
    of those to a place of the right state (a town of the name in another state is wrong;
    the United States itself, or a place of no one state, counts as no state)."""

    places: int
    in_us: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.in_us if self.in_us else 1.0


def read_states(path: Path = STATES) -> dict[tuple[str, str], str]:
    """(article id, mention) -> the US state meant (postal code; ``-`` for none)."""
    return {(article_id, mention): state for article_id, mention, state in _labelled(path)}


def state_score(
    states: Mapping[tuple[str, str], str], predicted: Mapping[str, Predictions]
) -> StateScores:
    known = in_us = right = 0
    for (article_id, mention), state in states.items():
        if state == "-":
            continue
        known += 1
        place = predicted.get(article_id, {}).get(mention)
        if place is None or place.country != "US":
            continue
        in_us += 1
        right += state_of(place) == f"US-{state}"
    return StateScores(known, in_us, right)


def topic(article_id: str) -> int:
    """The ECB+ topic of an article id ("ecb-12_3ecbplus" -> 12)."""
    return int(article_id.split("-", 1)[1].split("_", 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.exists():
        print(
            f"geocoding quality: {args.data} is absent (it lives in ../shared/data); not measured"
        )
        return
    gold = read_gold()
    wanted_ids = {row.article_id for row in gold}
    articles = {}
    for line in args.data.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in wanted_ids:
            articles[record["id"]] = record
    missing = wanted_ids - set(articles)
    if missing:
        raise SystemExit(f"geocoding quality: {len(missing)} gold articles not in {args.data}")
    ids = sorted(articles)
    model = NerModel()
    places = place_index()
    mentions = dict(zip(ids, model.mentions([articles[i]["text"] for i in ids]), strict=True))
    by_article: dict[str, list[str]] = {}
    for row in gold:
        by_article.setdefault(row.article_id, []).append(row.mention)
    systems = {
        "baseline (bare spaCy + lookup)": {
            i: baseline(mentions[i], by_article[i], places) for i in ids
        },
        "newsworker": {
            i: newsworker(
                mentions[i], articles[i]["title"], articles[i]["text"], by_article[i], places
            )
            for i in ids
        },
    }
    splits = {
        "development (odd topics)": [r for r in gold if topic(r.article_id) % 2 == 1],
        "held out (even topics)": [r for r in gold if topic(r.article_id) % 2 == 0],
    }
    print(
        f"{len(gold)} gold mentions in {len(ids)} articles "
        f"({sum(r.is_place for r in gold)} places, {sum(not r.is_place for r in gold)} not)"
    )
    header = f"{'':<32}{'precision':>10}{'resolved':>10}{'ambiguous':>11}{'wrong non-places':>18}"
    for split, rows in splits.items():
        print(f"\n{split}: {sum(r.is_place for r in rows)} places")
        print(header)
        for name, predicted in systems.items():
            s = score(rows, predicted, places)
            print(
                f"{name:<32}{s.precision:>10.3f}{s.share_resolved:>10.3f}"
                f"{s.ambiguous_accuracy:>11.3f}{s.wrong_non_places:>18}"
            )
    states = read_states()
    halves = {
        "development": {k: v for k, v in states.items() if topic(k[0]) % 2 == 1},
        "held out": {k: v for k, v in states.items() if topic(k[0]) % 2 == 0},
    }
    print("\nUS places of the gold, state known: resolved in the US / to the right state")
    for split, part in halves.items():
        cells = []
        for name, predicted in systems.items():
            t = state_score(part, predicted)
            cells.append(f"{name.split(' ')[0]} {t.in_us}/{t.places}, right {t.precision:.3f}")
        print(f"  {split:<12} " + "; ".join(cells))


if __name__ == "__main__":
    main()
