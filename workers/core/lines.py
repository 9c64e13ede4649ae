"""Line-level cleaning inside one article: pure functions, no services.

Lines are compared through :func:`normalize_line` (Unicode NFKC, quotes and
dashes folded, whitespace collapsed, case folded) while the text that is kept
is the original line, only stripped of surrounding whitespace.

Removed, each counted by reason:

* ``repeat``: a line whose normalised form, edge punctuation aside, was
  already kept (a repeated headline stays once, at its first position); a
  headline that another line repeats with the site's name before or after a
  separator ("Ferry strike ends | The Daily Planet"), which gives way to the
  plain line, taken to its place; and, among the first 64 lines, a line of
  whole sentences that another line holds (a standfirst that is also the
  lead's first sentence, after a dateline or not), a chrome line aside;
* ``teaser``: a line ending in "..." or "…" (bracketed or not, maybe followed by
  "read more") whose text starts another, longer line of the article, or, from
  five words and among the first 64 lines, stands anywhere in one;
* ``chrome``: site furniture, from a built-in list or learned per source
  (see :mod:`workers.core.dedupe`); a built-in label leading a link to another
  article ("Read also: Ferry strike ends"), and the headlines listed under such
  a label alone ("Read also:", "Latest"; lines of at most 20 words that end no
  sentence) once a paragraph of the article has been kept (a menu's "Latest"
  above the headline heads no list); a picture's credit ("Photo: Kit
  Halloran"); a copyright notice; a reading time.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")
_ELLIPSIS = re.compile(
    r"[\[(]?\s*(?:\.\.\.+|\u2026)\s*[\])]?\s*"
    r"(?:(?:read|see|view) more|more|continue reading|read on)?\s*[>»›\"]*\s*$"
)
_CHROME_EDGES = " \t:;.,-|>»•·*#"
_REPEAT_EDGES = _CHROME_EDGES + "!?"
#: Separators between a headline and the site's name in a page title (dashes are folded).
_SITE_SEPARATOR = re.compile(r"\s(?:\||-|::|·|•|/)\s")
#: The same, in a text whose dashes are not folded yet (any dash :data:`_QUOTES` folds).
_ANY_SITE_SEPARATOR = re.compile(
    r"\s(?:[|·•/"
    + re.escape("".join(chr(c) for c, folded in _QUOTES.items() if folded == "-"))
    + r"-]|::)\s"
)
#: Most words a site's name after (or before) a repeated headline may have.
SITE_NAME_MAX_WORDS = 6
_TITLE_MAX_WORDS = 40  # longer lines are no page title
#: Fewest words a line needs before another line holding it makes it a repeat, and most
#: characters (a standfirst, a pull quote: not a paragraph).
INSIDE_MIN_WORDS = 6
INSIDE_MAX_CHARS = 400
#: Fewest characters of a teaser's text.
TEASER_MIN_CHARS = 12
#: Fewest words of a teaser's text that may stand anywhere in the line it truncates.
TEASER_INSIDE_MIN_WORDS = 5
#: Lines at an article's top where a line inside another is looked for (the work grows
#: with their length times their number, so not over a whole 1 MB article).
HEAD_LINES = 64
#: Marks that end a sentence: the full stop, question and exclamation marks and the
#: ellipsis, and those of the scripts that have their own ("。", "।", "॥", "؟", "۔",
#: "።", Myanmar "။", Khmer "។", Armenian "։"; NFKC has already folded full-width "!"
#: and "?").
STOPS = ".!?\u2026\u3002\u0964\u0965\u061f\u06d4\u1362\u104b\u17d4\u0589"
#: Closing quotes and brackets that may follow a sentence's mark.
_CLOSING = "\"'\u201d\u2019\u300d\u300f)]"
#: The same, escaped for a regex character class.
CLOSERS = re.escape(_CLOSING)
#: A line that ends a sentence (its mark, then closers).
ENDS_SENTENCE = re.compile(rf"[{STOPS}][{CLOSERS}]*$")
#: The last characters a line that ends a sentence may have (a cheap test before the regex).
_SENTENCE_LAST = frozenset(STOPS + _CLOSING)

#: Lines that are site furniture on most news sites, for a cold start before
#: any source has been learned. Compared through :func:`chrome_key`.
BUILTIN_CHROME_TEXT: tuple[str, ...] = (
    "Skip to content",
    "Skip to main content",
    "Skip to navigation",
    "Read also",
    "Read more",
    "See also",
    "Related",
    "Related articles",
    "Related stories",
    "Latest",
    "Latest news",
    "Most read",
    "Trending",
    "Advertisement",
    "Sponsored",
    "Share",
    "Share this article",
    "Share on Facebook",
    "Share on Twitter",
    "Sign up for our newsletter",
    "Subscribe",
    "Menu",
    "Search",
    "Home",
    "Back to top",
    "Cookie settings",
    "Accept cookies",
    "Listen to this article",
    "Continue reading",
    "Print",
    "Email",
    "Comments",
    "Next article",
    "Previous article",
    "Top stories",
    "More stories",
    "Recommended",
    "You may also like",
    "Don't miss",
    "Share this",
    "Share this story",
    "Newsletter",
    "Newsletters",
)

#: Labels that lead a link to another article on the same line ("Read more: ...").
LINK_LABEL_TEXT: tuple[str, ...] = (
    "Read also",
    "Also read",
    "Read more",
    "See also",
    "Related",
    "Related articles",
    "Related stories",
    "Related news",
    "Recommended",
    "Most read",
    "Trending",
    "Watch",
    "Don't miss",
    "More on this story",
    "Further reading",
)
#: Most words the linked headline after such a label may have.
LINK_MAX_WORDS = 25
#: Lines alone that head a list of links to other articles ("Read also:", "Latest").
LIST_HEADER_TEXT: tuple[str, ...] = (
    *LINK_LABEL_TEXT,
    "Latest",
    "Latest news",
    "Top stories",
    "More stories",
    "You may also like",
    "Related topics",
    "Topics",
    "Tags",
    "Read next",
    "Up next",
    "Most popular",
    "Most viewed",
)
#: Most headlines such a header's list is taken to have, and most words in each.
LIST_MAX_LINKS = 10
LIST_HEADLINE_MAX_WORDS = 20
#: Labels that credit a picture or a source on the same line ("Photo: Kit Halloran").
CREDIT_LABEL_TEXT: tuple[str, ...] = (
    "Photo",
    "Photograph",
    "Photo credit",
    "Picture",
    "Image",
    "Image source",
    "Image credit",
    "Credit",
)
#: Most words the credited name after such a label may have (a caption is longer).
CREDIT_MAX_WORDS = 8
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)\s*(?=\d{4}\b|copyright\b))"
    r"|^copyright\b\s*(?:©|\(c\))?\s*(?:\d{4}\b|all rights reserved)"
    r"|\ball rights reserved\b"
)
#: Most words a copyright notice may have.
COPYRIGHT_MAX_WORDS = 20
_READING_TIME = re.compile(r"^\d{1,3}\s*(?:min|mins|minute|minutes)(?:\s+read)?$")
#: A syndication note: where the article was first published ("This article first appeared
#: in ...", "This story was originally published by ...", "Republished with permission
#: from ..."). The bare "Originally published ..." only without a comma: "Originally
#: published in 1922, the novel ..." is the article's own sentence.
_SYNDICATION = re.compile(
    r"^(?:a version of )?this (?:article|story|post|piece|column)"
    r" (?:was |is |has been )?(?:first |originally )?"
    r"(?:appeared|appears|published|posted|republished)\b"
    r"|^republished (?:with permission|from|under|courtesy)\b"
    r"|^(?:first|originally) (?:appeared|published|posted) (?:in|on|by|at)\b[^,]*$"
)
#: Most words a syndication note may have.
SYNDICATION_MAX_WORDS = 30
#: Where a site's share and follow buttons point (their labels make a line of chrome).
PLATFORM_TEXT: tuple[str, ...] = (
    "Facebook",
    "Twitter",
    "X",
    "WhatsApp",
    "LinkedIn",
    "Telegram",
    "Reddit",
    "Pinterest",
    "Messenger",
    "Instagram",
    "YouTube",
    "TikTok",
    "Threads",
    "Bluesky",
    "Mastodon",
    "Flipboard",
    "Email",
    "E-mail",
    "Copy link",
    "Print",
)
_PLATFORM = "(?:" + "|".join(re.escape(p.casefold()) for p in PLATFORM_TEXT) + ")"
#: A row of share or follow buttons: their labels alone ("Facebook Twitter Email"), or
#: after "Share (this) (on)" / "Follow (us / a name of up to four words) on" ("Follow us on
#: X and Instagram").
_BUTTONS = re.compile(
    rf"^(?:(?:share(?: this(?: article| story| page)?)?(?: on| via)?"
    rf"|follow(?: [^ ]+){{0,4}} on)\s*:?\s+)?"
    rf"{_PLATFORM}(?:\s*[,|/•·]?\s*(?:and |or |& )?{_PLATFORM})*$"
)
#: Most words such a row may have.
BUTTONS_MAX_WORDS = 12
#: An invitation to a newsletter ("Sign up to our morning newsletter", "Subscribe to
#: the Valdoria Briefing newsletter"): an imperative, one clause ("Subscribe to the
#: newsletter, the mayor urged" is the article's text).
_NEWSLETTER = re.compile(
    r"^(?:sign up|subscribe|register)(?: now| today| here| free)?(?: to| for)\b"
    r"[^.!?,;]*\bnewsletters?\b[^.!?,;]*$"
)
#: Most words such an invitation may have.
NEWSLETTER_MAX_WORDS = 15
#: A page's timestamp: "Published 27 November 2026, 14:02 GMT", "Updated 3 hours ago",
#: "Last updated: yesterday", "Posted 27.11.2026". A label, then only words of a date or
#: a time (:data:`_TIME_WORDS`, numbers, "2nd", "9am", a zone's letters), at least one
#: number or "ago", "today", "yesterday"; and no sentence's end (:func:`is_timestamp`):
#: "Published in 2019, the report found ..." and "Updated figures show ..." are the
#: article's own text.
_TIMESTAMP = re.compile(
    r"^(?:published|updated|last updated|first published|posted|last modified)"
    r"(?: on| at)?\s*:?\s+(.+)$"
)
_TIME_TOKEN = re.compile(r"[^\W_]+")
_TIME_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|am|pm|h)?")
#: Names of months and days of the week, whole and short, as a date writes them.
_DATE_NAMES = frozenset(
    (
        "january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday "
        "wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat "
        "sun"
    ).split()
)
#: Words a date or a time is written with, besides numbers and zones of 2 to 4 letters.
_TIME_WORDS = _DATE_NAMES | frozenset(
    (
        "at on am pm ago today yesterday an and hour hours minute minutes min mins day "
        "days week weeks month months year years updated published time"
    ).split()
)
#: A page's date standing alone at its top ("May 3, 2013", "Tuesday, 28 April 2009
#: 22:34 BST"): it is a timestamp without its label when it is among the first
#: :data:`DATE_HEAD_LINES` lines, names a month or a day and a number, and has only words
#: of a date or a time besides (:func:`is_date_line`); letters of a zone only after a clock
#: time, so that a headline of short words and a date ("Kiru vote, May 3") stays.
DATE_HEAD_LINES = 6
_CLOCK = re.compile(r"\d\s*[:.]\s*\d\d|\d\s*[ap]\.?\s*m\b|\b[ap]m\b")
#: What makes a timestamp's rest name a time.
_TIME_ANCHORS = frozenset(("ago", "today", "yesterday"))
#: Most words a timestamp line may have.
TIMESTAMP_MAX_WORDS = 12


def normalize_line(line: str) -> str:
    """Comparison form of a line: NFKC, quotes and dashes folded, spaces collapsed, casefolded."""
    if line.isascii():  # nothing for NFKC or the quote table to do: the common fast path
        return " ".join(line.split()).lower()
    text = unicodedata.normalize("NFKC", line).translate(_QUOTES)
    return _SPACES.sub(" ", text).strip().casefold()


#: Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Japanese
#: kana and Chinese characters (the unified ideographs, extension A and the
#: compatibility block). Each word character of these is a token of its own (their
#: punctuation and combining marks are none).
#: Of those, the scripts whose letters are sounds (Thai, Lao, Myanmar, Khmer: a
#: consonant with its vowel and tone marks)...
SOUND_LETTERS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
#: ... and those whose characters are syllables or morphemes (kana, Chinese characters).
SYLLABLES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
UNSPACED = SOUND_LETTERS + SYLLABLES
_UNSPACED_CHAR = re.compile(rf"(?=\w)[{UNSPACED}]")


def _marks(ranges: str) -> str:
    """The combining marks (Unicode category M) of a regex class's ranges, as a class body."""
    found: list[str] = []
    for start, end in re.findall(r"(.)-(.)", ranges):
        found.extend(
            re.escape(chr(c))
            for c in range(ord(start), ord(end) + 1)
            if unicodedata.category(chr(c)).startswith("M")
        )
    return "".join(found)


#: The combining marks of those scripts (Thai vowels above and below a consonant, tone
#: marks, Japanese voicing marks): no word characters, they belong to the one before.
UNSPACED_MARKS = _marks(UNSPACED)
#: Any character of those blocks (a plain class: the cheapest test that a text has none).
_ANY_UNSPACED = re.compile(f"[{UNSPACED}]")
_TOKEN = re.compile(rf"(?=\w)[{UNSPACED}]|(?:(?![{UNSPACED}])\w)+")
#: The tokens of a text without those scripts (three times faster than :data:`_TOKEN`).
_WORD = re.compile(r"\w+")
#: Characters of a script without spaces that count as one word in a text's length: a
#: Chinese word is one to two characters long (about 1.6 on average in segmented
#: corpora), and two keeps the word-based floors near what they mean in English.
CHARS_PER_WORD = 2


def _spaced(text: str) -> bool:
    """Whether a text has no character of a script without spaces (most text: fast)."""
    return text.isascii() or _ANY_UNSPACED.search(text) is None


def has_unspaced(text: str) -> bool:
    """Whether a text has a character of a script without spaces."""
    return not _spaced(text)


def tokens(text: str) -> list[str]:
    """Word tokens of a text: runs of word characters, a script without spaces by character.

    Each letter of a script written without spaces (Chinese, Japanese, Thai, ...) is a
    token on its own (not its punctuation or combining marks). In English these are the
    runs of word characters as before; a Chinese sentence, one such run from comma to
    comma, becomes its characters, so its shingles and its sentence lengths mean something.
    """
    return _WORD.findall(text) if _spaced(text) else _TOKEN.findall(text)


def tokens_and_length(text: str) -> tuple[list[str], int]:
    """A text's :func:`tokens` and its length in words.

    One a word, and one per :data:`CHARS_PER_WORD` characters of a script without spaces
    (rounded up).
    """
    if _spaced(text):
        found = _WORD.findall(text)
        return found, len(found)
    found = _TOKEN.findall(text)
    # each such character is a token of its own
    unspaced = len(_UNSPACED_CHAR.findall(text))
    return found, len(found) - unspaced + -(-unspaced // CHARS_PER_WORD)


def word_count(text: str, *, normalized: bool = False) -> int:
    """Words of a text as its spaces divide it, a script without spaces by its characters.

    A piece in a script without spaces counts one word per :data:`CHARS_PER_WORD` of its
    characters (rounded up; at least one). ``normalized``: the text is a non-empty
    :func:`normalize_line` form (single spaces), so its spaces are counted.
    """
    if _spaced(text):
        return text.count(" ") + 1 if normalized else len(text.split())
    count = 0
    for piece in text.split():
        unspaced = len(_UNSPACED_CHAR.findall(piece))
        count += max(1, -(-unspaced // CHARS_PER_WORD))
    return count


def chrome_key(line: str) -> str:
    """Form used to match chrome: normalised, no edge punctuation ("Read also:" = "read also")."""
    return normalize_line(line).strip(_CHROME_EDGES)


BUILTIN_CHROME: frozenset[str] = frozenset(chrome_key(text) for text in BUILTIN_CHROME_TEXT)
LINK_LABELS: frozenset[str] = frozenset(chrome_key(text) for text in LINK_LABEL_TEXT)
CREDIT_LABELS: frozenset[str] = frozenset(chrome_key(text) for text in CREDIT_LABEL_TEXT)
LIST_HEADERS: frozenset[str] = frozenset(chrome_key(text) for text in LIST_HEADER_TEXT)
_LABEL_MAX_WORDS = max(len(label.split()) for label in (*LINK_LABELS, *CREDIT_LABELS))
_LINK = re.compile(r"^([^:|>»›,]{2,40}?)\s*([:|>»›,])\s*(\S.*)$")


def is_builtin_chrome(key: str) -> bool:
    """True for a :func:`chrome_key` form that is site furniture on its own.

    The built-in lines; a link label followed by a linked headline ("read more:
    ferry strike ends"); a picture credit ("photo: kit halloran"); a copyright
    notice; a reading time ("4 min read"); a syndication note ("this article first
    appeared in the daily planet").
    """
    if key in BUILTIN_CHROME or key in LIST_HEADERS or _READING_TIME.match(key):
        return True
    words = key.count(" ") + 1  # a chrome key's spaces are single
    if words <= BUTTONS_MAX_WORDS and _BUTTONS.match(key):
        return True
    if words <= NEWSLETTER_MAX_WORDS and "newsletter" in key and _NEWSLETTER.match(key):
        return True
    if words <= SYNDICATION_MAX_WORDS and _SYNDICATION.match(key):
        return True
    if (
        words <= COPYRIGHT_MAX_WORDS
        and ("\u00a9" in key or "(c)" in key or "copyright" in key or "rights reserved" in key)
        and _COPYRIGHT.search(key)
    ):
        return True
    link = _LINK.match(key) if words <= LINK_MAX_WORDS + _LABEL_MAX_WORDS else None
    if link is None:
        return False
    label, rest = link.group(1).strip(_CHROME_EDGES), len(link.group(3).split())
    if link.group(2) == ",":  # "Image source, Getty Images": only a label of two words or more
        return label in CREDIT_LABELS and " " in label and rest <= CREDIT_MAX_WORDS
    return (label in LINK_LABELS and rest <= LINK_MAX_WORDS) or (
        label in CREDIT_LABELS and rest <= CREDIT_MAX_WORDS
    )


def is_timestamp(norm: str) -> bool:
    """True for a :func:`normalize_line` form that is a page's timestamp (:data:`_TIMESTAMP`).

    It is not the article's text, but it dates the page: :func:`clean_lines` keeps it
    apart (:attr:`CleanedText.stamps`) for what reads times from the text.
    """
    key = norm.strip(_CHROME_EDGES)
    if key[:1] not in ("p", "u", "l", "f") or key.count(" ") >= TIMESTAMP_MAX_WORDS:
        return False
    label = _TIMESTAMP.match(key)
    if label is None or ENDS_SENTENCE.search(norm):
        return False
    kinds = _time_kinds(label.group(1))
    return kinds is not None and ("number" in kinds or "anchor" in kinds)


def is_date_line(norm: str) -> bool:
    """True for a :func:`normalize_line` form that is a date alone (:data:`DATE_HEAD_LINES`).

    :func:`clean_lines` reads it so only among an article's first lines: a date heading
    further down (a timeline's) is the article's text.
    """
    key = norm.strip(_CHROME_EDGES)
    if key.count(" ") >= TIMESTAMP_MAX_WORDS or ENDS_SENTENCE.search(norm):
        return False
    kinds = _time_kinds(key)
    if kinds is None or "number" not in kinds or "name" not in kinds:
        return False
    return "zone" not in kinds or _CLOCK.search(key) is not None


def _time_kinds(text: str) -> set[str] | None:
    """The kinds of a date's or a time's words ``text`` is written with, None if any other.

    ``number`` ("27", "2nd", "9am"), ``name`` (of a month or a day), ``anchor`` ("ago",
    "today", "yesterday") and ``zone`` (any other word of 2 to 4 letters); the rest of
    :data:`_TIME_WORDS` ("at", "hours") are of no kind.
    """
    kinds: set[str] = set()
    for token in _TIME_TOKEN.findall(text):
        if _TIME_NUMBER.fullmatch(token):
            kinds.add("number")
        elif token in _DATE_NAMES:
            kinds.add("name")
        elif token in _TIME_ANCHORS:
            kinds.add("anchor")
        elif token in _TIME_WORDS:
            continue
        elif 2 <= len(token) <= 4 and token.isalpha():
            kinds.add("zone")
        else:
            return None
    return kinds


def line_fingerprint(line: str) -> str:
    """Short stable fingerprint of a line's chrome form (a Redis hash field)."""
    return key_fingerprint(chrome_key(line))


def key_fingerprint(key: str) -> str:
    """:func:`line_fingerprint` of a line whose :func:`chrome_key` is already known."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def split_lines(text: str) -> list[str]:
    """Non-blank lines of a text, stripped of surrounding whitespace."""
    return [stripped for raw in text.splitlines() if (stripped := raw.strip())]


@dataclass(frozen=True)
class CleanedText:
    """Lines kept from one article, in order, and how many were removed per reason."""

    lines: tuple[str, ...]
    removed: Mapping[str, int] = field(default_factory=dict)
    normalized: tuple[str, ...] = ()
    """The kept lines in :func:`normalize_line` form (for fingerprints)."""
    stamps: tuple[str, ...] = ()
    """The page's timestamp lines, removed as chrome (:func:`is_timestamp`, and
    :func:`is_date_line` at its top): not the article's text, but the years and days
    they name date it (story linking reads them)."""

    @property
    def body(self) -> str:
        """Kept lines joined as paragraphs."""
        return "\n\n".join(self.lines)


def _linked_headline(norm: str) -> bool:
    """True for a line shaped like another article's headline in a list of links.

    At most :data:`LIST_HEADLINE_MAX_WORDS` words and no full stop or exclamation
    at its end: a paragraph of the article ends its sentence.
    """
    return norm.count(" ") < LIST_HEADLINE_MAX_WORDS and norm.rstrip("\"')]")[-1:] not in ".!"


class _Text:
    """An article's normalised lines, its first :data:`HEAD_LINES` joined.

    They answer whether a text appears inside another line there, in time linear in
    the article.
    """

    def __init__(self, norms: Sequence[str]) -> None:
        self.norms = norms
        self.head = "\n".join(norms[:HEAD_LINES])
        self.counts = Counter(norms[:HEAD_LINES])
        self._sorted: list[str] | None = None

    def continued(self, stem: str, norm: str) -> bool:
        """True when a line other than ``norm`` opens with ``stem`` and goes on after it.

        Edge punctuation aside; in logarithmic time: the lines that open with ``stem``
        are neighbours in sorted order.
        """
        if self._sorted is None:  # sorted on the first teaser: most articles have none
            self._sorted = sorted({line.lstrip(_REPEAT_EDGES) for line in self.norms})
        own = norm.lstrip(_REPEAT_EDGES)
        start = bisect.bisect_left(self._sorted, stem)
        # at most the stem itself and the teaser come before a longer line
        for other in self._sorted[start : start + 3]:
            if not other.startswith(stem):
                return False
            if other != own and len(other) > len(stem):
                return True
        return False

    def elsewhere(self, text: str, norm: str) -> bool:
        """True when ``text``, a part of the head's line ``norm``, is in another head line."""
        return self.head.count(text) > self.counts[norm]


def _is_teaser(index: int, norm: str, text: _Text) -> bool:
    """True when ``norm`` ends in an ellipsis and its stem is in another line.

    The stem must open that line, or, from :data:`TEASER_INSIDE_MIN_WORDS` words, may
    stand anywhere in it (after a dateline: "VALDORIA (Planet) - ..."), among the article's
    first :data:`HEAD_LINES` lines.
    """
    if "..." not in norm[-32:]:  # NFKC writes "\u2026" as three dots
        return False
    match = _ELLIPSIS.search(norm)
    if match is None:
        return False
    stem = norm[: match.start()].rstrip().lstrip(_REPEAT_EDGES)
    if len(stem) < TEASER_MIN_CHARS:
        return False
    if (
        index < HEAD_LINES
        and word_count(stem, normalized=True) >= TEASER_INSIDE_MIN_WORDS
        and text.elsewhere(stem, norm)
    ):
        return True
    return text.continued(stem, norm)


def _repeat_key(norm: str) -> str:
    """Form in which two lines are one: no edge punctuation ("Hi." = "hi")."""
    return norm.strip(_REPEAT_EDGES)


def _site_twin(key: str, keys: Mapping[str, int]) -> int | None:
    """Index of the line ``key`` repeats with a site's name before or after it, if any.

    "ferry strike ends | the daily planet" repeats "ferry strike ends" when another
    line is exactly that: the plain headline (three words or more), the name at most
    :data:`SITE_NAME_MAX_WORDS` words.
    """
    if key.count(" ") >= _TITLE_MAX_WORDS:
        return None
    separators = list(_SITE_SEPARATOR.finditer(key))
    if not separators:
        return None
    for cut in (separators[-1], separators[0]):
        for headline, name in (
            (key[: cut.start()], key[cut.end() :]),
            (key[cut.end() :], key[: cut.start()]),
        ):
            plain = headline.strip(_REPEAT_EDGES)
            if (
                plain != key
                and plain in keys
                and len(plain.split()) >= 3
                and len(name.split()) <= SITE_NAME_MAX_WORDS
            ):
                return keys[plain]
    return None


def _inside_another(index: int, norm: str, text: _Text) -> bool:
    """True when ``norm`` is a whole sentence (or more) that another, longer line holds.

    A standfirst that is also the lead's first sentence, a pull quote: dropping the
    shorter line loses no text. From :data:`INSIDE_MIN_WORDS` words, and only a line
    that ends a sentence: a headline the lead repeats stays the headline. Among the
    article's first :data:`HEAD_LINES` lines, where standfirst and lead stand.
    """
    if index >= HEAD_LINES or norm[-1:] not in _SENTENCE_LAST or len(norm) > INSIDE_MAX_CHARS:
        return False
    if not ENDS_SENTENCE.search(norm) or word_count(norm, normalized=True) < INSIDE_MIN_WORDS:
        return False
    return text.elsewhere(norm, norm)


def clean_lines(
    text: str,
    learned: frozenset[str] = frozenset(),
    chrome: frozenset[str] = BUILTIN_CHROME,
) -> CleanedText:
    """Remove repeated lines, truncated teasers and chrome from one article.

    ``chrome`` holds :func:`chrome_key` forms of lines to drop (the built-in
    list by default, with :func:`is_builtin_chrome`'s patterns; another set
    replaces both); ``learned`` holds :func:`line_fingerprint` values of a
    source's learned boilerplate.
    """
    lines = split_lines(text)
    norms = [normalize_line(line) for line in lines]
    builtin = chrome is BUILTIN_CHROME
    chrome_keys = [norm.strip(_CHROME_EDGES) for norm in norms]
    furniture = [
        key in chrome
        or (builtin and is_builtin_chrome(key))
        or bool(learned and key_fingerprint(key) in learned)
        for key in chrome_keys
    ]
    repeats = [_repeat_key(norm) for norm in norms]
    keys: dict[str, int] = {}
    for i, repeat in enumerate(repeats):
        keys.setdefault(repeat, i)
    # a line another one holds, or a teaser's whole line, is looked for in the article's
    # text only: a chrome line ("Read more: <the lead>") goes, and would take it along
    article = _Text([norm for norm, gone in zip(norms, furniture, strict=True) if not gone])
    decorated = _ANY_SITE_SEPARATOR.search(text) is not None
    removed: dict[str, int] = {}
    stamps: list[str] = []
    kept: list[str] = []
    seen: set[str] = set()
    kept_norms: list[str] = []
    links = 0  # headlines of other articles that may still follow a list's header
    paragraphs = False  # a list is read as one once the article's text has begun, not in the menu
    for index, (line, norm) in enumerate(zip(lines, norms, strict=True)):
        repeat = repeats[index]
        if builtin and (  # ("first published on ..." is a syndication note too)
            is_timestamp(norm) or (index < DATE_HEAD_LINES and is_date_line(norm))
        ):
            stamps.append(line)
            reason = "chrome"
        elif furniture[index]:
            header = builtin and paragraphs and chrome_keys[index] in LIST_HEADERS
            links = LIST_MAX_LINKS if header else 0
            reason = "chrome"
        elif links and _linked_headline(norm):
            links -= 1
            reason = "chrome"
        elif repeat in seen:
            reason = "repeat"
        elif _is_teaser(index, norm, article):
            reason = "teaser"
        elif _inside_another(index, norm, article):
            reason = "repeat"
        elif decorated and (twin := _site_twin(repeat, keys)) is not None:
            # the plain headline takes the decorated one's place, and is a repeat where it stands
            if repeats[twin] not in seen:
                kept.append(lines[twin])
                kept_norms.append(norms[twin])
                seen.add(repeats[twin])
                continue
            reason = "repeat"
        else:
            kept.append(line)
            kept_norms.append(norm)
            seen.add(repeat)
            links = 0
            paragraphs = paragraphs or not _linked_headline(norm)
            continue
        removed[reason] = removed.get(reason, 0) + 1
    return CleanedText(
        lines=tuple(kept), removed=removed, normalized=tuple(kept_norms), stamps=tuple(stamps)
    )
