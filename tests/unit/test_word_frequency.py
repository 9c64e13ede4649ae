"""General-English word frequencies from the pinned wordfreq data (no service)."""

from __future__ import annotations

from workers.adapters.word_frequency import MIN_ZIPF, WordFrequency, english_zipf


def test_common_words_are_frequent_rare_ones_less_and_names_unknown() -> None:
    words = WordFrequency()
    assert words.zipf("the") > 7 > words.zipf("said") > 5.5 > words.zipf("earthquake") > 3
    assert words.zipf("qeshm") == 0.0  # a name the list lacks
    assert words.zipf("The") == 0.0  # compared as given: callers case fold


def test_only_words_above_the_floor_are_kept() -> None:
    kept = english_zipf(MIN_ZIPF)
    assert 50_000 < len(kept) < 200_000
    assert min(kept.values()) >= MIN_ZIPF - 0.01
    assert len(english_zipf(3.0)) < len(kept)
