from __future__ import annotations

import json

from workers.core.dedupe import (
    KeySpace,
    chrome_candidates,
    learned_in_window,
    parse_decision,
    story_id_for,
    window_at,
)

DAY = 86_400


def test_window_covers_retention_and_ttl_outlives_it() -> None:
    now = 100 * DAY + 3600
    window = window_at(now, DAY, 7 * DAY)
    assert window.buckets[0] == 100
    assert window.buckets == tuple(range(100, 92, -1))
    # the current bucket's keys live until retention after the bucket ends
    assert window.ttl_seconds == (101 * DAY + 7 * DAY) - now


def test_all_keys_share_one_cluster_slot_tag() -> None:
    keys = KeySpace("nw").decision_keys(window_at(10 * DAY, DAY, 2 * DAY), "wire")
    assert all(key.startswith("{nw}:v2:") for key in keys)
    assert len(keys) == 5 * 3 + 1


def test_story_of_a_duplicate_is_the_story_of_its_original() -> None:
    original = parse_decision("a", "new", json.dumps({"d": "original", "s": 0}))
    copy = parse_decision(
        "b", "new", json.dumps({"d": "duplicate", "of": "a", "m": "near", "s": 0.81})
    )
    assert original.story_id == story_id_for("a") == copy.story_id
    assert (copy.duplicate_of, copy.method, copy.similarity) == ("a", "near", 0.81)
    assert parse_decision("b", "replay", json.dumps({"d": "original", "s": 0})).replay


def test_chrome_candidates_are_short_distinct_lines() -> None:
    lines = ["Menu", "Menu", "A long paragraph with many words that is clearly body text here."]
    fps = chrome_candidates(lines, lambda s: s.lower())
    assert fps == ["menu"]


def test_learned_only_inside_the_window() -> None:
    learned: dict[bytes | str, bytes | str] = {b"aa": b"100", b"bb": b"93", "cc": "92"}
    assert learned_in_window(learned, 93) == frozenset({"aa", "bb"})
