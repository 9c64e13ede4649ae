"""General-English word frequencies from the pinned wordfreq data (no service)."""

from __future__ import annotations

import pytest

from workers.adapters.word_frequency import MIN_ZIPF, WordFrequency, english_zipf, list_for


@pytest.fixture(scope="module")
def words() -> WordFrequency:
    """The lists load once for the module (about 1.7 s)."""
    return WordFrequency()


def test_common_words_are_frequent_rare_ones_less_and_names_unknown(words: WordFrequency) -> None:
    assert words.zipf("the") > 7 > words.zipf("said") > 5.5 > words.zipf("earthquake") > 3
    assert words.zipf("qeshm") == 0.0  # a name the list lacks
    assert words.zipf("The") == 0.0  # compared as given: callers case fold


def test_only_words_above_the_floor_are_kept() -> None:
    kept = english_zipf(MIN_ZIPF)
    assert 50_000 < len(kept) < 200_000
    assert min(kept.values()) >= MIN_ZIPF - 0.01
    assert len(english_zipf(3.0)) < len(kept)


def test_another_languages_common_words_are_common_in_its_articles(words: WordFrequency) -> None:
    german = words.zipf_in("de")
    assert german("und") > 7 and german("nicht") > 6
    assert words.zipf("und") < 5.5  # the English list alone would weigh it as rare
    # rarer words of the language are weighed by the English list, as before
    assert german("feuerwehr") == words.zipf("feuerwehr")
    assert german("computer") == words.zipf("computer") > 4
    # another code of a language with a list: its list; English, und, none: English
    assert words.zipf_in("no")("og") > 7 and words.zipf_in("nb")("og") > 7
    assert words.zipf_in("hr")("je") > 6
    for code in ("en", "und", "xh", "not a code", ""):
        assert words.zipf_in(code) == words.zipf


def test_list_for_picks_the_list_of_the_language_or_none() -> None:
    lists = ("de", "nb", "sh", "fil")
    assert list_for("de", lists) == "de"
    assert list_for("no", lists) == "nb" and list_for("tl", lists) == "fil"
    assert list_for("sr", lists) == list_for("bs", lists) == "sh"
    # a related language is not the same language
    assert list_for("af", ("nl",)) is None
    assert list_for("en", lists) is None and list_for("und", lists) is None
