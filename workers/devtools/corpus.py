"""A generated news corpus with known duplicates, for tests, evaluation and benchmarks.

Written for this project: sentences are assembled from templates and word
lists, so any number of distinct, realistic-looking stories can be made,
deterministically from a seed. Besides originals it makes

* ``exact``: the same text under another id (spacing and case changed);
* ``near``: the same story with small edits (rewritten headline, a changed
  paragraph, an added byline, a dropped sentence);
* ``syndicated``: the story from another outlet with a new headline, a byline
  and a credit line;
* ``distinct``: another story on the same topic and place, which must not be
  merged with the first;
* ``update``: the same story later, with new facts: every paragraph kept or one
  sentence dropped, one or two new paragraphs, maybe a new headline. It must get
  a full event in the first article's story, not a duplicate notice.

Each article carries the id of the story it belongs to, which is the truth the
evaluation compares decisions with.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["original", "exact", "near", "syndicated", "distinct", "update"]

FIRST = (
    "Ana",
    "Marco",
    "Lena",
    "Tomas",
    "Sofia",
    "Jonas",
    "Irene",
    "Pavel",
    "Clara",
    "Dmitri",
    "Nadia",
    "Oskar",
    "Elena",
    "Hugo",
    "Marta",
    "Viktor",
    "Ingrid",
    "Rafael",
    "Zofia",
    "Emil",
)
LAST = (
    "Kovacs",
    "Moreau",
    "Lindqvist",
    "Ferreira",
    "Novak",
    "Brandt",
    "Rossi",
    "Petrov",
    "Jansen",
    "Okafor",
    "Schmidt",
    "Garcia",
    "Nowak",
    "Keller",
    "Varga",
    "Haddad",
    "Silva",
    "Larsen",
    "Dumont",
    "Weber",
)
CITIES = (
    "Lisbon",
    "Warsaw",
    "Rotterdam",
    "Gdansk",
    "Porto",
    "Vienna",
    "Lyon",
    "Turin",
    "Bergen",
    "Krakow",
    "Seville",
    "Hamburg",
    "Riga",
    "Tallinn",
    "Marseille",
    "Antwerp",
    "Bilbao",
    "Gothenburg",
    "Brno",
    "Ljubljana",
)
COUNTRIES = (
    "Portugal",
    "Poland",
    "the Netherlands",
    "Austria",
    "France",
    "Italy",
    "Norway",
    "Spain",
    "Germany",
    "Latvia",
    "Estonia",
    "Belgium",
    "Sweden",
    "Slovenia",
)
OUTLETS = (
    "northwire",
    "coastal-post",
    "iberia-daily",
    "baltic-times",
    "alpine-herald",
    "harbour-news",
    "central-ledger",
    "river-gazette",
    "metro-courier",
    "plains-journal",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "transport": {
        "thing": (
            "tram line",
            "bridge",
            "metro extension",
            "bus depot",
            "rail tunnel",
            "cycle network",
            "ring road",
            "ferry terminal",
        ),
        "org": (
            "the transport authority",
            "the regional rail operator",
            "the city council",
            "the ministry of infrastructure",
            "the port authority",
        ),
        "role": ("transport commissioner", "mayor", "chief engineer", "deputy minister"),
        "worry": (
            "noise",
            "delays",
            "rising costs",
            "traffic during construction",
            "damage to old buildings",
            "the loss of parking",
        ),
    },
    "energy": {
        "thing": (
            "wind farm",
            "solar park",
            "battery plant",
            "gas pipeline",
            "heat network",
            "hydrogen plant",
            "power line",
            "grid upgrade",
        ),
        "org": (
            "the grid operator",
            "the energy regulator",
            "a utility consortium",
            "the ministry of climate",
            "the regional government",
        ),
        "role": ("energy minister", "chief executive", "grid director", "climate adviser"),
        "worry": (
            "higher bills",
            "birds and bats",
            "the view from the coast",
            "land prices",
            "supply interruptions",
            "water use",
        ),
    },
    "health": {
        "thing": (
            "children's hospital",
            "vaccination campaign",
            "emergency ward",
            "cancer screening programme",
            "rural clinic",
            "nurse training scheme",
        ),
        "org": (
            "the health ministry",
            "the hospital board",
            "the doctors' union",
            "the public health institute",
            "the regional health service",
        ),
        "role": ("health minister", "hospital director", "chief medical officer", "union leader"),
        "worry": (
            "waiting lists",
            "staff shortages",
            "the cost of medicines",
            "closures of small wards",
            "long shifts",
        ),
    },
    "economy": {
        "thing": (
            "factory",
            "tax reform",
            "port expansion",
            "trade agreement",
            "minimum wage increase",
            "steel plant",
            "logistics hub",
        ),
        "org": (
            "the central bank",
            "the finance ministry",
            "the chamber of commerce",
            "the statistics office",
            "the employers' federation",
        ),
        "role": (
            "finance minister",
            "central bank governor",
            "chief economist",
            "union spokesperson",
        ),
        "worry": (
            "job losses",
            "inflation",
            "public debt",
            "falling exports",
            "competition from abroad",
        ),
    },
}

OPENINGS = (
    "{org_cap} in {city} approved plans on {day} for a new {thing} that would cost {money}.",
    "Officials in {city} said on {day} that work on the {thing} would start {when}.",
    "A long-delayed {thing} in {city} won final approval on {day} after {years} years of debate.",
    "{person}, the {role}, announced on {day} that {city} would get a {thing} {when}.",
)
BODY = (
    "{person} said the {thing} would serve about {number} people once it is finished.",
    "The project is expected to cost {money}, with {share} percent paid by {country}.",
    "Critics warned about {worry} and asked for an independent review of the plans.",
    "{org_cap} said construction would take roughly {years} years.",
    "Residents of the {district} district have collected {number} signatures against the plan.",
    "{person2}, who leads a local residents' group, said nobody had asked them about {worry}.",
    "The {role} told reporters that the {thing} was the largest investment in {city} in decades.",
    "According to {org}, demand has grown by {share} percent since {year}.",
    "Opposition councillors called the timetable unrealistic and said {worry} had been ignored.",
    "The first contracts are expected to be signed {when}, {person} said.",
    "Engineers will survey the site in the coming weeks before any digging begins.",
    "Similar projects in {city2} and {city3} ran over budget by {share} percent.",
    "A spokesperson for {org} declined to say how {worry} would be handled.",
    "Business groups in {city} welcomed the decision and said it would create {jobs} jobs.",
    "The plan still needs the approval of the national parliament, which votes {when}.",
    "Environmental organisations said they would study the impact report before deciding "
    "whether to go to court.",
    "{person} admitted that {worry} remained a concern but said the benefits were far larger.",
    "Local newspapers in {city} have covered the dispute for months.",
    "Unions representing construction workers said they expected {jobs} new positions.",
    "The {thing} is part of a wider programme that also includes projects in {city2}.",
)
HEADLINES = (
    "{city} approves {thing} despite concerns over {worry}",
    "{person} backs new {thing} for {city}",
    "Green light for {city}'s {thing}",
    "{city} to build {thing} costing {money}",
    "Debate over {worry} as {city} presses ahead with {thing}",
)
BYLINES = (
    "By {person}, {city} correspondent",
    "By our {city} staff reporter",
    "Reporting by {person}; editing by {person2}",
)
CREDITS = (
    "This article first appeared in {outlet}.",
    "Additional reporting by {outlet}.",
    "Originally published by {outlet} and republished with permission.",
)


@dataclass(frozen=True)
class CorpusArticle:
    """One generated article and the truth about it."""

    id: str
    source: str
    title: str
    text: str
    story: str
    kind: Kind
    duplicate_of: str | None = None

    def as_message(self) -> dict[str, str]:
        """The article as a raw-topic JSON message."""
        return {"id": self.id, "source": self.source, "title": self.title, "text": self.text}


@dataclass
class _Story:
    slots: dict[str, str]
    title: str
    paragraphs: list[list[str]]


class CorpusGenerator:
    """Deterministic generator of stories and their copies."""

    def __init__(self, seed: int = 7, target_chars: int = 2000) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.target_chars = target_chars
        self._counter = 0

    def _slots(self, topic: str, city: str | None = None) -> dict[str, str]:
        rng = self.rng
        words = TOPICS[topic]
        cities = rng.sample(CITIES, 3)
        org = rng.choice(words["org"])
        return {
            "topic": topic,
            "city": city or cities[0],
            "city2": cities[1],
            "city3": cities[2],
            "country": rng.choice(COUNTRIES),
            "thing": rng.choice(words["thing"]),
            "org": org,
            "org_cap": org[0].upper() + org[1:],
            "role": rng.choice(words["role"]),
            "worry": rng.choice(words["worry"]),
            "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "person2": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "day": rng.choice(WEEKDAYS),
            "when": rng.choice(
                (
                    "next spring",
                    "early next year",
                    "within months",
                    "before the summer",
                    "in the autumn",
                    f"in {rng.randint(2027, 2031)}",
                )
            ),
            "money": f"{rng.randint(2, 900)} million euros",
            "number": f"{rng.randint(2, 400) * 1000:,}",
            "share": str(rng.randint(3, 60)),
            "years": str(rng.randint(2, 12)),
            "year": str(rng.randint(2010, 2024)),
            "jobs": f"{rng.randint(1, 90) * 50:,}",
            "district": rng.choice(
                (
                    "old harbour",
                    "north",
                    "riverside",
                    "station",
                    "university",
                    "market",
                    "eastern",
                    "hill",
                )
            ),
        }

    def _paragraph(self, slots: dict[str, str], sentences: int) -> list[str]:
        picks = self.rng.sample(BODY, sentences)
        return [sentence.format(**slots) for sentence in picks]

    def _story(self, topic: str | None = None, city: str | None = None) -> _Story:
        slots = self._slots(topic or self.rng.choice(sorted(TOPICS)), city)
        paragraphs = [[self.rng.choice(OPENINGS).format(**slots)]]
        length = len(paragraphs[0][0])
        while length < self.target_chars:
            paragraph = self._paragraph(slots, self.rng.randint(2, 3))
            paragraphs.append(paragraph)
            length += sum(len(s) + 1 for s in paragraph)
        # later paragraphs get fresh numbers, so facts differ between stories
        return _Story(slots, self.rng.choice(HEADLINES).format(**slots), paragraphs)

    def _text(
        self,
        title: str,
        paragraphs: list[list[str]],
        head: list[str] | None = None,
        tail: list[str] | None = None,
    ) -> str:
        lines = [title, *(head or []), *(" ".join(p) for p in paragraphs), *(tail or [])]
        return "\n\n".join(lines)

    def _id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}-{self._counter:07d}"

    def original(
        self, topic: str | None = None, city: str | None = None, kind: Kind = "original"
    ) -> tuple[CorpusArticle, _Story]:
        """The first article of a story."""
        story = self._story(topic, city)
        article_id = self._id("art")
        article = CorpusArticle(
            article_id,
            self.rng.choice(OUTLETS),
            story.title,
            self._text(story.title, story.paragraphs),
            article_id,
            kind,
        )
        return article, story

    def exact(self, of: CorpusArticle) -> CorpusArticle:
        """The same text again under another id and outlet."""
        lines = of.text.split("\n\n")
        text = "\n\n".join(
            ("  " + line.upper() + " ") if i == 0 else line.replace(". ", ".  ")
            for i, line in enumerate(lines)
        )
        return CorpusArticle(
            self._id("copy"), self.rng.choice(OUTLETS), of.title, text, of.story, "exact", of.id
        )

    def near(self, of: CorpusArticle, story: _Story) -> CorpusArticle:
        """A trivially edited copy (headline, paragraph, byline or dropped sentence)."""
        rng = self.rng
        paragraphs = [list(p) for p in story.paragraphs]
        title = of.title
        head: list[str] = []
        edits = rng.sample(("headline", "paragraph", "byline", "drop"), rng.randint(1, 2))
        for edit in edits:
            if edit == "headline":
                title = rng.choice(HEADLINES).format(**story.slots)
                if title == of.title:
                    title = "UPDATE: " + title
            elif edit == "paragraph" and len(paragraphs) > 2:
                index = rng.randrange(1, len(paragraphs))
                paragraphs[index] = self._paragraph(story.slots, len(paragraphs[index]))
            elif edit == "byline":
                head.append(rng.choice(BYLINES).format(**story.slots))
            elif edit == "drop":
                index = rng.randrange(1, len(paragraphs))
                if len(paragraphs[index]) > 1:
                    paragraphs[index].pop(rng.randrange(len(paragraphs[index])))
        return CorpusArticle(
            self._id("near"),
            of.source,
            title,
            self._text(title, paragraphs, head),
            of.story,
            "near",
            of.id,
        )

    def syndicated(self, of: CorpusArticle, story: _Story) -> CorpusArticle:
        """The story as another outlet syndicates it."""
        rng = self.rng
        outlet = rng.choice([o for o in OUTLETS if o != of.source])
        title = rng.choice(HEADLINES).format(**story.slots)
        head = [rng.choice(BYLINES).format(**story.slots)]
        tail = [rng.choice(CREDITS).format(outlet=of.source)]
        return CorpusArticle(
            self._id("synd"),
            outlet,
            title,
            self._text(title, story.paragraphs, head, tail),
            of.story,
            "syndicated",
            of.id,
        )

    def update(self, of: CorpusArticle, story: _Story) -> CorpusArticle:
        """The story later, with new facts (new paragraphs), maybe a new headline."""
        rng = self.rng
        paragraphs = [list(p) for p in story.paragraphs]
        if rng.random() < 0.5 and len(paragraphs) > 1:
            index = rng.randrange(1, len(paragraphs))
            if len(paragraphs[index]) > 1:
                paragraphs[index].pop(rng.randrange(len(paragraphs[index])))
        # new facts: the story's place, organisation and people, fresh figures and dates
        fresh = self._slots(story.slots["topic"], story.slots["city"])
        for same in ("city2", "city3", "country", "thing", "org", "org_cap", "role", "person"):
            fresh[same] = story.slots[same]
        for _ in range(rng.randint(1, 2)):
            at = rng.randrange(1, len(paragraphs) + 1)
            paragraphs.insert(at, self._paragraph(fresh, 3))
        title = rng.choice(HEADLINES).format(**story.slots) if rng.random() < 0.5 else of.title
        return CorpusArticle(
            self._id("upd"),
            of.source,
            title,
            self._text(title, paragraphs, []),
            of.story,
            "update",
            of.id,
        )

    def distinct(self, like: _Story) -> CorpusArticle:
        """Another story on the same topic and in the same city: not a duplicate."""
        article, _ = self.original(like.slots["topic"], like.slots["city"], kind="distinct")
        return article


def generate_corpus(
    stories: int,
    *,
    seed: int = 7,
    exact: float = 0.1,
    near: float = 0.2,
    syndicated: float = 0.1,
    distinct: float = 0.2,
    target_chars: int = 2000,
    update: float = 0.0,
) -> list[CorpusArticle]:
    """``stories`` originals, and per original the given chance of each kind of sibling.

    Copies follow their original in the list (as they would arrive later); the
    order is otherwise shuffled deterministically.
    """
    gen = CorpusGenerator(seed, target_chars)
    out: list[CorpusArticle] = []
    for _ in range(stories):
        original, story = gen.original()
        group = [original]
        if gen.rng.random() < exact:
            group.append(gen.exact(original))
        if gen.rng.random() < near:
            group.append(gen.near(original, story))
        if gen.rng.random() < syndicated:
            group.append(gen.syndicated(original, story))
        if gen.rng.random() < distinct:
            group.append(gen.distinct(story))
        if update and gen.rng.random() < update:  # no draw at 0: other corpora stay the same
            group.append(gen.update(original, story))
        out.extend(group)
    return out


def iter_plain_articles(
    count: int, *, seed: int = 11, target_chars: int = 2000, duplicate_rate: float = 0.0
) -> Iterator[CorpusArticle]:
    """A stream for benchmarks: originals, and exact or near copies at ``duplicate_rate``."""
    gen = CorpusGenerator(seed, target_chars)
    recent: list[tuple[CorpusArticle, _Story]] = []
    for _ in range(count):
        if recent and gen.rng.random() < duplicate_rate:
            original, story = gen.rng.choice(recent)
            yield gen.exact(original) if gen.rng.random() < 0.5 else gen.syndicated(original, story)
            continue
        original, story = gen.original()
        recent.append((original, story))
        recent = recent[-200:]
        yield original
