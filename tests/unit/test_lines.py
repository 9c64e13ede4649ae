from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from workers.core.lines import (
    BUILTIN_CHROME,
    chrome_key,
    clean_lines,
    is_builtin_chrome,
    line_fingerprint,
    normalize_line,
    split_lines,
    tokens,
    tokens_and_length,
    word_count,
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


@given(st.text(alphabet=st.characters(max_codepoint=0x0DFF)))
def test_tokens_are_runs_of_word_characters_in_scripts_with_spaces(text: str) -> None:
    """Latin, Greek, Cyrillic, Arabic, Devanagari ...: tokens and lengths as before."""
    runs = re.findall(r"\w+", text)
    assert tokens(text) == runs and tokens_and_length(text) == (runs, len(runs))
    assert word_count(text) == len(text.split())


@given(st.text(alphabet="港口今天开放ท่าเรือカナ・。 ab1_\n"))
def test_length_is_words_and_half_the_characters_of_a_script_without_spaces(text: str) -> None:
    found = tokens(text)
    unspaced = [t for t in found if len(t) == 1 and t in "港口今天开放ทาเรอカナ"]
    length = len(found) - len(unspaced) + math.ceil(len(unspaced) / 2)
    assert tokens_and_length(text) == (found, length)


def test_a_script_without_spaces_is_tokenised_by_character_two_a_word() -> None:
    text = "港口今天开放，工人复工 (Valdoria)"
    assert tokens(text) == [*"港口今天开放工人复工", "Valdoria"]
    assert tokens_and_length(text)[1] == 6
    assert word_count(text) == 6  # "港口今天开放，工人复工" and "(Valdoria)"
    assert word_count("ท่าเรือเปิดแล้ว") == 6  # Thai: 11 letters (4 combining marks aside)
    assert tokens("港口・码头。") == [*"港口码头"]  # punctuation is no token


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


def test_repeat_ignores_edge_punctuation() -> None:
    cleaned = clean_lines("Ferry strike ends.\nThe union agreed to a deal.\nFerry strike ends")
    assert cleaned.lines == ("Ferry strike ends.", "The union agreed to a deal.")
    assert cleaned.removed == {"repeat": 1}


def test_headline_with_the_site_name_gives_way_to_the_plain_headline() -> None:
    body = "Ferries will sail again on Monday, the union said."
    for decorated in (
        "Ferry strike ends after three days | The Daily Planet",
        "Ferry strike ends after three days - Daily Planet News",
        "The Daily Planet :: Ferry strike ends after three days",
    ):
        for text in (
            f"{decorated}\n{body}\nFerry strike ends after three days",
            f"Ferry strike ends after three days\n{body}\n{decorated}",
        ):
            cleaned = clean_lines(text)
            assert cleaned.lines == ("Ferry strike ends after three days", body), text
            assert cleaned.removed == {"repeat": 1}
    # no plain twin, or more than a site's name after the separator: kept as written
    alone = "Ferry strike ends after three days | The Daily Planet"
    assert clean_lines(f"{alone}\n{body}").lines == (alone, body)
    clause = "Ferry strike ends - the union says the deal holds for two years at least"
    assert clean_lines(f"Ferry strike ends\n{clause}").lines == ("Ferry strike ends", clause)


def test_a_chinese_standfirst_and_teaser_inside_the_lead_go() -> None:
    """Chinese ends a sentence with "。" and writes no spaces: its length is its characters,
    so a standfirst the lead holds is a repeat and a teaser of the lead is a teaser."""
    headline = "瓦尔多里亚港吞吐量增长"
    standfirst = "瓦尔多里亚港口管理局周一表示，今年港口的集装箱吞吐量比去年增长了百分之十。"
    lead = "星报瓦尔多里亚电 " + standfirst + "管理局说，来自亚洲的货船占了增长的大部分。"
    cleaned = clean_lines(f"{headline}\n{standfirst}\n{lead}")
    assert cleaned.lines == (headline, lead) and cleaned.removed == {"repeat": 1}
    teaser = "今年港口的集装箱吞吐量比去年增长了…"
    cleaned = clean_lines(f"{headline}\n{teaser}\n{lead}")
    assert cleaned.lines == (headline, lead) and cleaned.removed == {"teaser": 1}


def test_a_sentence_another_line_holds_is_a_repeat() -> None:
    standfirst = "Ferries between the islands will sail again on Monday, the union said."
    tail = " The strike had stranded 3,000 travellers."
    for lead in (standfirst + tail, "VALDORIA (Planet) - " + standfirst + tail):
        cleaned = clean_lines(f"Ferry strike ends\n{standfirst}\n{lead}")
        assert cleaned.lines == ("Ferry strike ends", lead)
        assert cleaned.removed == {"repeat": 1}
    lead = standfirst + tail
    # a headline the lead repeats stays: it ends no sentence
    headline = "Ferries between the islands will sail again on Monday"
    assert clean_lines(f"{headline}\n{lead}").lines == (headline, lead)
    # and so does a short sentence (an answer, a quote)
    assert clean_lines("Yes.\nYes. The union agreed.").lines == ("Yes.", "Yes. The union agreed.")
    # a chrome line holding it does not count: it goes, and would take the sentence along
    cleaned = clean_lines(f"Ferry strike ends\n{standfirst}\nREAD MORE: {standfirst}")
    assert cleaned.lines == ("Ferry strike ends", standfirst)
    assert cleaned.removed == {"chrome": 1}
    # far down a long article only exact repeats are looked for: the work stays linear
    filler = "\n".join(f"Paragraph {n} of the article ends here." for n in range(70))
    cleaned = clean_lines(f"{filler}\n{standfirst}\n{lead}")
    assert standfirst in cleaned.lines


def test_teasers_with_bracketed_ellipsis_or_read_more() -> None:
    full = "The union's leader said the deal was fair to both sides and would hold."
    dated = "VALDORIA (Planet) - " + full
    for teaser, whole in (
        ("\u2022 The union's leader said the deal was fair...", full),
        ("The union's leader said the deal was fair...", dated),
    ):
        assert clean_lines(f"{teaser}\n{whole}").lines == (whole,), teaser
    # a teaser's few words elsewhere in a line do not make it one
    short = "The union's leader said..."
    assert clean_lines(f"{short}\n{dated}").lines == (short, dated)
    for teaser in (
        "The union's leader said the deal was fair [...]",
        "The union's leader said the deal was fair (\u2026)",
        "The union's leader said the deal was fair... Read more",
        "The union's leader said the deal was fair \u2026 more \u00bb",
    ):
        cleaned = clean_lines(f"{teaser}\n{full}")
        assert cleaned.lines == (full,), teaser
        assert cleaned.removed == {"teaser": 1}


def assert_chrome(chrome: tuple[str, ...], content: tuple[str, ...]) -> None:
    """Each ``chrome`` line is built-in chrome (and goes); no ``content`` line is."""
    for line in chrome:
        assert is_builtin_chrome(chrome_key(line)), line
        assert clean_lines(f"{line}\nThe union agreed.").removed == {"chrome": 1}, line
    for line in content:
        assert not is_builtin_chrome(chrome_key(line)), line


def test_labelled_links_credits_copyright_reading_time_and_syndication_are_chrome() -> None:
    assert_chrome(
        (
            "READ MORE: Valdoria port workers vote on pay deal",
            "\u2022 Related: How the strike unfolded",
            "Watch: the first ferry leaves the harbour",
            "Photo: Kit Halloran/Reuters",
            "Image source, Getty Images",
            "Copyright 2026 The Daily Planet. All rights reserved.",
            "\u00a9 Daily Planet Media Ltd",
            "(c) 2026 Daily Planet",
            "4 min read",
            "Listen to this article",
            "This article first appeared in the Daily Planet.",
            "This story was originally published by Valdoria Today and is republished here.",
            "A version of this article appeared in the Daily Planet's weekend edition.",
            "Republished with permission from the Daily Planet.",
            "Originally published by the Daily Planet and republished with permission.",
        ),
        (
            "Copyright law was changed in 2019 to protect the logo.",
            "(c) the third clause applies to every member of the board.",
            "Listen: we will not give up, the union's leader said.",
            "Photo: the ferries wait in the harbour on Monday morning as the strike goes on",
            "Image, trust and a fair price matter most, the union said.",
            "Originally published in 1922, the novel sold a million copies in Valdoria.",
            "This report was published by the port authority on Monday and found delays.",
            "This article's claims were disputed by the union on Tuesday.",
            "Related: the union said the deal would hold, and the company agreed, and the two"
            " sides met again on Friday to sign it before the holiday weekend began in the"
            " islands.",
        ),
    )
    # a caller's own chrome set replaces the built-in patterns too
    assert clean_lines("4 min read", chrome=frozenset()).lines == ("4 min read",)


def test_headlines_listed_under_a_link_header_are_chrome() -> None:
    headline = "Ferry strike ends after three days"
    lead = "Ferries will sail again on Monday, the union said."
    links = "Read also:\nValdoria port workers vote on pay deal\nIs the island economy next?"
    after = "The deal holds for two years."
    cleaned = clean_lines(f"{headline}\n{lead}\n{links}\n{after}\nLatest\nUnion leader re-elected")
    assert cleaned.lines == (headline, lead, after)
    assert cleaned.removed == {"chrome": 5}
    # a menu's "Latest" above the headline heads no list: nothing of the article is read yet
    cleaned = clean_lines(f"Skip to content\nLatest\n{headline}\n{lead}")
    assert cleaned.lines == (headline, lead)
    # a paragraph that ends its sentence is the article again, and a list has ten links at most
    eleven = "\n".join(f"Port workers vote on pay deal number {n}" for n in range(11))
    cleaned = clean_lines(f"{lead}\nRelated\n{eleven}")
    assert cleaned.lines == (lead, "Port workers vote on pay deal number 10")


def test_share_and_follow_buttons_and_newsletter_invitations_are_chrome() -> None:
    assert_chrome(
        (
            "Facebook",
            "X",
            "Facebook Twitter Email",
            "WhatsApp | LinkedIn | Copy link",
            "Share on WhatsApp",
            "Share this story: Facebook, X, Email",
            "Follow us on X and Instagram",
            "Follow Kit Halloran on Bluesky",
            "Sign up to our morning newsletter",
            "Subscribe to the Valdoria Briefing newsletter for the day's news",
            "Newsletter",
        ),
        (
            "Facebook and X removed the posts on Tuesday.",
            "Follow the money, investigators told the port authority.",
            "Follow the ferry on its route",
            "Shares of the ferry company rose on Monday",
            "Sign up figures for the newsletter rose by a third, the union said.",
            "Subscribers to the Valdoria Briefing newsletter",
            "Subscribe to the newsletter, the mayor urged residents on Monday",
        ),
    )


def assert_not_stamped(content: tuple[str, ...], lead: str) -> None:
    """Each ``content`` line, before ``lead``, is kept as the article's text, not a stamp."""
    for line in content:
        cleaned = clean_lines(f"{line}\n{lead}")
        assert cleaned.lines == (line, lead) and not cleaned.stamps, line


def test_a_pages_timestamps_are_chrome_kept_apart_as_stamps() -> None:
    stamps = (
        "Published 27 November 2026, 14:02 GMT",
        "UPDATED: 05/03/2026 at 11:00 AM EDT",
        "Last updated: yesterday",
        "Updated 3 hours ago",
        "Posted on 27.11.2026 |",
        "First published on Fri 27 Nov 2026 08.45 GMT",
    )
    lead = "Ferries will sail again on Monday, the union said."
    cleaned = clean_lines("\n".join((stamps[0], lead, *stamps[1:])))
    assert cleaned.lines == (lead,)
    assert cleaned.stamps == stamps
    assert cleaned.removed == {"chrome": len(stamps)}
    assert_not_stamped(
        (
            "Updated figures show 12 more ships docked in 2026.",
            "Published in 2019, the report found delays",
            "Posted guards stood at the 3 gates of the harbour.",
            "Updated: the union now says 12 ships will sail.",
        ),
        lead,
    )
    # a caller's own chrome set replaces the built-in patterns, this one too
    assert clean_lines(stamps[0], chrome=frozenset()).lines == (stamps[0],)


def test_a_date_alone_at_the_top_is_a_timestamp_without_its_label() -> None:
    title = "Ferry strike ends after nine days"
    lead = "Ferries will sail again on Monday, the union said."
    for date in (
        "May 3, 2026",
        "Tuesday, 28 April 2026 22.34 BST",
        "MONDAY, MAY 23, 2026",
        "Fri., May. 3, 2026 11:45 AM PDT",
        "3 May 2026 | 8:20 pm",
        "(March 20, 2026)",
    ):
        cleaned = clean_lines(f"{title}\n{date}\n{lead}")
        assert cleaned.lines == (title, lead), date
        assert cleaned.stamps == (date,) and cleaned.removed == {"chrome": 1}, date
    # only at the top: further down a date heads the article's own text (a timeline)
    body = [title, lead, *(f"The {n}th ferry sailed." for n in range(5))]
    timeline = clean_lines("\n".join((*body, "May 4, 2026", "The strike began.")))
    assert "May 4, 2026" in timeline.lines and not timeline.stamps
    # a headline of short words and a date, a date without a number, a clause: kept
    assert_not_stamped(("Kiru vote, May 3", "Monday in May", "May 3, the day it began"), lead)


def test_a_lone_link_header_heads_a_list_of_headlines() -> None:
    lead = "Ferries will sail again on Monday, the union said."
    for header in ("More on this story", "Related topics", "Further reading:", "Watch"):
        assert is_builtin_chrome(chrome_key(header)), header
        text = f"{lead}\n{header}\nFerry strike: what we know\nPort workers\nThe deal holds."
        cleaned = clean_lines(text)
        assert cleaned.lines == (lead, "The deal holds."), header
        assert cleaned.removed == {"chrome": 3}, header


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
