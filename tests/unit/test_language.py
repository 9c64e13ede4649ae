"""The language rule (pure, with a stand-in classifier) and the real py3langid classifier."""

from __future__ import annotations

import pytest

from workers.adapters.language_id import LangId
from workers.core.language import SAMPLE_CHARS, detect_language


class Recording:
    """A classifier that answers one code and records what it was shown."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.seen: list[str] = []

    def __call__(self, text: str) -> tuple[str, float]:
        self.seen.append(text)
        return self.code, 0.87654


def test_too_little_text_is_undetermined_and_treated_as_english() -> None:
    classify = Recording("de")
    language = detect_language("Breaking: ", classify)
    assert language.code == "und" and language.is_english and classify.seen == []


def test_the_classifier_sees_the_start_of_the_text_only() -> None:
    classify = Recording("es")
    language = detect_language("palabra " * 1000, classify)
    assert language.code == "es" and not language.is_english and language.score == 0.877
    assert len(classify.seen[0]) == SAMPLE_CHARS


def test_a_sentence_without_spaces_is_long_enough_to_classify() -> None:
    """Chinese writes no spaces: its characters, two a word, make the length (one run of
    word characters between two commas is not one word)."""
    classify = Recording("zh")
    assert detect_language("港口今天开放，工人复工。", classify).code == "zh"
    assert detect_language("港口开放", classify).code == "und"


@pytest.fixture(scope="module")
def langid() -> LangId:
    return LangId()


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", "Line 12: Vladimir Putin met Donald Trump in Moscow on day 12."),
        ("en", "The council voted on Tuesday to close the harbour until the storm passes."),
        ("es", "El ayuntamiento votó el martes cerrar el puerto hasta que pase la tormenta."),
        (
            "de",
            "Der Stadtrat hat beschlossen, den Hafen bis nach dem Sturm zu schließen.",
        ),
        (
            "fr",
            "Le conseil a voté mardi la fermeture du port jusqu'à la fin de la tempête.",
        ),
        (
            "id",
            "Dewan kota memutuskan untuk menutup pelabuhan sampai badai berlalu.",
        ),
        ("tr", "Belediye meclisi salı günü fırtına geçene kadar limanı kapatma kararı aldı."),
        ("fi", "Kaupunginvaltuusto päätti tiistaina sulkea sataman, kunnes myrsky on ohi."),
        ("uk", "Міська рада у вівторок проголосувала за закриття порту до кінця шторму."),
    ],
)
def test_the_real_classifier_tells_news_sentences_apart(
    langid: LangId, code: str, text: str
) -> None:
    assert detect_language(text, langid).code == code
