"""Place resolution and label repair (pure): a small invented gazetteer, rules that must and
must not change a label or pick a place."""

from __future__ import annotations

from workers.core.entities import Entity, Mention
from workers.core.places import Place, PlaceIndex, compound_places, locate, name_key, state_of

VALDORIA = Place("Valdoria", "country", "VD", geonameid=1, population=9_000_000)
NORTH_MARCH = Place("North March", "region", "VD", region="VD-NM")  # ISO 3166 only
# a first-level region GeoNames has an id for (as it has for US states)
HIGH_FELLS = Place("High Fells", "region", "OS", geonameid=12, region="OS-HF")
# two cities called Brenn: a big one in Valdoria, a small one in Ostland
BRENN = Place("Brenn", "city", "VD", 2, 50.0, 8.0, 2_000_000, "01")
BRENN_SMALL = Place("Brenn", "city", "OS", 3, 40.0, -90.0, 30_000, "TX")
# Corvale: a country, and a region (with a GeoNames id) of Ostland
CORVALE = Place("Corvale", "country", "CV", geonameid=4, population=3_000_000)
CORVALE_STATE = Place("Corvale", "region", "OS", geonameid=5, region="OS-CO")
OSTLAND = Place("Ostland", "country", "OS", geonameid=6, population=300_000_000)
# Larn: two cities of similar size in two countries
LARN_A = Place("Larn", "city", "VD", 7, 1.0, 1.0, 90_000, "02")
LARN_B = Place("Larn", "city", "OS", 8, 2.0, 2.0, 60_000, "NY")
# Køby: spelt with a diacritic in Valdoria, folded to the same key as Koby in Ostland
KOBY_VD = Place("Køby", "city", "VD", 9, 3.0, 3.0, 40_000, "03")
KOBY_OS = Place("Kōby", "city", "OS", 10, 4.0, 4.0, 20_000, "05")
# Ostland also has a minor region (ISO 3166 only) named like the country Valdoria
VALDORIA_REGION = Place("Valdoria", "region", "OS", region="OS-VA")
SELLA = Place("Sella", "city", "VD", 11, 5.0, 5.0, 500_000, "01")

INDEX = PlaceIndex(
    [
        (p.name, p)
        for p in (
            VALDORIA,
            NORTH_MARCH,
            BRENN,
            BRENN_SMALL,
            CORVALE,
            CORVALE_STATE,
            OSTLAND,
            LARN_A,
            LARN_B,
            KOBY_VD,
            KOBY_OS,
            SELLA,
            VALDORIA_REGION,
            HIGH_FELLS,
        )
    ]
    + [("Republic of Valdoria", VALDORIA)]
)


def entity(name: str, label: str, *starts: int) -> Entity:
    mentions = tuple(Mention(name, label, s, s + len(name)) for s in starts or (0,))
    return Entity(name, label, name, len(mentions), mentions, mentions[0].start, 1.0)


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert name_key("Køby") == name_key("KOBY") == "koby"
    assert name_key("  St. Ives ") == "st ives"
    assert INDEX.candidates("republic of valdoria") == (VALDORIA,)


def test_a_single_candidate_is_taken_and_an_unknown_name_is_not() -> None:
    assert INDEX.resolve("Sella") == SELLA
    assert INDEX.resolve("Nowhere") is None


def test_the_articles_other_places_pick_the_candidate() -> None:
    assert INDEX.resolve("Brenn", ["Ostland"]) == BRENN_SMALL
    assert INDEX.resolve("Larn", ["Valdoria"]) == LARN_A
    assert INDEX.resolve("Corvale", ["Ostland"]) == CORVALE_STATE


def test_without_context_a_dominant_city_wins_and_close_ones_stay_open() -> None:
    assert INDEX.resolve("Brenn") == BRENN  # 2,000,000 vs 30,000
    assert INDEX.resolve("Larn") is None  # 90,000 vs 60,000: weak evidence


def test_a_country_and_a_major_region_abroad_stay_open_without_context() -> None:
    assert INDEX.resolve("Corvale") is None
    assert INDEX.resolve("Valdoria") == VALDORIA  # the rival region is a minor one
    assert INDEX.resolve("Valdoria", ["Ostland"]) == VALDORIA_REGION


def test_a_big_city_and_its_namesake_region_beat_a_minor_region_abroad() -> None:
    """Invented: Tarrow, a city of 400,000 in Valdoria and its region (ISO 3166 only),
    and a minor region Tarrow of Ostland. Without context the city is meant; with
    Ostland named, its region; without a region of its name at home the city stays open
    against the region abroad."""
    city = Place("Tarrow", "city", "VD", 20, 6.0, 6.0, 400_000, "01")
    home = Place("Tarrow", "region", "VD", region="VD-TA")
    abroad = Place("Tarrow", "region", "OS", region="OS-TA")
    index = PlaceIndex([(p.name, p) for p in (city, home, abroad, OSTLAND)])
    assert index.resolve("Tarrow") == city
    assert index.resolve("Tarrow", ["Ostland"]) == abroad
    alone = PlaceIndex([(p.name, p) for p in (city, abroad)])
    assert alone.resolve("Tarrow") == abroad  # one broad place, as before
    # a major region abroad (one GeoNames has) is a real rival
    major = Place("Tarrow", "region", "OS", geonameid=21, region="OS-TA")
    assert PlaceIndex([(p.name, p) for p in (city, home, major)]).resolve("Tarrow") is None


def test_a_state_keeps_its_name_from_a_town_elsewhere_and_from_minor_regions_abroad() -> None:
    """Invented: the state Sorrel (GeoNames knows it), a town Sorrel of 20,000 in another
    state, a minor region Sorrel abroad (ISO 3166 only); a city Marra of 30,000 inside the
    state Marra."""
    state = Place("Sorrel", "region", "US", geonameid=30, region="US-SR")
    town = Place("Sorrel", "city", "US", 31, 1.0, 1.0, 20_000, "NL")
    abroad = Place("Sorrel", "region", "VD", region="VD-SO")
    assert PlaceIndex([(p.name, p) for p in (state, town)]).resolve("Sorrel") == state
    assert PlaceIndex([(p.name, p) for p in (state, town, abroad)]).resolve("Sorrel") == state
    assert PlaceIndex([(p.name, p) for p in (state, abroad)]).resolve("Sorrel") == state
    # a city known in its own right, or one inside the region of its name, is meant
    big = Place("Sorrel", "city", "US", 32, 2.0, 2.0, 150_000, "NL")
    assert PlaceIndex([(p.name, p) for p in (state, big)]).resolve("Sorrel") == big
    marra = Place("Marra", "region", "US", geonameid=33, region="US-MA")
    inside = Place("Marra", "city", "US", 34, 3.0, 3.0, 30_000, "MA")
    assert PlaceIndex([(p.name, p) for p in (marra, inside)]).resolve("Marra") == inside
    # ... and a city of 100,000 abroad stays a rival
    rival = Place("Sorrel", "city", "VD", 35, 4.0, 4.0, 300_000, "01")
    assert PlaceIndex([(p.name, p) for p in (state, abroad, rival)]).resolve("Sorrel") is None


def test_a_compass_part_of_a_country_or_state_lies_in_it() -> None:
    """Invented: "Southern Valdoria", "Eastern Norland" name parts of a country and a state;
    a whole name the gazetteer knows comes first; a part of a city or of a region only ISO
    3166 names is left alone."""
    west_march = Place("West March", "region", "VD", region="VD-WM")
    index = PlaceIndex(
        [(p.name, p) for p in (VALDORIA, NORLAND, DUNMORE, NORTH_MARCH, west_march, SELLA)]
    )

    def geo(name: str, label: str = "LOC") -> Place | None:
        text = f"Storms in {name} on Monday."
        return locate([entity(name, label, 10)], text, index).entities[0].geo

    assert geo("Southern Valdoria") == VALDORIA
    assert geo("Eastern Norland", "GPE") == NORLAND
    assert geo("West March") == west_march  # a whole name first
    assert geo("South Sella") is None  # a part of a city: a neighbourhood
    assert geo("East March") is None  # "March" alone is no place
    assert geo("Upper Valdoria") is None  # not a compass word
    # a name the model did not tag a place is not made one
    assert geo("Southern Valdoria", "ORG") is None


def test_exact_spelling_decides_between_folded_twins() -> None:
    assert INDEX.resolve("Køby") == KOBY_VD
    assert INDEX.resolve("Koby") is None  # ASCII spelling: either; 2x is not dominant


def test_model_labels_repaired_from_knowledge_and_context() -> None:
    text = (
        "Ferries sail to Brenn daily. Valdoria agreed, as did High Fells and farms in North March."
    )
    ents = [
        entity("Brenn", "PERSON", text.index("Brenn")),  # after "to": a place
        entity("Valdoria", "ORG", text.index("Valdoria")),  # a country: always a place
        entity("High Fells", "ORG", text.index("High Fells")),  # a major region: always
        entity("North March", "NORP", text.index("North March")),  # a minor one, after "in"
    ]
    located = locate(ents, text, INDEX)
    assert [(e.label, e.geo) for e in located.entities] == [
        ("GPE", BRENN),
        ("GPE", VALDORIA),
        ("GPE", HIGH_FELLS),
        ("GPE", NORTH_MARCH),
    ]
    assert located.countries == ["VD", "OS"]


def test_labels_kept_where_the_context_says_otherwise() -> None:
    text = "Sella beat Brenn 2-1 as Maria Sella scored twice. Nowhere Corp fell. North March fans."
    ents = [
        entity("North March", "NORP", text.index("North March")),  # minor region, no "in"
        entity("Brenn", "ORG", text.index("Brenn")),  # a club named after its city
        entity("Maria Sella", "PERSON", text.index("Maria Sella")),
        entity("Sella", "PERSON", 0),  # a word of a person's name in the article
        entity("Nowhere Corp", "ORG", text.index("Nowhere")),
    ]
    located = locate(ents, text, INDEX)
    assert [(e.canonical, e.label) for e in located.entities] == [
        ("North March", "NORP"),
        ("Brenn", "ORG"),
        ("Maria Sella", "PERSON"),
        ("Sella", "PERSON"),
        ("Nowhere Corp", "ORG"),
    ]
    assert all(e.geo is None for e in located.entities) and located.countries == []


def test_a_name_after_an_article_or_an_acronym_is_not_taken_for_a_town() -> None:
    """Towns take no article: "at the Brenn unit" names a prison, "of the Sella
    administration" a person's government; an all-caps organisation ("BRENN", a
    hospital's initials) is not a town either. After a bare locative, both are towns."""
    text = "Guards at the Brenn unit. Days of the Sella administration. Taken to BRENN."
    ents = [
        entity("Brenn", "ORG", text.index("Brenn")),
        entity("Sella", "PERSON", text.index("Sella")),
        entity("BRENN", "ORG", text.index("BRENN")),
    ]
    located = locate(ents, text, INDEX)
    assert [(e.label, e.geo) for e in located.entities] == [
        ("ORG", None),
        ("PERSON", None),
        ("ORG", None),
    ]
    text = "Guards in Brenn. Days in the town of Sella."
    ents = [
        entity("Brenn", "ORG", text.index("Brenn")),
        entity("Sella", "PERSON", text.index("Sella")),
    ]
    assert [(e.label, e.geo) for e in locate(ents, text, INDEX).entities] == [
        ("GPE", BRENN),
        ("GPE", SELLA),
    ]


def test_at_does_not_make_a_person_or_an_organisation_a_place() -> None:
    """The word "at" comes before venues and the targets of verbs as often as before
    towns: a clinic's name ("a placement at Brenn") and a person aimed at stay what the model
    said, and a name the model tagged a place in one mention and a person in another is
    left off the map when only "at" puts it in place."""
    text = "Her placement at Brenn was planned. The attack was aimed at Sella."
    ents = [
        entity("Brenn", "ORG", text.index("Brenn")),
        entity("Sella", "PERSON", text.index("Sella")),
    ]
    assert [(e.label, e.geo) for e in locate(ents, text, INDEX).entities] == [
        ("ORG", None),
        ("PERSON", None),
    ]
    text = "Sella said so. The attack was aimed at Sella."
    both = (
        Mention("Sella", "PERSON", 0, 5),
        Mention("Sella", "GPE", text.rindex("Sella"), text.rindex("Sella") + 5),
    )
    sella = Entity("Sella", "GPE", "Sella", 2, both, 0, 1.0)
    assert [(e.label, e.geo) for e in locate([sella], text, INDEX).entities] == [("GPE", None)]


def test_a_place_that_only_begins_longer_names_is_not_put_on_the_map() -> None:
    """A place name written only as the first word of a name the model did not tag (a
    court, a wall) names no place."""
    for text in (
        "The suit was filed in Brenn District Court on Friday by the two groups.",
        "The new road has been a Brenn Wall between the two valleys for years.",
    ):
        located = locate([entity("Brenn", "GPE", text.index("Brenn"))], text, INDEX)
        assert located.entities[0].geo is None, text
        assert located.countries == [], text


def test_a_place_before_other_capitalised_words_stays_a_place() -> None:
    """Days, offices, titles before a person or a group, lists, longer place names,
    other places, acronyms, possessives, headlines and a place after an organisation
    keep the place on the map."""
    index = PlaceIndex([(p.name, p) for p in (BRENN, OSTLAND)])
    for text, other in (
        ("The talks were opened in Brenn Monday by the two envoys.", None),
        ("The Brenn County Attorney said that charges would be filed soon.", None),
        ("A statement from Brenn Councillor Jo Lund was read out to the crowd.", "PERSON"),
        ("The bill was opposed by Brenn Democrats in the house on Friday.", "NORP"),
        ("They came to the meeting from Brenn and Ostland with their families.", None),
        ("The floods have ruined the Brenn Valley and most of its farms.", None),
        ("They moved to Brenn City when the mine was closed.", None),
        ("They flew to Brenn Ostland to see the family of the bride.", None),
        ("The show was aired on Brenn TV for more than a year.", None),
        ("The talks were led by the UN Brenn envoy and her staff.", "ORG"),
        ("Police said that Brenn's Central Station was closed for the night.", None),
        ("Storm Floods Brenn Church Hall\nThe hall was closed for the night.", None),
    ):
        ents = [entity("Brenn", "GPE", text.index("Brenn"))]
        if other is not None:  # the model's other name in the sentence
            name = {"PERSON": "Jo Lund", "NORP": "Democrats", "ORG": "UN"}[other]
            ents.append(entity(name, other, text.index(name)))
        if "Brenn's" in text:  # the mention keeps the possessive, the entity drops it
            at = text.index("Brenn")
            own = (Mention("Brenn's", "GPE", at, at + 7),)
            ents = [Entity("Brenn", "GPE", "Brenn", 1, own, at, 1.0)]
        located = locate(ents, text, index)
        assert located.entities[0].geo == BRENN, text


def test_countries_are_ordered_by_mentions() -> None:
    text = "Brenn. Brenn. Ostland."
    ents = [entity("Brenn", "GPE", 0, 7), entity("Ostland", "GPE", 14)]
    located = locate(ents, text, INDEX)
    # Brenn resolves in Ostland's context to the Ostland city: both mentions count there
    assert located.countries == ["OS"]
    assert located.entities[0].geo == BRENN_SMALL


def test_a_lower_case_feature_noun_after_a_name_tells_its_kind() -> None:
    text = "Boats on the Varn river. Farms of Kesh province. The Varn Group. The Oska reservoir."
    ents = [
        entity("Varn", "ORG", text.index("Varn")),  # "river": a natural feature
        entity("Kesh", "PERSON", text.index("Kesh")),  # "province": an administrative area
        entity("Oska", "NORP", text.index("Oska")),
    ]
    located = locate(ents, text, INDEX)
    assert [(e.canonical, e.label) for e in located.entities] == [
        ("Varn", "LOC"),
        ("Kesh", "GPE"),
        ("Oska", "LOC"),
    ]
    # a capitalised word after the name is part of another name, not a feature noun; a
    # nationality before a noun is an adjective; a full name is a person's; "state"
    # makes compounds with any name
    text = (
        "The Varn Group and Kesh State University. The Ostish city of Brenn. "
        "Maria Sella river trips. A Larn state visit."
    )
    ents = [
        entity("Varn", "ORG", text.index("Varn")),
        entity("Kesh", "ORG", text.index("Kesh")),
        entity("Ostish", "NORP", text.index("Ostish")),
        entity("Maria Sella", "PERSON", text.index("Maria Sella")),
        entity("Larn", "PERSON", text.index("Larn")),
    ]
    labels = [e.label for e in locate(ents, text, INDEX).entities]
    assert labels == ["ORG", "ORG", "NORP", "PERSON", "PERSON"]


def test_a_place_no_gazetteer_knows_written_as_an_actor_is_an_organisation() -> None:
    text = "The dam was built by Quorra. Quorra plans more. Floods hit Tessel and the Dunmere area."
    ents = [
        entity("Quorra", "GPE", text.index("Quorra"), text.index("Quorra plans")),
        entity("Tessel", "GPE", text.index("Tessel")),  # a village, written as none else
        entity("Sella", "GPE", 0),  # the gazetteer knows it: never demoted
    ]
    labels = {e.canonical: e.label for e in locate(ents, text, INDEX).entities}
    assert labels == {"Quorra": "ORG", "Tessel": "GPE", "Sella": "GPE"}
    # written as an actor, but also where a place goes: a place
    text = "Tessel said no. Floods hit farms in Tessel and near the town of Dunmere, said Ann."
    ents = [
        entity("Tessel", "GPE", 0, text.index("Tessel", 5)),
        entity("Dunmere", "GPE", text.index("Dunmere")),
    ]
    assert [e.label for e in locate(ents, text, INDEX).entities] == ["GPE", "GPE"]


def test_a_name_listed_with_places_is_a_place_when_it_resolves() -> None:
    text = "Talks with Valdoria, Ostland, and Brenn. Sella and Larn met. Brenn, said Mr Larn."
    ents = [
        entity("Valdoria", "GPE", text.index("Valdoria")),
        entity("Ostland", "GPE", text.index("Ostland")),
        entity("Brenn", "PERSON", text.index("Brenn")),  # after "Ostland, and "
        entity("Sella", "PERSON", text.index("Sella")),  # listed with a person: kept
        entity("Larn", "PERSON", text.index("Larn"), text.index("Larn", 60)),
    ]
    labels = {e.canonical: e.label for e in locate(ents, text, INDEX).entities}
    assert labels["Brenn"] == "GPE"
    assert labels["Sella"] == labels["Larn"] == "PERSON"


def test_plural_feature_nouns_and_a_feature_noun_inside_a_list() -> None:
    text = "Control of the Larn and Brenn cities, the North March region and Sella."
    ents = [
        entity("Brenn", "PERSON", text.index("Brenn")),  # "cities": plural feature noun
        entity("North March", "GPE", text.index("North March")),
        entity("Sella", "ORG", text.index("Sella")),  # listed after "North March region and"
    ]
    labels = [e.label for e in locate(ents, text, INDEX).entities]
    assert labels == ["GPE", "GPE", "GPE"]


def test_a_lesser_place_abroad_among_places_elsewhere_is_left_unresolved() -> None:
    # Larn answers only to Ostland's town when the article points at Ostland; Køby is a
    # Valdorian town: named beside Ostland's places only, it is a stray
    text = "Larn and Corvale State met in Ostland. Køby Commissioner spoke."
    ents = [
        entity("Larn", "GPE", 0),
        entity("Ostland", "GPE", 31),
        entity("Køby", "GPE", 39),
    ]
    located = locate(ents, text, INDEX)
    assert [e.geo for e in located.entities] == [LARN_B, OSTLAND, None]
    assert located.countries == ["OS"]


def test_a_lesser_place_is_kept_alone_beside_its_country_or_when_well_known() -> None:
    alone = locate([entity("Køby", "GPE", 0)], "Køby", INDEX)
    assert alone.entities[0].geo == KOBY_VD
    # beside another place of its own country
    ents = [entity("Køby", "GPE", 0), entity("Sella", "GPE", 9), entity("Ostland", "GPE", 19)]
    located = locate(ents, "Køby and Sella, not Ostland", INDEX)
    assert [e.geo for e in located.entities] == [KOBY_VD, SELLA, OSTLAND]
    # a country or a region GeoNames knows is never a stray
    ents = [
        entity("Sella", "GPE", 0),
        entity("Valdoria", "GPE", 7),
        entity("High Fells", "GPE", 20),
    ]
    located = locate(ents, "Sella, Valdoria and High Fells", INDEX)
    assert [e.geo for e in located.entities] == [SELLA, VALDORIA, HIGH_FELLS]
    # nor a city of a million
    index = PlaceIndex([(p.name, p) for p in (BRENN, OSTLAND)])
    ents = [entity("Brenn", "GPE", 0), entity("Ostland", "GPE", 10)]
    located = locate(ents, "Brenn and Ostland", index)
    assert [e.geo for e in located.entities] == [BRENN, OSTLAND]


def test_a_place_name_inside_an_organisations_name_the_article_writes_is_not_mapped() -> None:
    text = "Sella Rovers won. A Sella Rovers spokesman said so."
    rovers = Entity(
        "Sella Rovers",
        "ORG",
        "Sella Rovers",
        1,
        (Mention("Sella Rovers", "ORG", 0, 12),),
        0,
        1.0,
    )
    located = locate([rovers, entity("Sella", "GPE", 20)], text, INDEX)
    assert located.entities[1].geo is None
    assert located.countries == []
    # one mention outside the organisation's name keeps it a place
    text += " Rain fell on Sella."
    located = locate([rovers, entity("Sella", "GPE", 20, 65)], text, INDEX)
    assert located.entities[1].geo == SELLA
    # the organisation's name elsewhere in the article does not touch a free mention
    located = locate([rovers, entity("Sella", "GPE", 65)], text, INDEX)
    assert located.entities[1].geo == SELLA


def mixed(name: str, text: str, labels: tuple[str, ...]) -> Entity:
    """``name`` at each of its offsets in ``text``, the model's labels in that order."""
    starts = [i for i in range(len(text)) if text.startswith(name, i)]
    mentions = tuple(
        Mention(name, label, s, s + len(name)) for s, label in zip(starts, labels, strict=True)
    )
    return Entity(name, "GPE", name, len(mentions), mentions, mentions[0].start, 1.0)


def test_a_lesser_place_the_model_also_took_for_a_person_is_not_mapped() -> None:
    text = "Sella spoke. Sella said it was over. Crowds cheered Sella."
    located = locate([mixed("Sella", text, ("GPE", "PERSON", "GPE"))], text, INDEX)
    assert located.entities[0].geo is None
    # so for an organisation
    located = locate([mixed("Sella", text, ("GPE", "ORG", "GPE"))], text, INDEX)
    assert located.entities[0].geo is None
    # every mention tagged a place: the city is taken
    located = locate([mixed("Sella", text, ("GPE", "GPE", "LOC"))], text, INDEX)
    assert located.entities[0].geo == SELLA
    # one mention where a place goes keeps it a place
    placed = "Sella spoke. Sella said it was over. Crowds in Sella."
    located = locate([mixed("Sella", placed, ("GPE", "PERSON", "GPE"))], placed, INDEX)
    assert located.entities[0].geo == SELLA
    # a city of a million is not put in doubt by one PERSON tag
    text = text.replace("Sella", "Brenn")
    located = locate([mixed("Brenn", text, ("GPE", "PERSON", "GPE"))], text, INDEX)
    assert located.entities[0].geo == BRENN


def test_a_region_only_iso_names_needs_another_place_of_its_country_or_a_place_word() -> None:
    alone = locate([entity("North March", "LOC", 0)], "North March", INDEX)
    assert alone.entities[0].geo is None
    ents = [entity("North March", "LOC", 0), entity("Sella", "GPE", 16)]
    located = locate(ents, "North March and Sella", INDEX)
    assert [e.geo for e in located.entities] == [NORTH_MARCH, SELLA]
    # written where a place goes ("in North March"): it needs nothing else
    text = "Officials in North March said the road was open."
    located = locate([entity("North March", "GPE", 13)], text, INDEX)
    assert located.entities[0].geo == NORTH_MARCH
    # but not after an article: a region named by a common word takes one ("in the West")
    text = "Officials in the North March said the road was open."
    located = locate([entity("North March", "GPE", 17)], text, INDEX)
    assert located.entities[0].geo is None


def test_only_a_notable_place_points_the_articles_other_names_at_its_country() -> None:
    # Larn: two towns of similar size, in Valdoria and in Ostland
    hamlet = Place("Tiddow", "city", "OS", 30, 6.0, 6.0, 5_000, "NY")
    town = Place("Marrow", "city", "OS", 31, 7.0, 7.0, 150_000, "NY")
    index = PlaceIndex([(p.name, p) for p in (LARN_A, LARN_B, hamlet, town)])
    # a hamlet that is the only place of its name does not decide Larn
    assert index.resolve("Larn", ["Tiddow"]) is None
    # a town of a hundred thousand does
    assert index.resolve("Larn", ["Marrow"]) == LARN_B


def test_a_regions_short_form_counts_right_after_a_place_and_a_comma() -> None:
    index = PlaceIndex([(p.name, p) for p in (LARN_A, LARN_B, HIGH_FELLS)], [("H.F.", HIGH_FELLS)])
    text = "Boats left Larn, H.F. on Monday. H.F. said so."
    ents = [entity("Larn", "GPE", 11), entity("H.F", "GPE", 17)]
    located = locate(ents, text, index)
    # the short form resolves, and points Larn at its country
    assert [e.geo for e in located.entities] == [LARN_B, HIGH_FELLS]
    # elsewhere it is no name
    located = locate([entity("Larn", "GPE", 11), entity("H.F", "GPE", 33)], text, index)
    assert [e.geo for e in located.entities] == [None, None]


NORLAND = Place("Norland", "region", "US", geonameid=20, region="US-NL")
DUNMORE = Place("Dunmore", "city", "US", 21, 1.0, 1.0, 200_000, "NL")
ASH_NL = Place("Ash County", "county", "US", region="US-NL")
ASH_SR = Place("Ash County", "county", "US", region="US-SR")
ELM_SR = Place("Elm County", "county", "US", region="US-SR")
COUNTIES = PlaceIndex([(p.name, p) for p in (NORLAND, DUNMORE, ASH_NL, ASH_SR, ELM_SR)])


def test_a_county_many_states_have_is_told_apart_by_the_articles_other_places() -> None:
    alone = locate([entity("Ash County", "GPE", 0)], "Ash County", COUNTIES)
    assert alone.entities[0].geo is None
    # a city of one of the states
    text = "Ash County deputies, near Dunmore"
    ents = [entity("Ash County", "GPE", 0), entity("Dunmore", "GPE", 26)]
    assert locate(ents, text, COUNTIES).entities[0].geo == ASH_NL
    # the state itself
    text = "Ash County, Norland"
    ents = [entity("Ash County", "GPE", 0), entity("Norland", "GPE", 12)]
    assert locate(ents, text, COUNTIES).entities[0].geo == ASH_NL
    # a county only one state has needs nothing more
    assert COUNTIES.resolve("Elm County") == ELM_SR
    located = locate([entity("Elm County", "GPE", 0)], "Elm County", COUNTIES)
    assert located.entities[0].geo == ELM_SR
    assert located.countries == ["US"]


def test_the_state_a_place_lies_in() -> None:
    assert [state_of(p) for p in (NORLAND, DUNMORE, ASH_SR, VALDORIA, BRENN)] == [
        "US-NL",
        "US-NL",
        "US-SR",
        None,
        None,  # admin1 codes outside the US are not ISO 3166-2
    ]


SORREL = Place("Sorrel", "region", "US", geonameid=24, region="US-SR")
LAKEVIEW_NL = Place("Lakeview", "city", "US", 25, 1.0, 1.0, 30_000, "NL")
LAKEVIEW_SR = Place("Lakeview", "city", "US", 26, 2.0, 2.0, 200_000, "SR")  # 6.7x
OAKTON_NL = Place("Oakton", "city", "US", 27, 3.0, 3.0, 50_000, "NL")
OAKTON_SR = Place("Oakton", "city", "US", 28, 4.0, 4.0, 60_000, "SR")
STATES = PlaceIndex(
    [
        (p.name, p)
        for p in (NORLAND, SORREL, DUNMORE, LAKEVIEW_NL, LAKEVIEW_SR, OAKTON_NL, OAKTON_SR)
    ]
)


def geos_in(index: PlaceIndex, text: str, *names: str) -> list[Place | None]:
    """The geo of each name, tagged GPE where the text writes it first."""
    ents = [entity(name, "GPE", text.index(name)) for name in names]
    return [e.geo for e in locate(ents, text, index).entities]


def geos(text: str, *names: str) -> list[Place | None]:
    return geos_in(STATES, text, *names)


def test_namesakes_of_one_country_are_told_apart_by_the_states_the_article_settles() -> None:
    # the state named, or a town only that state has, settles it: its namesake is taken
    # over a larger one elsewhere
    assert geos("Lakeview, in Norland", "Lakeview", "Norland") == [LAKEVIEW_NL, NORLAND]
    assert geos("Lakeview and Dunmore", "Lakeview", "Dunmore") == [LAKEVIEW_NL, DUNMORE]
    assert geos("Oakton and Dunmore", "Oakton", "Dunmore") == [OAKTON_NL, DUNMORE]
    # no state settled: the guess by population stands
    assert geos("Lakeview", "Lakeview") == [LAKEVIEW_SR]
    assert geos("Oakton", "Oakton") == [OAKTON_SR]
    # a guess between namesakes settles nothing: two of them do not hold each other up
    assert geos("Oakton and Lakeview", "Oakton", "Lakeview") == [OAKTON_SR, LAKEVIEW_SR]


def test_a_namesake_outside_the_settled_states_is_kept_only_when_it_dominates() -> None:
    unsettled = Place("Oakton", "city", "US", 29, 5.0, 5.0, 55_000, "QQ")
    index = PlaceIndex(
        [(p.name, p) for p in (SORREL, OAKTON_NL, unsettled, LAKEVIEW_NL, LAKEVIEW_SR)]
    )
    ents = [entity("Oakton", "GPE", 0), entity("Sorrel", "GPE", 11)]
    # Oakton's namesakes lie in NL and QQ; the article settles SR: the 55k guess is no
    # better than the 50k one, so no guess
    assert locate(ents, "Oakton and Sorrel", index).entities[0].geo is None
    # Lakeview of SR dominates its namesake: kept beside a state it lies in anyway, and
    # beside another state too
    ents = [entity("Lakeview", "GPE", 0), entity("Sorrel", "GPE", 13)]
    assert locate(ents, "Lakeview and Sorrel", index).entities[0].geo == LAKEVIEW_SR
    norland = PlaceIndex(
        [
            (p.name, p)
            for p in (
                NORLAND,
                LAKEVIEW_SR,
                OAKTON_NL,
                OAKTON_SR,
                Place("Lakeview", "city", "US", 30, 6.0, 6.0, 20_000, "QQ"),
            )
        ]
    )
    ents = [entity("Lakeview", "GPE", 0), entity("Norland", "GPE", 13)]
    assert locate(ents, "Lakeview and Norland", norland).entities[0].geo == LAKEVIEW_SR


def test_a_small_town_in_a_state_the_article_does_not_settle_is_a_stray() -> None:
    tiddle = Place("Tiddle", "city", "US", 31, 7.0, 7.0, 20_000, "SR")
    index = PlaceIndex([(p.name, p) for p in (NORLAND, SORREL, DUNMORE, tiddle)])

    def geo(text: str, *names: str) -> list[Place | None]:
        return geos_in(index, text, *names)

    # the article's places settle Norland only: a town of 20,000 in Sorrel is weak evidence
    assert geo("Tiddle, near Norland", "Tiddle", "Norland") == [None, NORLAND]
    # its own state named, or no state settled at all: taken
    assert geo("Tiddle, Sorrel and Norland", "Tiddle", "Sorrel", "Norland")[0] == tiddle
    assert geo("Tiddle", "Tiddle") == [tiddle]
    # a city of 100,000 is known in its own right
    assert geo("Dunmore and Sorrel", "Dunmore", "Sorrel") == [DUNMORE, SORREL]


def test_a_small_town_is_taken_only_in_a_state_or_region_the_article_settles() -> None:
    # towns too small for the main index: one Pellow in Sorrel, one in Norland, one Quist
    # abroad, and a Lakeview hamlet (the main index knows bigger Lakeviews)
    pellow_sr = Place("Pellow", "city", "US", 40, 1.0, 1.0, 8_000, "SR")
    pellow_nl = Place("Pellow", "city", "US", 41, 2.0, 2.0, 6_000, "NL")
    quist = Place("Quist", "city", "VD", 42, 3.0, 3.0, 7_000, "01")
    hamlet = Place("Lakeview", "city", "US", 43, 4.0, 4.0, 9_000, "NL")
    index = PlaceIndex(
        [(p.name, p) for p in (NORLAND, SORREL, DUNMORE, LAKEVIEW_SR, VALDORIA, BRENN, SELLA)],
        towns=[(p.name, p) for p in (pellow_sr, pellow_nl, quist, hamlet)],
    )

    def geo(text: str, *names: str) -> list[Place | None]:
        return geos_in(index, text, *names)

    assert index.candidates("Pellow") == () and not index.known("Pellow")
    # its state named, or a city of its state: the one town there
    assert geo("Pellow, Sorrel", "Pellow", "Sorrel") == [pellow_sr, SORREL]
    assert geo("Pellow near Dunmore", "Pellow", "Dunmore") == [pellow_nl, DUNMORE]
    # abroad, a city of the same first-level region settles it; the country alone does not
    assert geo("Quist near Brenn", "Quist", "Brenn") == [quist, BRENN]
    assert geo("Quist in Valdoria", "Quist", "Valdoria") == [None, VALDORIA]
    # nothing settled, or only the country: no guess between towns nor for one alone
    assert geo("Pellow", "Pellow") == [None]
    assert geo("Quist", "Quist") == [None]
    # a name the main index resolves keeps to it, even in the hamlet's state
    assert geo("Lakeview near Dunmore", "Lakeview", "Dunmore") == [LAKEVIEW_SR, DUNMORE]
    # a town is no place when the model said a person
    text = "Pellow, Sorrel"
    ents = [entity("Pellow", "PERSON", 0), entity("Sorrel", "GPE", 8)]
    assert locate(ents, text, index).entities[0].geo is None


def test_a_mention_cut_short_inside_a_hyphenated_place_name_is_made_whole() -> None:
    text = "Police in Lowbury-upon-Tyne met envoys from Kyiv-based firms and Lowbury-Smith."
    known = {"lowbury upon tyne", "kyiv", "lowbury"}
    found = [
        Mention("Lowbury", "GPE", 10, 17),
        Mention("Tyne", "PERSON", 23, 27),
        Mention("Kyiv", "GPE", 44, 48),
        Mention("Lowbury", "GPE", 65, 72),
    ]
    made = compound_places(found, text, lambda name: name_key(name) in known)
    assert [(m.text, m.label, m.start, m.end) for m in made] == [
        ("Lowbury-upon-Tyne", "GPE", 10, 27),
        ("Kyiv", "GPE", 44, 48),  # "-based": no capital after the hyphen
        ("Lowbury", "GPE", 65, 72),  # "Lowbury-Smith" is no place the gazetteer knows
    ]


def test_a_person_named_right_after_an_organisations_noun_is_that_organisation() -> None:
    text = "The German firm Quorra Berg hired publisher Jo Tamsin and the band Quiet Hours."
    found = [
        entity("Quorra Berg", "PERSON", text.index("Quorra")),
        entity("Jo Tamsin", "PERSON", text.index("Jo Tamsin")),  # an occupation: a person
        entity("Quiet Hours", "PERSON", text.index("Quiet")),
    ]
    labels = {e.canonical: e.label for e in locate(found, text, INDEX).entities}
    assert labels == {"Quorra Berg": "ORG", "Jo Tamsin": "PERSON", "Quiet Hours": "ORG"}
