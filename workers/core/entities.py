"""Named entities as data: mentions, canonical entities per article, model info.

The spaCy adapter (:mod:`workers.adapters.spacy_ner`) returns plain
:class:`Mention` tuples; :func:`canonical_entities` turns one article's
mentions into entities grouped per real-world name, driven by the data tables below (variants,
stripped words), not by scattered conditions. What is known about names from outside the
article (the gazetteers) comes in as a function, :data:`Known`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workers.core.places import Place

#: Well-known variants -> one canonical name (keys compared lower-case,
#: after leading articles and possessives are stripped).
VARIANTS: Mapping[str, str] = {
    "u.s.": "United States",
    "u.s": "United States",
    "us": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "united states": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "united kingdom": "United Kingdom",
    "eu": "European Union",
    "e.u.": "European Union",
    "european union": "European Union",
    "un": "United Nations",
    "u.n.": "United Nations",
    "united nations": "United Nations",
    "uae": "United Arab Emirates",
    "u.a.e.": "United Arab Emirates",
    "kiev": "Kyiv",
    "russian federation": "Russia",
    "white house": "White House",
    "kremlin": "Kremlin",
}


def _legal_forms() -> frozenset[tuple[str, ...]]:
    """Company legal forms ("Inc", "S.A.", "GmbH", "plc"), folded.

    From ``cleanco``'s term data (MIT; legal forms by country): lower case, no dots or
    commas, split in words.
    """
    from cleanco.termdata import terms_by_type

    return frozenset(
        tuple(_fold_legal(term).split())
        for terms in terms_by_type.values()
        for term in terms
        if _fold_legal(term).split()
    )


def _fold_legal(text: str) -> str:
    return text.casefold().replace(".", "").replace(",", " ")


LEGAL_FORMS = _legal_forms()
_LEGAL_LONGEST = max(len(form) for form in LEGAL_FORMS)


def legal_form(name: str) -> bool:
    """Whether a name ends with a company's legal form after a name.

    "Iberdrola SA", "Bilfinger Berger AG", "Apple Inc.", "Tesco plc". A one-word form
    of up to three letters counts only written as one: in capitals, in lower case or
    with a dot ("Maria Sal" is a person, "Byblos Bank SAL" a company).
    """
    words = name.replace(",", " ").split()
    for size in range(min(_LEGAL_LONGEST, len(words) - 1), 0, -1):
        tail = words[-size:]
        if tuple(_fold_legal(" ".join(tail)).split()) not in LEGAL_FORMS:
            continue
        word = tail[0]
        if size == 1 and len(word.replace(".", "")) <= 3:
            return word.isupper() or word.islower() or word.endswith(".")
        return True
    return False


#: Whether a name is known from outside the article (a place of the gazetteers).
Known = Callable[[str], bool]

#: Words stripped from the start of a mention ("the Kremlin" -> "Kremlin").
LEADING_WORDS = ("the ", "The ")
#: Endings stripped from a mention ("Kremlin's" -> "Kremlin").
TRAILING = ("'s", "\u2019s", "'", "\u2019")
#: When votes tie, the label listed first wins.
LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "LOC", "NORP", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART")
_EDGE = ' \t\n.,;:!?"()[]'
#: What joins names inside one span the model returned ("Trump-Putin", "Kyiv and Kharkiv").
_JOINER = re.compile(r"\s*(?:[-\u2010\u2011\u2013,&]|\band\b)\s*")


@dataclass(frozen=True)
class Mention:
    """One entity span as the model found it; offsets index the text given to the model."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """Mentions of one real-world name within one article."""

    canonical: str
    label: str
    text: str
    count: int
    mentions: tuple[Mention, ...]
    first_offset: int
    salience: float
    geo: Place | None = None
    """Where the place is, when the entity is a place that resolved (:mod:`workers.core.places`)."""


def surface(text: str) -> str:
    """A mention without leading articles, possessives and edge punctuation."""
    value = text.strip(_EDGE)
    for word in LEADING_WORDS:
        if value.startswith(word):
            value = value[len(word) :]
    for ending in TRAILING:
        if value.endswith(ending):
            value = value[: -len(ending)]
    value = value.strip(_EDGE)
    # a name ends on a capitalised word: "Paktika province" is Paktika
    words = value.split(" ")
    while len(words) > 1 and words[-1].isalpha() and words[-1].islower():
        words.pop()
    return " ".join(words)


def canonical_name(text: str) -> str:
    """Canonical form of one surface: a known variant's name, else the surface itself.

    A short abbreviation is one only in capitals: "US" is the United States, "Us" a
    magazine and "us" a pronoun.
    """
    value = surface(text)
    key = value.casefold()
    name = VARIANTS.get(key)
    if name is None or (key.isalpha() and len(key) <= 3 and not value.isupper()):
        return value
    return name


def _proper(name: str, label: str) -> bool:
    """Whether a name can be one: it has a capital ("research institute" has none).

    A script without case ("北京") has no capital to show; a person's name has no
    digit ("H5N1").
    """
    if any(c.islower() for c in name) and not any(c.isupper() for c in name):
        return False  # written in a script with case, and no capital
    return not (label == "PERSON" and any(c.isdigit() for c in name))


def _vote(labels: Iterable[str]) -> str:
    counts = Counter(labels)
    rank = {label: index for index, label in enumerate(LABEL_PRIORITY)}
    return min(counts, key=lambda label: (-counts[label], rank.get(label, len(rank))))


def _label_of(found: Sequence[Mention]) -> str:
    """The majority of the model's labels.

    Parts of a split span carry no label of their own; when no mention of the
    name has one, it was a part of joined person names ("Trump-Putin").
    """
    labels = [m.label for m in found if m.label]
    return _vote(labels) if labels else "PERSON"


def _split_compounds(mentions: Sequence[Mention], known: Known | None) -> list[Mention]:
    """Split a span that joins names ("Trump-Putin", "Kyiv and Kharkiv") into its parts.

    Only when every part is itself a name of the article or a known one (a place of
    the gazetteers, labelled GPE).
    """
    names = {canonical_name(m.text) for m in mentions if not _JOINER.search(surface(m.text))}

    # a word of one of the article's longer names ("Palin" of "Sarah Palin") is that
    # name's, whatever place shares it
    words = {word for name in names if " " in name for word in name.split()}

    def is_name(part: str) -> bool:
        return part in names or (known is not None and part not in words and known(part))

    result: list[Mention] = []
    for mention in mentions:
        value = surface(mention.text)
        parts = [part for part in _JOINER.split(value) if part]
        if len(parts) > 1 and all(is_name(canonical_name(part)) for part in parts):
            offset = mention.start + mention.text.find(value)
            for part in parts:
                at = mention.text.find(part, max(0, offset - mention.start))
                start = mention.start + max(at, 0)
                # a part named elsewhere in the article takes that name's label; one only
                # the gazetteers know (a place) is a place
                label = "" if canonical_name(part) in names else "GPE"
                result.append(Mention(part, label, start, start + len(part)))
                offset = start + len(part)
        else:
            result.append(mention)
    return result


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _people_by_family_name(labels: dict[str, str]) -> set[str]:
    """Full names the model tagged ORG whose last word the article uses alone for a person.

    "Ilse Brandvold" (ORG) in an article that goes on "Brandvold said" (PERSON) is that
    person: the small model often tags a full name it does not know as an organisation,
    and a surname alone as a person. Only a name of two or three capitalised words with
    no company legal form, whose last word no full PERSON name of the article has.
    """
    people_words = {
        word
        for name, label in labels.items()
        if label == "PERSON" and " " in name
        for word in name.split()
    }
    found: set[str] = set()
    for name in labels:
        words = name.split()
        last = words[-1]
        if (
            labels[name] == "ORG"
            and 2 <= len(words) <= 3
            and all(w[:1].isupper() and w[1:].islower() for w in words)
            and labels.get(last) == "PERSON"
            and last not in people_words
            and not legal_form(name)
        ):
            found.add(name)
    return found


def _link_short_names(groups: dict[str, list[Mention]], labels: dict[str, str]) -> dict[str, str]:
    """Map a short name to the one longer name of the article it stands for.

    * a one-word name that is a word of exactly one full PERSON name
      ("Moedas" -> "Carlos Moedas", "Lula" -> "Luiz Inacio Lula da Silva"); its own label does not
      matter, the model often tags a lone surname as ORG or LOC;
    * an acronym that spells the initials of exactly one multi-word name
      ("ECB" -> "European Central Bank").
    """
    people = [name for name in groups if labels[name] == "PERSON" and " " in name]
    long_names = [name for name in groups if " " in name]
    links: dict[str, str] = {}
    for name in groups:
        if " " in name:
            continue
        # a place the model tagged as one is not the given name of a "person" it begins
        # (a town's name opening a business the model took for a person)
        placed = labels[name] in ("GPE", "LOC")
        full = [p for p in people if name in p.split()[1 if placed else 0 :]]
        if len(full) != 1 and name.isupper() and len(name) >= 2:
            full = [n for n in long_names if _initials(n) == name]
        if len(full) == 1:
            links[name] = full[0]
    return links


def _one_line(mention: Mention) -> Mention:
    """A span the model ran across a line break keeps its last line (the name)."""
    if "\n" not in mention.text:
        return mention
    cut = mention.text.rindex("\n") + 1
    return Mention(mention.text[cut:], mention.label, mention.start + cut, mention.end)


def canonical_entities(
    mentions: Sequence[Mention],
    *,
    title: str | None,
    text_length: int,
    labels: Iterable[str],
    known: Known | None = None,
) -> list[Entity]:
    """Group one article's mentions into canonical entities, ordered by salience.

    ``known`` tells names known from outside the article (the gazetteers' places), so a
    span joining two of them is split even when neither appears alone.
    """
    wanted = set(labels)
    parts = _split_compounds([_one_line(m) for m in mentions], known)
    groups: dict[str, list[Mention]] = {}
    for mention in parts:
        groups.setdefault(canonical_name(mention.text), []).append(mention)
    groups.pop("", None)
    labels_of = {
        name: "ORG" if legal_form(name) else _label_of(found) for name, found in groups.items()
    }
    for name in _people_by_family_name(labels_of):
        labels_of[name] = "PERSON"
    links = _link_short_names(groups, labels_of)
    merged: dict[str, list[Mention]] = {}
    for name, found in groups.items():
        merged.setdefault(links.get(name, name), []).extend(found)
    title_folded = (title or "").casefold()
    entities = []
    for name, found in merged.items():
        label = labels_of[name]
        if label not in wanted or not _proper(name, label):
            continue
        found.sort(key=lambda m: m.start)
        entities.append(
            Entity(
                canonical=name,
                label=label,
                text=max((surface(m.text) for m in found), key=len),
                count=len(found),
                mentions=tuple(found),
                first_offset=found[0].start,
                salience=mention_salience(found, name, title_folded, text_length),
            )
        )
    top = max((e.salience for e in entities), default=1.0) or 1.0
    ranked = [
        Entity(
            e.canonical,
            e.label,
            e.text,
            e.count,
            e.mentions,
            e.first_offset,
            round(e.salience / top, 4),
        )
        for e in entities
    ]
    return sorted(ranked, key=lambda e: (-e.salience, e.first_offset, e.canonical))


def mention_salience(found: Sequence[Mention], name: str, title: str, length: int) -> float:
    """Earlier and more frequent mentions weigh more; a mention in the title most.

    ``title`` is case-folded.
    """
    span = max(length, 1)
    weight = sum(1.0 + (1.0 - min(m.start, span) / span) for m in found)
    if title and (name.casefold() in title or any(m.text.casefold() in title for m in found)):
        weight += 3.0
    return weight


@dataclass(frozen=True)
class ModelInfo:
    """Name, version and language of the pipeline that found the entities."""

    name: str
    version: str
    lang: str
