"""Places in articles not in English, found by name (workers.core.foreign_places).

The rules are tested on a few gazetteer rows written here; the measurement on spaCy's
example sentences (tests/data/foreign_places_gold.tsv) uses the real gazetteer.
"""

from __future__ import annotations

import pytest

from bench.foreign_place_quality import Gold, Score, load_gold, sentences
from workers.adapters.gazetteer import foreign_names
from workers.core.foreign_places import ForeignNames, foreign_entities, words
from workers.core.places import Place

SOFIA = Place("Sofia", "city", "BG", geonameid=1, population=1_200_000)
NAPLES = Place("Naples", "city", "IT", geonameid=2, population=1_000_000)
KOREA = Place("South Korea", "country", "KR", geonameid=3)
SPAIN = Place("Spain", "country", "ES", geonameid=4)
OSAKA = Place("Osaka", "city", "JP", geonameid=5, population=2_600_000)
TEHRAN = Place("Tehran", "city", "IR", geonameid=6, population=7_000_000)
SANTIAGO_CL = Place("Santiago", "city", "CL", geonameid=7, population=4_800_000)
SANTIAGO_DO = Place("Santiago", "city", "DO", geonameid=8, population=1_000_000)
CHILE = Place("Chile", "country", "CL", geonameid=9)

NAMES = ForeignNames(
    [
        ("Sofia", SOFIA),
        ("София", SOFIA),
        ("Napoli", NAPLES),
        ("Neapel", NAPLES),
        ("大阪", OSAKA),
        ("オオサカ", OSAKA),  # a katakana form, to test word edges
        ("오사카", OSAKA),
        ("تهران", TEHRAN),
        ("Santiago", SANTIAGO_CL),
        ("Santiago", SANTIAGO_DO),
        ("LON", NAPLES),  # an all-capitals code: never a name here
        ("Ab", NAPLES),  # too short
    ],
    {"es": [("España", SPAIN), ("Chile", CHILE)], "de": [("Spanien", SPAIN)]},
)


def found(text: str, language: str = "xx") -> list[tuple[str, str]]:
    located = foreign_entities(text, None, NAMES, language)
    return [(e.text, e.canonical) for e in located.entities]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Il sindaco di Napoli ha parlato.", "it", [("Napoli", "Naples")]),
        ("ein Neapel-typisches Gericht", "de", [("Neapel", "Naples")]),  # a lower-case
        ("In Neapel regnet es.", "de", [("Neapel", "Naples")]),  # a short opener
        ("Вчера в София открыли мост.", "bg", [("София", "Sofia")]),
        ("Sofia ist groß.", "de", [("Sofia", "Sofia")]),  # sentence start is fine
        ("El gobierno de España, dijo.", "es", [("España", "Spain")]),
        ("大阪で会議が開かれた。", "ja", [("大阪", "Osaka")]),
        ("ロンドンとオオサカの会議", "ja", [("オオサカ", "Osaka")]),  # after a particle
        ("오사카에서 열린 회의", "ko", [("오사카", "Osaka")]),  # a particle written on
        ("جلسه در تهران برگزار شد", "fa", [("تهران", "Tehran")]),
        ("Santiago y Chile", "es", [("Chile", "Chile"), ("Santiago", "Santiago")]),
    ],
)
def test_places_named_whole_are_found(
    text: str, language: str, expected: list[tuple[str, str]]
) -> None:
    assert sorted(found(text, language)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Sofia Coppola dreht einen Film.", "de"),  # a longer capitalised run: a person
        ("Die Schauspielerin Anna Sofia spielte.", "de"),  # after a capitalised word
        ("Neapel-Reise gebucht", "de"),  # a compound of two capitalised words
        ("Ana Sofia spielte.", "de"),  # a short name opening the sentence: not a word
        ("sofia è una parola", "it"),  # lower case: not a name
        ("LON wurde erwähnt", "de"),  # all capitals: a code, not a name
        ("Ab und zu", "de"),  # too short
        ("Spanien liegt im Süden", "es"),  # a country name of another language
        ("Santiago dijo que no", "es"),  # two Santiagos, nothing to tell them apart
        ("オオサカナ料理の店", "ja"),  # katakana inside a longer katakana word
    ],
)
def test_what_a_name_alone_does_not_say_is_left_out(text: str, language: str) -> None:
    assert found(text, language) == []


def test_one_place_written_twice_is_one_entity_with_two_mentions() -> None:
    text = "Napoli vince. A Napoli si festeggia."
    (entity,) = foreign_entities(text, "Napoli", NAMES, "it").entities
    assert (entity.canonical, entity.count, entity.label, entity.salience) == (
        "Naples",
        2,
        "GPE",
        1.0,
    )
    assert entity.geo == NAPLES
    assert [text[m.start : m.end] for m in entity.mentions] == ["Napoli", "Napoli"]


def test_main_countries_and_elided_articles() -> None:
    located = foreign_entities("L'España de hoy y Napoli, Napoli.", None, NAMES, "es")
    assert located.countries == ["IT", "ES"]
    assert [w.joined for w in words("L'España-x, y")] == [" ", "'", "-", "|"]


def test_the_gold_names_real_sentences() -> None:
    gold = load_gold()
    texts = sentences()
    assert set(gold) <= set(texts)
    assert sum(len(g.required) for g in gold.values()) >= 200
    assert len({language for language, _ in gold}) >= 40


def test_precise_on_spacy_example_sentences_in_other_languages() -> None:
    gold, texts, names = load_gold(), sentences(), foreign_names()
    languages = sorted({language for language, _ in texts})
    for half in (0, 1):
        score = Score()
        for key, text in texts.items():
            if languages.index(key[0]) % 2 != half:
                continue
            located = foreign_entities(text, None, names, key[0])
            emitted = [e.geo for e in located.entities if e.geo is not None]
            score.add(key, emitted, gold.get(key, Gold((), frozenset())))
        assert score.precision >= 0.95, score.errors
        assert score.recall >= 0.3
        assert score.right >= 30
