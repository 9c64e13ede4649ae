from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workers.core.lines import (
    BUILTIN_CHROME,
    chrome_key,
    clean_lines,
    line_fingerprint,
    normalize_line,
    split_lines,
)


def test_normalize_folds_quotes_dashes_space_and_case() -> None:
    assert (
        normalize_line("  \u201cPutin\u2019s\u201d   plan \u2014 Trump  ")
        == '"putin\'s" plan - trump'
    )
    assert normalize_line("ﬁnal\u00a0word") == "final word"  # NFKC: ligature and nbsp


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_line(text)
    assert normalize_line(once) == once


def test_chrome_key_ignores_edge_punctuation() -> None:
    assert chrome_key("Read also:") == chrome_key("read also") == "read also"
    assert chrome_key("Read also:") in BUILTIN_CHROME


def test_repeated_line_kept_once_at_first_position() -> None:
    text = "Headline here\n\nBody one is a paragraph.\n\nheadline   HERE\n\nBody two."
    cleaned = clean_lines(text)
    assert cleaned.lines == ("Headline here", "Body one is a paragraph.", "Body two.")
    assert cleaned.removed == {"repeat": 1}


def test_teaser_dropped_only_when_a_longer_line_continues_it() -> None:
    full = "Russia's president and the U.S. president arranged a meeting in Alaska to talk"
    teaser = "Russia's president and the U.S. president arranged a meeting in..."
    cleaned = clean_lines(f"{teaser}\n{full}")
    assert cleaned.lines == (full,)
    assert cleaned.removed == {"teaser": 1}
    lone = "An ending that trails off in an ellipsis..."
    assert clean_lines(f"{lone}\nSomething else entirely.").lines[0] == lone


def test_kept_text_is_the_original_not_the_normalised_form() -> None:
    line = "  \u201cQuoted\u201d   Headline  "
    assert clean_lines(line).lines == ("\u201cQuoted\u201d   Headline",)


def test_learned_chrome_by_fingerprint() -> None:
    text = "Subscribe to the Daily Planet\nA real paragraph of news."
    learned = frozenset({line_fingerprint("subscribe to the daily planet")})
    assert clean_lines(text).lines[0] == "Subscribe to the Daily Planet"
    cleaned = clean_lines(text, learned=learned)
    assert cleaned.lines == ("A real paragraph of news.",)
    assert cleaned.removed == {"chrome": 1}


def test_project_scraped_article_lines(scraped_text: str) -> None:
    cleaned = clean_lines(scraped_text)
    raw = split_lines(scraped_text)
    assert cleaned.removed == {"chrome": 3, "teaser": 1, "repeat": 1}
    headline = raw[1]
    assert cleaned.lines.count(headline) == 1 and cleaned.lines[0] == headline
    assert not any(line.endswith("...") for line in cleaned.lines)
    for chrome in ("Skip to content", "Read also:", "Latest"):
        assert chrome not in cleaned.lines
    assert len(cleaned.lines) == len(raw) - 5  # every other line is kept
    assert any(line.startswith("Ferries between Bornholm") for line in cleaned.lines)
    assert any(line.startswith("[2] Source") for line in cleaned.lines)
    assert any(line.startswith("3. The government") for line in cleaned.lines)


def test_seed_article_lines(seed_text: str) -> None:
    cleaned = clean_lines(seed_text)
    raw = split_lines(seed_text)
    assert cleaned.removed == {"chrome": 3, "teaser": 1, "repeat": 1}
    headline = raw[1]
    assert cleaned.lines.count(headline) == 1
    assert cleaned.lines[0] == headline
    assert not any(line.endswith("...") for line in cleaned.lines)
    for chrome in ("Skip to content", "Read also:", "Latest"):
        assert chrome not in cleaned.lines
    # every body paragraph is kept: all raw lines but the five removed ones
    assert len(cleaned.lines) == len(raw) - 5
    assert any(line.startswith("Artis Pabriks") for line in cleaned.lines)
    assert any(line.startswith("[1] Source") for line in cleaned.lines)


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40), max_size=30)
)
def test_cleaning_never_invents_or_duplicates_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    cleaned = clean_lines(text)
    originals = split_lines(text)
    assert all(line in originals for line in cleaned.lines)
    norms = [normalize_line(line) for line in cleaned.lines]
    assert len(norms) == len(set(norms))
    assert len(cleaned.lines) + sum(cleaned.removed.values()) == len(originals)
