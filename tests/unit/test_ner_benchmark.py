"""The public NER benchmark's reader and scorer (pure), and the worker against bare spaCy on it."""

from __future__ import annotations

import pytest

from bench import ner_benchmark
from bench.ner_benchmark import Prediction, parse, score
from workers.adapters.gazetteer import place_index
from workers.adapters.spacy_ner import NerModel
from workers.config import DEFAULT_LABELS

LINES = [
    "# a comment line",
    "[Iran]gpe 's new [President Mahmoud Ahmadinejad]per said it , in [Vienna]geo .",
    '" We agree , " the [IAEA]org said ( [Mr. Ismail]per ) .',
    "",
    "Talks in [Paris]geo .",
]


def test_items_are_detokenized_with_gold_offsets() -> None:
    first, second = parse(LINES)
    assert first.text == (
        "Iran's new President Mahmoud Ahmadinejad said it, in Vienna. "
        '"We agree," the IAEA said (Mr. Ismail).'
    )
    assert [(s.text, s.tag) for s in first.spans] == [
        ("Iran", "gpe"),
        ("President Mahmoud Ahmadinejad", "per"),
        ("Vienna", "geo"),
        ("IAEA", "org"),
        ("Mr. Ismail", "per"),
    ]
    assert all(first.text[s.start : s.end] == s.text for s in first.spans)
    assert second.text == "Talks in Paris." and not first.held_out and second.held_out


def test_scoring_credits_head_ends_and_ignores_gpe_spans() -> None:
    (item, _) = parse(LINES)
    text = item.text
    predictions = [
        Prediction("Mahmoud Ahmadinejad", "PERSON", text.index("Mahmoud"), text.index(" said")),
        Prediction("Iran", "GPE", 0, 4),  # on a gpe span: neither credited nor charged
        Prediction("Vienna", "ORG", text.index("Vienna"), text.index("Vienna") + 6),  # wrong class
    ]
    report = score([item], [predictions])
    assert (report.mentions.true_positives, report.mentions.predicted) == (1, 2)
    assert report.documents["PER"].true_positives == 1  # "Ahmadinejad" either way
    assert report.documents["LOC"].recall == 0.0 and report.documents["ORG"].precision == 0.0


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, bool], ner_benchmark.Report]:
    items = ner_benchmark.load()
    mentions = NerModel().mentions([item.text for item in items])
    return ner_benchmark.reports(items, mentions, DEFAULT_LABELS, place_index())


@pytest.mark.parametrize("held_out", [False, True])
def test_the_worker_beats_bare_spacy_on_every_label(
    reports: dict[tuple[str, bool], ner_benchmark.Report], held_out: bool
) -> None:
    bare, ours = (reports[side, held_out] for side in ner_benchmark.SIDES)
    assert ours.documents["all"].f1 >= bare.documents["all"].f1 + 0.03
    for cls in ner_benchmark.CLASSES:
        assert ours.documents[cls].f1 >= bare.documents[cls].f1, cls
    assert ours.mentions.f1 > bare.mentions.f1
