"""Story linking as plain functions and through the in-memory linker (the rule of link.lua)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math

import pytest

from bench.story_scoring import score_stories
from workers.core.entities import Entity, Mention
from workers.core.places import Place
from workers.core.stories import (
    CENTROID_SIZE,
    ENTITY_WEIGHT,
    FULL_ENTITY_MATCH,
    INDEX_ENTITIES,
    INDEX_TERMS,
    LINK_THRESHOLD,
    MAX_CANDIDATES,
    SECOND_ARTICLE_FACTOR,
    Centroid,
    LinkRequest,
    StoryFeatures,
    StoryUpdate,
    article_time,
    join_threshold,
    knows,
    main_countries,
    main_people,
    named_people,
    parse_link,
    shared_entities,
    story_features,
    stream_idf,
    words,
    years_apart,
)
from workers.devtools.fakes import MemoryLinker
from workers.errors import ServiceUnavailable

COMMON = {"the": 7.7, "said": 6.0, "and": 7.6, "was": 7.0, "on": 7.3, "of": 7.6, "in": 7.6}


def zipf(word: str) -> float:
    """A tiny frequency list: function words are common, everything else rare."""
    return COMMON.get(word, 3.0)


def entity(name: str, label: str, salience: float, start: int = 0) -> Entity:
    mention = Mention(name, label, start, start + len(name))
    return Entity(name, label, name, 1, (mention,), start, salience)


def features(title: str, body: str, *entities: Entity) -> StoryFeatures:
    return story_features(title, body, list(entities), zipf)


def unit(found: StoryFeatures) -> StoryFeatures:
    """Unit vectors as in a stream where every feature is new."""
    return found.weighted({}, 1)


def test_words_are_weighted_by_rarity_and_common_words_left_out() -> None:
    found = features("Quake hits island", "The quake was felt on the island and said to be mild.")
    assert "the" not in found.terms and "said" not in found.terms
    assert found.terms["quake"] > found.terms["mild"]  # title word and twice in the text
    unit = found.weighted({}, 1)
    assert sum(w * w for w in unit.terms.values()) == pytest.approx(1.0, abs=1e-4)
    assert unit.terms["quake"] / unit.terms["mild"] == pytest.approx(
        found.terms["quake"] / found.terms["mild"], rel=1e-4
    )


def test_features_every_article_of_the_stream_has_weigh_almost_nothing() -> None:
    found = features("Quake hits", "A quake hit the island of Qeshm.")
    # "quake" in all 50 articles so far, "island" in 10, "qeshm" in 2
    weighted = found.weighted({"t:quake": 50, "t:qeshm": 2, "t:island": 10}, 50)
    assert weighted.terms["quake"] < 0.05 * weighted.terms["qeshm"]
    assert weighted.terms["qeshm"] > weighted.terms["island"] > 0.0
    assert stream_idf(0, 1) == pytest.approx(math.log(11 / 10))
    # a word shared with one earlier article weighs as much as the article's own words,
    # whichever of two racing replicas' articles is linked second
    assert stream_idf(1, 2) == stream_idf(0, 2) > stream_idf(2, 3)
    assert stream_idf(60, 50) == 0.0


def test_url_lines_give_years_but_no_words_or_entities() -> None:
    body = "http://example.com/2013/05/03/quake-news.html\nA quake hit the island on Friday."
    url_entity = entity("example.com", "ORG", 1.0, start=7)
    found = features("A quake hit the island", body, url_entity)
    assert "example" not in found.terms and "html" not in found.terms
    assert found.entities == {}
    assert found.years == ("2013",)


def test_numbers_count_as_rare_words_but_years_do_not() -> None:
    found = features("Navy captures 26 pirates", "The navy captured 26 pirates in 2011.")
    assert "#26" in found.terms
    assert "#2011" not in found.terms
    assert found.years == ("2011",)


def test_index_keys_are_the_heaviest_words_and_entities() -> None:
    body = " ".join(f"word{i} " * (i % 5 + 1) for i in range(30))
    people = [entity(f"Person {i}", "PERSON", 1.0 - i / 10, start=i) for i in range(8)]
    keys = features("", body, *people).index_keys()
    assert len([k for k in keys if k.startswith("t:")]) == INDEX_TERMS
    assert [k for k in keys if k.startswith("e:")] == [
        f"e:person {i}" for i in range(INDEX_ENTITIES)
    ]


def test_centroid_scores_by_words_and_entities_and_vetoes_other_years() -> None:
    story = Centroid()
    story.add(unit(features("Quake hits island", "A strong quake hit the island in 2005.")))
    same = unit(features("Island shaken by quake", "The quake shook the island in 2005."))
    other_year = unit(features("Island shaken by quake", "The quake shook the island in 2008."))
    no_year = unit(features("Island shaken by quake", "The quake shook the island."))
    unrelated = unit(features("Council approves bridge", "The council approved a new bridge."))
    same_score = story.score(same)
    assert same_score is not None and same_score > 0.3
    assert story.score(other_year) is None
    assert story.score(no_year) == pytest.approx(story.score(same) or 0.0, abs=0.2)
    assert story.score(unrelated) == 0.0


def test_one_entity_in_common_counts_half_of_the_entities_similarity() -> None:
    """Two reports of different events in one city may share that city and nothing else:
    the cosine of two one-entity vectors is 1, so it counts as half of it, and in full
    from two entities in common."""
    assert FULL_ENTITY_MATCH == 2
    valdoria = entity("Valdoria", "GPE", 1.0, 30)
    fire = "A fire destroyed a warehouse in Valdoria, firefighters said."
    story = Centroid()
    story.add(unit(features("Warehouse fire", fire, valdoria)))
    budget = unit(features("Budget passed", "The council of Valdoria passed a budget.", valdoria))
    assert shared_entities(budget.entities, story.entities) == 1
    words = story.score(dataclasses.replace(budget, entities={})) or 0.0
    assert story.score(budget) == pytest.approx(words + ENTITY_WEIGHT / 2)
    # two in common: in full
    council = entity("Valdoria City Council", "ORG", 0.8, 50)
    story.add(unit(features("Warehouse fire", fire, valdoria, council)))
    both = unit(features("Budget passed", "The council passed a budget.", valdoria, council))
    assert shared_entities(both.entities, story.entities) == 2
    no_entities = story.score(dataclasses.replace(both, entities={})) or 0.0
    cosine = sum(w * story.entities.get(k, 0.0) for k, w in both.entities.items()) / math.sqrt(
        sum(w * w for w in story.entities.values())
    )
    assert story.score(both) == pytest.approx(no_entities + ENTITY_WEIGHT * cosine)
    # an entity the stream has in every article weighs nothing and is not in common
    assert shared_entities({"valdoria": 0.0, "norland": 1.0}, {"valdoria": 1.0}) == 0


def test_a_script_without_spaces_is_compared_by_runs_of_characters() -> None:
    assert words("港口工人罢工") == ["港口", "口工", "工人", "人罢", "罢工"]
    assert words("valdoria港口 港 ok") == ["valdoria", "港口", "港", "ok"]
    assert words("the port's dock-workers") == ["the", "port's", "dock-workers"]
    # Thai letters are sounds: runs of three, each letter with the marks written on it
    assert words("ที่ท่าเรือ") == ["ที่ท่า", "ท่าเ", "าเรื", "เรือ"]
    assert words("ไม้") == ["ไม้"]
    assert words("語ภาษาไทย") == ["語", "ภาษ", "าษา", "ษาไ", "าไท", "ไทย"]


#: Invented reports in Chinese and in Thai: a port strike in a city, another outlet's
#: report of it in its own words, and another event in the same city (its council
#: passes a budget).
STRIKE_COVERAGE_BUDGET = {
    "chinese": (
        (
            "瓦尔多利亚港口工人罢工",
            "瓦尔多利亚港口的码头工人周一开始罢工，要求提高工资。"
            "工会表示，罢工将持续到港口管理局同意谈判为止。数百艘货船在港外等待卸货。",
        ),
        (
            "瓦尔多利亚码头罢工导致货船滞留",
            "由于码头工人要求加薪并举行罢工，数百艘货船滞留在瓦尔多利亚港外。"
            "工会称，在管理局同意谈判之前，工人不会复工。",
        ),
        (
            "瓦尔多利亚市议会通过新预算",
            "瓦尔多利亚市议会周二通过了明年的预算，学校和公交的开支将增加。"
            "反对党投票反对该计划，称其对店主不公平。",
        ),
    ),
    "thai": (
        (
            "คนงานท่าเรือวัลโดเรียนัดหยุดงาน",
            "คนงานท่าเรือวัลโดเรียเริ่มนัดหยุดงานเมื่อวันจันทร์ เพื่อเรียกร้องค่าจ้างที่สูงขึ้น "
            "สหภาพแรงงานกล่าวว่าการนัดหยุดงานจะดำเนินต่อไปจนกว่าการท่าเรือจะยอมเจรจา "
            "เรือสินค้าหลายร้อยลำรออยู่นอกท่าเรือ",
        ),
        (
            "เรือสินค้าติดค้างนอกท่าเรือวัลโดเรียเพราะการนัดหยุดงาน",
            "เรือสินค้าหลายร้อยลำติดค้างอยู่นอกท่าเรือวัลโดเรีย "
            "หลังจากคนงานท่าเรือนัดหยุดงานเพื่อขอขึ้นค่าจ้าง "
            "สหภาพแรงงานระบุว่าคนงานจะไม่กลับมาทำงานจนกว่าการท่าเรือจะยอมเจรจา",
        ),
        (
            "สภาเมืองวัลโดเรียผ่านงบประมาณใหม่",
            "สภาเมืองวัลโดเรียลงมติผ่านงบประมาณของปีหน้าเมื่อวันอังคาร "
            "โดยจะเพิ่มค่าใช้จ่ายสำหรับโรงเรียนและรถโดยสารประจำทาง "
            "พรรคฝ่ายค้านลงมติไม่เห็นด้วย และกล่าวว่าแผนนี้ไม่เป็นธรรมกับเจ้าของร้านค้า",
        ),
    ),
}


@pytest.mark.parametrize("language", sorted(STRIKE_COVERAGE_BUDGET))
def test_coverage_in_a_script_without_spaces_links_and_another_event_does_not(
    language: str,
) -> None:
    """Another outlet's report shares the event's words, not its clauses."""
    strike, coverage, budget = STRIKE_COVERAGE_BUDGET[language]
    story = Centroid()
    story.add(unit(features(*strike)))
    joined = story.score(unit(features(*coverage))) or 0.0
    other = story.score(unit(features(*budget))) or 0.0
    assert joined >= LINK_THRESHOLD > other


def test_years_a_year_apart_can_be_one_event() -> None:
    """An article's years are mostly background; reports of one event may name the years
    either side of it. Only years all two or more apart veto."""
    assert not years_apart(("2008",), ("2009",))
    assert not years_apart(("1999", "2005"), ("2006", "2013"))  # 2005 and 2006
    assert years_apart(("2008",), ("2010",))
    assert years_apart(("1999", "2005"), ("2008", "2013"))
    assert not years_apart((), ("2008",)) and not years_apart(("2008",), ())
    story = Centroid()
    story.add(unit(features("Quake hits island", "A strong quake hit the island in 2005.")))
    next_year = unit(features("Island shaken by quake", "The quake shook the island in 2006."))
    two_later = unit(features("Island shaken by quake", "The quake shook the island in 2007."))
    assert (story.score(next_year) or 0.0) > 0.3
    assert story.score(two_later) is None


def test_days_and_months_in_conflict_halve_the_score() -> None:
    story = Centroid()
    story.add(unit(features("Quake hits island", "A strong quake hit the island on Tuesday.")))
    same_day = unit(features("Island shaken by quake", "The quake shook the island on Tuesday."))
    other_day = unit(features("Island shaken by quake", "The quake shook the island on Friday."))
    undated = unit(features("Island shaken by quake", "The quake shook the island."))
    assert same_day.dates == ("tuesday",) and undated.dates == ()
    assert features("A May quake", "It may come in May.").dates == ()  # "May": mostly a verb
    # the same words, known to be of another day, score half
    undamped = story.score(dataclasses.replace(other_day, dates=())) or 0.0
    assert story.score(other_day) == pytest.approx(0.5 * undamped)
    assert (story.score(same_day) or 0.0) > (story.score(other_day) or 0.0)
    assert (story.score(undated) or 0.0) > (story.score(other_day) or 0.0)  # no date: no veto
    # a story that named the other day once has it in common
    story.add(other_day)
    assert story.dates == {"tuesday": 1, "friday": 1}
    assert story.score(other_day) == pytest.approx(
        story.score(dataclasses.replace(other_day, dates=()))
    )


def person(name: str, count: int, salience: float = 1.0, label: str = "PERSON") -> Entity:
    mentions = tuple(Mention(name, label, 10 * n, 10 * n + len(name)) for n in range(count))
    return Entity(name, label, name, count, mentions, 0, salience)


def test_main_people_are_named_in_full_at_least_twice() -> None:
    found = [
        person("Anna Kerr", 2, 1.0),
        person("Ola O'Neill", 3, 0.5),
        person("Kerr", 4, 0.9),  # a family name alone: named, not main
        person("Mayor Quits", 1, 0.8),  # once: a headline the model took for a name
        person("tom baker", 2, 0.7),  # not written as a name
        person("Oslo Group", 2, 0.6, label="ORG"),
    ]
    # initial and family name; a family name alone stays one word
    assert main_people(found) == ("a kerr", "o o'neill")
    assert named_people(found) == ("a kerr", "kerr", "m quits", "o o'neill", "t baker")


def test_stories_about_other_people_score_half() -> None:
    text = "Anna Kerr won the final. Anna Kerr said the final was hard."
    other = "Ivo Sand won the final. Ivo Sand said the final was hard."
    kerr = (person("Anna Kerr", 2),)
    sand = (person("Ivo Sand", 2),)
    story = Centroid()
    story.add(unit(features("Kerr wins final", text, *kerr)))
    assert story.people == {"a kerr": 1} and story.named == {"a kerr": 1}
    rival = unit(features("Sand wins final", other, *sand))
    undamped = story.score(dataclasses.replace(rival, people=(), named=())) or 0.0
    assert undamped > 0
    assert story.score(rival) == pytest.approx(0.5 * undamped)
    # naming the story's main person at all is enough to be no stranger
    both = unit(features("Sand wins final", other, *sand, person("Kerr", 1, 0.3)))
    assert story.score(both) == pytest.approx(
        story.score(dataclasses.replace(both, people=(), named=()))
    )
    # an article without main people, or a story without, is never a stranger
    nobody = unit(features("Final won", other, person("Sand", 1)))
    assert nobody.people == ()
    assert story.score(nobody) == pytest.approx(story.score(dataclasses.replace(nobody, named=())))


def test_people_of_one_family_name_are_told_apart_by_their_initial() -> None:
    text = "Anna Kerr won the final. Anna Kerr said the final was hard."
    story = Centroid()
    story.add(unit(features("Kerr wins final", text, person("Anna Kerr", 2))))

    def damped(*people: Entity) -> bool:
        rival = unit(features("Kerr wins final", text, *people))
        undamped = story.score(dataclasses.replace(rival, people=(), named=())) or 0.0
        return story.score(rival) == pytest.approx(0.5 * undamped)

    assert damped(person("Ivo Kerr", 2))  # another Kerr
    assert not damped(person("Ann Kerr", 2))  # the same initial: a short form
    assert not damped(person("Ivo Kerr", 2), person("Kerr", 1, 0.3))  # "Kerr" alone: anyone
    assert knows(["a kerr"], ["kerr"]) and not knows(["a kerr"], ["i kerr"])


def place(name: str, country: str, salience: float, kind: str = "city") -> Entity:
    """A resolved place of an invented name in ``country``."""
    found = entity(name, "GPE", salience)
    geo = Place(name, "country" if kind == "country" else "city", country)
    return dataclasses.replace(found, geo=geo)


def test_main_countries_are_those_of_the_most_salient_places() -> None:
    found = [
        place("Valdoria", "VD", 0.9),
        place("Norland", "NL", 0.7, kind="country"),
        place("Brandvik", "SE", 0.2),  # a third place: named, not main
        entity("Halloran", "PERSON", 1.0),
    ]
    assert main_countries(found) == ("NL", "VD")
    assert features("", "", *found).countries == ("NL", "VD")
    assert features("", "", *found).located == ("NL", "SE", "VD")


def test_stories_in_other_countries_score_half() -> None:
    text = "Floods cut off three villages near the river after a week of rain."
    story = Centroid()
    story.add(unit(features("Floods cut off villages", text, place("Valdoria", "VD", 0.8))))
    assert story.countries == {"VD": 1} and story.located == {"VD": 1}

    def scored(*places: Entity) -> tuple[float, float]:
        """The article's score, and the same without its countries."""
        found = unit(features("Floods cut off villages", text, *places))
        undamped = story.score(dataclasses.replace(found, countries=(), located=())) or 0.0
        return story.score(found) or 0.0, undamped

    damped, undamped = scored(place("Norvik", "NL", 0.8))  # a flood in another country
    assert undamped > 0 and damped == pytest.approx(0.5 * undamped)
    # a place of the story's country anywhere in the article: no conflict
    same, plain = scored(place("Norvik", "NL", 0.8), place("Valdoria", "VD", 0.1, "country"))
    assert same == pytest.approx(plain)
    # a story that names the article's country among its places: no conflict either
    story.add(unit(features("Aid from Norland", text, place("Norland", "NL", 0.1, "country"))))
    again, plain = scored(place("Norvik", "NL", 0.8))
    assert again == pytest.approx(plain)
    # an article without resolved places is never abroad
    nowhere = unit(features("Floods cut off villages", text))
    assert nowhere.countries == () and story.score(nowhere) == pytest.approx(
        Centroid(terms=story.terms, entities=story.entities).score(nowhere)
    )


def test_centroid_keeps_its_heaviest_features() -> None:
    story = Centroid()
    for n in range(5):
        story.add(unit(features("", " ".join(f"term{n}x{i}" for i in range(40)))))
    assert len(story.terms) == CENTROID_SIZE
    assert story.count == 5


def link_all(linker: MemoryLinker, *items: tuple[str, StoryFeatures]) -> list[str]:
    links = asyncio.run(linker.link([LinkRequest(i, f) for i, f in items]))
    return [link.root for link in links]


QUAKE = ("Quake hits Qeshm island", "A magnitude 5.9 quake hit Qeshm island, injuring seven.")
QUAKE_OTHER_OUTLET = (
    "Seven hurt as quake shakes Qeshm",
    "Seven people were injured when a 5.9 quake shook Qeshm island, officials said.",
)
BRIDGE = ("Council approves bridge", "The council approved a second bridge over the river.")


def test_coverage_joins_the_story_and_other_events_open_their_own() -> None:
    linker = MemoryLinker()
    roots = link_all(
        linker,
        ("a", features(*QUAKE)),
        ("b", features(*BRIDGE)),
        ("c", features(*QUAKE_OTHER_OUTLET)),
    )
    assert roots == ["a", "b", "a"]
    assert [linker.links[i].relation for i in "abc"] == ["first", "first", "coverage"]


def test_a_story_of_one_article_needs_more_to_be_joined_than_a_story_of_several() -> None:
    """One article's vector carries its outlet's own words; several keep mostly the
    event's. A report that a story of two takes in opens its own story beside one."""
    assert join_threshold(0.25, 2) == 0.25 < join_threshold(0.25, 1) == 0.25 * SECOND_ARTICLE_FACTOR
    schools = ("Qeshm schools shut", "Schools on Qeshm island were shut after the 5.9 quake.")
    alone = MemoryLinker(threshold=0.25)
    assert link_all(alone, ("a", features(*QUAKE)), ("s", features(*schools))) == ["a", "s"]
    assert 0.25 <= alone.links["s"].score < join_threshold(0.25, 1)
    several = MemoryLinker(threshold=0.25)
    two = (("a", features(*QUAKE)), ("c", features(*QUAKE_OTHER_OUTLET)))
    assert link_all(several, *two, ("s", features(*schools))) == ["a", "a", "a"]
    assert several.links["s"].score < join_threshold(0.25, 1)


def test_only_the_stories_sharing_most_salient_keys_are_compared() -> None:
    """Five stories share two of the article's salient words, a sixth only one: the
    sixth is not compared, though its centroid would score higher."""
    assert MAX_CANDIDATES == 5

    def story(*words: str) -> StoryFeatures:
        return StoryFeatures(terms=dict.fromkeys(words, 1.0), entities={}, years=())

    linker = MemoryLinker(threshold=1.01)  # each its own story while the index fills
    others = [story("harbour", "ferry", *(f"w{k}{n}" for n in range(6))) for k in range(5)]
    link_all(linker, ("narrow", story("strike")), *((f"s{k}", f) for k, f in enumerate(others)))
    linker.threshold = 0.1
    article = story("harbour", "ferry", "strike")
    weighted = article.weighted(dict(linker.frequencies), linker.documents + 1)
    scores = {root: linker.centroids[root].score(weighted) or 0.0 for root in linker.centroids}
    assert max(scores, key=lambda root: scores[root]) == "narrow"
    (joined,) = link_all(linker, ("article", article))
    assert joined.startswith("s")


def test_a_linked_article_gets_its_recorded_link_again() -> None:
    linker = MemoryLinker()
    link_all(linker, ("a", features(*QUAKE)), ("c", features(*QUAKE_OTHER_OUTLET)))
    again = asyncio.run(linker.link([LinkRequest("c", features(*BRIDGE))]))[0]
    assert (again.root, again.relation, again.replay) == ("a", "coverage", True)
    copies = [StoryUpdate(f"{of}-copy", of, "copy", "wire", "T", 1.0) for of in ("c", "a", "never")]
    records = asyncio.run(linker.record(copies))
    assert [r.first_article for r in records] == ["a", "a", "never"]


def test_a_threshold_above_every_score_links_nothing() -> None:
    linker = MemoryLinker(threshold=1.0)
    roots = link_all(linker, ("a", features(*QUAKE)), ("c", features(*QUAKE_OTHER_OUTLET)))
    assert roots == ["a", "c"]


def test_an_unavailable_linker_raises_the_retriable_error() -> None:
    linker = MemoryLinker()
    linker.available = False
    with pytest.raises(ServiceUnavailable):
        link_all(linker, ("a", features(*QUAKE)))


def test_link_replies_parse() -> None:
    link = parse_link("c", "new", json.dumps({"st": "a", "r": "coverage", "s": 0.41234}))
    assert (link.root, link.relation, link.score, link.replay) == ("a", "coverage", 0.4123, False)
    first = parse_link("a", "replay", json.dumps({"st": "a", "r": "first", "s": 0}))
    assert (first.relation, first.replay) == ("first", True)


def test_bcubed_and_pair_precision() -> None:
    gold = {"a": "1-x", "b": "1-x", "c": "1-y", "d": "2-x"}
    perfect = score_stories({"a": "s1", "b": "s1", "c": "s2", "d": "s3"}, gold)
    assert (perfect.precision, perfect.recall, perfect.pair_precision) == (1.0, 1.0, 1.0)
    merged = score_stories(
        {"a": "s1", "b": "s1", "c": "s1", "d": "s3"}, gold, lambda s: s.split("-")[0]
    )
    assert merged.pairs == 3 and merged.right_pairs == 1 and merged.near_merges == 2
    assert merged.recall == 1.0
    assert merged.precision == pytest.approx((2 / 3 * 2 + 1 / 3 + 1) / 4)
    singletons = score_stories({k: k for k in gold}, gold)
    assert singletons.precision == 1.0 and singletons.recall == pytest.approx((0.5 * 2 + 1 + 1) / 4)
    with pytest.raises(ValueError, match="no predicted story"):
        score_stories({"a": "s1"}, gold)


def test_article_time_is_its_publication_else_now() -> None:
    now = 1_780_000_000.0
    assert article_time("2026-05-28T20:26:40Z", now) == 1_780_000_000.0
    assert article_time("2026-05-28T22:26:40+02:00", now) == 1_780_000_000.0
    assert article_time("2026-05-28 20:26:40", now) == 1_780_000_000.0  # no zone: UTC
    assert article_time("2020-01-01", now) < now
    assert article_time(None, now) == now
    assert article_time("yesterday", now) == now
    assert article_time("2027-01-01T00:00:00Z", now) == now  # months ahead: not believed


def test_articles_far_apart_in_time_never_join_one_story() -> None:
    day = 86_400.0
    quake = story_features(*QUAKE, [], zipf, 100 * day)
    same_week = story_features(*QUAKE_OTHER_OUTLET, [], zipf, 102 * day)
    years_later = story_features(*QUAKE_OTHER_OUTLET, [], zipf, 1_200 * day)
    linker = MemoryLinker(window=3 * day)
    links = asyncio.run(
        linker.link(
            [LinkRequest("a", quake), LinkRequest("b", same_week), LinkRequest("c", years_later)]
        )
    )
    assert [x.root for x in links] == ["a", "a", "c"]
    story = linker.centroids["a"]
    assert (story.first, story.last) == (100 * day, 102 * day)
    # earlier articles count too: 2 days before the first is still the event
    early = story_features(*QUAKE, [], zipf, 98 * day).weighted({}, 1)
    assert story.score(early, window=3 * day) is not None
    assert story.score(early, window=1 * day) is None


def test_entity_counters_past_the_bound_keep_the_most_named_half() -> None:
    from workers.core.stories import prune_entities

    state = {"n": "9", "o:wire": "9", "e:GPE\tQeshm": "9", "e:PERSON\tB": "2", "e:PERSON\tA": "2"}
    state |= {f"e:PERSON\tP{i}": "1" for i in range(5)}
    prune_entities(state, most=6)  # 8 counters: the 3 named most stay, ties by key
    assert state == {"n": "9", "o:wire": "9", "e:GPE\tQeshm": "9", "e:PERSON\tA": "2"} | {
        "e:PERSON\tB": "2"
    }
    small = {"e:GPE\tQeshm": "1", "n": "1"}
    prune_entities(small, most=8)
    assert small == {"e:GPE\tQeshm": "1", "n": "1"}
