"""Places in articles in other languages: precision and recall of the places found by name.

.venv/bin/python -m bench.foreign_place_quality

Texts: spaCy's example sentences in languages other than English
(``spacy.lang.<code>.examples``, MIT licence, read from the installed spaCy), with the
places each names annotated for this project in ``tests/data/foreign_places_gold.tsv``
(countries, first-level regions and cities; see its header). The sentence's language is
the module's (the language detector is measured by ``bench.language_quality``).

Side by side, on the same sentences:

* **worker**: :func:`workers.core.foreign_places.foreign_entities` with the gazetteer's
  multilingual names (what the worker publishes for an article not in English);
* **English model**: bare ``en_core_web_sm`` run on the foreign text anyway, its GPE/LOC
  entities resolved with the English gazetteer (what publishing English NER on every
  language would give).

Languages are split in two by their order (odd / even): the rule was written from
principles and never tuned on either half; both are printed, with the places found wrong.
Precision counts what is emitted (a place inside a company's or an award's name that the
gold marks optional counts neither way); recall counts the gold places.
"""

from __future__ import annotations

import argparse
import importlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workers.core.places import Place, name_key

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "foreign_places_gold.tsv"


@dataclass(frozen=True)
class Gold:
    """The places one sentence names: each a set of acceptable readings."""

    required: tuple[frozenset[str], ...]
    optional: frozenset[str]


def load_gold(path: Path = GOLD) -> dict[tuple[str, int], Gold]:
    """(language, sentence index) -> its places; a sentence not listed names none."""
    gold: dict[tuple[str, int], Gold] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, index, places = line.split("\t")
        required: list[frozenset[str]] = []
        optional: set[str] = set()
        for token in places.split():
            readings = frozenset(token.lstrip("?").split("|"))
            if token.startswith("?"):
                optional |= readings
            else:
                required.append(readings)
        gold[(language, int(index))] = Gold(tuple(required), frozenset(optional))
    return gold


def place_keys(place: Place) -> set[str]:
    """How the gold may write a place: its country code (a country), its ISO 3166-2
    code (a region), Name/CC (a city)."""
    if place.kind == "country":
        return {place.country}
    if place.kind == "region":
        return {place.region or ""}
    return {f"{name_key(place.name)}/{place.country}"}


def gold_key(reading: str) -> str:
    """A gold reading in the form of :func:`place_keys`."""
    if "/" in reading:
        name, country = reading.rsplit("/", 1)
        return f"{name_key(name.replace('_', ' '))}/{country}"
    return reading


def sentences(exclude: Iterable[str] = ("en", "xx")) -> dict[tuple[str, int], str]:
    """spaCy's example sentences of every language but ``exclude``."""
    import pkgutil

    import spacy.lang

    found: dict[tuple[str, int], str] = {}
    for module in sorted(pkgutil.iter_modules(spacy.lang.__path__), key=lambda m: m.name):
        if module.name in exclude:
            continue
        try:
            examples = importlib.import_module(f"spacy.lang.{module.name}.examples")
        except ImportError:
            continue
        for index, text in enumerate(getattr(examples, "sentences", [])):
            found[(module.name, index)] = text
    return found


@dataclass
class Score:
    """Emitted places right and wrong, gold places found and missed."""

    right: int = 0
    wrong: int = 0
    found: int = 0
    gold: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, key: tuple[str, int], emitted: Sequence[Place], gold: Gold) -> None:
        """Score one sentence's emitted places against its gold."""
        wanted = [{gold_key(r) for r in readings} for readings in gold.required]
        optional = {gold_key(r) for r in gold.optional}
        matched: set[int] = set()
        for place in emitted:
            keys = place_keys(place)
            hit = next((n for n, w in enumerate(wanted) if keys & w and n not in matched), None)
            if hit is not None:
                matched.add(hit)
                self.right += 1
            elif keys & optional:
                continue
            elif any(keys & w for w in wanted):
                continue  # the same place again under another name
            else:
                self.wrong += 1
                self.errors.append(
                    f"{key[0]} {key[1]}: {place.name} ({place.kind}, {place.country})"
                )
        self.found += len(matched)
        self.gold += len(wanted)

    @property
    def precision(self) -> float:
        """Share of the emitted places that are right (1.0 when none is emitted)."""
        emitted = self.right + self.wrong
        return self.right / emitted if emitted else 1.0

    @property
    def recall(self) -> float:
        """Share of the gold places found."""
        return self.found / self.gold if self.gold else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip the English-model column")
    args = parser.parse_args()

    from workers.adapters.gazetteer import foreign_names, place_index
    from workers.core.foreign_places import foreign_entities

    gold = load_gold()
    texts = sentences()
    unknown = sorted(set(gold) - set(texts))
    if unknown:
        raise SystemExit(f"gold names sentences spaCy does not have: {unknown[:5]}")
    names = foreign_names()
    languages = sorted({language for language, _ in texts})
    halves = {
        "odd languages": {lang for n, lang in enumerate(languages) if n % 2 == 0},
        "even languages": {lang for n, lang in enumerate(languages) if n % 2 == 1},
    }
    english: dict[tuple[str, int], list[Place]] = {}
    if not args.no_model:
        from workers.adapters.spacy_ner import NerModel
        from workers.core.places import article_entities

        model = NerModel()
        places = place_index()
        keys = list(texts)
        for key, mentions in zip(keys, model.mentions([texts[k] for k in keys]), strict=True):
            located = article_entities(
                mentions, title=None, text=texts[key], labels=("GPE", "LOC"), places=places
            )
            english[key] = [e.geo for e in located.entities if e.geo is not None]
    print(f"{len(texts)} sentences in {len(languages)} languages; gold: {GOLD.name}")
    header = f"{'half':<16}{'method':<16}{'sentences':>10}{'emitted':>9}{'P':>7}{'R':>7}"
    print(header)
    errors: Counter[str] = Counter()
    for half, chosen in halves.items():
        keys = [k for k in texts if k[0] in chosen]
        worker, model_score = Score(), Score()
        for key in keys:
            truth = gold.get(key, Gold((), frozenset()))
            located = foreign_entities(texts[key], None, names, key[0])
            worker.add(key, [e.geo for e in located.entities if e.geo is not None], truth)
            if english:
                model_score.add(key, english[key], truth)
        rows = [("worker", worker)] + ([("English model", model_score)] if english else [])
        for method, score in rows:
            print(
                f"{half:<16}{method:<16}{len(keys):>10}{score.right + score.wrong:>9}"
                f"{score.precision:>7.3f}{score.recall:>7.3f}"
            )
        errors.update(f"{half}: {e}" for e in worker.errors)
    print("target: precision >= 0.95 on both halves (else the worker leaves them out)")
    for error in sorted(errors):
        print(f"  worker wrong: {error}")


if __name__ == "__main__":
    main()
