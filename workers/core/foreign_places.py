"""Places in articles the English model does not read, found by name. Pure.

No English NER runs on an article in another language; its places are still worth
publishing. This module finds them by matching the article's words against the
names a gazetteer gives places in many languages and scripts (the adapter
:mod:`workers.adapters.gazetteer` builds :class:`ForeignNames` from GeoNames'
alternate names of the largest cities and ISO 3166's country names translated into
the article's language). Without a model, only what a name alone says is trusted:

* **a name is matched whole**: in a script with capital letters, a run of words that
  starts with a capital and is not part of a longer capitalised run ("Milan" is a
  city, "Milan Kučan" a person, "Baden" a city but not in "Baden-Württemberg"; only a
  short word opening the sentence may come before: "A Napoli"), elided or
  lower-case neighbours split off ("L'Italie", "Türkiye'nin", "Oslo-lista");
* in scripts without capitals and with spaces (Arabic, Hebrew, Indic, Ethiopic...)
  a name must be a whole word or words; in Korean, whose particles are written onto
  the noun, a word may start with it ("런던은"); in Chinese and Japanese, which do not
  separate words, a name may stand anywhere, but katakana (foreign names) not inside
  a longer katakana word;
* **only names of places news names often**: the gazetteer keeps countries and cities
  of at least a million people, so a common word that is also a small town's name
  ("Essen" in German, "Halle") is never taken;
* a name several places share is resolved by the article's other places as in
  English (:func:`workers.core.places.choose_place`), else left out.

Inflected forms ("Londonban", "Соединённом Королевстве") are not found: recall is
given up for precision.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from workers.core.entities import Entity, Mention, mention_salience
from workers.core.places import Located, Place, choose_place, name_key

#: Longest name, in words (or characters, in Chinese and Japanese), looked up.
MAX_NAME_WORDS = 5
MAX_CJK_CHARS = 10
#: Shortest name taken: letters in a cased script, characters in others (Chinese
#: names of two characters are common: 英国, 法国).
MIN_CASED_LETTERS = 3
MIN_CASELESS_CHARS = 2
#: A capitalised word of at most this many letters opening a sentence may come before a
#: name: a preposition or an article ("In", "A", "W", "В"), not part of the name.
SHORT_OPENER = 2
#: Label of a place found by name.
FOUND_LABEL = "GPE"
#: Separators that tie a word to its neighbour without ending a name run: a hyphen
#: joins ("Royaume-Uni", "Рио-де-Жанейро"); an apostrophe splits off a clitic
#: ("L'Italie", "Türkiye'nin").
_HYPHENS = frozenset("-\u2010\u2011")
_APOSTROPHES = frozenset("'\u2019\u02bc")


def script_of(char: str) -> str:
    """A coarse script class: ``cased``, ``han``, ``kana``, ``hangul`` or ``other``."""
    if char.lower() != char.upper():
        return "cased"
    code = ord(char)
    if 0x3040 <= code <= 0x309F or _katakana(char):
        return "kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    return "other"


def _katakana(char: str) -> bool:
    code = ord(char)
    return 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F


def caseless_key(name: str) -> str:
    """How names in scripts without capitals are compared.

    NFC, case folded, spaces collapsed; vowel signs and marks kept (in Indic scripts
    they tell words apart).
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _marks() -> str:
    """Every combining mark (Mn, Mc) as the body of a regex character class.

    Vowel signs of Indic scripts are part of a word, though not alphanumeric to Python.
    """
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x300, 0x20000):
        if unicodedata.category(chr(code)) in {"Mn", "Mc"}:
            if code != previous + 1:
                if start >= 0:
                    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
                start = code
            previous = code
    ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return "".join(ranges)


_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")
_WORD = re.compile(rf"(?:[^\W_]|[{_marks()}\u200c])+")


class Word(NamedTuple):
    """A word of the text and how it is tied to the word before it."""

    start: int
    end: int
    text: str
    joined: str
    """``" "`` (space or nothing), ``"-"`` (hyphen), ``"'"`` (apostrophe) or ``"|"``
    (punctuation: a name never runs across it)."""


def words(text: str) -> list[Word]:
    """The text's words with the separators before them."""
    found: list[Word] = []
    gap_start = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        gap = text[gap_start:start]
        if start == gap_start or gap.isspace():
            joined = " "
        else:
            gap = gap.strip()
            joined = "-" if gap in _HYPHENS else "'" if gap in _APOSTROPHES else "|"
        found.append(Word(start, end, match.group(), joined))
        gap_start = end
    return found


class ForeignNames:
    """Place names in many languages.

    Some are shared by all (the cities' names in every script), some only for articles
    in one language (country names translated into it). Cased-script names are
    compared by :func:`name_key`, others by :func:`caseless_key`.
    """

    def __init__(
        self,
        shared: Iterable[tuple[str, Place]],
        by_language: Mapping[str, Iterable[tuple[str, Place]]] | None = None,
    ) -> None:
        self._shared = _tables(shared)
        self._languages = {lang: _tables(rows) for lang, rows in (by_language or {}).items()}
        tables = [self._shared, *self._languages.values()]
        #: The first word of every name, to pass over the words no name starts with.
        self._firsts = (
            {key.split(" ")[0] for table in tables for key in table[0]},
            {_SPLIT.split(key)[0] for table in tables for key in table[1]},
        )
        #: Longest name starting with each character (Chinese and Japanese: no words).
        self._longest: dict[str, int] = {}
        for table in tables:
            for key in table[1]:
                if key[0] not in self._longest or len(key) > self._longest[key[0]]:
                    self._longest[key[0]] = len(key)

    def starts(self, word: str, cased: bool) -> bool:
        """Whether some name's first word is ``word`` (a key of one word)."""
        return word in self._firsts[0 if cased else 1]

    def longest(self, char: str) -> int:
        """Length of the longest caseless name starting with ``char`` (0: none does)."""
        return self._longest.get(char, 0)

    def lookup(self, key: str, language: str, cased: bool) -> tuple[Place, ...]:
        """Places of a name key (cased or caseless) in an article in ``language``."""
        side = 0 if cased else 1
        own = self._languages.get(language)
        found = self._shared[side].get(key, ())
        if own is not None:
            extra = own[side].get(key, ())
            if extra:
                found = found + tuple(p for p in extra if p not in found)
        return found


def _tables(
    rows: Iterable[tuple[str, Place]],
) -> tuple[dict[str, tuple[Place, ...]], dict[str, tuple[Place, ...]]]:
    cased: dict[str, list[Place]] = {}
    caseless: dict[str, list[Place]] = {}
    for name, place in rows:
        first = next((c for c in name if c.isalpha()), "")
        if not first:
            continue
        if script_of(first) == "cased":
            letters = sum(c.isalpha() for c in name)
            if not first.isupper() or letters < MIN_CASED_LETTERS or name.isupper():
                continue
            key, table = name_key(name), cased
        else:
            if len(name.replace(" ", "")) < MIN_CASELESS_CHARS:
                continue
            key, table = caseless_key(name), caseless
        bucket = table.setdefault(key, [])
        if place not in bucket:
            bucket.append(place)
    return (
        {k: tuple(v) for k, v in cased.items()},
        {k: tuple(v) for k, v in caseless.items()},
    )


@dataclass(frozen=True)
class Found:
    """A place name found in the text, with every place it may mean."""

    start: int
    end: int
    places: tuple[Place, ...]


def find_names(text: str, names: ForeignNames, language: str) -> list[Found]:
    """Every place name of ``names`` in ``text``, longest first, not overlapping."""
    found: list[Found] = []
    tokens = words(text)
    lookup = _Lookup(names, language)
    i = 0
    while i < len(tokens):
        match = _match_at(text, tokens, i, lookup)
        if match is None:
            i += 1
            continue
        hit, taken = match
        found.extend(hit)
        i += taken
    return found


@dataclass(frozen=True)
class _Lookup:
    names: ForeignNames
    language: str

    def starts(self, word: str, cased: bool) -> bool:
        return self.names.starts(word, cased)

    def cased(self, key: str) -> tuple[Place, ...]:
        return self.names.lookup(key, self.language, cased=True)

    def caseless(self, key: str) -> tuple[Place, ...]:
        return self.names.lookup(key, self.language, cased=False)


def _match_at(
    text: str, tokens: list[Word], i: int, names: _Lookup
) -> tuple[list[Found], int] | None:
    word = tokens[i]
    first = next((c for c in word.text if c.isalpha()), None)
    if first is None:
        return None
    kind = script_of(first)
    if kind == "cased":
        return _cased_at(tokens, i, names)
    if kind in {"han", "kana"}:
        hits = _cjk_in(word, names)
        return (hits, 1) if hits else None
    if kind == "hangul":
        return _prefix_at(word, names)
    return _caseless_at(text, tokens, i, names)


def _capitalised(word: Word) -> bool:
    first = word.text[0]
    return script_of(first) == "cased" and first.isupper()


def _cased_at(tokens: list[Word], i: int, names: _Lookup) -> tuple[list[Found], int] | None:
    if not _capitalised(tokens[i]) or not names.starts(name_key(tokens[i].text), cased=True):
        return None
    # the word before, when tied by a space or a hyphen, must not be capitalised too,
    # unless it is a short word opening the sentence ("In", "A", "W", "В")
    if tokens[i].joined in {" ", "-"} and i > 0 and _capitalised(tokens[i - 1]):
        before = tokens[i - 1]
        opens = i == 1 or before.joined == "|"
        if not (opens and tokens[i].joined == " " and len(before.text) <= SHORT_OPENER):
            return None
    for size in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
        run = tokens[i : i + size]
        if any(w.joined not in {" ", "-"} for w in run[1:]):
            continue
        places = names.cased(name_key(" ".join(w.text for w in run)))
        if not places:
            continue
        after = tokens[i + size] if i + size < len(tokens) else None
        if after is not None and after.joined in {" ", "-"} and _capitalised(after):
            return None  # part of a longer capitalised run: another name
        return [Found(run[0].start, run[-1].end, places)], size
    return None


def _caseless_at(
    text: str, tokens: list[Word], i: int, names: _Lookup
) -> tuple[list[Found], int] | None:
    if not names.starts(caseless_key(tokens[i].text), cased=False):
        return None
    for size in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
        run = tokens[i : i + size]
        if any(w.joined not in {" ", "-"} for w in run[1:]):
            continue
        places = names.caseless(caseless_key(text[run[0].start : run[-1].end]))
        if not places:
            places = names.caseless(caseless_key(" ".join(w.text for w in run)))
        if places:
            return [Found(run[0].start, run[-1].end, places)], size
    return None


def _prefix_at(word: Word, names: _Lookup) -> tuple[list[Found], int] | None:
    longest = min(len(word.text), names.names.longest(word.text[0]))
    for size in range(longest, MIN_CASELESS_CHARS - 1, -1):
        places = names.caseless(caseless_key(word.text[:size]))
        if places:
            return [Found(word.start, word.start + size, places)], 1
    return None


def _cjk_in(word: Word, names: _Lookup) -> list[Found]:
    text = word.text
    hits: list[Found] = []
    i = 0
    while i < len(text):
        longest = min(MAX_CJK_CHARS, len(text) - i, names.names.longest(text[i]))
        for size in range(longest, MIN_CASELESS_CHARS - 1, -1):
            part = text[i : i + size]
            places = names.caseless(caseless_key(part))
            if not places:
                continue
            before = text[i - 1] if i > 0 else ""
            after = text[i + size] if i + size < len(text) else ""
            if _katakana(part[0]) and any(_katakana(c) for c in (before, after) if c):
                continue  # inside a longer katakana word
            hits.append(Found(word.start + i, word.start + i + size, places))
            i += size
            break
        else:
            i += 1
    return hits


def place_mentions(
    text: str, names: ForeignNames, language: str
) -> tuple[list[Mention], dict[int, Place]]:
    """Mentions of the places named in ``text`` that resolve, and each one's place.

    The places are keyed by the mention's start. A name several places share is
    resolved by the countries the text's unambiguous names point at
    (:func:`~workers.core.places.choose_place`), else left out.
    """
    found = find_names(text, names, language)
    pointed: set[str] = set()
    for hit in found:
        codes = {p.country for p in hit.places}
        if len(codes) == 1:
            pointed |= codes
    mentions: list[Mention] = []
    where: dict[int, Place] = {}
    for hit in found:
        place = choose_place(hit.places, pointed)
        if place is None:
            continue
        mentions.append(Mention(text[hit.start : hit.end], FOUND_LABEL, hit.start, hit.end))
        where[hit.start] = place
    return mentions, where


def foreign_entities(text: str, title: str | None, names: ForeignNames, language: str) -> Located:
    """The places of an article in another language, and its main countries.

    As :func:`workers.core.places.locate` gives them for English: entities with ``geo``.
    An entity is one place however it is written; its canonical name is the
    gazetteer's ("London" for "Londres" and "Лондон"), its text the first form written.
    """
    mentions, where = place_mentions(text, names, language)
    groups: dict[Place, list[Mention]] = {}
    for mention in mentions:
        groups.setdefault(where[mention.start], []).append(mention)
    folded = (title or "").casefold()
    weights = {
        place: mention_salience(found, place.name, folded, len(text))
        for place, found in groups.items()
    }
    top = max(weights.values(), default=1.0) or 1.0
    entities = [
        Entity(
            canonical=place.name,
            label=FOUND_LABEL,
            text=found[0].text,
            count=len(found),
            mentions=tuple(found),
            first_offset=found[0].start,
            salience=round(weights[place] / top, 4),
            geo=place,
        )
        for place, found in groups.items()
    ]
    entities.sort(key=lambda e: (-e.salience, e.first_offset, e.canonical))
    counts: Counter[str] = Counter()
    for entity in entities:
        counts[entity.geo.country if entity.geo else ""] += entity.count
    countries = [code for code, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Located(entities, countries)
