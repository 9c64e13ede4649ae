"""The geocoding gold (tests/data/geocode_gold.tsv) and the worker's resolution on it.

The gold is read here without services; scoring it needs the articles of ../shared/data
(never copied into the project), and the spaCy model.
"""

from __future__ import annotations

import json

import pycountry

from bench.geocode_quality import (
    DEFAULT_DATA,
    baseline,
    newsworker,
    read_gold,
    read_states,
    score,
    state_score,
    topic,
)
from tests.conftest import shared_file
from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel


def test_the_gold_is_well_formed_and_large_enough() -> None:
    gold = read_gold()
    countries = {c.alpha_2 for c in pycountry.countries}
    assert all(row.gold in countries or row.gold in {"-", "*"} for row in gold)
    assert sum(row.is_place for row in gold) >= 200
    assert len({(r.article_id, r.mention) for r in gold}) == len(gold)
    assert {topic(r.article_id) % 2 for r in gold} == {0, 1}  # both halves have rows


def test_the_state_gold_labels_us_places_of_the_gold_with_real_states() -> None:
    us_rows = {(r.article_id, r.mention) for r in read_gold() if r.gold == "US"}
    codes = {s.code.split("-")[1] for s in pycountry.subdivisions if s.country_code == "US"}
    states = read_states()
    assert len(states) >= 200 and set(states) <= us_rows
    assert set(states.values()) <= codes | {"-"}


def test_resolution_beats_a_bare_lookup_and_meets_the_precision_target_on_both_halves() -> None:
    data = shared_file(DEFAULT_DATA)
    gold = read_gold()
    wanted = {row.article_id for row in gold}
    articles = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] in wanted:
            articles[record["id"]] = record
    ids = sorted(articles)
    found = dict(zip(ids, NerModel().mentions([articles[i]["text"] for i in ids]), strict=True))
    places = place_index()
    names: dict[str, list[str]] = {}
    for row in gold:
        names.setdefault(row.article_id, []).append(row.mention)
    ours = {
        i: newsworker(found[i], articles[i]["title"], articles[i]["text"], names[i], places)
        for i in ids
    }
    bare = {i: baseline(found[i], names[i], places) for i in ids}
    for half in (0, 1):
        rows = [r for r in gold if topic(r.article_id) % 2 == half]
        mine, theirs = score(rows, ours, places), score(rows, bare, places)
        assert mine.precision > theirs.precision and mine.share_resolved > theirs.share_resolved
    # the target, 0.95 on what is resolved: on the half the rules were chosen
    # on, and on the held-out half they were only measured on afterwards
    for half in (1, 0):
        mine = score([r for r in gold if topic(r.article_id) % 2 == half], ours, places)
        assert mine.precision >= 0.95, (half, mine.precision)
    # US towns and counties put in the right state, more often than a bare lookup does
    states = {k: v for k, v in read_states().items() if topic(k[0]) % 2 == 1}
    mine_states, bare_states = state_score(states, ours), state_score(states, bare)
    assert mine_states.precision >= 0.95 and mine_states.precision > bare_states.precision
