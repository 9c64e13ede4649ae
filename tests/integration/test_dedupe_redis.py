"""The dedupe index against the real Redis server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest
import redis

from tests.support.services import redis_user, unique_settings
from workers.adapters.redis_dedupe import RedisDedupe, redis_client
from workers.config import Settings
from workers.core.dedupe import Decision, DedupeRequest, prepare
from workers.core.lines import clean_lines, line_fingerprint, split_lines
from workers.errors import ServiceUnavailable

DAY = 86_400
STORY = [
    "The city council of Porto voted on Monday to close the old fish market by the river.",
    "Traders said the decision came without warning and asked for a year to move their stalls.",
    "The mayor said a new covered market would open on the eastern edge of the city in 2028.",
    "A group of architects has asked the council to keep the iron roof of the old building.",
    "The council will hold a public hearing on the plans next month at the city hall.",
    "Opposition members said the vote was rushed and promised to challenge it in court.",
]


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_dedupe(settings: Settings, clock: FakeClock, url: str | None = None) -> RedisDedupe:
    return RedisDedupe(
        redis_client(url or settings.redis_url.get_secret_value()),
        prefix=settings.key_prefix,
        bucket_seconds=DAY,
        retention_seconds=7 * DAY,
        threshold=settings.near_threshold,
        chrome_min_articles=3,
        clock=clock,
    )


def request(article_id: str, lines: Sequence[str], source: str = "wire") -> DedupeRequest:
    return prepare(article_id, source, "\n".join(lines))[1]


def decide(settings: Settings, clock: FakeClock, *requests: DedupeRequest) -> list[Decision]:
    async def go() -> list[Decision]:
        dedupe = make_dedupe(settings, clock)
        try:
            return await dedupe.decide(list(requests))
        finally:
            await dedupe.client.aclose()

    return asyncio.run(go())


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock(1_000 * DAY + 5)


def test_exact_copy_under_another_id(isolated: Settings, clock: FakeClock) -> None:
    first, copy = decide(
        isolated, clock, request("a", STORY), request("b", [s.upper() for s in STORY])
    )
    assert first.is_original and not first.replay
    assert (copy.status, copy.method, copy.duplicate_of) == ("duplicate", "exact", "a")
    assert copy.story_id == first.story_id


def test_near_copy_with_byline_and_changed_paragraph(isolated: Settings, clock: FakeClock) -> None:
    edited = [
        "By our city reporter",
        *STORY[:4],
        "A hearing on the plans is planned for next month in the town hall.",
        STORY[5],
    ]
    first, near = decide(isolated, clock, request("a", STORY), request("b", edited))
    assert first.is_original
    assert (near.status, near.method, near.duplicate_of) == ("duplicate", "near", "a")
    assert isolated.near_threshold <= near.similarity < 1.0


def test_distinct_story_on_the_same_topic_is_not_merged(
    isolated: Settings, clock: FakeClock
) -> None:
    other = [
        "The city council of Porto voted on Monday to extend the metro line to the airport.",
        "Commuters welcomed the decision, which had been delayed for two years by a dispute.",
        "The mayor said trains would run every six minutes once the line opens in 2029.",
        "Engineers have warned that tunnelling under the old town will need extra care.",
    ]
    first, second = decide(isolated, clock, request("a", STORY), request("b", other))
    assert first.is_original and second.is_original
    assert first.story_id != second.story_id


def test_replay_gets_the_same_decision(isolated: Settings, clock: FakeClock) -> None:
    first, copy = decide(isolated, clock, request("a", STORY), request("b", STORY))
    again_first, again_copy = decide(isolated, clock, request("a", STORY), request("b", STORY))
    assert again_first.is_original and again_first.replay  # itself, not its own duplicate
    assert again_copy.replay and again_copy.duplicate_of == "a"
    assert (again_first.story_id, again_copy.story_id) == (first.story_id, copy.story_id)


NEW_FACTS = [
    "On Wednesday the traders' association filed a complaint with the regional court.",
    "The court said it would rule within ten days on whether the closure can go ahead.",
    "Police estimated that about 300 people marched to the market on Wednesday evening.",
]


def test_a_follow_up_with_new_facts_is_an_update_of_the_same_story(
    isolated: Settings, clock: FakeClock
) -> None:
    """Same story, real new content: a full event (update), not a duplicate notice."""
    follow_up = ["Traders take Porto market closure to court", *STORY[1:], *NEW_FACTS]
    first, update = decide(isolated, clock, request("a", STORY), request("b", follow_up))
    assert first.relation == "first"
    assert (update.status, update.relation, update.duplicate_of) == ("update", "update", "a")
    assert update.is_original and update.story_id == first.story_id
    # the new headline is too short to count as a sentence of content
    assert update.new_sentences == len(NEW_FACTS)
    assert isolated.update_min_similarity <= update.similarity < 1.0


def test_copies_of_an_update_stay_in_the_first_articles_story(
    isolated: Settings, clock: FakeClock
) -> None:
    follow_up = [*STORY, *NEW_FACTS]
    first, update, copy, near = decide(
        isolated,
        clock,
        request("a", STORY),
        request("b", follow_up),
        request("c", follow_up),
        request("d", ["By a staff reporter", *follow_up[:-1]]),
    )
    assert update.status == "update"
    assert (copy.status, copy.method, copy.duplicate_of) == ("duplicate", "exact", "b")
    assert (near.status, near.duplicate_of) == ("duplicate", "b")
    assert first.story_id == update.story_id == copy.story_id == near.story_id
    again = decide(isolated, clock, request("b", follow_up))[0]
    assert again.replay and (again.status, again.new_sentences) == ("update", update.new_sentences)


def test_a_shortened_version_adds_nothing_and_is_a_copy(
    isolated: Settings, clock: FakeClock
) -> None:
    first, short = decide(isolated, clock, request("a", STORY), request("b", STORY[:4]))
    assert first.is_original
    assert (short.status, short.relation, short.duplicate_of) == ("duplicate", "copy", "a")


def test_two_replicas_racing_on_copies_make_one_original(
    isolated: Settings, clock: FakeClock
) -> None:
    results: list[Decision] = []
    lock = threading.Lock()

    def replica(offset: int) -> None:
        reqs = [request(f"copy-{offset}-{i}", STORY) for i in range(15)]
        # each replica decides one article per call: many interleavings
        for req in reqs:
            out = decide(isolated, clock, req)
            with lock:
                results.extend(out)

    threads = [threading.Thread(target=replica, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    originals = [d for d in results if d.is_original]
    assert len(results) == 45
    assert len(originals) == 1
    assert {d.story_id for d in results} == {originals[0].story_id}


def test_retention_window_forgets_and_keys_expire(
    isolated: Settings, clock: FakeClock, redis_sync: redis.Redis
) -> None:
    (first,) = decide(isolated, clock, request("a", STORY))
    assert first.is_original
    keys = redis_sync.keys(f"{{{isolated.key_prefix}}}:*")
    assert keys
    ttls = [redis_sync.ttl(key) for key in keys]
    assert all(7 * DAY < ttl <= 8 * DAY for ttl in ttls), ttls
    clock.now += 6 * DAY
    (inside,) = decide(isolated, clock, request("b", STORY))
    assert inside.duplicate_of == "a"
    clock.now += 3 * DAY  # the first bucket is now outside the 7-day window
    (later,) = decide(isolated, clock, request("c", STORY))
    assert later.is_original


def test_chrome_learned_per_source(isolated: Settings, clock: FakeClock) -> None:
    promo = "Subscribe to the Porto Herald"

    async def go() -> tuple[list[frozenset[str]], frozenset[str], int]:
        dedupe = make_dedupe(isolated, clock)
        try:
            seen = []
            for n in range(3):
                lines = [promo, f"Story number {n} has its own words about topic {n * 7} today."]
                await dedupe.decide([request(f"s{n}", lines, source="herald")])
                clock.now += 31  # past the learned-chrome cache
                seen.append((await dedupe.learned_chrome(["herald"]))[0])
            (other,) = await dedupe.learned_chrome(["gazette"])
            return seen, other, dedupe.round_trips
        finally:
            await dedupe.client.aclose()

    seen, other, trips = asyncio.run(go())
    assert line_fingerprint(promo) not in seen[1]  # two articles: not yet chrome
    herald = seen[2]
    assert line_fingerprint(promo) in herald  # the third makes it chrome (K = 3)
    assert not any(line_fingerprint("Story number 2 has") == fp for fp in herald)
    assert other == frozenset()
    cleaned = clean_lines(f"{promo}\nA new story.", learned=herald)
    assert cleaned.lines == ("A new story.",)
    # Three decisions and two first reads (herald, gazette); herald's later reads rode
    # along with the decisions once its cached set was older than 30 s.
    assert trips == 5


def test_stale_chrome_is_read_again_with_the_next_decisions(
    isolated: Settings, clock: FakeClock
) -> None:
    promo = "Follow the Harbour Post"

    async def go() -> tuple[list[frozenset[str]], list[int]]:
        dedupe = make_dedupe(isolated, clock)
        try:
            seen, trips = [], []
            for n in range(3):
                await dedupe.decide(
                    [request(f"h{n}", [promo, f"Body {n} {n * 13} words."], "post")]
                )
            seen.append((await dedupe.learned_chrome(["post"]))[0])  # first read: a trip
            trips.append(dedupe.round_trips)
            await dedupe.decide([request("h3", [promo, "A fourth story of its own."], "post")])
            clock.now += 9 * DAY  # the three confirming articles left the window
            seen.append((await dedupe.learned_chrome(["post"]))[0])  # stale: used once more
            trips.append(dedupe.round_trips)
            await dedupe.decide([request("other", ["Nothing shared here."], "wire")])
            seen.append((await dedupe.learned_chrome(["post"]))[0])  # read with the decision
            trips.append(dedupe.round_trips)
            return seen, trips
        finally:
            await dedupe.client.aclose()

    seen, trips = asyncio.run(go())
    assert line_fingerprint(promo) in seen[0]
    assert line_fingerprint(promo) in seen[1]
    assert seen[2] == frozenset()
    assert trips == [4, 5, 6]  # no trip of its own after the first read


def test_learned_chrome_is_cached_and_forgotten_outside_the_window(
    isolated: Settings, clock: FakeClock
) -> None:
    promo = "Sign up for the Coastal Letter"

    async def go() -> tuple[int, frozenset[str], frozenset[str]]:
        dedupe = make_dedupe(isolated, clock)
        try:
            for n in range(3):
                await dedupe.decide(
                    [request(f"c{n}", [promo, f"Body {n} {n * 13} words."], source="coastal")]
                )
            await dedupe.learned_chrome(["coastal"])
            before = dedupe.round_trips
            for _ in range(5):  # cached: no more round trips
                await dedupe.learned_chrome(["coastal", "coastal"])
            cached_trips = dedupe.round_trips - before
            fresh = (await dedupe.learned_chrome(["coastal"]))[0]
            clock.now += 9 * DAY  # the confirming bucket left the 7-day window
            await dedupe.learned_chrome(["coastal"])  # stale, read again with the decisions
            await dedupe.decide([request("later", ["Unrelated."], source="elsewhere")])
            stale = (await dedupe.learned_chrome(["coastal"]))[0]
            return cached_trips, fresh, stale
        finally:
            await dedupe.client.aclose()

    cached_trips, fresh, stale = asyncio.run(go())
    assert cached_trips == 0
    assert line_fingerprint(promo) in fresh
    assert stale == frozenset()


def test_one_round_trip_per_batch(isolated: Settings, clock: FakeClock) -> None:
    async def go() -> int:
        dedupe = make_dedupe(isolated, clock)
        try:
            lines = [split_lines("\n".join(STORY))]
            await dedupe.learned_chrome(["wire"] * 10)
            await dedupe.decide([request(f"id{i}", lines[0][i % 3 :]) for i in range(10)])
            return dedupe.round_trips
        finally:
            await dedupe.client.aclose()

    assert asyncio.run(go()) == 2


def test_redis_down_is_retriable(isolated: Settings, clock: FakeClock) -> None:
    async def go() -> None:
        dedupe = make_dedupe(isolated, clock, url="redis://127.0.0.1:1/0")
        try:
            await dedupe.decide([request("a", STORY)])
        finally:
            await dedupe.client.aclose()

    with pytest.raises(ServiceUnavailable) as caught:
        asyncio.run(go())
    assert caught.value.retriable


def test_unique_settings_do_not_share_state(stack: Settings, clock: FakeClock) -> None:
    one, two = unique_settings(stack), unique_settings(stack)
    (a,) = decide(one, clock, request("a", STORY))
    (b,) = decide(two, clock, request("b", STORY))
    assert a.is_original and b.is_original


def test_auth_url_works_and_wrong_password_is_one_clear_error(
    isolated: Settings, clock: FakeClock, redis_sync: redis.Redis
) -> None:
    from workers.adapters.redis_dedupe import check_redis
    from workers.errors import ConfigError

    user, password = f"nwtest-{isolated.key_prefix[-6:]}", "s3cret-" + isolated.key_prefix[-6:]
    with redis_user(redis_sync, isolated.redis_url.get_secret_value(), user, password) as url:
        check_redis(url)
        authed = isolated.model_copy(update={"redis_url": type(isolated.redis_url)(url)})
        (decision,) = decide(authed, clock, request("auth-a", STORY))
        assert decision.is_original
        bad = url.replace(password, "wrong")
        with pytest.raises(ConfigError) as caught:
            check_redis(bad)
        assert "wrong" not in caught.value.message and "rejected" in caught.value.message
