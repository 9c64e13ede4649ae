"""Canonicalisation on hand-made mentions (no model), and the real model on the seed article."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from workers.adapters.spacy_ner import NerModel
from workers.core.entities import (
    Entity,
    Mention,
    canonical_entities,
    canonical_name,
    legal_form,
    surface,
)

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT")


def m(text: str, label: str, start: int) -> Mention:
    return Mention(text, label, start, start + len(text))


def by_name(entities: Sequence[Entity]) -> dict[str, Entity]:
    return {e.canonical: e for e in entities}


def entities_of(mentions: Sequence[Mention], text_length: int) -> dict[str, Entity]:
    """The canonical entities of untitled text's mentions, by canonical name."""
    return by_name(canonical_entities(mentions, title=None, text_length=text_length, labels=LABELS))


def test_surface_strips_articles_and_possessives() -> None:
    assert surface("the Kremlin's") == "Kremlin"
    assert surface("The New York Times") == "New York Times"
    assert canonical_name("U.S.") == canonical_name("US") == canonical_name("the United States")
    assert canonical_name("Us") == "Us" and canonical_name("UK") == "United Kingdom"


def test_surname_links_to_full_name_and_label_vote_repairs() -> None:
    mentions = [
        m("Vladimir Putin", "PERSON", 0),
        m("Putin", "PERSON", 40),
        m("Putin", "ORG", 80),
        m("Trump", "PERSON", 120),
        m("Donald Trump", "PERSON", 160),
        m("Trump", "ORG", 200),
    ]
    entities = entities_of(mentions, 300)
    assert set(entities) == {"Vladimir Putin", "Donald Trump"}
    assert entities["Vladimir Putin"].count == 3 and entities["Vladimir Putin"].label == "PERSON"
    assert entities["Donald Trump"].count == 3 and entities["Donald Trump"].label == "PERSON"


def test_a_place_is_not_the_given_name_of_a_person_it_begins() -> None:
    # a town's name opening a shop the model took for a person stays a place; the
    # family name, and a given name the model tags as a person, still link
    mentions = [
        m("Larnford Grill House", "PERSON", 0),
        m("Larnford", "GPE", 40),
        m("Larnford", "GPE", 80),
        m("Anna Weller", "PERSON", 120),
        m("Weller", "GPE", 160),
        m("Anna", "PERSON", 200),
    ]
    entities = entities_of(mentions, 300)
    assert set(entities) == {"Larnford Grill House", "Larnford", "Anna Weller"}
    assert entities["Larnford"].label == "GPE" and entities["Larnford"].count == 2
    assert entities["Anna Weller"].count == 3


def test_a_full_name_tagged_org_is_the_person_its_family_name_names_alone() -> None:
    mentions = [
        m("Ilse Brandvold", "ORG", 0),
        m("Brandvold", "PERSON", 40),
        m("Brandvold", "PERSON", 80),
        # a company with a legal form, one whose last word is no person here, and one
        # whose last word is a word of a full PERSON name stay organisations
        m("Halloran Holdings Ltd", "ORG", 120),
        m("Daily Planet", "ORG", 160),
        m("Halloran Fisher", "ORG", 200),
        m("Kit Fisher", "PERSON", 240),
        m("Fisher", "PERSON", 280),
    ]
    entities = entities_of(mentions, 300)
    assert entities["Ilse Brandvold"].label == "PERSON" and entities["Ilse Brandvold"].count == 3
    assert "Brandvold" not in entities
    assert {n: entities[n].label for n in ("Daily Planet", "Halloran Fisher")} == {
        "Daily Planet": "ORG",
        "Halloran Fisher": "ORG",
    }
    assert entities["Halloran Holdings Ltd"].label == "ORG"
    assert entities["Kit Fisher"].count == 2


def test_a_span_joining_known_places_is_split_into_places() -> None:
    known = {"Brenn", "Sella", "Palin"}.__contains__
    mentions = [m("Brenn and Sella", "PERSON", 0)]
    entities = canonical_entities(mentions, title=None, text_length=50, labels=LABELS, known=known)
    assert {(e.canonical, e.label) for e in entities} == {("Brenn", "GPE"), ("Sella", "GPE")}
    # without the gazetteers, nothing says these are two names
    alone = canonical_entities(mentions, title=None, text_length=50, labels=LABELS)
    assert [e.canonical for e in alone] == ["Brenn and Sella"]
    # a word of one of the article's longer names is that name's, not a place's
    mentions = [m("Sarah Palin", "PERSON", 0), m("McCain-Palin", "ORG", 30)]
    entities = canonical_entities(mentions, title=None, text_length=50, labels=LABELS, known=known)
    assert "Palin" not in {e.canonical for e in entities}


def test_hyphenated_pair_of_names_counts_for_both() -> None:
    mentions = [m("Trump", "PERSON", 0), m("Putin", "PERSON", 10), m("Trump-Putin", "ORG", 20)]
    entities = entities_of(mentions, 50)
    assert set(entities) == {"Trump", "Putin"}
    assert entities["Trump"].count == 2 and entities["Putin"].count == 2
    assert all(e.label == "PERSON" for e in entities.values())


def test_labels_setting_filters_and_title_weighs() -> None:
    mentions = [m("Lisbon", "GPE", 500), m("Tuesday", "DATE", 10), m("Moedas", "PERSON", 20)]
    entities = canonical_entities(
        mentions, title="Lisbon votes", text_length=1000, labels=("GPE", "PERSON")
    )
    assert [e.canonical for e in entities] == ["Lisbon", "Moedas"]
    assert entities[0].salience == 1.0


@pytest.fixture(scope="module")
def model() -> NerModel:
    return NerModel()


def test_project_scraped_article_entities(model: NerModel, scraped_text: str) -> None:
    from workers.core.lines import clean_lines

    cleaned = clean_lines(scraped_text)
    mentions = model.mentions([cleaned.body])[0]
    entities = canonical_entities(
        mentions, title=cleaned.lines[0], text_length=len(cleaned.body), labels=LABELS
    )
    names = {e.canonical: e for e in entities}
    assert names["Jens Albrechtsen"].label == names["Thomas Danielsen"].label == "PERSON"
    assert names["Jens Albrechtsen"].count == 2  # "Albrechtsen" alone is linked to him
    assert names["Rønne"].label == "GPE" and names["Rønne"].salience == 1.0
    assert {"Denmark", "Sweden"} <= set(names)


def test_seed_article_entities(model: NerModel, seed_text: str) -> None:
    from workers.adapters.gazetteer import place_index
    from workers.core.lines import clean_lines
    from workers.core.places import article_entities

    cleaned = clean_lines(seed_text)
    mentions = model.mentions([cleaned.body])[0]
    entities = article_entities(
        mentions, title=cleaned.lines[0], text=cleaned.body, labels=LABELS, places=place_index()
    ).entities
    names = {e.canonical: e for e in entities}
    for expected in ("Vladimir Putin", "Donald Trump", "Alaska", "Ukraine", "United States"):
        assert expected in names, expected
    assert names["Vladimir Putin"].label == names["Donald Trump"].label == "PERSON"
    assert names["Donald Trump"].count > 5  # short mentions counted in
    assert [e.canonical for e in entities].count("United States") == 1
    assert not any(e.label == "PERSON" and e.canonical in {"Kyiv", "Luhansk"} for e in entities)
    assert not any(e.label == "ORG" and "Trump" in e.canonical for e in entities)
    assert model.nlp.pipe_names == ["ner"]


def test_acronym_links_to_the_name_it_abbreviates() -> None:
    mentions = [m("The European Central Bank", "ORG", 0), m("ECB", "ORG", 50), m("EU", "ORG", 90)]
    entities = entities_of(mentions, 100)
    assert entities["European Central Bank"].count == 2
    assert entities["European Central Bank"].text == "European Central Bank"
    assert "ECB" not in entities
    assert "European Union" in entities  # a known variant, not an acronym of a name here


def test_a_name_ending_in_a_legal_form_is_an_organisation() -> None:
    for name in (
        "Quorra SA",
        "Quorra S.A.",
        "Varn Berger AG",
        "Kesh Inc.",
        "Oska plc",
        "Tessel Company",
    ):
        assert legal_form(name), name
    # a person's name, a form alone, and a short form written as a name word
    for name in ("Maria Sal", "John Sa", "Inc", "Varn Bank", "Ana Et"):
        assert not legal_form(name), name
    mentions = [
        m("Quorra SA", "PERSON", 0),
        m("Quorra SA", "GPE", 40),
        m("Maria Sal", "PERSON", 80),
    ]
    entities = entities_of(mentions, 100)
    assert entities["Quorra SA"].label == "ORG" and entities["Maria Sal"].label == "PERSON"


def test_words_without_a_capital_are_no_name_unless_their_script_has_no_case() -> None:
    mentions = [
        m("research institute", "ORG", 0),
        m("\u5317\u4eac", "GPE", 30),
        m("H5N1", "PERSON", 40),
        m("Paktika province", "GPE", 50),
    ]
    entities = entities_of(mentions, 100)
    assert set(entities) == {"\u5317\u4eac", "Paktika"}
