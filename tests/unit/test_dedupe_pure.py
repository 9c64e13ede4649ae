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
from workers.core.fingerprints import sentence_fingerprints

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
    assert len(keys) == 6 * 3 + 1  # art, exact, band, sig, chrome, sent per bucket + learned


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


#: An invented Chinese sentence (a port's traffic rose by a tenth this year): 37 characters.
CHINESE = "瓦尔多里亚港口管理局周一表示，今年港口的集装箱吞吐量比去年增长了百分之十。"


def test_a_sentence_in_a_script_without_spaces_is_as_long_as_its_characters() -> None:
    """Chinese has no spaces: two characters count one word (a line of a news sentence is
    no chrome, and it is content); a short line is a chrome candidate and no sentence."""
    menu = ["首页", "新闻中心"]  # "home", "news centre"
    assert chrome_candidates([CHINESE, *menu, menu[0]], lambda s: s) == menu
    assert len(sentence_fingerprints([CHINESE])) == 1
    assert sentence_fingerprints(["港口今天开放。"]) == ()  # seven characters: four words
    changed = CHINESE.replace("百分之十", "百分之九")
    assert sentence_fingerprints([changed]) != sentence_fingerprints([CHINESE])


def test_sentences_written_without_a_space_between_them_are_told_apart() -> None:
    """Chinese writes the next sentence straight after "。"; Hindi ends one with "।"."""
    second = "管理局说，来自亚洲的货船占了增长的大部分，新码头明年春天将投入使用。"
    paragraph = sentence_fingerprints([CHINESE + second])
    assert len(paragraph) == 2
    assert paragraph == sentence_fingerprints([CHINESE, second])
    hindi = "शहर की परिषद ने सोमवार को पुराना बाज़ार बंद कर दिया ।"
    assert len(sentence_fingerprints([f"{hindi} {hindi.replace('सोमवार', 'मंगलवार')}"])) == 2
    # an English "3.5" or "U.S." is no sentence end
    assert (
        len(sentence_fingerprints(["the u.s. port grew by 3.5 percent in the year to june."])) == 1
    )


def test_armenian_sentences_end_at_its_full_stop() -> None:
    """Armenian ends a sentence with "։", not ".": before, its text had no sentence, so a
    later version with new facts was a copy."""
    # an invented report: a fire broke out at a port on Monday; firemen fought it for hours
    first = "Վալդորիայի նավահանգստում երկուշաբթի օրը խոշոր հրդեհ է բռնկվել։"
    second = "Հրշեջները մի քանի ժամ պայքարել են կրակի դեմ։"
    assert len(sentence_fingerprints([f"{first} {second}"])) == 2
    assert sentence_fingerprints([f"{first} {second}"]) == sentence_fingerprints([first, second])


def test_a_text_without_whole_sentences_is_fingerprinted_by_its_long_lines() -> None:
    """Only when no sentence of the text is whole: then its lines of a sentence's length
    count, and short ones (a label, a byline) still do not."""
    lines = [
        "the port authority in valdoria expects record traffic again next year",
        "by kit halloran",
        "dock workers agreed a new contract for the extra shifts on tuesday",
    ]
    assert len(sentence_fingerprints(lines)) == 2
    whole = "the harbour master said the new quay would open in the spring."
    assert len(sentence_fingerprints([*lines, whole])) == 1  # a whole sentence: lines do not count


def test_thai_sentences_end_at_a_space_and_at_a_lines_end() -> None:
    """Thai writes no full stop: a space between its characters ends a sentence or clause."""
    first = "ปริมาณตู้สินค้าที่ผ่านท่าเรือในปีนี้เพิ่มขึ้นร้อยละสิบ"  # container traffic rose
    second = "และท่าเทียบเรือแห่งใหม่จะเปิดใช้งานในฤดูใบไม้ผลิปีหน้า"  # a new quay opens
    assert len(sentence_fingerprints([first])) == 1
    assert sentence_fingerprints([f"{first} {second}"]) == sentence_fingerprints([first, second])
    assert len(sentence_fingerprints([f"{first} {second}"])) == 2
    assert sentence_fingerprints(["ท่าเรือเปิดแล้ว"]) == ()  # eleven letters: six words
    # a Latin word between them does not end one
    assert len(sentence_fingerprints([f"{first} Valdoria {second}"])) == 1


def test_learned_only_inside_the_window() -> None:
    learned: dict[bytes | str, bytes | str] = {b"aa": b"100", b"bb": b"93", "cc": "92"}
    assert learned_in_window(learned, 93) == frozenset({"aa", "bb"})


def test_sentence_fingerprints_ignore_case_punctuation_and_short_lines() -> None:
    lines = [
        "by a staff reporter",  # too short to be content
        "the council voted on monday to close the old market. traders said they would appeal.",
        "The council voted on Monday, to close the old market!",
    ]
    prints = sentence_fingerprints(lines)
    assert len(prints) == 1  # one sentence of content, seen twice; the appeal one is short
    assert all(len(p) == 8 for p in prints)
    longer = sentence_fingerprints(
        [*lines, "Traders said they would appeal to the regional court."]
    )
    assert len(longer) == 2 and longer[0] == prints[0]


def test_only_whole_sentences_are_content() -> None:
    """A line's last part that ends no sentence (a headline, a byline) is not counted."""
    headline = "port of genoa to open longer as cruise passenger numbers reach a record"
    byline = "reporting by kit halloran in genoa; editing by ola brandvold and the desk"
    sentence = "the port of genoa handled more cruise passengers than in any year before."
    quoted = '"we will open the new quay in the spring of next year," the authority said.'
    said = '"we will open the new quay in the spring of next year and hire more staff."'
    assert sentence_fingerprints([headline, byline, sentence]) == sentence_fingerprints([sentence])
    assert len(sentence_fingerprints([headline, byline, sentence, quoted, said])) == 3
    # other scripts' full stops end sentences too (Hindi, with spaces between its words)
    hindi = "शहर की परिषद ने सोमवार को पुराना बाज़ार बंद कर दिया"
    assert len(sentence_fingerprints([sentence, hindi])) == 1
    assert len(sentence_fingerprints([sentence, hindi + " ।"])) == 2
    # a sentence followed by a part that ends none on one line: the sentence counts
    assert sentence_fingerprints([f"{sentence} {headline}"]) == sentence_fingerprints([sentence])


def test_update_decisions_carry_the_first_articles_story() -> None:
    update = parse_decision("c", "new", '{"d": "update", "of": "b", "s": 0.7, "n": 4, "st": "a"}')
    assert (update.status, update.relation, update.is_original) == ("update", "update", True)
    assert (update.duplicate_of, update.new_sentences) == ("b", 4)
    assert update.story_id == story_id_for("a")
    copy = parse_decision(
        "d", "new", '{"d": "duplicate", "of": "c", "m": "exact", "s": 1, "st": "a"}'
    )
    assert (copy.relation, copy.story_id) == ("copy", story_id_for("a"))
    older = parse_decision("e", "replay", '{"d": "duplicate", "of": "a", "m": "near", "s": 0.8}')
    assert older.story_id == story_id_for("a") and older.replay  # recorded before "st" existed
    assert parse_decision("a", "new", '{"d": "original", "s": 0}').relation == "first"
