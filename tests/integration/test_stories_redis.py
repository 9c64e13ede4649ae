"""Story linking (link.lua) and story state (story.lua) against the real Redis server: the
rules of the in-memory linker, replays, racing replicas, cold stories, a flushed script cache
and bounded state."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

import pytest
import redis

from topics.records import StoryRecord
from workers.adapters.redis_dedupe import redis_client
from workers.adapters.redis_stories import RedisStories
from workers.config import Settings
from workers.core.stories import (
    Link,
    LinkRequest,
    StoryFeatures,
    StoryUpdate,
    join_threshold,
    story_features,
)
from workers.devtools.fakes import MemoryLinker, short_words_common

DAY = 86_400
WINDOW = 3 * DAY


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


EVENTS = {
    "quake": [
        ("Quake hits Qeshm island", "A magnitude 5.9 quake hit Qeshm island, injuring seven."),
        ("Seven hurt in Qeshm quake", "Seven people were hurt when a 5.9 quake shook Qeshm."),
        ("Qeshm island shaken", "The island of Qeshm was shaken by a quake of magnitude 5.9."),
    ],
    "bridge": [
        ("Council approves bridge", "The council approved a second bridge over the river Tagus."),
        ("Second Tagus bridge approved", "A second bridge across the Tagus won council approval."),
    ],
    "pirates": [
        ("Navy captures 26 pirates", "The navy captured 26 pirates after a chase at sea."),
        ("26 pirates held by navy", "Twenty-six pirates, 26 in all, were held by the navy."),
    ],
}


def requests() -> list[LinkRequest]:
    """Articles of three events, interleaved."""
    found = []
    for n in range(3):
        for name, articles in EVENTS.items():
            if n < len(articles):
                title, body = articles[n]
                when = 1_000 * DAY + n * 3_600.0
                found.append(LinkRequest(f"{name}-{n}", features(title, body, when)))
    return found


def features(title: str, body: str, when: float | None = None) -> StoryFeatures:
    return story_features(title, body, [], short_words_common, when)


def make(settings: Settings, clock: FakeClock) -> RedisStories:
    return RedisStories(
        redis_client(settings.redis_url.get_secret_value()),
        prefix=settings.key_prefix,
        bucket_seconds=DAY,
        retention_seconds=7 * DAY,
        story_window_seconds=WINDOW,
        threshold=0.25,
        clock=clock,
    )


def settle(
    settings: Settings,
    clock: FakeClock,
    items: Sequence[LinkRequest] = (),
    updates: Sequence[StoryUpdate] = (),
) -> tuple[list[Link], list[StoryRecord], int]:
    """One ``settle`` call of a fresh adapter: the links, the states, its round trips."""

    async def go() -> tuple[list[Link], list[StoryRecord], int]:
        stories = make(settings, clock)
        try:
            links, records = await stories.settle(items, updates)
            return links, records, stories.round_trips
        finally:
            await stories.client.aclose()

    return asyncio.run(go())


def link(settings: Settings, clock: FakeClock, items: Sequence[LinkRequest]) -> list[Link]:
    return settle(settings, clock, items)[0]


def record(
    settings: Settings, clock: FakeClock, updates: Sequence[StoryUpdate]
) -> list[StoryRecord]:
    return settle(settings, clock, updates=updates)[1]


def link_alike(settings: Settings, when: float, items: Sequence[LinkRequest]) -> list[Link]:
    """The links Redis gives ``items``, asserted equal (roots, relations, scores) to the
    in-memory rule's."""
    memory = asyncio.run(MemoryLinker(threshold=0.25).link(items))
    found = link(settings, FakeClock(when), items)
    assert [(x.root, x.relation, x.score) for x in found] == [
        (x.root, x.relation, x.score) for x in memory
    ]
    return found


def test_redis_links_as_the_in_memory_rule_does(isolated: Settings) -> None:
    found = link_alike(isolated, 1_000 * DAY, requests())
    roots = {x.article_id: x.root for x in found}
    assert {roots[f"quake-{n}"] for n in range(3)} == {"quake-0"}
    assert {roots["bridge-1"], roots["pirates-1"]} == {"bridge-0", "pirates-0"}


def test_a_story_of_one_article_needs_more_in_redis_as_in_memory(isolated: Settings) -> None:
    """A second article needs SECOND_ARTICLE_FACTOR times the threshold; a third does not."""
    when = 1_000 * DAY
    quake = [LinkRequest(f"quake-{n}", features(*EVENTS["quake"][n], when)) for n in (0, 1)]
    schools = ("Qeshm schools shut", "Schools on Qeshm island were shut after the 5.9 quake.")
    alone = link_alike(isolated, when, [quake[0], LinkRequest("s", features(*schools, when))])
    assert alone[1].relation == "first" and 0.25 <= alone[1].score < join_threshold(0.25, 1)
    fresh = isolated.isolated("several")
    several = link_alike(fresh, when, [*quake, LinkRequest("s", features(*schools, when))])
    assert [x.root for x in several] == ["quake-0"] * 3


def test_days_in_conflict_weigh_in_redis_as_in_memory(isolated: Settings) -> None:
    when = 1_000 * DAY
    body = "A magnitude 5.9 quake hit Qeshm island on {}, injuring seven people there."
    items = [
        LinkRequest("tue-0", features("Quake hits Qeshm island", body.format("Tuesday"), when)),
        LinkRequest("tue-1", features("Qeshm island quake", body.format("Tuesday"), when)),
        LinkRequest("fri-0", features("Qeshm island quake", body.format("Friday"), when)),
    ]
    found = link_alike(isolated, when, items)
    assert found[1].root == "tue-0" and found[1].score > 0.5
    # the same words on another day: the score halved, yet still one story here
    assert found[2].root == "tue-0" and found[2].score < 0.6 * found[1].score


def test_people_in_conflict_and_bounded_people_weigh_in_redis_as_in_memory(
    isolated: Settings,
) -> None:
    """Sixty articles of one story, each with a main person of its own and one they all
    share: the story keeps the people named most (its centroid's bounds), and a later
    article whose only person is one it forgot is a stranger (score halved), one it
    kept is not; Redis and the in-memory rule agree on every score."""
    when = 1_000 * DAY
    base = features("Quake hits Qeshm island", "A strong quake hit Qeshm island today.", when)
    items = [
        LinkRequest(
            f"a{k:02d}",
            dataclasses.replace(
                base, people=(f"p{k:02d}", "zcommon"), named=(f"p{k:02d}", "zcommon")
            ),
        )
        for k in range(60)
    ]
    items += [
        LinkRequest("forgotten", dataclasses.replace(base, people=("p55",), named=("p55",))),
        LinkRequest("kept", dataclasses.replace(base, people=("p40",), named=("p40",))),
    ]
    found = link_alike(isolated, when, items)
    assert {x.root for x in found[:60]} == {"a00"}
    forgotten, kept = found[60], found[61]
    assert forgotten.score == pytest.approx(0.5 * kept.score, abs=0.01)


def test_people_of_one_family_name_weigh_in_redis_as_in_memory(isolated: Settings) -> None:
    """A story about "a kerr": another Kerr ("i kerr") is a stranger (score halved), the
    same initial is not, nor a third Kerr's article that names "kerr" alone; Redis and
    the in-memory rule agree on every score."""
    when = 1_000 * DAY
    base = features("Quake hits Qeshm island", "A strong quake hit Qeshm island today.", when)

    def about(article_id: str, people: tuple[str, ...], named: tuple[str, ...]) -> LinkRequest:
        return LinkRequest(article_id, dataclasses.replace(base, people=people, named=named))

    items = [
        about("first", ("a kerr",), ("a kerr",)),
        about("same-kerr", ("a kerr",), ("a kerr",)),
        about("other-kerr", ("i kerr",), ("i kerr",)),  # halved: joins a story of two only
        about("family-named", ("j kerr",), ("j kerr", "kerr")),
    ]
    found = link_alike(isolated, when, items)
    same, other, named = found[1], found[2], found[3]
    assert {x.root for x in found} == {"first"}
    assert other.score == pytest.approx(0.5 * same.score, abs=0.02)
    assert named.score == pytest.approx(same.score, abs=0.02)


def test_countries_in_conflict_and_bounded_countries_weigh_in_redis_as_in_memory(
    isolated: Settings,
) -> None:
    """Sixty articles of one story, each with a main country of its own and one they all
    share: the story keeps the countries counted most (its centroid's bounds: 20 main, 50
    located). A later article in a country it forgot entirely is abroad (score halved); one
    in a country it kept among its places is not, nor one that names a place in a main
    country of the story; Redis and the in-memory rule agree on every score."""
    when = 1_000 * DAY
    base = features("Floods cut off villages", "Floods cut off three villages today.", when)

    def at(article_id: str, main: tuple[str, ...], located: tuple[str, ...]) -> LinkRequest:
        return LinkRequest(article_id, dataclasses.replace(base, countries=main, located=located))

    items = [at(f"a{k:02d}", (f"C{k:02d}", "ZZ"), (f"C{k:02d}", "ZZ")) for k in range(60)]
    items += [
        at("forgotten", ("C55",), ("C55",)),
        at("kept", ("C40",), ("C40",)),
        at("names-main", ("C57",), ("C57", "C03")),
    ]
    found = link_alike(isolated, when, items)
    assert {x.root for x in found[:60]} == {"a00"}
    forgotten, kept, names_main = found[60], found[61], found[62]
    assert forgotten.score == pytest.approx(0.5 * kept.score, abs=0.01)
    assert names_main.score == pytest.approx(kept.score, abs=0.01)


def test_entities_in_common_weigh_in_redis_as_in_memory(isolated: Settings) -> None:
    """A story naming two entities: a later article sharing one of them gets half the
    entities' similarity, one sharing both all of it, one naming another entity none;
    Redis and the in-memory rule agree on every score."""
    when = 1_000 * DAY
    base = features("Quake hits Qeshm island", "A strong quake hit Qeshm island today.", when)

    def naming(article_id: str, *names: str) -> LinkRequest:
        return LinkRequest(
            article_id, dataclasses.replace(base, entities=dict.fromkeys(names, 1.0))
        )

    items = [
        naming("first", "qeshm", "red crescent"),
        naming("one", "qeshm"),
        naming("both", "qeshm", "red crescent"),
        naming("neither", "bandar abbas"),
    ]
    found = link_alike(isolated, when, items)
    one, both, neither = found[1], found[2], found[3]
    assert {x.root for x in found} == {"first"}
    assert neither.score < one.score < both.score


def test_only_the_stories_sharing_most_keys_are_compared_in_redis_too(
    isolated: Settings,
) -> None:
    """Five stories share two of the article's words, a sixth one: Redis, like the
    in-memory rule, compares the five only and joins one of them."""
    when = 1_000 * DAY

    def story(article_id: str, *words: str) -> LinkRequest:
        terms = dict.fromkeys(words, 1.0)
        return LinkRequest(article_id, StoryFeatures(terms=terms, entities={}, years=()))

    fill = [story("narrow", "strike")] + [
        story(f"s{k}", "harbour", "ferry", *(f"w{k}{n}" for n in range(6))) for k in range(5)
    ]
    article = [story("article", "harbour", "ferry", "strike")]
    memory = MemoryLinker(threshold=1.01)
    asyncio.run(memory.link(fill))
    memory.threshold = 0.1
    expected = asyncio.run(memory.link(article))

    async def go() -> list[Link]:
        stories = make(isolated, FakeClock(when))
        try:
            stories.threshold = 1.01
            await stories.settle(fill, ())
            stories.threshold = 0.1
            return (await stories.settle(article, ()))[0]
        finally:
            await stories.client.aclose()

    found = asyncio.run(go())
    assert [(x.root, x.relation, x.score) for x in found] == [
        (x.root, x.relation, x.score) for x in expected
    ]
    assert found[0].root.startswith("s")


def test_a_redelivered_article_gets_its_recorded_link(isolated: Settings) -> None:
    clock = FakeClock(1_000 * DAY)
    first = link(isolated, clock, requests())
    # Redelivered with other features (a changed text under the same id): the same answer.
    again = link(isolated, clock, [LinkRequest("quake-1", features(*EVENTS["bridge"][0]))])[0]
    assert (again.root, again.relation, again.replay) == ("quake-0", "coverage", True)
    assert not any(x.replay for x in first)

    # A copy of a linked article joins the story it was linked to; a copy of an article
    # never linked is counted into the story its original starts.
    copies = [
        StoryUpdate("quake-1-copy", "quake-1", "copy", "wire", "Quake", clock.now),
        StoryUpdate("lone-copy", "never-linked", "copy", "wire", "Lone", clock.now),
    ]

    found = record(isolated, clock, copies)
    assert [r.first_article for r in found] == ["quake-0", "never-linked"]


def test_links_and_story_states_settle_in_one_round_trip(isolated: Settings) -> None:
    """A batch's first articles are linked and every article counted in one pipeline:
    a copy of a first article of the same batch joins the story that article was just
    linked to, as in memory."""
    clock = FakeClock(1_000 * DAY)
    items = requests()[:4]  # quake-0, bridge-0, pirates-0, quake-1 (quake-0's coverage)
    relations = ("first", "first", "first", "coverage")
    updates = [
        StoryUpdate(x.article_id, x.article_id, relation, "wire", "T", clock.now)
        for x, relation in zip(items, relations, strict=True)
    ]
    updates.append(StoryUpdate("quake-1-copy", "quake-1", "copy", "wire", "T", clock.now))

    links, records, trips = settle(isolated, clock, items, updates)
    memory = asyncio.run(MemoryLinker(threshold=0.25).settle(items, updates))
    assert trips == 1
    assert (links, records) == memory
    assert [x.relation for x in links] == list(relations)
    assert links[3].root == "quake-0"
    assert [r.first_article for r in records] == ["quake-0", "bridge-0", "pirates-0"] + 2 * [
        "quake-0"
    ]
    assert records[-1].relations == {"first": 1, "coverage": 1, "copy": 1}


def test_two_replicas_racing_open_one_story(isolated: Settings) -> None:
    clock = FakeClock(1_000 * DAY)
    one, two = (LinkRequest(f"q{n}", features(*EVENTS["quake"][n])) for n in range(2))

    async def race() -> list[Link]:
        replicas = [make(isolated, clock), make(isolated, clock)]
        try:
            found = await asyncio.gather(
                replicas[0].settle([one], ()), replicas[1].settle([two], ())
            )
            return [found[0][0][0], found[1][0][0]]
        finally:
            for replica in replicas:
                await replica.client.aclose()

    links = asyncio.run(race())
    assert sorted(x.relation for x in links) == ["coverage", "first"]
    assert links[0].root == links[1].root


def test_an_article_published_years_later_opens_its_own_story(isolated: Settings) -> None:
    clock = FakeClock(1_000 * DAY)
    quake = EVENTS["quake"]
    old = features(*quake[0], when=1_000 * DAY - 3 * 365 * DAY)  # an archive, re-sent
    new = features(*quake[1], when=1_000 * DAY)
    links = link(isolated, clock, [LinkRequest("old", old), LinkRequest("new", new)])
    assert [(x.root, x.relation) for x in links] == [("old", "first"), ("new", "first")]


def test_years_a_year_apart_join_and_years_further_apart_do_not(isolated: Settings) -> None:
    """The year rule in link.lua is the in-memory one: reports of one event may name the
    years either side of it; years two or more apart, none closer, are two events."""
    clock = FakeClock(1_000 * DAY)
    (t0, b0), _, (t2, b2) = EVENTS["quake"]
    items = [  # the first two differ in their years only
        LinkRequest("q2008", features(t0, b0 + " It came in December 2008.")),
        LinkRequest("q2009", features(t0, b0 + " Repairs will last into 2009.")),
        LinkRequest("q2011", features(t2, b2 + " It came in 2011.")),  # 2 years from 2009
    ]
    links = link(isolated, clock, items)
    memory = asyncio.run(MemoryLinker(threshold=0.25).link(items))
    assert links == memory
    assert [(x.root, x.relation) for x in links] == [
        ("q2008", "first"),
        ("q2008", "coverage"),
        ("q2011", "first"),
    ]


def test_a_cold_story_is_not_joined(isolated: Settings) -> None:
    clock = FakeClock(1_000 * DAY)
    quake = EVENTS["quake"]
    link(isolated, clock, [LinkRequest("q0", features(*quake[0]))])
    clock.now += WINDOW - DAY  # inside the window: joins, and keeps the story warm
    assert link(isolated, clock, [LinkRequest("q1", features(*quake[1]))])[0].root == "q0"
    clock.now += WINDOW + 2 * DAY  # nobody joined for longer than the window
    late = link(isolated, clock, [LinkRequest("q2", features(*quake[2]))])[0]
    assert (late.root, late.relation) == ("q2", "first")


def test_a_centroid_an_older_worker_wrote_as_json_is_read_and_rewritten(
    isolated: Settings, redis_sync: redis.Redis
) -> None:
    """Centroids are MessagePack now; one written as JSON before still links the same."""
    items = requests()
    clock = FakeClock(1_000 * DAY)
    first = link(isolated, clock, items[:3])  # one article of each event: three stories
    every = list(redis_sync.scan_iter(match="{" + isolated.key_prefix + "}:*"))
    keys = [k for k in every if k.split(b":")[2] == b"sc"]
    assert len(keys) == 1 and redis_sync.hlen(keys[0]) == 3, every
    as_json = "return cjson.encode(cmsgpack.unpack(redis.call('HGET', KEYS[1], ARGV[1])))"
    for root in (x.root for x in first):
        stored = redis_sync.hget(keys[0], root)
        assert isinstance(stored, bytes) and not stored.startswith(b"{")
        redis_sync.hset(keys[0], root, redis_sync.eval(as_json, 1, keys[0], root))
    assert all(json_text(v) for v in redis_sync.hvals(keys[0]))

    found = link(isolated, clock, items[3:])
    memory = asyncio.run(MemoryLinker(threshold=0.25).link(items))[3:]
    assert [(x.root, x.relation, x.score) for x in found] == [
        (x.root, x.relation, x.score) for x in memory
    ]
    assert not any(json_text(v) for v in redis_sync.hvals(keys[0]))


def json_text(value: object) -> bool:
    """Whether a stored centroid is JSON (else MessagePack)."""
    return isinstance(value, bytes) and value.startswith(b"{")


def test_links_survive_a_flushed_script_cache_and_every_key_expires(
    isolated: Settings, redis_sync: redis.Redis
) -> None:
    clock = FakeClock(1_000 * DAY)
    link(isolated, clock, requests()[:2])
    redis_sync.script_flush()  # both scripts of the next pipeline unknown to Redis
    items = requests()[2:4]
    updates = [
        StoryUpdate(x.article_id, x.article_id, "first", "wire", "T", clock.now) for x in items
    ]

    found, records, _ = settle(isolated, clock, items, updates)
    assert len(found) == len(records) == 2
    keys = list(redis_sync.scan_iter(match="{" + isolated.key_prefix + "}:*"))
    assert {key.split(b":")[2] for key in keys} >= {b"lnk", b"sx", b"sc", b"df", b"ss", b"sm"}
    for key in keys:
        ttl = redis_sync.ttl(key)
        assert 0 < ttl <= 9 * DAY, (key, ttl)


def test_story_state_counts_each_article_once_as_the_in_memory_rule_does(
    isolated: Settings, redis_sync: redis.Redis
) -> None:
    updates = [
        StoryUpdate("a", "a", "first", "wire", "Quake hits Qeshm", 100.0, ("GPE\tQeshm",)),
        StoryUpdate("b", "a", "coverage", "paper", "Seven hurt", 300.0, ("GPE\tQeshm",)),
        StoryUpdate("c", "a", "copy", "wire", "Quake hits Qeshm", 200.0),
        StoryUpdate("b", "a", "coverage", "paper", "Seven hurt", 300.0, ("GPE\tQeshm",)),
        StoryUpdate("x", "x", "first", "blog", "Council approves bridge", 250.0),
    ]
    clock = FakeClock(1_000 * DAY)

    found = record(isolated, clock, updates)
    expected = asyncio.run(MemoryLinker().record(updates))
    assert found == expected
    assert found[3].version == 3 and found[3].relations == {"copy": 1, "coverage": 1, "first": 1}
    assert found[4].articles == 1
    for key in redis_sync.scan_iter(match="{" + isolated.key_prefix + "}:s[sm]:*"):
        assert 0 < redis_sync.ttl(key) <= 10 * DAY


def test_a_story_that_never_goes_cold_keeps_bounded_state(
    isolated: Settings, redis_sync: redis.Redis
) -> None:
    """Joined every day for a month, naming new entities all the time: its members are
    kept in one hash per day that expires after the retention window (the state hash's TTL
    is renewed at each join, the members' is not), its entity counters stay bounded, an
    article redelivered within the window is still counted once, and Redis agrees with the
    in-memory rule."""
    clock = FakeClock(1_000 * DAY)
    updates = []
    for day in range(30):
        for n in range(3):
            names = (*(f"PERSON\tPerson {day}-{n}-{k}" for k in range(5)), "GPE\tQeshm")
            when = 1_000 * DAY + day * DAY + n
            relation = "first" if (day, n) == (0, 0) else "coverage"
            updates.append(StoryUpdate(f"a{day}-{n}", "a0-0", relation, "wire", "T", when, names))
    memory = MemoryLinker()

    async def go() -> list[StoryRecord]:
        stories = make(isolated, clock)
        found: list[StoryRecord] = []
        try:
            for update in updates:  # one day at a time, as the clock moves
                clock.now = update.now
                found += (await stories.settle((), [update]))[1]
                found += (await stories.settle((), [update]))[1]  # redelivered at once: same
        finally:
            await stories.client.aclose()
        return found

    found = asyncio.run(go())
    expected = []
    for update in updates:
        expected += asyncio.run(memory.record([update, update]))
    assert found == expected
    assert found[-1].articles == 90 and found[-1].version == 90
    assert found[-1].entities[0].canonical == "Qeshm" and found[-1].entities[0].articles == 90
    fields = redis_sync.hkeys("{" + isolated.key_prefix + "}:v2:ss:a0-0")
    named = [n for n in fields if (n.decode() if isinstance(n, bytes) else str(n)).startswith("e:")]
    assert 100 <= len(named) <= 200
    members = list(redis_sync.scan_iter(match="{" + isolated.key_prefix + "}:*sm:a0-0:*"))
    assert len(members) == 30  # one per day; each lives the retention window after its day
    for key in members:
        assert 0 < redis_sync.ttl(key) <= 8 * DAY, key
